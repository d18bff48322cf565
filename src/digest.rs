//! Parsing of SHA-256 digests that arrive from outside: `binary.checksums` values
//! in package.json and the `<tarball>.sha256` sidecar published beside a tarball.
//! Both are untrusted text, so these functions never panic and accept only a
//! well-formed 64-digit hex digest. Pure std: the lean find() binary validates
//! `binary.checksums` with the same rule the installer uses.
//! (Hashing itself lives with its streams, in pack and install, under `full`.)

/// Length of a SHA-256 digest written in hex.
pub const SHA256_HEX_LEN: usize = 64;

/// `s` as a lowercase hex SHA-256 when it is exactly 64 hex digits (either case);
/// `None` otherwise. No trimming: a `binary.checksums` value must be the digest alone.
pub fn parse_sha256_hex(s: &str) -> Option<String> {
    (s.len() == SHA256_HEX_LEN && s.bytes().all(|c| c.is_ascii_hexdigit()))
        .then(|| s.to_ascii_lowercase())
}

/// The digest in a `.sha256` sidecar: its first whitespace-separated token, which
/// must be a SHA-256 in hex. Accepts the `sha256sum` format (`<hex>  <name>`) that
/// pregyp's `package` writes, and a bare digest; anything else (an HTML error page,
/// an empty body) is `None`.
pub fn parse_sidecar(text: &str) -> Option<String> {
    parse_sha256_hex(text.split_whitespace().next()?)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hex_digests() {
        let h = "0123456789abcdef".repeat(4);
        assert_eq!(parse_sha256_hex(&h), Some(h.clone()));
        assert_eq!(parse_sha256_hex(&h.to_uppercase()), Some(h.clone()));
        assert_eq!(parse_sha256_hex(&h[1..]), None);
        assert_eq!(parse_sha256_hex(&format!("{h}0")), None);
        assert_eq!(parse_sha256_hex(&format!(" {}", &h[1..])), None);
        assert_eq!(parse_sha256_hex(&"g".repeat(64)), None);
        // 64 bytes but not 64 ASCII characters.
        assert_eq!(parse_sha256_hex(&"é".repeat(32)), None);
        assert_eq!(parse_sha256_hex(""), None);
    }

    #[test]
    fn sidecar_format() {
        let h = "ab".repeat(32);
        assert_eq!(parse_sidecar(&format!("{h}  x.tar.gz\n")), Some(h.clone()));
        assert_eq!(parse_sidecar(&h.to_uppercase()), Some(h.clone()));
        assert_eq!(parse_sidecar(&format!("\n\t {h}\r\n")), Some(h));
        assert_eq!(parse_sidecar("<html>not found</html>"), None);
        assert_eq!(parse_sidecar(""), None);
        assert_eq!(parse_sidecar(" \n "), None);
    }
}
