//! The one error type of pregyp. Every failure is a variant carrying its context
//! (file, field, URL, command) and a stable `code()` that JS sees as `err.code`.
//! Messages that node-pre-gyp users grep for are reproduced to the letter.

use crate::redact::SafeUrl;
use std::path::PathBuf;

/// Result alias used across the crate.
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// The underlying error of a network, S3 or archive failure, kept as the variant's
/// `source()` so that `--verbose` (and Rust callers) can walk the whole chain, while
/// the message itself stays one readable line. (JS gets the message and `err.code`.)
pub type Cause = Box<dyn std::error::Error + Send + Sync>;

/// Every way pregyp can fail.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// `find()` or a command was pointed at a package.json that is not there.
    #[error("{} does not exist", path.display())]
    PackageJsonMissing { path: PathBuf },

    /// package.json exists but is not JSON.
    #[error("{}: invalid JSON: {source}", path.display())]
    PackageJsonInvalid {
        path: PathBuf,
        #[source]
        source: serde_json::Error,
    },

    /// Required package.json properties are missing or not strings (the reference's
    /// words, on one line, with the file and what is wrong with each property).
    #[error("{name} package.json is not node-pre-gyp ready: {} must declare these properties: {}", path.display(), missing.join(", "))]
    NotReady {
        name: String,
        path: PathBuf,
        missing: Vec<String>,
    },

    /// A package.json field has a value of the wrong shape.
    #[error("{}: invalid `{field}`: {reason}", path.display())]
    InvalidField {
        path: PathBuf,
        field: String,
        reason: String,
    },

    /// `binary.host` (or its mirror) uses a protocol other than https (http is allowed
    /// for loopback only, `file:` for a local folder). The reference's words, then which
    /// setting it is.
    #[error("'host' protocol ({protocol}) is invalid - only 'https:' is accepted: {setting}")]
    InvalidHostProtocol { protocol: String, setting: String },

    /// One of the reference's Node-API validation messages.
    #[error("{0}")]
    Napi(String),

    /// `--s3_host` / `node_pre_gyp_s3_host` is neither staging nor production.
    #[error("invalid s3_host {0}")]
    InvalidS3Host(String),

    /// `--target` could not be parsed.
    #[error("Unknown target version: {0}")]
    UnknownTarget(String),

    /// `--target` is not in the ABI table, not even by major version.
    #[error("Unsupported target version: {0}")]
    UnsupportedTarget(String),

    /// A command-line option or environment value is malformed. `name` is where the
    /// value came from, as the user wrote it: `--fetch-retries`, or a variable's name.
    #[error("invalid {} {name}{}{value}: {reason}", if name.starts_with('-') { "option" } else { "environment variable" }, if value.is_empty() { "" } else { "=" })]
    InvalidOption {
        name: String,
        value: String,
        reason: String,
    },

    /// An option that no command of the chain knows.
    #[error("{0}")]
    UnknownOption(String),

    /// The command line itself is wrong (unknown command, nothing to do, ...).
    #[error("{0}")]
    Usage(String),

    /// A malformed mirror or credential entry; `source_name` is the variable and entry,
    /// or the file and line. Never holds a secret.
    #[error("invalid setting in {source_name}: {reason}")]
    InvalidSetting { source_name: String, reason: String },

    /// A mirror setting rewrote the URL and the mirror answered 404.
    #[error("no prebuilt binary at {url} (HTTP 404 Not Found); the URL comes from {setting}")]
    MirrorNotFound { url: SafeUrl, setting: String },

    /// A file-system operation failed.
    #[error("{op} {}: {source}", path.display())]
    Io {
        op: &'static str,
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },

    /// The host answered 404: there is no prebuilt binary for this target.
    #[error("no prebuilt binary at {url} (HTTP 404 Not Found)")]
    DownloadNotFound { url: SafeUrl },

    /// The host answered 403 and no authenticated fallback worked.
    #[error("access to {url} is forbidden (HTTP 403){hint}")]
    DownloadForbidden { url: SafeUrl, hint: String },

    /// The host answered 401: it wants credentials, or refused the ones sent.
    #[error("access to {url} was refused (HTTP 401 Unauthorized){hint}")]
    Unauthorized { url: SafeUrl, hint: String },

    /// The host answered another non-success status.
    #[error("download of {url} failed: HTTP {status}")]
    DownloadStatus {
        url: SafeUrl,
        status: u16,
        /// What the server's `Retry-After` asked for (429, 503).
        retry_after: Option<std::time::Duration>,
    },

    /// No byte arrived for the idle timeout (the server stalled).
    #[error("download of {url} stalled: no data for {} s (--fetch-timeout={}; raise it for a slow host)", idle.as_secs_f64(), idle.as_millis())]
    DownloadStalled {
        url: SafeUrl,
        idle: std::time::Duration,
    },

    /// Connection, TLS, timeout, reset or truncation, after the allowed retries.
    /// `detail` is what failed and each cause in one line (redacted); `source` keeps
    /// the error itself.
    #[error("download of {url} failed: {detail}")]
    DownloadNetwork {
        url: SafeUrl,
        detail: String,
        #[source]
        source: Option<Cause>,
    },

    /// The downloaded bytes do not match the known SHA-256.
    #[error("integrity check failed for {url}: expected sha256 {expected}, got {actual}")]
    Integrity {
        url: SafeUrl,
        expected: String,
        actual: String,
    },

    /// The tarball holds an entry that could escape or damage the target.
    #[error("unsafe archive {source_name}: entry `{entry}` {reason}")]
    UnsafeArchive {
        source_name: String,
        entry: String,
        reason: String,
    },

    /// The tarball is corrupt or not a gzip'd tar.
    #[error("cannot unpack {source_name}: {detail}")]
    BadArchive {
        source_name: String,
        detail: String,
        #[source]
        source: Option<std::io::Error>,
    },

    /// `--offline` and the tarball is not in the cache.
    #[error("offline: {url} is not in the cache ({})", cache_dir.display())]
    OfflineCacheMiss { url: SafeUrl, cache_dir: PathBuf },

    /// Another install of the same module_path held the lock for too long.
    #[error("another install of {} has held the lock {} for {} s; wait for it to finish (or stop it) and try again", target.display(), lock.display(), waited.as_secs())]
    Locked {
        lock: PathBuf,
        target: PathBuf,
        waited: std::time::Duration,
    },

    /// A task pregyp ran on another thread (unpack, pack, an upload part, a heal) ended
    /// without finishing (it panicked or was cancelled).
    #[cfg(feature = "full")]
    #[error("{what} did not finish: {source}")]
    Task {
        what: &'static str,
        #[source]
        source: tokio::task::JoinError,
    },

    /// `find()` could not find the binding: explains why and how to fix it.
    #[error("{message}")]
    BindingMissing { message: String },

    /// node-gyp (or nw-gyp) could not be found or started.
    #[error("{0}")]
    GypNotFound(String),

    /// A child process (node-gyp, npm, node) failed.
    #[error("Failed to execute '{command}' ({detail})")]
    CommandFailed {
        command: crate::redact::CommandLine,
        detail: String,
        /// Why it could not be started, when it could not.
        #[source]
        source: Option<std::io::Error>,
    },

    /// `package` without a built binding (reference message).
    #[error("Cannot package because {} missing: run `{} rebuild` first", module.display(), crate::program::program())]
    PackageMissingBinary { module: PathBuf },

    /// publish/testpackage without a staged tarball (reference messages).
    #[error("Cannot {action} because {} missing: run `{} package` first", tarball.display(), crate::program::program())]
    StagedTarballMissing {
        action: &'static str,
        tarball: PathBuf,
    },

    /// `clean` refused to delete (reference messages).
    #[error("{0}")]
    CleanRefused(String),

    /// `publish` found an object already at the key (reference message).
    #[error("Failed publishing to {hosted_path}: already published (an object exists at {key}; cannot publish over an existing version: update `version` in package.json, or run `{} unpublish` first)", crate::program::program())]
    PublishExists { hosted_path: String, key: String },

    /// The S3 bucket could not be derived from the host (the reference's words, then the
    /// host and what an S3 command needs).
    #[error("Could not parse s3 bucket name from virtual host url. (the host is \"{host}\": the S3 commands need https://<bucket>.s3[.<region>].amazonaws.com/..., binary.bucket and binary.region beside the host, or a host object {{ \"endpoint\", \"bucket\", \"region\" }})")]
    S3HostParse { host: String },

    /// An S3 request failed.
    /// `detail` says what went wrong and what to check; `source` is the SDK's error.
    #[error("S3 {op} s3://{bucket}/{key} failed: {detail}")]
    S3 {
        op: &'static str,
        bucket: String,
        key: String,
        detail: String,
        #[source]
        source: Option<Cause>,
    },

    /// An S3 operation needs credentials and none were found.
    #[error("{0}")]
    S3Credentials(String),

    /// The binding was installed or built but cannot be loaded.
    #[error("{} cannot be loaded: {detail}", module.display())]
    BindingLoad {
        module: PathBuf,
        detail: String,
        /// Why the test-load could not be run, when it could not.
        #[source]
        source: Option<std::io::Error>,
    },

    /// `migrate` will not change this folder (not a node-pre-gyp package, uncommitted changes).
    #[error("{0}")]
    MigrateRefused(String),

    /// Several packages failed (heal); the summary was printed.
    #[error("{0}")]
    Summary(String),
}

/// Every code [`Error::code`] returns (index.d.ts's `ErrorCode` is checked against it).
pub const CODES: &[&str] = &[
    "E_BAD_ARCHIVE",
    "E_BAD_PACKAGE_JSON",
    "E_BINDING_LOAD",
    "E_BINDING_MISSING",
    "E_CLEAN_REFUSED",
    "E_COMMAND_FAILED",
    "E_DOWNLOAD_FORBIDDEN",
    "E_DOWNLOAD_NETWORK",
    "E_DOWNLOAD_NOT_FOUND",
    "E_DOWNLOAD_STALLED",
    "E_DOWNLOAD_STATUS",
    "E_GYP_NOT_FOUND",
    "E_INTEGRITY",
    "E_INVALID_FIELD",
    "E_INVALID_HOST",
    "E_INVALID_OPTION",
    "E_INVALID_S3_HOST",
    "E_IO",
    "E_LOCKED",
    "E_MIGRATE_REFUSED",
    "E_NAPI_VERSION",
    "E_NOT_READY",
    "E_NO_PACKAGE_JSON",
    "E_NO_STAGED_TARBALL",
    "E_OFFLINE_CACHE_MISS",
    "E_PACKAGE_MISSING_BINARY",
    "E_PUBLISH_EXISTS",
    "E_S3",
    "E_S3_CREDENTIALS",
    "E_S3_HOST",
    "E_SOME_FAILED",
    "E_TASK",
    "E_UNKNOWN_OPTION",
    "E_UNKNOWN_TARGET",
    "E_UNSAFE_ARCHIVE",
    "E_UNSUPPORTED_TARGET",
    "E_USAGE",
];

impl Error {
    /// Stable machine-readable code, exposed to JS as `err.code`.
    pub fn code(&self) -> &'static str {
        match self {
            Error::PackageJsonMissing { .. } => "E_NO_PACKAGE_JSON",
            Error::PackageJsonInvalid { .. } => "E_BAD_PACKAGE_JSON",
            Error::NotReady { .. } => "E_NOT_READY",
            Error::InvalidField { .. } => "E_INVALID_FIELD",
            Error::InvalidHostProtocol { .. } => "E_INVALID_HOST",
            Error::Napi(_) => "E_NAPI_VERSION",
            Error::InvalidS3Host(_) => "E_INVALID_S3_HOST",
            Error::UnknownTarget(_) => "E_UNKNOWN_TARGET",
            Error::UnsupportedTarget(_) => "E_UNSUPPORTED_TARGET",
            Error::InvalidOption { .. } => "E_INVALID_OPTION",
            Error::UnknownOption(_) => "E_UNKNOWN_OPTION",
            Error::Usage(_) => "E_USAGE",
            Error::InvalidSetting { .. } => "E_INVALID_OPTION",
            Error::MirrorNotFound { .. } => "E_DOWNLOAD_NOT_FOUND",
            Error::Io { .. } => "E_IO",
            Error::DownloadNotFound { .. } => "E_DOWNLOAD_NOT_FOUND",
            Error::DownloadForbidden { .. } => "E_DOWNLOAD_FORBIDDEN",
            Error::Unauthorized { .. } => "E_DOWNLOAD_FORBIDDEN",
            Error::DownloadStatus { .. } => "E_DOWNLOAD_STATUS",
            Error::DownloadNetwork { .. } => "E_DOWNLOAD_NETWORK",
            Error::DownloadStalled { .. } => "E_DOWNLOAD_STALLED",
            Error::Locked { .. } => "E_LOCKED",
            #[cfg(feature = "full")]
            Error::Task { .. } => "E_TASK",
            Error::Integrity { .. } => "E_INTEGRITY",
            Error::UnsafeArchive { .. } => "E_UNSAFE_ARCHIVE",
            Error::BadArchive { .. } => "E_BAD_ARCHIVE",
            Error::OfflineCacheMiss { .. } => "E_OFFLINE_CACHE_MISS",
            Error::BindingMissing { .. } => "E_BINDING_MISSING",
            Error::GypNotFound(_) => "E_GYP_NOT_FOUND",
            Error::CommandFailed { .. } => "E_COMMAND_FAILED",
            Error::PackageMissingBinary { .. } => "E_PACKAGE_MISSING_BINARY",
            Error::StagedTarballMissing { .. } => "E_NO_STAGED_TARBALL",
            Error::CleanRefused(_) => "E_CLEAN_REFUSED",
            Error::PublishExists { .. } => "E_PUBLISH_EXISTS",
            Error::S3HostParse { .. } => "E_S3_HOST",
            Error::S3 { .. } => "E_S3",
            Error::S3Credentials(_) => "E_S3_CREDENTIALS",
            Error::BindingLoad { .. } => "E_BINDING_LOAD",
            Error::Summary(_) => "E_SOME_FAILED",
            Error::MigrateRefused(_) => "E_MIGRATE_REFUSED",
        }
    }

    /// The error for a task of `what` that did not finish (for `JoinHandle`'s `map_err`).
    #[cfg(feature = "full")]
    pub fn task(what: &'static str) -> impl FnOnce(tokio::task::JoinError) -> Error {
        move |source| Error::Task { what, source }
    }

    /// Shorthand for an I/O error with the path it concerns.
    pub fn io(op: &'static str, path: impl Into<PathBuf>, source: std::io::Error) -> Self {
        Error::Io {
            op,
            path: path.into(),
            source,
        }
    }
}

/// An error and its causes as one readable line, `a: b: c`: each cause's own words
/// (URLs redacted), once. (The AWS SDK's `DisplayErrorContext` would append the whole
/// chain again as a `Debug` dump, which no user should have to read.)
pub fn cause_text(e: &(dyn std::error::Error + 'static)) -> String {
    let mut parts: Vec<String> = Vec::new();
    let mut src = Some(e);
    while let Some(s) = src {
        let text = crate::redact::redact_text(&s.to_string());
        if !text.is_empty() && !parts.iter().any(|p| p.contains(&text)) {
            parts.push(text);
        }
        src = s.source();
    }
    parts.join(": ")
}

/// Extension for attaching a path to `std::io::Result`s.
pub trait IoContext<T> {
    /// Wraps an I/O error with the operation and path.
    fn at(self, op: &'static str, path: impl Into<PathBuf>) -> Result<T>;
}

impl<T> IoContext<T> for std::io::Result<T> {
    fn at(self, op: &'static str, path: impl Into<PathBuf>) -> Result<T> {
        self.map_err(|e| Error::io(op, path, e))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// CODES lists exactly the codes `code()` can return (read from this file's source).
    #[test]
    fn codes_list_is_complete() {
        let src = include_str!("error.rs");
        let mut found: Vec<&str> = src
            .split("=> \"")
            .skip(1)
            .filter_map(|s| s.split('"').next())
            .filter(|c| c.starts_with("E_"))
            .collect();
        found.sort_unstable();
        found.dedup();
        let mut listed = CODES.to_vec();
        listed.sort_unstable();
        assert_eq!(found, listed);
    }

    #[test]
    fn not_ready_message_matches_reference() {
        let e = Error::NotReady {
            name: "foo".into(),
            path: "/p/package.json".into(),
            missing: vec!["binary.module_name".into(), "binary.host".into()],
        };
        assert_eq!(
            e.to_string(),
            "foo package.json is not node-pre-gyp ready: /p/package.json must declare these properties: binary.module_name, binary.host"
        );
        assert_eq!(e.code(), "E_NOT_READY");
    }
}
