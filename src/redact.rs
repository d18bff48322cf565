//! Values that carry secrets and print without them.
//!
//! A URL may hold a password (`https://user:token@host/`) or a signed query string,
//! and a command line may hold such a URL (a `git+https://user:token@...` dependency
//! spec), a registry token (`--//registry/:_authToken=...`) or a certificate. Messages
//! and logs show these values only through the types below, whose `Display` (and
//! `Debug`) mask the secret parts, so no call site can forget to redact: the real value
//! is reachable only through an explicitly named accessor, for the code that uses it.

use std::fmt;
use std::path::PathBuf;

/// `url` with its password (everything before `@` in the authority) and its query
/// string masked.
pub fn redact_url(url: &str) -> String {
    let mut out = url.to_string();
    if let Some(q) = out.find('?') {
        out.truncate(q);
        out.push_str("?***");
    }
    if let Some(scheme_end) = out.find("://") {
        let rest = &out[scheme_end + 3..];
        let authority_end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
        if let Some(at) = rest[..authority_end].rfind('@') {
            return format!("{}://***@{}", &out[..scheme_end], &rest[at + 1..]);
        }
    }
    out
}

/// Free text (an error message, a cause chain) with every URL in it redacted in place,
/// the text around them kept.
pub fn redact_text(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(sep) = rest.find("://") {
        // The scheme: letters, digits, `+`, `-`, `.` before `://`.
        let start = rest[..sep]
            .rfind(|c: char| !(c.is_ascii_alphanumeric() || "+-.".contains(c)))
            .map_or(0, |i| i + 1);
        // The URL runs to white space or a quote; punctuation that closes the sentence
        // around it (`(url)`, `url:`, `url,`) is left out. Commas and parentheses inside
        // a URL stay in it, so its query string is masked whole.
        let mut end = sep
            + rest[sep..]
                .find(|c: char| c.is_whitespace() || "\"'<>`".contains(c))
                .unwrap_or(rest.len() - sep);
        while end > sep + 3 && rest[..end].ends_with([')', ',', '.', ':', ';', ']']) {
            end -= 1;
        }
        out.push_str(&rest[..start]);
        out.push_str(&redact_url(&rest[start..end]));
        rest = &rest[end..];
    }
    out.push_str(rest);
    out
}

/// One command-line argument as it may be shown: URLs redacted, certificate contents
/// and npm credentials (`_authToken`, `_auth`, `_password`) replaced.
pub fn redact_arg(arg: &str) -> String {
    let lower = arg.to_ascii_lowercase();
    match arg.split_once('=') {
        Some((k, _)) if k == "--ca" || k == "--cert" || k == "--key" => format!("{k}=<PEM>"),
        Some((k, _))
            if ["_authtoken", "_auth", "_password", "token"]
                .iter()
                .any(|s| k.to_ascii_lowercase().ends_with(s)) =>
        {
            format!("{k}=***")
        }
        Some((k, v)) if v.contains("://") => format!("{k}={}", redact_text(v)),
        _ if arg.contains("://") => redact_text(arg),
        _ if lower.contains("-----begin") => "<PEM>".into(),
        _ => arg.to_string(),
    }
}

/// A URL whose `Display` and `Debug` redact it. Errors that name a URL hold this type.
#[derive(Clone, PartialEq, Eq)]
pub struct SafeUrl(String);

impl SafeUrl {
    /// Wraps a URL.
    pub fn new(url: impl Into<String>) -> Self {
        SafeUrl(url.into())
    }

    /// The URL with its secrets, for the code that must request it.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for SafeUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&redact_url(&self.0))
    }
}

impl fmt::Debug for SafeUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "SafeUrl({})", redact_url(&self.0))
    }
}

impl From<&str> for SafeUrl {
    fn from(s: &str) -> Self {
        SafeUrl::new(s)
    }
}

impl From<&String> for SafeUrl {
    fn from(s: &String) -> Self {
        SafeUrl::new(s.as_str())
    }
}

impl From<String> for SafeUrl {
    fn from(s: String) -> Self {
        SafeUrl::new(s)
    }
}

/// A program and its arguments, as spawned. `Display` and `Debug` show every argument
/// through [`redact_arg`]; the child still gets the real values.
#[derive(Clone, PartialEq, Eq)]
pub struct CommandLine {
    /// The executable.
    pub program: PathBuf,
    /// Its arguments.
    pub args: Vec<String>,
    /// On Windows, put the arguments on the command line as written (joined by spaces)
    /// instead of quoting each the MSVCRT way: for `cmd /d /s /c "<line>"`, which has
    /// quoting rules of its own.
    pub verbatim: bool,
}

impl CommandLine {
    /// `program` with `args`.
    pub fn new(program: impl Into<PathBuf>, args: impl IntoIterator<Item = String>) -> Self {
        CommandLine {
            program: program.into(),
            args: args.into_iter().collect(),
            verbatim: false,
        }
    }

    /// A command line run by the shell: `sh -c <line>`, or on Windows
    /// `<ComSpec> /d /s /c "<line>"` passed verbatim, as npm runs scripts there: `/s`
    /// strips the outer quotes and cmd reads the line as the user wrote it (an MSVCRT
    /// `\"` escape means nothing to cmd).
    pub fn shell(line: &str, windows: bool, comspec: Option<&str>) -> Self {
        if windows {
            let mut c = Self::new(
                comspec.unwrap_or("cmd.exe"),
                ["/d", "/s", "/c", &format!("\"{line}\"")].map(String::from),
            );
            c.verbatim = true;
            c
        } else {
            Self::new("sh", ["-c".to_string(), line.to_string()])
        }
    }
}

impl fmt::Display for CommandLine {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.program.to_string_lossy())?;
        for a in &self.args {
            write!(f, " {}", redact_arg(a))?;
        }
        Ok(())
    }
}

impl fmt::Debug for CommandLine {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "CommandLine({self})")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shell_lines_follow_the_shells_rules() {
        let line = r#"node -e "console.log('a b')" && echo "x\y" > out.txt"#;
        let w = CommandLine::shell(line, true, Some(r"C:\Windows\system32\cmd.exe"));
        assert!(w.verbatim);
        assert_eq!(w.program, PathBuf::from(r"C:\Windows\system32\cmd.exe"));
        // One outer pair of quotes for /s to strip; the inner ones untouched, no backslashes added.
        assert_eq!(w.args, ["/d", "/s", "/c", &format!("\"{line}\"")]);
        assert_eq!(
            CommandLine::shell("x", true, None).program,
            PathBuf::from("cmd.exe")
        );
        let p = CommandLine::shell(line, false, None);
        assert!(!p.verbatim);
        assert_eq!(
            (p.program.to_str().unwrap(), p.args.as_slice()),
            ("sh", &["-c".to_string(), line.to_string()][..])
        );
    }

    #[test]
    fn every_url_in_free_text_is_redacted_in_place() {
        let t = "error sending request for url (https://u:p@h/x?sig=1): via http://proxy:8/ then git+https://tok@g/r.git, done?";
        assert_eq!(
            redact_text(t),
            "error sending request for url (https://***@h/x?***): via http://proxy:8/ then git+https://***@g/r.git, done?"
        );
        assert_eq!(redact_text("no url here?"), "no url here?");
        // A comma inside the URL does not end it: the query string after it is masked.
        assert_eq!(
            redact_text("see https://h/a,b?sig=s3cret."),
            "see https://h/a,b?***."
        );
        // A shell command (postinstall-build's) keeps its words, each URL masked.
        assert_eq!(
            redact_arg("curl -o x https://u:p@h/x?t=1 && echo done?"),
            "curl -o x https://***@h/x?*** && echo done?"
        );
    }

    #[test]
    fn redacts_credentials() {
        assert_eq!(
            redact_url("https://user:secret@host.example/a@b"),
            "https://***@host.example/a@b"
        );
        assert_eq!(redact_url("https://host/x"), "https://host/x");
        assert_eq!(
            redact_url("https://b.s3.amazonaws.com/x.tgz?X-Amz-Signature=abc&token=t"),
            "https://b.s3.amazonaws.com/x.tgz?***"
        );
        assert_eq!(
            redact_url("http://tok@127.0.0.1:9/"),
            "http://***@127.0.0.1:9/"
        );
    }

    #[test]
    fn values_print_without_secrets() {
        let url = SafeUrl::new("https://u:tok3n@h/x?sig=1");
        assert_eq!(url.to_string(), "https://***@h/x?***");
        assert!(!format!("{url:?}").contains("tok3n"));
        assert_eq!(url.expose(), "https://u:tok3n@h/x?sig=1");

        let cmd = CommandLine::new(
            "/usr/bin/npm",
            [
                "install",
                "dep@git+https://user:tok3n@git.example/r.git",
                "--//reg.example/:_authToken=tok3n",
                "--proxy=http://u:tok3n@proxy:3128",
                "--ca=-----BEGIN CERTIFICATE-----\nMII",
                "--release",
            ]
            .map(String::from),
        );
        let shown = cmd.to_string();
        assert!(!shown.contains("tok3n"), "{shown}");
        assert!(!format!("{cmd:?}").contains("tok3n"));
        assert!(
            shown.contains("dep@git+https://***@git.example/r.git"),
            "{shown}"
        );
        assert!(shown.ends_with("--ca=<PEM> --release"), "{shown}");
        assert_eq!(cmd.args[1], "dep@git+https://user:tok3n@git.example/r.git");
    }
}
