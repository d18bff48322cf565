//! Logging to stderr with npm's levels; results go to stdout elsewhere.
//!
//! The CLI sets the process-wide level from `--loglevel`. An API call runs inside a
//! scope with its own level ([`scoped`] for async calls, [`scoped_sync`] for sync ones),
//! so two concurrent calls with different levels do not affect each other. (Tasks a
//! call spawns off its own task log at the process-wide level.)

use crate::error::{Error, Result};
use std::cell::Cell;
use std::io::{IsTerminal, Write};
use std::sync::atomic::{AtomicBool, AtomicU8, Ordering};

static LEVEL: AtomicU8 = AtomicU8::new(LogLevel::Info as u8);
/// Colours: on a terminal unless `NO_COLOR`, `--no-color` or `npm_config_color=false`.
static COLOR: AtomicBool = AtomicBool::new(true);

pub use crate::program::{program, reference_style, set_program};

/// Turns colours off (`--no-color`) or back on where the terminal allows them.
pub fn set_color(on: bool) {
    COLOR.store(on, Ordering::Relaxed);
}

thread_local! {
    static SYNC_LEVEL: Cell<Option<LogLevel>> = const { Cell::new(None) };
}

#[cfg(feature = "full")]
tokio::task_local! {
    static CALL_LEVEL: LogLevel;
}

/// Sets the process-wide level.
pub fn set_level(level: LogLevel) {
    LEVEL.store(level as u8, Ordering::Relaxed);
}

/// Runs `fut` with `level` as the level of everything it logs from its own task.
#[cfg(feature = "full")]
pub async fn scoped<F: std::future::Future>(level: LogLevel, fut: F) -> F::Output {
    CALL_LEVEL.scope(level, fut).await
}

/// Runs `f` with `level` as the level of everything it logs from this thread.
pub fn scoped_sync<T>(level: LogLevel, f: impl FnOnce() -> T) -> T {
    let before = SYNC_LEVEL.with(|l| l.replace(Some(level)));
    let out = f();
    SYNC_LEVEL.with(|l| l.set(before));
    out
}

fn current() -> u8 {
    #[cfg(feature = "full")]
    if let Ok(l) = CALL_LEVEL.try_with(|l| *l) {
        return l as u8;
    }
    SYNC_LEVEL
        .with(Cell::get)
        .map_or_else(|| LEVEL.load(Ordering::Relaxed), |l| l as u8)
}

/// Whether messages at `level` are shown.
pub fn enabled(level: LogLevel) -> bool {
    level != LogLevel::Silent && level as u8 <= current()
}

fn color() -> bool {
    COLOR.load(Ordering::Relaxed)
        && std::env::var_os("NO_COLOR").is_none()
        && std::io::stderr().is_terminal()
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
    if reference_style() {
        // consola's basic reporter, which the reference logs through.
        let tag = match level {
            LogLevel::Error => "error",
            LogLevel::Warn => "warn",
            LogLevel::Http => "log",
            LogLevel::Notice | LogLevel::Info => "info",
            LogLevel::Verbose => "verbose",
            LogLevel::Silly | LogLevel::Silent => "trace",
        };
        for line in msg.lines() {
            // The reference prints its `Warning: …` lines bare.
            if level == LogLevel::Warn && line.starts_with("Warning: ") {
                let _ = writeln!(err, "{line}");
            } else {
                let _ = writeln!(err, "[{tag}] {line}");
            }
        }
        return;
    }
    let tag = if color() {
        format!("\x1b[{code}m{tag}\x1b[0m")
    } else {
        tag.to_string()
    };
    for line in msg.lines() {
        let line = line.strip_prefix("Warning: ").unwrap_or(line);
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

/// Log verbosity (npm's levels).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum LogLevel {
    /// Nothing.
    Silent,
    /// Errors only.
    Error,
    /// Warnings and errors.
    Warn,
    /// Notices (default of npm).
    Notice,
    /// Progress of requests.
    Http,
    /// The reference's default.
    Info,
    /// Every decision.
    Verbose,
    /// Everything.
    Silly,
}

impl LogLevel {
    /// Parses a level name; unknown names are an error naming the option.
    pub fn parse(s: &str) -> Result<Self> {
        Ok(match s {
            "silent" => LogLevel::Silent,
            "error" => LogLevel::Error,
            "warn" => LogLevel::Warn,
            "notice" => LogLevel::Notice,
            "http" => LogLevel::Http,
            "info" => LogLevel::Info,
            "verbose" => LogLevel::Verbose,
            "silly" => LogLevel::Silly,
            other => {
                return Err(Error::InvalidOption {
                    name: "loglevel".into(),
                    value: other.into(),
                    reason: "expected silent, error, warn, notice, http, info, verbose or silly"
                        .into(),
                })
            }
        })
    }
}
