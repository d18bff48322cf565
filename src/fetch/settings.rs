//! One mirror setting and one credential setting for every binary host, read without
//! npm's help (npm warns that it will stop passing unknown `.npmrc` keys on).
//!
//! - `PREGYP_MIRROR`: entries `FROM=TO`, separated by white space or `;`. Any binary URL
//!   that starts with `FROM` (GitHub releases, S3, any host) is fetched from `TO` + the
//!   rest. The longest matching `FROM` wins.
//! - `PREGYP_AUTH`: npmrc-style entries, separated by white space:
//!   `//host[:port]/path/:_authToken=TOKEN` (a bearer token), `//host/path/:_auth=BASE64`
//!   (basic credentials, `user:password` in base64), or the pair
//!   `//host/path/:username=USER` and `//host/path/:_password=BASE64`.
//!   The credentials go only to URLs under that scope (longest scope wins), never to
//!   another host: reqwest drops `Authorization` on a redirect to another host, scheme or
//!   port.
//! - A config file, `PREGYP_CONFIG` or else `~/.pregyprc`: one entry a line, `#` and `;`
//!   start comments; `mirror=FROM=TO` lines and the npmrc-style lines above. A value
//!   `${NAME}` is read from the environment variable `NAME`.
//!
//! The environment's entries come before the file's: for the same `FROM` or scope, the
//! environment wins. A malformed entry is an error naming the variable and entry, or the
//! file and line; it never shows a secret.

use crate::config::options::Env;
use crate::error::{Error, Result};
use crate::redact::redact_url;
use std::path::{Path, PathBuf};
use std::sync::{Arc, OnceLock};

/// The mirror variable.
pub const MIRROR_VAR: &str = "PREGYP_MIRROR";
/// The credentials variable.
pub const AUTH_VAR: &str = "PREGYP_AUTH";
/// The config file variable (default `~/.pregyprc`).
pub const CONFIG_VAR: &str = "PREGYP_CONFIG";

/// One prefix rewrite, and where it was set (for messages).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Mirror {
    /// The URL prefix replaced.
    pub from: String,
    /// What replaces it.
    pub to: String,
    /// `PREGYP_MIRROR entry 2` or `/home/me/.pregyprc line 3`.
    pub origin: String,
}

/// A rewritten URL and the setting that rewrote it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rewritten {
    /// The URL to fetch.
    pub url: String,
    /// The setting, for a 404's message.
    pub origin: String,
}

#[derive(Clone, PartialEq, Eq)]
enum Secret {
    Bearer(String),
    /// base64 of `user:password`.
    Basic(String),
    User(String),
    /// base64 of the password, npm's form.
    Password(String),
}

#[derive(Clone, PartialEq, Eq)]
struct Credential {
    /// `host[:port]/path/`, the host in lower case, no default port.
    scope: String,
    secret: Secret,
    origin: String,
}

impl std::fmt::Debug for Credential {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Credential(//{} from {}, ***)", self.scope, self.origin)
    }
}

/// [`NetSettings`] read on first use, then kept: a command reads them once, however many
/// packages it handles (clones share them), and not at all when it fetches nothing.
#[derive(Debug, Clone, Default)]
pub struct LazyNetSettings(Arc<OnceLock<NetSettings>>);

impl LazyNetSettings {
    /// The settings, read from `env` (and the config file it names) the first time.
    pub fn get(&self, env: &Env) -> Result<&NetSettings> {
        if let Some(n) = self.0.get() {
            return Ok(n);
        }
        let loaded = NetSettings::load(env)?;
        Ok(self.0.get_or_init(|| loaded))
    }
}

/// The mirrors and credentials in effect.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct NetSettings {
    /// Prefix rewrites, environment first.
    pub mirrors: Vec<Mirror>,
    creds: Vec<Credential>,
}

impl NetSettings {
    /// Reads `PREGYP_MIRROR`, `PREGYP_AUTH` and the config file.
    pub fn load(env: &Env) -> Result<Self> {
        let mut s = NetSettings::default();
        if let Some(v) = env.non_empty(MIRROR_VAR) {
            for (i, entry) in entries(v, true).enumerate() {
                let origin = format!("{MIRROR_VAR} entry {}", i + 1);
                s.mirrors.push(parse_mirror(entry, &origin)?);
            }
        }
        if let Some(v) = env.non_empty(AUTH_VAR) {
            for (i, entry) in entries(v, false).enumerate() {
                let origin = format!("{AUTH_VAR} entry {}", i + 1);
                s.creds.push(parse_credential(entry, &origin, env)?);
            }
        }
        if let Some(file) = config_file(env)? {
            let text = std::fs::read_to_string(&file).map_err(|e| Error::io("read", &file, e))?;
            s.add_file(&file, &text, env)?;
        }
        Ok(s)
    }

    fn add_file(&mut self, file: &Path, text: &str, env: &Env) -> Result<()> {
        for (i, raw) in text.lines().enumerate() {
            let line = raw.trim();
            if line.is_empty() || line.starts_with('#') || line.starts_with(';') {
                continue;
            }
            let origin = format!("{} line {}", file.display(), i + 1);
            if let Some(rest) = line.strip_prefix("mirror") {
                let rest = rest.trim_start();
                let Some(value) = rest.strip_prefix('=') else {
                    return Err(invalid(&origin, "expected `mirror=FROM=TO`".into()));
                };
                self.mirrors.push(parse_mirror(value.trim(), &origin)?);
            } else if line.starts_with("//") {
                self.creds.push(parse_credential(line, &origin, env)?);
            } else {
                let key = line.split('=').next().unwrap_or(line).trim();
                return Err(invalid(
                    &origin,
                    format!("unknown setting `{key}` (expected `mirror=FROM=TO` or `//host/path/:_authToken=...`)"),
                ));
            }
        }
        Ok(())
    }

    /// `url` with the longest matching mirror prefix replaced, or `None`.
    pub fn rewrite(&self, url: &str) -> Option<Rewritten> {
        let m = self
            .mirrors
            .iter()
            .filter(|m| url.starts_with(&m.from))
            // Longest prefix; among equal ones the first (the environment's).
            .min_by_key(|m| std::cmp::Reverse(m.from.len()))?;
        Some(Rewritten {
            url: format!("{}{}", m.to, &url[m.from.len()..]),
            origin: format!("{} ({}={})", m.origin, m.from, redact_url(&m.to)),
        })
    }

    /// The `Authorization` header for `url` (marked sensitive) and where it was set, from
    /// the longest matching scope; `None` when no credentials apply.
    pub fn authorization(&self, url: &str) -> Option<(reqwest::header::HeaderValue, String)> {
        let target = scope_of_url(url)?;
        let best = self
            .creds
            .iter()
            .filter(|c| target.starts_with(&c.scope))
            .map(|c| c.scope.len())
            .max()?;
        let here: Vec<&Credential> = self
            .creds
            .iter()
            .filter(|c| c.scope.len() == best && target.starts_with(&c.scope))
            .collect();
        let value = here.iter().find_map(|c| match &c.secret {
            Secret::Bearer(t) => Some(format!("Bearer {t}")),
            Secret::Basic(b) => Some(format!("Basic {b}")),
            _ => None,
        });
        let value = value.or_else(|| {
            use base64::Engine as _;
            let user = here.iter().find_map(|c| match &c.secret {
                Secret::User(u) => Some(u.clone()),
                _ => None,
            })?;
            let pass = here.iter().find_map(|c| match &c.secret {
                Secret::Password(p) => Some(p.clone()),
                _ => None,
            })?;
            let pass = base64::engine::general_purpose::STANDARD
                .decode(pass)
                .ok()?;
            let mut both = format!("{user}:").into_bytes();
            both.extend(pass);
            Some(format!(
                "Basic {}",
                base64::engine::general_purpose::STANDARD.encode(both)
            ))
        })?;
        let mut h = reqwest::header::HeaderValue::from_str(&value).ok()?;
        h.set_sensitive(true);
        Some((h, format!("//{} from {}", here[0].scope, here[0].origin)))
    }

    /// `url` as it is to be fetched: rewritten by a mirror entry (unless `use_mirror` is
    /// false: a per-package setting already chose the host), with its credentials.
    pub fn target(&self, url: &str, use_mirror: bool) -> Target {
        let rewritten = use_mirror.then(|| self.rewrite(url)).flatten();
        let (url, mirror) = match rewritten {
            Some(r) => (r.url, Some(r.origin)),
            None => (url.to_string(), None),
        };
        let mut headers = reqwest::header::HeaderMap::new();
        let mut credentials = None;
        if let Some((h, origin)) = self.authorization(&url) {
            headers.insert(reqwest::header::AUTHORIZATION, h);
            credentials = Some(origin);
        }
        Target {
            url,
            mirror,
            credentials,
            headers,
        }
    }
}

impl NetSettings {
    /// Where `install` fetches `config`'s tarball from: its `hosted_tarball`, rewritten by a
    /// mirror entry unless the package's own mirror setting
    /// (`npm_config_<module>_binary_host_mirror`) already chose the host.
    pub fn install_target(
        &self,
        opts: &crate::config::options::Options,
        config: &crate::config::versioning::Config,
    ) -> Target {
        let own_mirror = opts.mirror_for(&config.module_name).is_some();
        self.target(&config.hosted_tarball, !own_mirror)
    }
}

/// A binary URL ready to fetch.
#[derive(Debug, Clone)]
pub struct Target {
    /// The URL to fetch (after the mirror).
    pub url: String,
    /// The mirror setting that rewrote it.
    pub mirror: Option<String>,
    /// Where the credentials sent to it were set.
    pub credentials: Option<String>,
    /// The headers to send (`Authorization`, sensitive).
    pub headers: reqwest::header::HeaderMap,
}

impl Target {
    /// A download error with the setting behind it: a mirror's 404 names the mirror entry,
    /// a refusal of configured credentials names where they were set.
    pub fn explain(&self, e: Error) -> Error {
        match e {
            Error::DownloadNotFound { url } if self.mirror.is_some() => Error::MirrorNotFound {
                url,
                setting: self.mirror.clone().unwrap_or_default(),
            },
            Error::DownloadForbidden { url, .. } if self.credentials.is_some() => {
                Error::DownloadForbidden {
                    url,
                    hint: format!(
                        "; the host refused the credentials of {}",
                        self.credentials.as_deref().unwrap_or_default()
                    ),
                }
            }
            Error::DownloadStatus { url, status: 401, .. } => Error::Unauthorized {
                url,
                hint: match &self.credentials {
                    Some(c) => format!(": the host refused the credentials of {c}"),
                    None => format!(": the host wants credentials (set them in {AUTH_VAR} or the {CONFIG_VAR} file)"),
                },
            },
            e => e,
        }
    }
}

/// `PREGYP_CONFIG` (which must exist), else `~/.pregyprc` when there is one.
fn config_file(env: &Env) -> Result<Option<PathBuf>> {
    if let Some(f) = env.non_empty(CONFIG_VAR) {
        let p = PathBuf::from(f);
        if !p.is_file() {
            return Err(Error::InvalidSetting {
                source_name: CONFIG_VAR.into(),
                reason: format!("{} is not a file", p.display()),
            });
        }
        return Ok(Some(p));
    }
    Ok(env
        .home()
        .map(|h| Path::new(h).join(".pregyprc"))
        .filter(|p| p.is_file()))
}

fn entries(v: &str, semicolons: bool) -> impl Iterator<Item = &str> {
    v.split(move |c: char| c.is_whitespace() || (semicolons && c == ';'))
        .filter(|e| !e.is_empty())
}

fn invalid(origin: &str, reason: String) -> Error {
    Error::InvalidSetting {
        source_name: origin.to_string(),
        reason,
    }
}

fn parse_mirror(entry: &str, origin: &str) -> Result<Mirror> {
    let Some((from, to)) = entry.split_once('=') else {
        return Err(invalid(
            origin,
            format!(
                "`{}` is not FROM=TO (e.g. https://github.com/=https://mirror.example/github/)",
                redact_url(entry)
            ),
        ));
    };
    let (from, to) = (from.trim(), to.trim());
    for (what, u) in [("FROM", from), ("TO", to)] {
        let ok = url::Url::parse(u).is_ok_and(|p| {
            matches!(p.scheme(), "https" | "http" | "file")
                && (p.scheme() == "file" || p.host().is_some())
        });
        if !ok {
            return Err(invalid(
                origin,
                format!("{what} `{}` is not an absolute http(s) URL", redact_url(u)),
            ));
        }
    }
    if to.starts_with("http:") && !crate::config::urls::is_loopback(to) {
        return Err(invalid(
            origin,
            format!(
                "TO `{}` is plain http off this machine; use https",
                redact_url(to)
            ),
        ));
    }
    if from.ends_with('/') != to.ends_with('/') {
        return Err(invalid(
            origin,
            format!("FROM `{from}` and TO `{}` must both end with `/` or neither (a prefix is replaced as text)", redact_url(to)),
        ));
    }
    Ok(Mirror {
        from: from.to_string(),
        to: to.to_string(),
        origin: origin.to_string(),
    })
}

/// `//host[:port]/path/` of a scope, normalised (`None` when it is not one).
fn normalise_scope(scope: &str) -> Option<String> {
    let u = url::Url::parse(&format!("https:{scope}")).ok()?;
    let host = u.host_str()?.to_ascii_lowercase();
    let port = u.port().map(|p| format!(":{p}")).unwrap_or_default();
    let mut path = u.path().to_string();
    if !path.ends_with('/') {
        path.push('/');
    }
    Some(format!("{host}{port}{path}"))
}

fn scope_of_url(url: &str) -> Option<String> {
    let u = url::Url::parse(url).ok()?;
    let host = u.host_str()?.to_ascii_lowercase();
    let port = u.port().map(|p| format!(":{p}")).unwrap_or_default();
    Some(format!("{host}{port}{}", u.path()))
}

fn parse_credential(entry: &str, origin: &str, env: &Env) -> Result<Credential> {
    // `//host/path/:key=value`: the key follows the last `:` before the `=`.
    let Some((left, value)) = entry.split_once('=') else {
        return Err(invalid(
            origin,
            "expected `//host/path/:_authToken=TOKEN`".into(),
        ));
    };
    let shown_left = left.trim();
    let Some((scope, key)) = shown_left.rsplit_once(':') else {
        return Err(invalid(
            origin,
            format!("`{shown_left}` has no `:key` (e.g. `//host/path/:_authToken=TOKEN`)"),
        ));
    };
    let Some(norm) = scope
        .strip_prefix("//")
        .and_then(|_| normalise_scope(scope))
    else {
        return Err(invalid(
            origin,
            format!("`{scope}` is not `//host[:port]/path/`"),
        ));
    };
    let mut value = value.trim().to_string();
    if let Some(name) = value.strip_prefix("${").and_then(|v| v.strip_suffix('}')) {
        value = env
            .non_empty(name)
            .ok_or_else(|| {
                invalid(
                    origin,
                    format!("`{shown_left}` refers to ${{{name}}}, which is not set"),
                )
            })?
            .to_string();
    }
    if value.is_empty() {
        return Err(invalid(
            origin,
            format!("`{shown_left}` has an empty value"),
        ));
    }
    let bad_b64 = |what: &str| {
        invalid(
            origin,
            format!("`{shown_left}`: the {what} is not valid base64"),
        )
    };
    use base64::Engine as _;
    let b64 = &base64::engine::general_purpose::STANDARD;
    let secret = match key {
        "_authToken" => Secret::Bearer(value),
        "_auth" => {
            let decoded = b64.decode(&value).map_err(|_| bad_b64("value"))?;
            if !decoded.contains(&b':') {
                return Err(invalid(
                    origin,
                    format!("`{shown_left}`: the value must be base64 of `user:password`"),
                ));
            }
            Secret::Basic(value)
        }
        "username" => Secret::User(value),
        "_password" => {
            b64.decode(&value).map_err(|_| bad_b64("password"))?;
            Secret::Password(value)
        }
        other => {
            return Err(invalid(
                origin,
                format!(
                    "unknown key `{other}` (expected _authToken, _auth, username or _password)"
                ),
            ))
        }
    };
    if value_has_ctl(&secret) {
        return Err(invalid(
            origin,
            format!("`{shown_left}`: the value has control characters"),
        ));
    }
    Ok(Credential {
        scope: norm,
        secret,
        origin: origin.to_string(),
    })
}

fn value_has_ctl(s: &Secret) -> bool {
    let v = match s {
        Secret::Bearer(v) | Secret::Basic(v) | Secret::User(v) | Secret::Password(v) => v,
    };
    v.chars().any(|c| c.is_control())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn env(pairs: &[(&str, &str)]) -> Env {
        let mut v: Vec<(&str, &str)> = pairs.to_vec();
        v.push(("HOME", "/nonexistent-home-for-tests"));
        Env::from_pairs(&v)
    }

    #[test]
    fn mirrors_rewrite_the_longest_prefix() {
        let s = NetSettings::load(&env(&[(
            MIRROR_VAR,
            "https://github.com/=https://m.example/gh/ ; https://github.com/TryGhost/=https://m.example/ghost/",
        )]))
        .unwrap();
        let r = s
            .rewrite("https://github.com/TryGhost/node-sqlite3/releases/download/v6.0.1/x.tar.gz")
            .unwrap();
        assert_eq!(
            r.url,
            "https://m.example/ghost/node-sqlite3/releases/download/v6.0.1/x.tar.gz"
        );
        assert!(
            r.origin.starts_with("PREGYP_MIRROR entry 2"),
            "{}",
            r.origin
        );
        assert_eq!(
            s.rewrite("https://github.com/a/b").unwrap().url,
            "https://m.example/gh/a/b"
        );
        assert!(s.rewrite("https://example.org/x").is_none());
    }

    #[test]
    fn malformed_entries_name_their_origin_and_never_the_secret() {
        let cases: &[(&str, &str, &str)] = &[
            (MIRROR_VAR, "https://github.com/", "PREGYP_MIRROR entry 1"),
            (
                MIRROR_VAR,
                "https://a/=https://b/ github.com=https://c",
                "PREGYP_MIRROR entry 2",
            ),
            (
                MIRROR_VAR,
                "https://a/=http://mirror.example/",
                "plain http",
            ),
            (MIRROR_VAR, "https://a/=https://b", "both end with"),
            (AUTH_VAR, "//h.example/:_authToken", "PREGYP_AUTH entry 1"),
            (
                AUTH_VAR,
                "//h.example/:_secret=s3cr3t-value",
                "unknown key `_secret`",
            ),
            (
                AUTH_VAR,
                "//h.example/:_auth=!!s3cr3t-value",
                "not valid base64",
            ),
            (
                AUTH_VAR,
                "h.example/:_authToken=s3cr3t-value",
                "is not `//host",
            ),
        ];
        for (var, value, want) in cases {
            let e = NetSettings::load(&env(&[(var, value)])).unwrap_err();
            let msg = e.to_string();
            assert!(msg.contains(want), "{value}: {msg}");
            assert!(!msg.contains("s3cr3t"), "{msg}");
            assert_eq!(e.code(), "E_INVALID_OPTION");
        }
    }

    #[test]
    fn config_file_lines_and_errors() {
        let d = tempfile::tempdir().unwrap();
        let f = d.path().join("rc");
        std::fs::write(
            &f,
            "# comment\nmirror=https://github.com/=https://m.example/gh/\n//h.example/p/:_authToken=${TOKEN_VAR}\n",
        )
        .unwrap();
        let p = f.to_str().unwrap();
        let s = NetSettings::load(&env(&[(CONFIG_VAR, p), ("TOKEN_VAR", "tok")])).unwrap();
        assert_eq!(s.mirrors.len(), 1);
        assert!(s.mirrors[0].origin.ends_with("rc line 2"));
        let (h, _) = s.authorization("https://h.example/p/x.tar.gz").unwrap();
        assert!(h.is_sensitive());
        assert_eq!(h.to_str().unwrap(), "Bearer tok");
        std::fs::write(&f, "\nmirror https://a/\n").unwrap();
        let e = NetSettings::load(&env(&[(CONFIG_VAR, p)])).unwrap_err();
        assert!(e.to_string().contains(&format!("{p} line 2")), "{e}");
        std::fs::write(&f, "registry=https://r/\n").unwrap();
        let e = NetSettings::load(&env(&[(CONFIG_VAR, p)])).unwrap_err();
        assert!(
            e.to_string().contains("line 1")
                && e.to_string().contains("unknown setting `registry`"),
            "{e}"
        );
        let e = NetSettings::load(&env(&[(CONFIG_VAR, "/no/such/file")])).unwrap_err();
        assert!(e.to_string().contains("PREGYP_CONFIG"), "{e}");
    }

    #[test]
    fn credentials_go_only_to_their_scope() {
        use base64::Engine as _;
        let pw = base64::engine::general_purpose::STANDARD.encode("pw");
        let s = NetSettings::load(&env(&[(
            AUTH_VAR,
            &format!("//h.example/a/:_authToken=A //h.example/a/b/:_authToken=B //127.0.0.1:8443/:username=u //127.0.0.1:8443/:_password={pw}"),
        )]))
        .unwrap();
        let get = |u: &str| {
            s.authorization(u)
                .map(|(h, _)| h.to_str().unwrap().to_string())
        };
        assert_eq!(get("https://h.example/a/x").as_deref(), Some("Bearer A"));
        assert_eq!(
            get("https://H.EXAMPLE:443/a/b/x").as_deref(),
            Some("Bearer B")
        );
        assert_eq!(
            get("https://h.example/ab"),
            None,
            "a scope is a folder, not a text prefix"
        );
        assert_eq!(get("https://h.example.evil/a/x"), None);
        assert_eq!(
            get("https://h.example:444/a/x"),
            None,
            "another port is another host"
        );
        assert_eq!(
            get("https://127.0.0.1:8443/x").as_deref(),
            Some(
                format!(
                    "Basic {}",
                    base64::engine::general_purpose::STANDARD.encode("u:pw")
                )
                .as_str()
            )
        );
        assert!(!format!("{s:?}").contains("Bearer A"));
    }
}
