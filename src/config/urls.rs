//! The few URL operations find() needs (split, resolve a relative reference,
//! loopback check), without the `url` crate and its IDNA tables: they would
//! double the size of the lean find() binary that every addon loads. The full
//! tool parses URLs with `url` (via reqwest) wherever it talks to the network.

/// A URL split into the parts node-pre-gyp templates produce.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Parts<'a> {
    /// `https`, `http`, `file`, ...
    pub scheme: &'a str,
    /// Host name or IP literal (without brackets), lowercase not enforced.
    pub host: &'a str,
    /// `host[:port]` without user info.
    pub host_port: &'a str,
    /// Path, starting with `/` (or empty).
    pub path: &'a str,
}

/// Splits `scheme://[user@]host[:port]/path`; `None` when it is not of that form.
pub fn split(url: &str) -> Option<Parts<'_>> {
    let (scheme, rest) = url.split_once("://")?;
    if scheme.is_empty()
        || !scheme
            .bytes()
            .all(|c| c.is_ascii_alphanumeric() || b"+-.".contains(&c))
    {
        return None;
    }
    let end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
    let authority = &rest[..end];
    // WHATWG parsers (reqwest's, Node's) read `\` as `/`: an authority holding one, or
    // whitespace and control characters, would name a different host to them than to us.
    if authority
        .chars()
        .any(|c| c == '\\' || c.is_whitespace() || c.is_control())
    {
        return None;
    }
    let host_port = authority
        .rsplit_once('@')
        .map(|(_, h)| h)
        .unwrap_or(authority);
    let host = if let Some(v6) = host_port.strip_prefix('[') {
        v6.split(']').next().unwrap_or("")
    } else {
        host_port
            .rsplit_once(':')
            .map(|(h, _)| h)
            .unwrap_or(host_port)
    };
    let path_end = rest[end..]
        .find(['?', '#'])
        .map(|i| i + end)
        .unwrap_or(rest.len());
    Some(Parts {
        scheme,
        host,
        host_port,
        path: &rest[end..path_end],
    })
}

/// RFC 3986 section 5.2.4.
fn remove_dot_segments(path: &str) -> String {
    let mut out: Vec<&str> = Vec::new();
    let segments: Vec<&str> = path.split('/').collect();
    for (i, seg) in segments.iter().enumerate() {
        let last = i == segments.len() - 1;
        match *seg {
            "." => {
                if last {
                    out.push("");
                }
            }
            ".." => {
                if out.len() > 1 {
                    out.pop();
                }
                if last {
                    out.push("");
                }
            }
            s => out.push(s),
        }
    }
    let joined = out.join("/");
    if joined.starts_with('/') {
        joined
    } else {
        format!("/{joined}")
    }
}

/// Resolves `rel` against `base` like Node's `url.resolve` does for the shapes
/// node-pre-gyp produces (absolute URLs, `/abs`, `./rel`, `rel/`, `../up`).
pub fn resolve(base: &str, rel: &str) -> String {
    if split(rel).is_some() {
        return rel.to_string();
    }
    let Some(b) = split(base) else {
        return format!("{base}{rel}");
    };
    let prefix = format!(
        "{}://{}",
        b.scheme,
        &base[b.scheme.len() + 3..][..authority_len(base, &b)]
    );
    if let Some(net) = rel.strip_prefix("//") {
        return format!("{}://{net}", b.scheme);
    }
    if rel.is_empty() {
        return format!("{prefix}{}", if b.path.is_empty() { "/" } else { b.path });
    }
    let merged = if rel.starts_with('/') {
        rel.to_string()
    } else {
        let dir = match b.path.rfind('/') {
            Some(i) => &b.path[..=i],
            None => "/",
        };
        format!("{dir}{rel}")
    };
    format!("{prefix}{}", remove_dot_segments(&merged))
}

fn authority_len(base: &str, b: &Parts<'_>) -> usize {
    let rest = &base[b.scheme.len() + 3..];
    rest.find(['/', '?', '#']).unwrap_or(rest.len())
}

/// `scheme://host[:port]` of a URL (no user info, no path).
pub fn origin(url: &str) -> Option<String> {
    let p = split(url)?;
    Some(format!("{}://{}", p.scheme, p.host_port))
}

/// Whether a URL points at this machine (127.0.0.0/8, ::1, localhost).
pub fn is_loopback(url: &str) -> bool {
    let Some(p) = split(url) else {
        return false;
    };
    let host = p.host.to_ascii_lowercase();
    if host == "localhost" {
        return true;
    }
    if let Ok(ip) = host.parse::<std::net::Ipv4Addr>() {
        return ip.is_loopback();
    }
    host.parse::<std::net::Ipv6Addr>()
        .is_ok_and(|ip| ip.is_loopback())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn resolves_like_node_url_resolve() {
        // Expected values are Node's url.resolve(base, rel).
        let cases = [
            (
                "https://h.example/",
                "./pkg/v1/",
                "https://h.example/pkg/v1/",
            ),
            ("https://h.example/", "", "https://h.example/"),
            (
                "https://h.example/a/",
                "b/c.tgz",
                "https://h.example/a/b/c.tgz",
            ),
            (
                "https://h.example/a/b",
                "c.tgz",
                "https://h.example/a/c.tgz",
            ),
            (
                "https://h.example/a/b/",
                "../c.tgz",
                "https://h.example/a/c.tgz",
            ),
            (
                "https://h.example/a/",
                "/root/x",
                "https://h.example/root/x",
            ),
            (
                "https://u:p@h.example:8443/a/",
                "x",
                "https://u:p@h.example:8443/a/x",
            ),
            (
                "http://127.0.0.1:9000/",
                "bucket/pkg/",
                "http://127.0.0.1:9000/bucket/pkg/",
            ),
            ("file:///tmp/mirror/", "x.tgz", "file:///tmp/mirror/x.tgz"),
            ("https://h/", "https://other/x", "https://other/x"),
            ("https://h/a/", "../../../x", "https://h/x"),
        ];
        for (base, rel, want) in cases {
            assert_eq!(resolve(base, rel), want, "{base} + {rel}");
        }
    }

    #[test]
    fn splits_and_checks_loopback() {
        let p = split("https://user:pw@Bucket.s3.eu-west-1.amazonaws.com:443/a/b?q#f").unwrap();
        assert_eq!(p.host, "Bucket.s3.eu-west-1.amazonaws.com");
        assert_eq!(p.path, "/a/b");
        assert_eq!(
            origin("http://127.0.0.1:9000/b/x").as_deref(),
            Some("http://127.0.0.1:9000")
        );
        for (u, want) in [
            ("http://127.0.0.1:8080/", true),
            ("http://127.9.9.9/", true),
            ("http://localhost/", true),
            ("http://[::1]:80/", true),
            ("http://example.com/", false),
            ("http://10.0.0.1/", false),
            ("not a url", false),
            ("http://evil.invalid\\@127.0.0.1/", false),
        ] {
            assert_eq!(is_loopback(u), want, "{u}");
        }
    }
}
