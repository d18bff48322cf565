//! Logging to stderr with npm's levels; results go to stdout elsewhere.
//! One process-wide level: the CLI sets it from `--loglevel`, API calls from their options.

use crate::options::LogLevel;
use std::io::{IsTerminal, Write};
use std::sync::atomic::{AtomicU8, Ordering};

static LEVEL: AtomicU8 = AtomicU8::new(LogLevel::Info as u8);

/// Sets the process-wide level.
pub fn set_level(level: LogLevel) {
    LEVEL.store(level as u8, Ordering::Relaxed);
}

/// Whether messages at `level` are shown.
pub fn enabled(level: LogLevel) -> bool {
    level != LogLevel::Silent && level as u8 <= LEVEL.load(Ordering::Relaxed)
}

fn color() -> bool {
    std::env::var_os("NO_COLOR").is_none() && std::io::stderr().is_terminal()
}

/// Writes one log line: `pregyp <level> <message>`.
pub fn log(level: LogLevel, msg: &str) {
    if !enabled(level) {
        return;
    }
    let (tag, code) = match level {
        LogLevel::Error => ("ERR!", "31"),
        LogLevel::Warn => ("WARN", "33"),
        LogLevel::Notice => ("notice", "36"),
        LogLevel::Http => ("http", "32"),
        LogLevel::Info => ("info", "32"),
        LogLevel::Verbose => ("verb", "34"),
        LogLevel::Silly | LogLevel::Silent => ("sill", "35"),
    };
    let mut err = std::io::stderr().lock();
    let tag = if color() {
        format!("\x1b[{code}m{tag}\x1b[0m")
    } else {
        tag.to_string()
    };
    for line in msg.lines() {
        let _ = writeln!(err, "pregyp {tag} {line}");
    }
}

/// Logs at error level.
pub fn error(msg: impl AsRef<str>) {
    log(LogLevel::Error, msg.as_ref())
}
/// Logs at warn level.
pub fn warn(msg: impl AsRef<str>) {
    log(LogLevel::Warn, msg.as_ref())
}
/// Logs at info level.
pub fn info(msg: impl AsRef<str>) {
    log(LogLevel::Info, msg.as_ref())
}
/// Logs at http level.
pub fn http(msg: impl AsRef<str>) {
    log(LogLevel::Http, msg.as_ref())
}
/// Logs at verbose level.
pub fn verbose(msg: impl AsRef<str>) {
    log(LogLevel::Verbose, msg.as_ref())
}

/// Prints a result line on stdout (not subject to the log level).
pub fn result(line: impl AsRef<str>) {
    let mut out = std::io::stdout().lock();
    let _ = writeln!(out, "{}", line.as_ref());
    let _ = out.flush();
}
