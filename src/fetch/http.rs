//! HTTP(S) downloads: proxies, extra CAs, timeouts, bounded retries with
//! backoff, safe redirects. The options come from `Options` only (which already
//! folded in `HTTPS_PROXY`, `NO_PROXY`, `NODE_EXTRA_CA_CERTS`, ...).

use crate::config::options::Options;
use crate::error::{Error, Result};
use crate::redact::{redact_url, SafeUrl};
use std::time::Duration;

/// Redirects followed at most.
pub const MAX_REDIRECTS: usize = 10;

/// The client for `opts`: one per process and configuration. Building one loads and
/// parses the system's root certificates (~5 ms of CPU), which `heal` would otherwise
/// pay for every package; clones share the connection pool.
pub fn client(opts: &Options) -> Result<reqwest::Client> {
    type Key = (
        Duration,
        Option<String>,
        Option<String>,
        Option<String>,
        Vec<String>,
        Vec<Option<Vec<u8>>>,
        bool,
        Option<String>,
    );
    static CACHE: std::sync::Mutex<Option<(Key, reqwest::Client)>> = std::sync::Mutex::new(None);
    // The CA files' contents, not their names, so that a rewritten file is read again.
    let key: Key = (
        opts.timeout,
        opts.proxy.clone(),
        opts.https_proxy.clone(),
        opts.noproxy.clone(),
        opts.ca.clone(),
        opts.ca_files
            .iter()
            .map(|f| std::fs::read(&f.path).ok())
            .collect(),
        opts.strict_ssl,
        opts.env
            .non_empty("npm_config_user_agent")
            .map(str::to_string),
    );
    let mut cache = CACHE.lock().unwrap_or_else(|e| e.into_inner());
    if let Some((k, c)) = cache.as_ref() {
        if *k == key {
            return Ok(c.clone());
        }
    }
    let c = build_client(opts)?;
    *cache = Some((key, c.clone()));
    Ok(c)
}

fn build_client(opts: &Options) -> Result<reqwest::Client> {
    let policy = reqwest::redirect::Policy::custom(|attempt| {
        if attempt.previous().len() >= MAX_REDIRECTS {
            return attempt.error(format!("more than {MAX_REDIRECTS} redirects"));
        }
        // Plain http is only ever allowed to this machine (tests, local mirrors).
        let downgrade = attempt.url().scheme() == "http"
            && (attempt
                .previous()
                .last()
                .is_some_and(|p| p.scheme() == "https")
                || !crate::config::urls::is_loopback(attempt.url().as_str()));
        if downgrade {
            let to = redact_url(attempt.url().as_str());
            return attempt.error(format!(
                "refusing to follow a redirect from https to http, or to http off this machine ({to})"
            ));
        }
        attempt.follow()
    });
    // reqwest takes rustls's process default provider: ring (see Cargo.toml). A second
    // install is refused, harmlessly; this binary's rustls is its own, shared with no addon.
    let _ = rustls::crypto::ring::default_provider().install_default();
    let mut b = reqwest::Client::builder()
        // Proxies come from Options only, so that --proxy, npm config and env agree.
        .no_proxy()
        .redirect(policy)
        .connect_timeout(opts.timeout)
        .read_timeout(opts.timeout)
        .user_agent(format!(
            "pregyp/{} ({})",
            env!("CARGO_PKG_VERSION"),
            opts.env
                .non_empty("npm_config_user_agent")
                .unwrap_or("node")
        ));
    let no_proxy = opts
        .noproxy
        .as_deref()
        .and_then(reqwest::NoProxy::from_string);
    let bad_proxy = |key: &str, url: &str, e: reqwest::Error| Error::InvalidOption {
        name: opts.origin(key),
        value: redact_url(url),
        reason: e.to_string(),
    };
    if let Some(p) = &opts.https_proxy {
        let proxy = reqwest::Proxy::https(p).map_err(|e| bad_proxy("https_proxy", p, e))?;
        b = b.proxy(proxy.no_proxy(no_proxy.clone()));
    }
    if let Some(p) = &opts.proxy {
        let proxy = reqwest::Proxy::http(p).map_err(|e| bad_proxy("proxy", p, e))?;
        b = b.proxy(proxy.no_proxy(no_proxy.clone()));
    }
    let mut certs = Vec::new();
    for pem in &opts.ca {
        certs.extend(
            reqwest::Certificate::from_pem_bundle(pem.as_bytes()).map_err(|e| {
                Error::InvalidOption {
                    name: opts.origin("ca"),
                    value: "<PEM>".into(),
                    reason: e.to_string(),
                }
            })?,
        );
    }
    for ca in &opts.ca_files {
        let file = &ca.path;
        let pem = std::fs::read(file).map_err(|e| Error::InvalidOption {
            name: ca.origin.clone(),
            value: file.display().to_string(),
            reason: format!("cannot read it: {e}"),
        })?;
        let bad = |reason: String| Error::InvalidOption {
            name: ca.origin.clone(),
            value: file.display().to_string(),
            reason,
        };
        let found = reqwest::Certificate::from_pem_bundle(&pem)
            .map_err(|e| bad(format!("not a PEM certificate bundle: {e}")))?;
        if found.is_empty() {
            return Err(bad("no PEM certificate in the file".into()));
        }
        certs.extend(found);
    }
    if !certs.is_empty() {
        b = b.tls_certs_merge(certs);
    }
    if !opts.strict_ssl {
        b = b.tls_danger_accept_invalid_certs(true);
    }
    b.build().map_err(|e| Error::InvalidOption {
        name: "--ca/--cafile".into(),
        value: String::new(),
        reason: format!("the HTTP client could not be set up: {}", describe(&e)),
    })
}

/// A readable cause for a reqwest error, with its sources (reqwest's own Display is terse).
pub fn describe(e: &reqwest::Error) -> String {
    let mut parts = Vec::new();
    if e.is_timeout() {
        parts.push("timed out".to_string());
    } else if e.is_redirect() {
        parts.push("redirect refused".to_string());
    } else if e.is_connect() {
        parts.push("cannot connect".to_string());
    } else if e.is_body() || e.is_decode() {
        parts.push("connection closed before the whole body arrived".to_string());
    }
    parts.push(crate::error::cause_text(e));
    parts.join(": ")
}

/// Maps a non-success status to the matching error.
pub fn status_error(url: &str, status: u16, retry_after: Option<Duration>) -> Error {
    let url = SafeUrl::new(url);
    match status {
        404 => Error::DownloadNotFound { url },
        403 => Error::DownloadForbidden {
            url,
            hint: String::new(),
        },
        s => Error::DownloadStatus {
            url,
            status: s,
            retry_after,
        },
    }
}

/// The error for a non-success response, with its `Retry-After` when it has one.
pub fn response_error(url: &str, resp: &reqwest::Response) -> Error {
    let retry_after = resp
        .headers()
        .get(reqwest::header::RETRY_AFTER)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| crate::fetch::retry::parse_retry_after(v, std::time::SystemTime::now()));
    status_error(url, resp.status().as_u16(), retry_after)
}

/// Maps a transport error: a read that waited out the idle timeout (`idle`) is a stall,
/// anything else `DownloadNetwork`.
pub fn network_error(url: &str, e: reqwest::Error, idle: Duration) -> Error {
    if e.is_timeout() {
        return Error::DownloadStalled {
            url: SafeUrl::new(url),
            idle,
        };
    }
    Error::DownloadNetwork {
        url: SafeUrl::new(url),
        detail: describe(&e),
        // Without its URL: the cause chain must not carry credentials either.
        source: Some(Box::new(e.without_url())),
    }
}

/// A network failure on a request that went through a proxy names that proxy and the
/// setting that chose it: "Connection refused" alone reads as if the host refused.
pub fn through_proxy(opts: &Options, url: &str, e: Error) -> Error {
    let Error::DownloadNetwork {
        url: u,
        detail,
        source,
    } = e
    else {
        return e;
    };
    let https = url.to_ascii_lowercase().starts_with("https:");
    let (proxy, key) = if https {
        (opts.https_proxy.as_deref(), "https_proxy")
    } else {
        (opts.proxy.as_deref(), "proxy")
    };
    // Advisory only: reqwest's own NO_PROXY matching (IPs, ranges) decides the route.
    let host = crate::config::urls::split(url).map_or("", |p| p.host);
    let bypassed = opts.noproxy.as_deref().is_some_and(|list| {
        list.split(',')
            .map(|h| h.trim().trim_start_matches('.'))
            .any(|h| h == "*" || (!h.is_empty() && (host == h || host.ends_with(&format!(".{h}")))))
    });
    let detail = match proxy {
        Some(p) if !bypassed => format!(
            "{detail} (through the proxy {} set by {})",
            redact_url(p),
            opts.origin(key)
        ),
        _ => detail,
    };
    Error::DownloadNetwork {
        url: u,
        detail,
        source,
    }
}

/// Fetches a small text resource (e.g. a `.sha256` sidecar); `Ok(None)` on 404/403 or
/// when it is larger than a sidecar can be (read no further than that).
pub async fn fetch_small_text(
    client: &reqwest::Client,
    url: &str,
    idle: Duration,
    headers: reqwest::header::HeaderMap,
) -> Result<Option<String>> {
    const MAX: usize = 4096;
    let mut resp = client
        .get(url)
        .headers(headers)
        .send()
        .await
        .map_err(|e| network_error(url, e, idle))?;
    let status = resp.status().as_u16();
    if status == 404 || status == 403 {
        return Ok(None);
    }
    if !resp.status().is_success() {
        return Err(response_error(url, &resp));
    }
    let mut body = Vec::new();
    while let Some(chunk) = resp
        .chunk()
        .await
        .map_err(|e| network_error(url, e, idle))?
    {
        body.extend_from_slice(&chunk);
        if body.len() > MAX {
            return Ok(None);
        }
    }
    Ok(Some(String::from_utf8_lossy(&body).into_owned()))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A transport failure keeps reqwest's error as its cause, without the URL (and so
    /// without credentials), and its message names the innermost reason.
    #[tokio::test]
    async fn network_errors_keep_their_cause_without_secrets() {
        // Nothing listens on a port that was just bound and released.
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let url = format!("http://user:hunter2@127.0.0.1:{port}/x.tar.gz");
        let e = reqwest::Client::new().get(&url).send().await.unwrap_err();
        let err = network_error(&url, e, Duration::from_secs(20));
        assert_eq!(err.code(), "E_DOWNLOAD_NETWORK");
        let mut chain = vec![err.to_string()];
        let mut src = std::error::Error::source(&err);
        assert!(src.is_some(), "the cause is kept");
        while let Some(s) = src {
            chain.push(s.to_string());
            src = s.source();
        }
        let all = chain.join("\n");
        assert!(!all.contains("hunter2"), "{all}");
        assert!(all.to_lowercase().contains("refused"), "{all}");
        assert!(chain.len() > 2, "the whole chain: {all}");
    }

    #[test]
    fn status_errors_are_typed_and_redacted() {
        assert_eq!(
            status_error("https://u:p@h/x", 404, None).code(),
            "E_DOWNLOAD_NOT_FOUND"
        );
        assert!(!status_error("https://u:p@h/x", 404, None)
            .to_string()
            .contains("u:p"));
        assert_eq!(
            status_error("https://h/x", 403, None).code(),
            "E_DOWNLOAD_FORBIDDEN"
        );
        assert_eq!(
            status_error("https://h/x", 503, None).code(),
            "E_DOWNLOAD_STATUS"
        );
    }

    #[test]
    fn bad_ca_file_names_the_file() {
        let d = tempfile::tempdir().unwrap();
        let f = d.path().join("ca.pem");
        std::fs::write(&f, "garbage").unwrap();
        let mut opts = Options::from_env(Default::default()).unwrap();
        opts.ca_files = vec![crate::config::options::CaFile {
            path: f.clone(),
            origin: "--cafile".into(),
        }];
        let e = client(&opts).unwrap_err();
        assert!(e.to_string().contains(&f.display().to_string()), "{e}");
    }
}
