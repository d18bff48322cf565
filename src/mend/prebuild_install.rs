//! prebuild-install 7.1.3's rules, as its source (`rc.js`, `util.js`, `bin.js`,
//! `asset.js`, `download.js`) has them, and the download they lead to with pregyp's
//! standards around it: the mirror and credential settings, the `.sha256` sidecar when
//! the host has one, retries, the cache, a safe unpack into a staging folder, a test-load
//! in a child, and an atomic move into `build/`.
//!
//! Where the URL comes from, first match wins (`util.urlTemplate`):
//! 1. `--download <template>` / `-d` / `npm_config_download` / `prebuild-install_download`;
//! 2. `npm_config_{pkg}_binary_host`, then `..._binary_host_mirror`:
//!    `{mirror}/{tag_prefix}{version}/{file}`;
//! 3. `binary.host` + `binary.remote_path` + (`binary.package_name` or `{file}`);
//! 4. `{github}/releases/download/{tag_prefix}{version}/{file}`,
//!
//! where `{file}` is `{name}-v{version}-{runtime}-v{abi}-{platform}{libc}-{arch}.tar.gz`.
//! Forms 1 and 2 are the package's own mirror settings: `PREGYP_MIRROR` is not applied
//! on top of them. With a token (`-T`/`--token`/`prebuild-install_token`) the binary is
//! looked up through the GitHub API and fetched as a release asset, as `asset.js` does.

use crate::building::process::{can_load, ChildOutput};
use crate::config::options::{Env, Options};
use crate::config::target::HostInfo;
use crate::error::{Error, Result};
use crate::fetch::cache::Cache;
use crate::fetch::download;
use crate::fetch::http;
use crate::fetch::settings::{LazyNetSettings, NetSettings, Target};
use crate::log;
use crate::mend::kind;
use crate::mend::source_build;
use crate::place::archive::Limits;
use crate::place::staging::{self, Staging};
use crate::redact::redact_url;
use crate::results::Source;
use serde_json::Value;
use std::path::{Path, PathBuf};

/// The file name prebuild uploads (`util.urlTemplate`'s `packageName`).
pub const FILE_TEMPLATE: &str = "{name}-v{version}-{runtime}-v{abi}-{platform}{libc}-{arch}.tar.gz";

/// The prebuild-install command in an install script, and what runs when it fails.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Invocation {
    /// prebuild-install's arguments (`-r napi`, `--tag-prefix x`, ...).
    pub args: Vec<String>,
    /// The arguments of each further prebuild-install tried after `||`, in order
    /// (`prebuild-install -r napi || prebuild-install || node-gyp rebuild`: `[[]]`).
    pub retries: Vec<Vec<String>>,
    /// The first other command after `||` (`node-gyp rebuild --release`, `npm run build`).
    pub fallback: Option<String>,
}

impl Invocation {
    /// The arguments of every prebuild-install the script tries, in order.
    pub fn attempts(&self) -> impl Iterator<Item = &[String]> {
        std::iter::once(self.args.as_slice()).chain(self.retries.iter().map(Vec::as_slice))
    }
}

/// Reads `prebuild-install [args] [|| prebuild-install [args]]... || fallback` out of an
/// install script.
pub fn invocation(script: &str) -> Invocation {
    let mut out = Invocation::default();
    let mut found = false;
    for part in script.split("||") {
        let part = part.trim();
        match (prebuild_install_args(part), found) {
            (Some(args), false) => {
                out.args = args;
                found = true;
            }
            (Some(args), true) => out.retries.push(args),
            (None, true) => {
                out.fallback = Some(part.to_string());
                break;
            }
            (None, false) => {}
        }
    }
    out
}

/// The arguments of the prebuild-install (or `pregyp install`) that a part of a script
/// runs last (`a && prebuild-install -r napi`, `(prebuild-install)`, `npx prebuild-install`),
/// or None when it runs something else. Read with the shell reader that classifies scripts.
fn prebuild_install_args(part: &str) -> Option<Vec<String>> {
    let commands = kind::shell_commands(part);
    let (_, words) = commands.last()?;
    let at = kind::program_at(words)?;
    let (program, rest) = (&words[at], &words[at + 1..]);
    if program == "prebuild-install" || program.ends_with("/prebuild-install") {
        return Some(rest.to_vec());
    }
    let pregyp = program == "pregyp" || program.ends_with("/pregyp");
    (pregyp && rest.first().is_some_and(|w| w == "install")).then(|| rest[1..].to_vec())
}

/// prebuild-install's options for one package, resolved (`rc.js`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rc {
    /// `node`, `napi` or `electron`.
    pub runtime: String,
    /// The ABI: `process.versions.modules`, or the Node-API version with `-r napi`.
    pub abi: Option<String>,
    /// `process.versions.modules` (util.js's `{node_abi}`, and `{abi}` when unset).
    pub node_abi: String,
    /// `process.platform` unless `--platform` / `npm_config_platform`.
    pub platform: String,
    /// `process.arch` unless `--arch` / `npm_config_arch` / `config.arch`.
    pub arch: String,
    /// `''`, or `musl` (as in `linuxmusl`) off glibc.
    pub libc: String,
    /// `v` unless `--tag-prefix`.
    pub tag_prefix: String,
    /// A URL template (`--download`, `npm_config_download`).
    pub download: Option<String>,
    /// A GitHub token (`--token`, `prebuild-install_token`).
    pub token: Option<String>,
    /// `--debug` / `npm_config_debug=true`.
    pub debug: bool,
    /// `--build-from-source` / `npm_config_build_from_source` (true or the package name).
    pub build_from_source: bool,
    /// `--force`.
    pub force: bool,
}

/// minimist-style `--key value`, `--key=value`, `-k value` lookup in `args`.
fn arg(args: &[String], long: &str, short: Option<char>) -> Option<Option<String>> {
    let mut found = None;
    let mut i = 0;
    while i < args.len() {
        let a = &args[i];
        let next = args.get(i + 1).filter(|n| !n.starts_with('-')).cloned();
        if let Some(v) = a.strip_prefix(&format!("--{long}=")) {
            found = Some(Some(v.to_string()));
        } else if *a == format!("--{long}") || short.is_some_and(|s| *a == format!("-{s}")) {
            found = Some(next.clone());
            if next.is_some() {
                i += 1;
            }
        } else if let Some(s) = short {
            if let Some(v) = a
                .strip_prefix(&format!("-{s}"))
                .filter(|v| !v.is_empty() && !a.starts_with("--"))
            {
                found = Some(Some(v.to_string()));
            }
        }
        i += 1;
    }
    found
}

/// rc's environment layer: `prebuild-install_<key>` (any case).
fn rc_env<'a>(env: &'a Env, key: &str) -> Option<&'a str> {
    let want = format!("prebuild-install_{key}").to_ascii_lowercase();
    env.vars
        .iter()
        .find(|(k, _)| k.to_ascii_lowercase() == want)
        .map(|(_, v)| v.as_str())
}

/// The option `key`: the command line, then rc's environment, then the default.
fn opt(
    args: &[String],
    env: &Env,
    long: &str,
    short: Option<char>,
    default: Option<String>,
) -> Option<String> {
    match arg(args, long, short) {
        Some(Some(v)) => Some(v),
        // minimist makes a bare `--download` `true`: not a string, so not a template.
        Some(None) => None,
        None => rc_env(env, long).map(String::from).or(default),
    }
}

fn flag(args: &[String], env: &Env, long: &str) -> bool {
    match arg(args, long, None) {
        Some(Some(v)) => v != "false",
        Some(None) => true,
        None => rc_env(env, long).is_some_and(|v| v != "false" && !v.is_empty()),
    }
}

/// `rc.js` for the package `pkg` (its package.json) and the script's `args`.
pub fn rc(pkg: &Value, args: &[String], env: &Env, host: &HostInfo) -> Result<Rc> {
    let conf = pkg.get("config");
    let conf_str = |k: &str| {
        conf.and_then(|c| c.get(k))
            .and_then(Value::as_str)
            .map(String::from)
    };
    // package.json's `config.<k>`, else npm's `npm_config_<k>`: rc's defaults.
    let default_of = |k: &str| {
        conf_str(k).or_else(|| env.non_empty(&format!("npm_config_{k}")).map(String::from))
    };
    let runtime = opt(args, env, "runtime", Some('r'), default_of("runtime"))
        .unwrap_or_else(|| "node".into());
    let target = opt(args, env, "target", Some('t'), default_of("target"));
    let platform = opt(
        args,
        env,
        "platform",
        None,
        env.non_empty("npm_config_platform").map(String::from),
    )
    .unwrap_or_else(|| host.platform.clone());
    let arch =
        opt(args, env, "arch", Some('a'), default_of("arch")).unwrap_or_else(|| host.arch.clone());
    let detected = env
        .non_empty("LIBC")
        .or_else(|| env.non_empty("npm_config_libc"))
        .map(String::from)
        .or_else(|| {
            (host.platform == "linux" && crate::config::target::libc().family == "musl")
                .then(|| "musl".to_string())
        });
    let libc = opt(args, env, "libc", None, detected).unwrap_or_default();
    let libc = if platform != "linux" || libc == "glibc" {
        String::new()
    } else {
        libc
    };
    let target_is_host = target
        .as_deref()
        .is_none_or(|t| t == host.node_version.trim_start_matches('v'));
    let abi = match runtime.as_str() {
        // napi-build-utils' getBestNapiBuildVersion: the highest of binary.napi_versions
        // that this Node supports; none leaves the ABI to util.js's fallback (the modules
        // version).
        "napi" if target_is_host => best_napi(pkg, host).map(|v| v.to_string()),
        "napi" => target.clone(),
        "node" if target_is_host => host.modules.map(|m| m.to_string()),
        other => {
            return Err(Error::Usage(format!(
                "prebuild-install runtime `{other}` with target {} is not supported by pregyp (only this Node's own ABI or Node-API)",
                target.as_deref().unwrap_or("(this Node)")
            )))
        }
    };
    let name = pkg.get("name").and_then(Value::as_str).unwrap_or_default();
    let bfs = env.non_empty("npm_config_build_from_source");
    Ok(Rc {
        runtime,
        abi,
        node_abi: host.modules.map(|m| m.to_string()).unwrap_or_default(),
        platform,
        arch,
        libc,
        tag_prefix: opt(args, env, "tag-prefix", None, None).unwrap_or_else(|| "v".into()),
        download: opt(
            args,
            env,
            "download",
            Some('d'),
            env.non_empty("npm_config_download").map(String::from),
        ),
        token: opt(args, env, "token", Some('T'), None),
        debug: env.get("npm_config_debug") == Some("true") || flag(args, env, "debug"),
        build_from_source: bfs == Some(name)
            || bfs == Some("true")
            || flag(args, env, "build-from-source"),
        force: flag(args, env, "force"),
    })
}

/// napi-build-utils reads `binary.napi_versions` leniently (numbers or numeric strings,
/// anything else skipped), then picks as install does.
fn best_napi(pkg: &Value, host: &HostInfo) -> Option<u32> {
    let declared: Vec<u32> = pkg
        .get("binary")?
        .get("napi_versions")?
        .as_array()?
        .iter()
        .filter_map(|v| {
            v.as_u64()
                .and_then(|v| u32::try_from(v).ok())
                .or_else(|| v.as_str()?.parse().ok())
        })
        .collect();
    crate::config::node_api::best(&declared, host.napi)
}

/// `github-from-package`: `https://github.com/<owner>/<repo>` from `repository`, else from
/// anywhere in package.json.
pub fn github(pkg: &Value) -> Option<String> {
    let m = |s: &str| {
        let (owner, repo) = github_match(s)?;
        Some(format!(
            "https://github.com/{owner}/{}",
            repo.strip_suffix(".git").unwrap_or(repo)
        ))
    };
    pkg.get("repository")
        .and_then(|r| m(&serde_json::to_string(r).ok()?))
        .or_else(|| m(&serde_json::to_string(pkg).ok()?))
}

/// github-from-package's `/\bgithub.com[:\/]([^\/"]+)\/([^\/"]+)/` (its `.` matches
/// any character): the first owner and repository it finds in `s`.
fn github_match(s: &str) -> Option<(&str, &str)> {
    let b = s.as_bytes();
    let word = |i: usize| i < b.len() && (b[i].is_ascii_alphanumeric() || b[i] == b'_');
    let part = |from: usize| {
        let len = s[from..].find(['/', '"']).unwrap_or(s.len() - from);
        (len > 0).then(|| &s[from..from + len])
    };
    for (at, _) in s.match_indices("github") {
        let after = at + "github".len();
        let boundary = at == 0 || !word(at - 1);
        let Some(rest) = s.get(after + 1..) else {
            continue;
        };
        if !boundary || !rest.starts_with("com") {
            continue;
        }
        let sep = after + 1 + 3;
        if !matches!(b.get(sep), Some(b':') | Some(b'/')) {
            continue;
        }
        let Some(owner) = part(sep + 1) else { continue };
        let slash = sep + 1 + owner.len();
        if b.get(slash) != Some(&b'/') {
            continue;
        }
        if let Some(repo) = part(slash + 1) {
            return Some((owner, repo));
        }
    }
    None
}

/// `getEnvPrefix`: `npm_config_` + the name with every non-alphanumeric character as
/// `_` and a leading `_` dropped (`@scope/a-b` → `npm_config_scope_a_b`).
pub fn env_prefix(name: &str) -> String {
    let s: String = name
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() { c } else { '_' })
        .collect();
    format!("npm_config_{}", s.strip_prefix('_').unwrap_or(&s))
}

/// Where the URL came from (`util.urlTemplate`'s branches).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum UrlSource {
    /// `--download` / `npm_config_download`.
    Download,
    /// `npm_config_{pkg}_binary_host[_mirror]` (the variable's name).
    HostMirror(String),
    /// package.json `binary.host`.
    BinaryHost,
    /// GitHub releases.
    GitHub,
}

impl UrlSource {
    /// Whether a per-package setting chose the host (then `PREGYP_MIRROR` stays out).
    pub fn is_package_setting(&self) -> bool {
        matches!(self, UrlSource::Download | UrlSource::HostMirror(_))
    }
}

/// `expand-template`: every `{key}` of `values` replaced; a missing value prints as
/// `undefined`, as `String(undefined)` does in the original.
fn expand(template: &str, values: &[(&str, Option<String>)]) -> String {
    let mut out = template.to_string();
    for (k, v) in values {
        out = out.replace(&format!("{{{k}}}"), v.as_deref().unwrap_or("undefined"));
    }
    out
}

fn trim_slashes(s: &str) -> String {
    // /^\.\/|^\/|\/$/g
    let s = s
        .strip_prefix("./")
        .or_else(|| s.strip_prefix('/'))
        .unwrap_or(s);
    s.strip_suffix('/').unwrap_or(s).to_string()
}

/// `util.getDownloadUrl`.
pub fn download_url(pkg: &Value, rc: &Rc, env: &Env) -> Result<(String, UrlSource)> {
    let name_full = pkg.get("name").and_then(Value::as_str).unwrap_or_default();
    let version = pkg
        .get("version")
        .and_then(Value::as_str)
        .unwrap_or_default()
        .to_string();
    let (template, source) = if let Some(d) = &rc.download {
        (d.clone(), UrlSource::Download)
    } else {
        let var = format!("{}_binary_host", env_prefix(name_full));
        let mirror_var = format!("{var}_mirror");
        let binary = pkg.get("binary");
        let bstr = |k: &str| binary.and_then(|b| b.get(k)).and_then(Value::as_str);
        if let Some((v, m)) = env
            .non_empty(&var)
            .map(|m| (var.clone(), m))
            .or_else(|| env.non_empty(&mirror_var).map(|m| (mirror_var.clone(), m)))
        {
            (
                format!("{m}/{{tag_prefix}}{{version}}/{FILE_TEMPLATE}"),
                UrlSource::HostMirror(v),
            )
        } else if let Some(host) = bstr("host").filter(|h| !h.is_empty()) {
            let parts: Vec<String> = [
                Some(host),
                bstr("remote_path"),
                Some(bstr("package_name").unwrap_or(FILE_TEMPLATE)),
            ]
            .into_iter()
            .flatten()
            .map(trim_slashes)
            .filter(|p| !p.is_empty())
            .collect();
            (parts.join("/"), UrlSource::BinaryHost)
        } else {
            let gh = github(pkg).ok_or_else(|| Error::InvalidField {
                path: PathBuf::from("package.json"),
                field: "repository".into(),
                reason: format!("{name_full}: prebuild-install finds its binaries on GitHub, and package.json names no GitHub repository (and no binary.host, and no npm_config_download is set)"),
            })?;
            (
                format!("{gh}/releases/download/{{tag_prefix}}{{version}}/{FILE_TEMPLATE}"),
                UrlSource::GitHub,
            )
        }
    };
    let name = strip_scope(name_full);
    let part = |sep: char, i: usize| version.split(sep).nth(i).map(String::from);
    let values: Vec<(&str, Option<String>)> = vec![
        ("name", Some(name.clone())),
        ("package_name", Some(name)),
        ("version", Some(version.clone())),
        ("major", part('.', 0)),
        ("minor", part('.', 1)),
        ("patch", part('.', 2)),
        ("prerelease", part('-', 1)),
        ("build", part('+', 1)),
        ("abi", rc.abi.clone().or_else(|| Some(rc.node_abi.clone()))),
        ("node_abi", Some(rc.node_abi.clone())),
        ("runtime", Some(rc.runtime.clone())),
        ("platform", Some(rc.platform.clone())),
        ("arch", Some(rc.arch.clone())),
        ("libc", Some(rc.libc.clone())),
        (
            "configuration",
            Some(if rc.debug { "Debug" } else { "Release" }.into()),
        ),
        (
            "module_name",
            pkg.get("binary")
                .and_then(|b| b.get("module_name"))
                .and_then(Value::as_str)
                .map(String::from),
        ),
        ("tag_prefix", Some(rc.tag_prefix.clone())),
    ];
    Ok((expand(&template, &values), source))
}

fn strip_scope(name: &str) -> String {
    // /^@[a-zA-Z0-9_\-.~]+\//
    if let Some(rest) = name.strip_prefix('@') {
        if let Some((scope, tail)) = rest.split_once('/') {
            if !scope.is_empty()
                && scope
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || "_-.~".contains(c))
            {
                return tail.to_string();
            }
        }
    }
    name.to_string()
}

/// What `mend` did.
#[derive(Debug, Clone)]
pub struct Mended {
    /// Where the binding came from.
    pub source: Source,
    /// The URL it was fetched from (redacted), or tried before a build.
    pub url: Option<String>,
    /// Why the download was not used, when it built instead.
    pub download_error: Option<String>,
}

/// The package's prebuild-install invocation, from its install script (`prebuild-install`,
/// or `pregyp install` standing in for it).
pub fn package_invocation(pkg: &Value) -> Invocation {
    kind::script_naming(pkg, "prebuild-install")
        .or_else(|| kind::script_naming(pkg, "pregyp"))
        .map(|s| invocation(&s))
        .unwrap_or_default()
}

/// Whether the package is to be built without a download (`--build-from-source`, as an
/// option, in its script's arguments or in `npm_config_build_from_source`).
fn wants_build(pkg: &Value, inv: &Invocation, opts: &Options, host: &HostInfo) -> Result<bool> {
    let name = pkg.get("name").and_then(Value::as_str).unwrap_or_default();
    Ok(rc(pkg, &inv.args, &opts.env, host)?.build_from_source
        || opts.build_from_source.matches(name))
}

/// node-gyp's arguments when the script's fallback is a node-gyp build, else why heal
/// cannot do what the fallback does.
fn fallback_build(pkg: &Value, inv: &Invocation) -> std::result::Result<Vec<String>, String> {
    match inv.fallback.as_deref() {
        Some(f) => kind::fallback_node_gyp_args(pkg, f).ok_or_else(|| {
            format!("its install script's fallback `{f}` is not a node-gyp build, and pregyp runs no package scripts")
        }),
        None => Err("its install script has no fallback after prebuild-install to build from source".into()),
    }
}

/// Each download the script's prebuild-installs would try, in order, with the same file
/// asked for once: the URL and the options it comes from, or why there is none (no
/// `repository`, say; the script would then go on to its next command, and so does `mend`).
fn downloads(
    pkg: &Value,
    inv: &Invocation,
    env: &Env,
    host: &HostInfo,
) -> Vec<Result<(String, UrlSource, Rc)>> {
    let mut seen = Vec::new();
    let mut out = Vec::new();
    for args in inv.attempts() {
        let attempt = rc(pkg, args, env, host)
            .and_then(|rc| download_url(pkg, &rc, env).map(|(url, source)| (url, source, rc)));
        if let Ok((url, ..)) = &attempt {
            if seen.contains(url) {
                continue;
            }
            seen.push(url.clone());
        }
        out.push(attempt);
    }
    out
}

/// What `mend` would do, for `--dry-run`.
pub struct Plan {
    /// In words: every URL the script's prebuild-installs would try, in order, then the
    /// fallback.
    pub text: String,
    /// The first URL to be fetched (after the mirror setting, redacted); None when the
    /// plan is a build.
    pub url: Option<String>,
}

/// How `mend` would get the package its binding.
pub fn planned(pkg: &Value, opts: &Options, net: &NetSettings, host: &HostInfo) -> Result<Plan> {
    let inv = package_invocation(pkg);
    let builds = fallback_build(pkg, &inv);
    if wants_build(pkg, &inv, opts, host)? {
        let text = match builds {
            Ok(_) => "by building it with node-gyp (--build-from-source)".into(),
            Err(why) => format!("nowhere: --build-from-source skips the download, and {why}"),
        };
        return Ok(Plan { text, url: None });
    }
    let mut url = None;
    let sources: Vec<String> = downloads(pkg, &inv, &opts.env, host)
        .into_iter()
        .map(|a| match a {
            Ok((u, source, _)) => {
                let u = redact_url(&net.target(&u, !source.is_package_setting()).url);
                url.get_or_insert_with(|| u.clone());
                u
            }
            Err(e) => format!("nowhere ({e})"),
        })
        .collect();
    let then = match builds {
        Ok(_) => ", else by building it with node-gyp".to_string(),
        Err(_) if inv.fallback.is_none() => String::new(),
        Err(why) => format!(", else nothing: {why}"),
    };
    Ok(Plan {
        text: format!(
            "from {} (prebuild-install's rules){then}",
            sources.join(", else from ")
        ),
        url,
    })
}

/// Gets the package in `dir` a binding the way its `prebuild-install || <fallback>`
/// script would: the prebuilt binary (each prebuild-install of the script in turn), else
/// (when the fallback is node-gyp) a build.
pub async fn mend(
    dir: &Path,
    pkg: &Value,
    opts: &Options,
    net: &LazyNetSettings,
    host: &HostInfo,
    output: ChildOutput,
) -> Result<Mended> {
    let inv = package_invocation(pkg);
    let name = pkg
        .get("name")
        .and_then(Value::as_str)
        .unwrap_or_default()
        .to_string();
    let download_error = if wants_build(pkg, &inv, opts, host)? {
        log::info(format!(
            "{name}: --build-from-source specified, not attempting download"
        ));
        None
    } else {
        // The first failure is the one reported in the table; each is logged as the next
        // attempt starts.
        let mut first_error: Option<Error> = None;
        let mut next = downloads(pkg, &inv, &opts.env, host).into_iter().peekable();
        while let Some(attempt) = next.next() {
            let result = match attempt {
                Ok((_, _, rc)) => fetch(dir, pkg, &rc, opts, net, host).await,
                Err(e) => Err(e),
            };
            match result {
                Ok(m) => return Ok(m),
                Err(e) => {
                    if next.peek().is_some() {
                        log::warn(format!(
                            "{name}: {e}; trying its install script's next prebuild-install"
                        ));
                    }
                    first_error.get_or_insert(e);
                }
            }
        }
        first_error
    };
    let args = match fallback_build(pkg, &inv) {
        Ok(args) => args,
        Err(why) => {
            return Err(match download_error {
                // Without a fallback, the download's own error says it all.
                Some(e) if inv.fallback.is_none() => e,
                Some(e) => Error::Usage(format!("{e}; {why}")),
                None => Error::Usage(format!("{name}: {why}")),
            });
        }
    };
    let fallback = inv.fallback.as_deref().unwrap_or_default();
    if let Some(e) = &download_error {
        log::warn(format!("{name}: {e}; building from source with node-gyp, as its install script's `|| {fallback}` would"));
    }
    source_build::node_gyp(dir, &args, opts, host, output).await?;
    Ok(Mended {
        source: Source::Build,
        url: None,
        download_error: download_error.map(|e| e.to_string()),
    })
}

/// Downloads (or takes from the local prebuilds folder or the cache), verifies, unpacks
/// and test-loads the prebuilt binary, then moves it into `build/`.
pub async fn fetch(
    dir: &Path,
    pkg: &Value,
    rc: &Rc,
    opts: &Options,
    net: &LazyNetSettings,
    host: &HostInfo,
) -> Result<Mended> {
    let name = pkg
        .get("name")
        .and_then(Value::as_str)
        .unwrap_or_default()
        .to_string();
    let (url, source) = download_url(pkg, rc, &opts.env)?;
    let build_dir = dir.join("build");
    let cache = Cache::open(opts.cache_dir.as_deref());
    let _lock = staging::lock(cache.lock_path(&build_dir)?, &build_dir).await?;
    staging::remove_stale_staging(&build_dir);
    let limits = Limits::for_options(opts);
    let loadable = (rc.runtime == "node" || rc.runtime == "napi")
        && rc.platform == host.platform
        && rc.arch == host.arch;
    let file_name = url.rsplit('/').next().unwrap_or_default().to_string();
    // util.localPrebuild: `<npm_config_{pkg}_local_prebuilds or prebuilds>/<file>`.
    let local_dir = opts
        .env
        .non_empty(&format!("{}_local_prebuilds", env_prefix(&name)))
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from("prebuilds"));
    let local = dir.join(local_dir).join(&file_name);
    if local.is_file() {
        log::info(format!("{name}: found local prebuild {}", local.display()));
        let staging = Staging::new(&build_dir)?;
        let source_name = local.display().to_string();
        download::unpack_file(&local, staging.path(), &source_name, limits).await?;
        finish(staging, &source_name, loadable, host, &opts.env).await?;
        return Ok(Mended {
            source: Source::File,
            url: Some(source_name),
            download_error: None,
        });
    }
    let target = match &rc.token {
        Some(token) => asset_target(pkg, rc, &url, token, opts).await?,
        None => net
            .get(&opts.env)?
            .target(&url, !source.is_package_setting()),
    };
    if let Some(m) = &target.mirror {
        log::info(format!(
            "{name}: using mirror {} (from {m})",
            redact_url(&target.url)
        ));
    }
    let shown = redact_url(&target.url);
    if let Some((blob, sha)) = cache.lookup(&target.url, None) {
        log::info(format!("{name}: using cached {shown} ({})", &sha[..12]));
        let staging = Staging::new(&build_dir)?;
        download::unpack_file(&blob, staging.path(), &shown, limits).await?;
        finish(staging, &shown, loadable, host, &opts.env).await?;
        return Ok(Mended {
            source: Source::Cache,
            url: Some(shown),
            download_error: None,
        });
    }
    if opts.offline {
        return Err(Error::OfflineCacheMiss {
            url: target.url.as_str().into(),
            cache_dir: cache.root().to_path_buf(),
        });
    }
    let client = http::client(opts)?;
    let staging = Staging::new(&build_dir)?;
    let request = download::Request::new(&client, opts, &target, &cache, None);
    let got = download::download_into(&request, staging.path())
        .await
        .map_err(|e| http::through_proxy(opts, &target.url, target.explain(e)))?;
    if let Err(e) = finish(staging, &shown, loadable, host, &opts.env).await {
        got.discard();
        return Err(e);
    }
    got.store_in(&cache, &target.url);
    Ok(Mended {
        source: Source::Remote,
        url: Some(shown),
        download_error: None,
    })
}

/// The archive holds `build/Release/<binding>.node` (unpacked without its first folder):
/// every binding in it must load here before anything in `build/` is replaced.
async fn finish(
    staging: Staging,
    source: &str,
    loadable: bool,
    host: &HostInfo,
    env: &Env,
) -> Result<()> {
    let release = staging.path().join("Release");
    let nodes: Vec<PathBuf> = std::fs::read_dir(&release)
        .map(|d| {
            d.flatten()
                .map(|e| e.path())
                .filter(|p| p.extension().is_some_and(|x| x == "node"))
                .collect()
        })
        .unwrap_or_default();
    if nodes.is_empty() {
        return Err(Error::BadArchive {
            source_name: source.to_string(),
            detail: "the archive holds no build/Release/<name>.node".into(),
            source: None,
        });
    }
    if loadable {
        for n in &nodes {
            can_load(n, host, env).await?;
        }
    }
    staging.commit("Release", None)
}

/// `asset.js`: the release asset's API URL for a token, found through the GitHub API.
async fn asset_target(
    pkg: &Value,
    rc: &Rc,
    url: &str,
    token: &str,
    opts: &Options,
) -> Result<Target> {
    let gh = github(pkg).ok_or_else(|| {
        Error::Usage("a prebuild-install token needs a GitHub repository in package.json".into())
    })?;
    // A test may point the API elsewhere; the real one is GitHub's.
    let api = format!(
        "{}/releases",
        gh.replacen("github.com", "api.github.com/repos", 1)
    );
    let api = opts
        .env
        .non_empty("PREGYP_GITHUB_API")
        .map(|a| {
            format!(
                "{}{}",
                a.trim_end_matches('/'),
                &api["https://api.github.com".len()..]
            )
        })
        .unwrap_or(api);
    let mut auth =
        reqwest::header::HeaderValue::from_str(&format!("token {token}")).map_err(|_| {
            Error::InvalidSetting {
                source_name: "prebuild-install token".into(),
                reason: "it has characters a header cannot hold".into(),
            }
        })?;
    auth.set_sensitive(true);
    let client = http::client(opts)?;
    let resp = client
        .get(&api)
        .header(reqwest::header::AUTHORIZATION, auth.clone())
        .header(reqwest::header::ACCEPT, "application/json")
        .send()
        .await
        .map_err(|e| http::network_error(&api, e, opts.timeout))?;
    if !resp.status().is_success() {
        return Err(http::response_error(&api, &resp));
    }
    let body = resp
        .bytes()
        .await
        .map_err(|e| http::network_error(&api, e, opts.timeout))?;
    let releases: Value = serde_json::from_slice(&body).map_err(|e| Error::DownloadNetwork {
        url: api.as_str().into(),
        detail: format!("the GitHub API answered something that is not JSON ({e})"),
        source: None,
    })?;
    let version = pkg
        .get("version")
        .and_then(Value::as_str)
        .unwrap_or_default();
    let tag = format!("{}{version}", rc.tag_prefix);
    let id = releases
        .as_array()
        .into_iter()
        .flatten()
        .filter(|r| r.get("tag_name").and_then(Value::as_str) == Some(&tag))
        .flat_map(|r| {
            r.get("assets")
                .and_then(Value::as_array)
                .cloned()
                .unwrap_or_default()
        })
        .find(|a| a.get("browser_download_url").and_then(Value::as_str) == Some(url))
        .and_then(|a| a.get("id").cloned())
        .ok_or_else(|| Error::DownloadNotFound {
            url: format!("{url} (no such asset in GitHub release {tag})").into(),
        })?;
    let id = id
        .as_u64()
        .map(|n| n.to_string())
        .or_else(|| id.as_str().map(String::from))
        .unwrap_or_default();
    let mut headers = reqwest::header::HeaderMap::new();
    headers.insert(reqwest::header::AUTHORIZATION, auth);
    headers.insert(
        reqwest::header::ACCEPT,
        reqwest::header::HeaderValue::from_static("application/octet-stream"),
    );
    Ok(Target {
        url: format!("{api}/assets/{id}"),
        mirror: None,
        credentials: Some("the prebuild-install token".into()),
        headers,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn reads_the_invocation_from_real_scripts() {
        let i = invocation("prebuild-install -r napi || node-gyp rebuild");
        assert_eq!(i.args, ["-r", "napi"]);
        assert_eq!(i.fallback.as_deref(), Some("node-gyp rebuild"));
        let i = invocation("prebuild-install || node-gyp rebuild --release");
        assert!(i.args.is_empty());
        assert_eq!(i.fallback.as_deref(), Some("node-gyp rebuild --release"));
        assert_eq!(
            invocation("prebuild-install || npm run build")
                .fallback
                .as_deref(),
            Some("npm run build")
        );
        assert_eq!(invocation("node-gyp rebuild").args, Vec::<String>::new());
        // node-zopfli's: a Node-API build, else one for this Node's ABI, else a compile.
        let i =
            invocation("prebuild-install --runtime napi || prebuild-install || node-gyp rebuild");
        assert_eq!(i.args, ["--runtime", "napi"]);
        assert_eq!(i.retries, [Vec::<String>::new()]);
        assert_eq!(i.fallback.as_deref(), Some("node-gyp rebuild"));
        let all: Vec<&[String]> = i.attempts().collect();
        assert_eq!(all.len(), 2);
        assert!(invocation("prebuild-install || node-gyp rebuild")
            .retries
            .is_empty());
        // Parenthesised groups (sharp 0.30's): the group's last command; a fallback group
        // that does more than node-gyp stays whole.
        let i = invocation("npx --yes prebuild-install -r napi 2>/dev/null || node-gyp rebuild");
        assert_eq!(i.args, ["-r", "napi"]);
        assert_eq!(i.fallback.as_deref(), Some("node-gyp rebuild"));
        let i = invocation("(prebuild-install -r napi) || (node-gyp rebuild)");
        assert_eq!(i.args, ["-r", "napi"]);
        assert_eq!(i.fallback.as_deref(), Some("(node-gyp rebuild)"));
        let i = invocation("(node install/libvips && prebuild-install) || (node install/can-compile && node-gyp rebuild)");
        assert!(i.args.is_empty());
        assert_eq!(
            i.fallback.as_deref(),
            Some("(node install/can-compile && node-gyp rebuild)")
        );
        assert_eq!(
            kind::fallback_node_gyp_args(&json!({}), i.fallback.as_deref().unwrap()),
            None
        );
        let i = invocation("pregyp install -r napi || node-gyp rebuild");
        assert_eq!(i.args, ["-r", "napi"]);
        assert_eq!(i.fallback.as_deref(), Some("node-gyp rebuild"));
    }

    #[test]
    fn env_prefix_and_scope() {
        assert_eq!(env_prefix("better-sqlite3"), "npm_config_better_sqlite3");
        assert_eq!(env_prefix("@scope/a-b"), "npm_config_scope_a_b");
        assert_eq!(strip_scope("@scope/a-b"), "a-b");
        assert_eq!(
            github(&json!({"repository": {"url": "git+https://github.com/o/r.git"}})).as_deref(),
            Some("https://github.com/o/r")
        );
        assert_eq!(
            github(&json!({"repository": "git@github.com:o/r.git"})).as_deref(),
            Some("https://github.com/o/r")
        );
        assert_eq!(trim_slashes("./a/"), "a");
        assert_eq!(trim_slashes("https://h/"), "https://h");
    }
}
