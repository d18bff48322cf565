//! `install`: download the prebuilt binary for this target, verify it and
//! unpack it atomically into module_path; else build from source when allowed.
//!
//! The tarball streams from the network straight into gunzip + untar on a
//! blocking thread (and into the cache file and the sha256 at the same time), so
//! memory stays flat whatever the size. Everything lands in a temp dir beside
//! module_path that replaces it only once the archive is complete and verified.

use super::{Context, Outcome};
use crate::archive::{self, Limits};
use crate::cache::Cache;
use crate::error::{Error, IoContext, Result};
use crate::http;
use crate::log;
use crate::redact::redact_url;
use crate::retry::{History, RetryPolicy};
use crate::versioning::Config;
use serde_json::json;
use sha2::{Digest, Sha256};
use std::fs;
use std::io::{self, IsTerminal, Read, Write};
use std::path::{Path, PathBuf};
use std::time::Duration;

/// How the binding got there.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Source {
    /// Downloaded from the host (or a mirror).
    Remote,
    /// Taken from the local cache.
    Cache,
    /// Unpacked from a `file://` host.
    File,
    /// Downloaded from S3 with credentials after a 403.
    S3,
    /// Already installed; nothing done.
    Existing,
    /// Compiled from source.
    Build,
}

impl Source {
    fn as_str(self) -> &'static str {
        match self {
            Source::Remote => "remote",
            Source::Cache => "cache",
            Source::File => "file",
            Source::S3 => "s3",
            Source::Existing => "existing",
            Source::Build => "build",
        }
    }
}

/// Result of placing a binary.
#[derive(Debug, Clone)]
pub struct Placed {
    /// Where it came from.
    pub source: Source,
    /// sha256 of the tarball.
    pub sha256: Option<String>,
}

fn data(config: &Config, source: Source, sha256: Option<&str>) -> serde_json::Value {
    json!({
        "path": config.module.to_string_lossy(),
        "source": source.as_str(),
        "url": redact_url(&config.hosted_tarball),
        "sha256": sha256,
    })
}

/// `install`.
pub async fn install(ctx: &Context, _args: &[String], napi: Option<u32>) -> Result<Outcome> {
    let name = ctx.name().to_string();
    if ctx.opts.build_from_source.matches(&name) {
        log::info("build requesting source compile");
        return build_instead(ctx, napi).await;
    }
    let config = ctx.evaluate("install", napi)?;
    refuse_unsafe_module_path(ctx, &config)?;
    let fallback = ctx.opts.fallback_to_build.matches(&name);
    if !ctx.opts.update_binary && config.module.exists() {
        return Ok(already_installed(&name, &config));
    }
    log::info(format!(
        "check checked for \"{}\" (not found)",
        config.module.display()
    ));
    match place(ctx, &config).await {
        Ok(placed) if placed.source == Source::Existing => Ok(already_installed(&name, &config)),
        Ok(placed) => Ok(Outcome::line(
            format!(
                "[{name}] Success: \"{}\" is installed via remote",
                config.module.display()
            ),
            data(&config, placed.source, placed.sha256.as_deref()),
        )),
        Err(e @ Error::BindingLoad { .. }) if fallback => {
            // Checked before anything was replaced: the previous binding is still there.
            log::warn(format!(
                "the downloaded binary does not load on this machine ({e}); falling back to source compile with node-gyp"
            ));
            build_instead(ctx, napi).await
        }
        Err(e) if fallback => {
            print_fallback_error(ctx, &config, &e);
            build_instead(ctx, napi).await
        }
        Err(e) => Err(e),
    }
}

/// Install replaces what is in module_path: never let that be the package itself or a
/// folder holding it (`"module_path": "./"` or `"../"`).
fn refuse_unsafe_module_path(ctx: &Context, config: &Config) -> Result<()> {
    let dir = crate::manifest::normalize(&ctx.dir);
    if dir.starts_with(&config.module_path) {
        return Err(Error::InvalidField {
            path: ctx.manifest.path.clone(),
            field: "binary.module_path".into(),
            reason: format!(
                "resolves to {}, which contains the package itself; refusing to install binaries over it",
                config.module_path.display()
            ),
        });
    }
    Ok(())
}

fn already_installed(name: &str, config: &Config) -> Outcome {
    Outcome {
        stdout: vec![
            format!(
                "[{name}] Success: \"{}\" already installed",
                config.module.display()
            ),
            "Pass --update-binary to reinstall or --build-from-source to recompile".into(),
        ],
        data: data(config, Source::Existing, None),
    }
}

async fn build_instead(ctx: &Context, napi: Option<u32>) -> Result<Outcome> {
    super::build::rebuild_for_install(ctx, napi).await?;
    let config = ctx.evaluate("install", napi)?;
    Ok(Outcome {
        stdout: Vec::new(),
        data: data(&config, Source::Build, None),
    })
}

/// The reference's `print_fallback_error`, with the cause in one line.
fn print_fallback_error(ctx: &Context, config: &Config, e: &Error) {
    let target = format!(
        "{}@{} ({} ABI, {})",
        config.runtime.as_str(),
        ctx.opts.target.as_deref().unwrap_or(&ctx.host.node_version),
        config
            .values
            .get("node_abi")
            .and_then(|v| v.as_str())
            .unwrap_or(""),
        config.libc
    );
    let status = match e {
        Error::DownloadNotFound { .. } => Some(404),
        Error::DownloadForbidden { .. } => Some(403),
        Error::DownloadStatus { status, .. } => Some(*status),
        _ => None,
    };
    let what = if let Some(s) = status {
        log::warn(format!(
            "Tried to download({s}): {}",
            redact_url(&config.hosted_tarball)
        ));
        "not found"
    } else {
        "not installable"
    };
    log::warn(format!(
        "Pre-built binaries {what} for {}@{} and {target} (falling back to source compile with node-gyp)",
        config.name, config.version
    ));
    log::warn(format!("Hit error {e}"));
}

/// A folder that replaces module_path on commit, and the parent folders created for it
/// (removed again if the install fails, so nothing outside module_path is left behind).
struct Staging {
    dir: Option<tempfile::TempDir>,
    created_parents: Vec<PathBuf>,
    module_path: PathBuf,
}

impl Staging {
    fn new(module_path: &Path) -> Result<Self> {
        let parent = module_path.parent().unwrap_or(Path::new("/")).to_path_buf();
        let mut created = Vec::new();
        let mut p = parent.as_path();
        while !p.exists() {
            created.push(p.to_path_buf());
            match p.parent() {
                Some(pp) => p = pp,
                None => break,
            }
        }
        fs::create_dir_all(&parent).at("create directory", &parent)?;
        let name = module_path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_else(|| "binding".into());
        let dir = tempfile::Builder::new()
            .prefix(&format!(".{name}.pregyp-"))
            .tempdir_in(&parent)
            .at("create temp directory in", &parent)?;
        Ok(Staging {
            dir: Some(dir),
            created_parents: created,
            module_path: module_path.to_path_buf(),
        })
    }

    fn path(&self) -> &Path {
        self.dir.as_ref().expect("not committed").path()
    }

    /// Empties the staging folder for another attempt.
    fn reset(&self) -> Result<()> {
        let p = self.path();
        fs::remove_dir_all(p).at("remove", p)?;
        fs::create_dir(p).at("create directory", p)
    }

    /// Loads the staged binding in a child runtime: a binary that cannot load here
    /// (wrong libc, missing symbols) must not replace anything.
    async fn verify_load(&self, module_name: &str, ctx: &Context) -> Result<()> {
        let module = self.path().join(format!("{module_name}.node"));
        crate::process::can_load(&module, &ctx.host, &ctx.opts.env).await
    }

    /// Puts the staged files in place. A missing module_path is renamed into place whole;
    /// an existing one gets each top-level entry replaced by its namesake (the binding
    /// last), leaving other files there alone, as the reference's `tar.extract` does.
    fn commit(mut self, module_file: &str, pause: Option<Duration>) -> Result<()> {
        let dir = self.dir.take().expect("not committed");
        let staged = dir.path().to_path_buf();
        let target = self.module_path.clone();
        match fs::symlink_metadata(&target) {
            Err(_) => {
                fs::rename(&staged, &target).at("move into place", &target)?;
                let _ = dir.keep();
            }
            Ok(m) if !m.is_dir() => {
                return Err(Error::io(
                    "install into",
                    &target,
                    io::Error::other("module_path exists and is not a directory"),
                ))
            }
            Ok(_) => {
                let mut entries: Vec<_> = fs::read_dir(&staged)
                    .at("read", &staged)?
                    .flatten()
                    .map(|e| e.file_name())
                    .collect();
                // The binding goes last: when it appears, what it links against is there.
                entries.sort_by_key(|n| n == module_file);
                for (i, name) in entries.into_iter().enumerate() {
                    if let (1, Some(p)) = (i, pause) {
                        log::warn(format!("pausing in the commit for {} ms", p.as_millis()));
                        std::thread::sleep(p);
                    }
                    let from = staged.join(&name);
                    let to = target.join(&name);
                    let from_dir = fs::symlink_metadata(&from).at("stat", &from)?.is_dir();
                    match fs::symlink_metadata(&to) {
                        Ok(m) if m.is_dir() && from_dir && exchange(&from, &to).is_ok() => {}
                        Ok(m) if m.is_dir() || from_dir => {
                            crate::fsutil::remove_no_follow(&to)?;
                            fs::rename(&from, &to).at("move into place", &to)?;
                        }
                        // rename(2) replaces a file or symlink atomically.
                        _ => fs::rename(&from, &to).at("move into place", &to)?,
                    }
                }
                // `staged` now holds only what was replaced; the TempDir removes it.
                drop(dir);
            }
        }
        self.created_parents.clear();
        Ok(())
    }
}

impl Drop for Staging {
    fn drop(&mut self) {
        drop(self.dir.take());
        for p in &self.created_parents {
            let _ = fs::remove_dir(p);
        }
    }
}

#[cfg(target_os = "linux")]
fn exchange(a: &Path, b: &Path) -> io::Result<()> {
    use std::os::unix::ffi::OsStrExt;
    let ca = std::ffi::CString::new(a.as_os_str().as_bytes())?;
    let cb = std::ffi::CString::new(b.as_os_str().as_bytes())?;
    // SAFETY: two valid NUL-terminated paths; renameat2 only touches the file system.
    let r = unsafe {
        libc::renameat2(
            libc::AT_FDCWD,
            ca.as_ptr(),
            libc::AT_FDCWD,
            cb.as_ptr(),
            libc::RENAME_EXCHANGE,
        )
    };
    if r == 0 {
        Ok(())
    } else {
        Err(io::Error::last_os_error())
    }
}

#[cfg(not(target_os = "linux"))]
fn exchange(_a: &Path, _b: &Path) -> io::Result<()> {
    Err(io::Error::new(
        io::ErrorKind::Unsupported,
        "no atomic exchange",
    ))
}

/// Aborts a spawned task when dropped.
struct AbortOnDrop(tokio::task::AbortHandle);

impl Drop for AbortOnDrop {
    fn drop(&mut self) {
        self.0.abort();
    }
}

/// Holds an exclusive lock on a file for as long as it lives. The lock is the kernel's
/// (flock), so a killed install releases it; the file itself may stay, harmlessly.
struct InstallLock(#[allow(dead_code)] fs::File);

/// Longest wait for another install of the same module_path.
const LOCK_WAIT: Duration = Duration::from_secs(300);

async fn lock(path: PathBuf, module_path: &Path) -> Result<InstallLock> {
    let f = fs::OpenOptions::new()
        .create(true)
        .truncate(false)
        .write(true)
        .open(&path)
        .at("open lock", &path)?;
    let started = std::time::Instant::now();
    let mut told = false;
    loop {
        match f.try_lock() {
            Ok(()) => return Ok(InstallLock(f)),
            Err(fs::TryLockError::WouldBlock) => {}
            Err(fs::TryLockError::Error(e)) => return Err(Error::io("lock", &path, e)),
        }
        if started.elapsed() >= LOCK_WAIT {
            return Err(Error::Locked {
                lock: path,
                target: module_path.to_path_buf(),
                waited: LOCK_WAIT,
            });
        }
        if !told {
            log::info(format!(
                "waiting for another install of {} to finish (lock {})",
                module_path.display(),
                path.display()
            ));
            told = true;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// Removes the staging folders that installs killed before they finished left beside
/// module_path (`.<name>.pregyp-*`). Called under the install lock, so none is in use.
fn remove_stale_staging(module_path: &Path) {
    let (Some(parent), Some(name)) = (module_path.parent(), module_path.file_name()) else {
        return;
    };
    let prefix = format!(".{}.pregyp-", name.to_string_lossy());
    let Ok(entries) = fs::read_dir(parent) else {
        return;
    };
    for e in entries.flatten() {
        if e.file_name().to_string_lossy().starts_with(&prefix) {
            log::verbose(format!(
                "removing {} (left by an interrupted install)",
                e.path().display()
            ));
            let _ = crate::fsutil::remove_no_follow(&e.path());
        }
    }
}

fn cache_for(ctx: &Context) -> Cache {
    Cache::open(ctx.opts.cache_dir.as_deref())
}

fn limits(ctx: &Context) -> Limits {
    Limits {
        max_unpacked_size: ctx.opts.max_unpacked_size,
        ..Limits::default()
    }
}

fn module_file(config: &Config) -> String {
    format!("{}.node", config.module_name)
}

fn check_contains_module(config: &Config, staged: &Path, source: &str) -> Result<()> {
    let want = format!("{}.node", config.module_name);
    if staged.join(&want).exists() {
        Ok(())
    } else {
        Err(Error::BadArchive {
            source_name: source.to_string(),
            detail: format!("the archive does not contain {want} at its top level"),
        })
    }
}

fn verify(url: &str, expected: Option<&str>, actual: &str) -> Result<()> {
    match expected {
        Some(e) if e != actual => Err(Error::Integrity {
            url: url.into(),
            expected: e.to_string(),
            actual: actual.to_string(),
        }),
        _ => Ok(()),
    }
}

/// Downloads (or takes from cache / disk), verifies and unpacks the binary into place.
pub async fn place(ctx: &Context, config: &Config) -> Result<Placed> {
    let cache = cache_for(ctx);
    let _lock = lock(cache.lock_path(&config.module_path)?, &config.module_path).await?;
    remove_stale_staging(&config.module_path);
    // Another install may have finished while we waited for the lock.
    if !ctx.opts.update_binary && config.module.exists() {
        return Ok(Placed {
            source: Source::Existing,
            sha256: None,
        });
    }
    let url = config.hosted_tarball.clone();
    let expected = config.checksum.clone();
    if url.starts_with("file://") {
        let path = url::Url::parse(&url)
            .ok()
            .and_then(|u| u.to_file_path().ok())
            .ok_or_else(|| Error::DownloadNotFound { url: (&url).into() })?;
        if !path.exists() {
            return Err(Error::DownloadNotFound { url: (&url).into() });
        }
        log::info(format!("install unpacking local file {}", path.display()));
        let sha = unpack_file(
            ctx,
            config,
            &path,
            &path.display().to_string(),
            expected.as_deref(),
        )
        .await?;
        return Ok(Placed {
            source: Source::File,
            sha256: Some(sha),
        });
    }
    if let Some((blob, sha)) = cache.lookup(&url, expected.as_deref()) {
        log::info(format!(
            "install using cached {} ({})",
            redact_url(&url),
            &sha[..12]
        ));
        let sha = unpack_file(ctx, config, &blob, &redact_url(&url), Some(&sha)).await?;
        return Ok(Placed {
            source: Source::Cache,
            sha256: Some(sha),
        });
    }
    if ctx.opts.offline {
        return Err(Error::OfflineCacheMiss {
            url: url.into(),
            cache_dir: cache.root().to_path_buf(),
        });
    }
    download(ctx, config, &cache, &url, expected).await
}

async fn unpack_file(
    ctx: &Context,
    config: &Config,
    file: &Path,
    source: &str,
    expected: Option<&str>,
) -> Result<String> {
    let limits = limits(ctx);
    let staging = Staging::new(&config.module_path)?;
    let staged = staging.path().to_path_buf();
    let file = file.to_path_buf();
    let source_owned = source.to_string();
    let sha = tokio::task::spawn_blocking(move || -> Result<String> {
        let f = fs::File::open(&file).at("read", &file)?;
        let reader = HashingReader {
            inner: io::BufReader::with_capacity(256 * 1024, f),
            hasher: Sha256::new(),
        };
        // Reading, hashing and inflating on one thread, writing files on this one.
        let bad = |e: io::Error| Error::BadArchive {
            source_name: source_owned.clone(),
            detail: e.to_string(),
        };
        let mut inflated = crate::inflate::spawn(reader).at("start a thread", &file)?;
        archive::unpack_tar(&mut inflated, &staged, &source_owned, &limits)?;
        let reader = inflated.finish().map_err(bad)?;
        Ok(hex::encode(reader.hasher.finalize()))
    })
    .await
    .expect("unpack task does not panic")?;
    verify(source, expected, &sha)?;
    finish(ctx, config, staging, source).await?;
    Ok(sha)
}

/// The last checks on a complete, verified archive, then the commit: the binding is at
/// the top level, and (when a build could replace it) loads in this runtime.
async fn finish(ctx: &Context, config: &Config, staging: Staging, source: &str) -> Result<()> {
    check_contains_module(config, staging.path(), source)?;
    if ctx.opts.fallback_to_build.matches(ctx.name()) && !config.cross_compiling {
        staging.verify_load(&config.module_name, ctx).await?;
    }
    // Fault injection for the interruption tests: stop between two moves of the commit
    // (some entries replaced, the binding not yet) for this many ms, to be killed there.
    let pause = ctx
        .opts
        .env
        .non_empty("PREGYP_TEST_PAUSE_IN_COMMIT_MS")
        .and_then(|v| v.parse().ok())
        .map(Duration::from_millis);
    staging.commit(&module_file(config), pause)
}

struct HashingReader<R> {
    inner: R,
    hasher: Sha256,
}

impl<R: Read> Read for HashingReader<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.hasher.update(&buf[..n]);
        Ok(n)
    }
}

/// Feeds downloaded chunks to the unpacker (on its own thread, so that inflating
/// overlaps with receiving, hashing and caching, which the download loop does).
struct ChannelReader {
    rx: tokio::sync::mpsc::Receiver<Option<bytes::Bytes>>,
    current: bytes::Bytes,
}

impl Read for ChannelReader {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        while self.current.is_empty() {
            match self.rx.blocking_recv() {
                Some(Some(chunk)) => self.current = chunk,
                Some(None) => {
                    return Err(io::Error::new(
                        io::ErrorKind::ConnectionAborted,
                        "download interrupted",
                    ))
                }
                None => return Ok(0),
            }
        }
        let n = buf.len().min(self.current.len());
        buf[..n].copy_from_slice(&self.current[..n]);
        self.current = self.current.split_off(n);
        Ok(n)
    }
}

fn progress_bar(len: Option<u64>) -> Option<indicatif::ProgressBar> {
    if !io::stderr().is_terminal() || !log::enabled(crate::options::LogLevel::Notice) {
        return None;
    }
    let pb = match len {
        Some(l) => indicatif::ProgressBar::new(l),
        None => indicatif::ProgressBar::new_spinner(),
    };
    pb.set_style(
        indicatif::ProgressStyle::with_template(
            "pregyp {msg} [{bar:30}] {bytes}/{total_bytes} {bytes_per_sec}",
        )
        .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar())
        .progress_chars("=> "),
    );
    pb.set_message("download");
    Some(pb)
}

fn parse_sidecar(text: &str) -> Option<String> {
    let token = text.split_whitespace().next()?.to_ascii_lowercase();
    (token.len() == 64 && token.bytes().all(|c| c.is_ascii_hexdigit())).then_some(token)
}

async fn download(
    ctx: &Context,
    config: &Config,
    cache: &Cache,
    url: &str,
    expected: Option<String>,
) -> Result<Placed> {
    let client = http::client(&ctx.opts)?;
    // Without a checksum in package.json, a `<tarball>.sha256` beside the tarball counts.
    let sidecar_url = format!("{url}.sha256");
    let policy = RetryPolicy {
        attempts: ctx.opts.retries + 1,
        min_delay: ctx.opts.retry_min_delay,
    };
    let idle = ctx.opts.timeout;
    let staging = Staging::new(&config.module_path)?;
    // The sidecar request runs alongside the first attempt.
    let sidecar = tokio::spawn({
        let client = client.clone();
        let have_expected = expected.is_some();
        async move {
            if have_expected {
                return None;
            }
            match http::fetch_small_text(&client, &sidecar_url, idle).await {
                Ok(Some(t)) => parse_sidecar(&t),
                Ok(None) => None,
                Err(e) => {
                    log::verbose(format!(
                        "no checksum from {}: {e}",
                        redact_url(&sidecar_url)
                    ));
                    None
                }
            }
        }
    });
    // Whatever way this function returns, the sidecar request does not outlive it.
    let _stop_sidecar = AbortOnDrop(sidecar.abort_handle());
    let mut history = History::default();
    loop {
        if history.attempts > 0 {
            staging.reset()?;
        }
        history.attempts += 1;
        log::http(format!("GET {}", redact_url(url)));
        match download_once(&client, url, idle, staging.path(), cache, limits(ctx)).await {
            Ok((sha, tmp_file)) => {
                let expected = match expected.clone() {
                    Some(e) => Some(e),
                    None => sidecar.await.ok().flatten(),
                };
                if let Err(e) = verify(url, expected.as_deref(), &sha) {
                    if let Some(f) = &tmp_file {
                        let _ = fs::remove_file(f);
                    }
                    return Err(e);
                }
                if let Err(e) = finish(ctx, config, staging, &redact_url(url)).await {
                    if let Some(f) = &tmp_file {
                        let _ = fs::remove_file(f);
                    }
                    return Err(e);
                }
                if let Some(f) = tmp_file {
                    if let Err(e) = cache.store(url, &f, &sha) {
                        log::verbose(format!("could not cache the download: {e}"));
                        let _ = fs::remove_file(&f);
                    }
                }
                return Ok(Placed {
                    source: Source::Remote,
                    sha256: Some(sha),
                });
            }
            Err(Error::DownloadForbidden { .. }) => {
                return private_binary(ctx, config, cache).await;
            }
            Err(e) => {
                if matches!(e, Error::DownloadStalled { .. }) {
                    history.stalls += 1;
                }
                let Some(delay) = policy.next_delay(history, &e) else {
                    return Err(e);
                };
                // Visible at the default level: a slow install should say why it waits.
                log::warn(format!(
                    "attempt {}/{} failed: {e}; retrying in {} ms",
                    history.attempts,
                    policy.attempts,
                    delay.as_millis()
                ));
                tokio::time::sleep(delay).await;
            }
        }
    }
}

/// One GET streamed into the unpacker. Returns the sha256 and the cache temp file.
async fn download_once(
    client: &reqwest::Client,
    url: &str,
    idle: Duration,
    dest: &Path,
    cache: &Cache,
    limits: Limits,
) -> Result<(String, Option<PathBuf>)> {
    let mut resp = client
        .get(url)
        .send()
        .await
        .map_err(|e| http::network_error(url, &e, idle))?;
    if !resp.status().is_success() {
        return Err(http::response_error(url, &resp));
    }
    // A short queue: memory stays flat (chunks can be hundreds of KiB) and the
    // download is still never waiting on the unpacker for long.
    let (tx, rx) = tokio::sync::mpsc::channel::<Option<bytes::Bytes>>(4);
    let cache_tmp = cache
        .tmp_dir()
        .ok()
        .and_then(|d| tempfile::NamedTempFile::new_in(d).ok());
    let (mut cache_file, cache_path) = match cache_tmp.map(|t| t.keep()) {
        Some(Ok((f, p))) => (Some(io::BufWriter::with_capacity(256 * 1024, f)), Some(p)),
        _ => (None, None),
    };
    let dest = dest.to_path_buf();
    let source = redact_url(url);
    let unpacker = tokio::task::spawn_blocking(move || -> Result<()> {
        let reader = ChannelReader {
            rx,
            current: bytes::Bytes::new(),
        };
        // Inflating on one thread, writing files on this one; finish() also takes whatever
        // follows the gzip stream, so the download completes.
        let mut inflated = crate::inflate::spawn(reader).at("start a thread", &dest)?;
        archive::unpack_tar(&mut inflated, &dest, &source, &limits)?;
        inflated.finish().map_err(|e| Error::BadArchive {
            source_name: source.clone(),
            detail: e.to_string(),
        })?;
        Ok(())
    });
    let mut hasher = Sha256::new();
    let pb = progress_bar(resp.content_length());
    let mut net_err = None;
    loop {
        match resp.chunk().await {
            Ok(Some(chunk)) => {
                if let Some(pb) = &pb {
                    pb.inc(chunk.len() as u64);
                }
                hasher.update(&chunk);
                if let Some(f) = cache_file.as_mut() {
                    if f.write_all(&chunk).is_err() {
                        // A full cache disk must not fail the install.
                        cache_file = None;
                    }
                }
                if tx.send(Some(chunk)).await.is_err() {
                    break; // the unpacker stopped: its error explains why
                }
            }
            Ok(None) => break,
            Err(e) => {
                let _ = tx.send(None).await;
                net_err = Some(http::network_error(url, &e, idle));
                break;
            }
        }
    }
    drop(tx);
    if let Some(pb) = pb {
        pb.finish_and_clear();
    }
    let result = unpacker.await.expect("unpack task does not panic");
    let cleanup = |p: &Option<PathBuf>| {
        if let Some(p) = p {
            let _ = fs::remove_file(p);
        }
    };
    if let Some(e) = net_err {
        cleanup(&cache_path);
        return Err(e);
    }
    match result {
        Ok(()) => {
            let sha = hex::encode(hasher.finalize());
            let cached = cache_file.take().is_some_and(|mut f| f.flush().is_ok());
            if cached {
                Ok((sha, cache_path))
            } else {
                cleanup(&cache_path);
                Ok((sha, None))
            }
        }
        Err(e) => {
            cleanup(&cache_path);
            // A stream that ended early shows up as a corrupt gzip: call it what it is.
            if let Error::BadArchive { detail, .. } = &e {
                if detail.contains("interrupted") {
                    return Err(Error::DownloadNetwork {
                        url: url.into(),
                        detail: "connection lost before the whole body arrived".into(),
                    });
                }
            }
            Err(e)
        }
    }
}

/// HTTP 403: the object may be private; fetch it with S3 credentials, then verify and
/// unpack it like any other download.
async fn private_binary(ctx: &Context, config: &Config, cache: &Cache) -> Result<Placed> {
    if config.s3_location().is_err() {
        // Not an S3 bucket (a mirror, a plain web server): a 403 is just a 403.
        return Err(Error::DownloadForbidden {
            url: (&config.hosted_tarball).into(),
            hint: "; the host is not an S3 bucket, so there is no authenticated retry".into(),
        });
    }
    log::info("install Received 403 Forbidden - attempting authenticated download");
    let tmp = tempfile::NamedTempFile::new_in(cache.tmp_dir()?)
        .map_err(|e| Error::io("create temp file in", cache.root(), e))?;
    let published = crate::s3::get_object_to_file(config, &ctx.opts, tmp.path()).await?;
    let source = format!("s3 object for {}", redact_url(&config.hosted_tarball));
    // package.json's checksum wins; else the `.sha256` that publish put beside the object.
    let expected = config.checksum.clone().or(published);
    let sha = unpack_file(ctx, config, tmp.path(), &source, expected.as_deref()).await?;
    Ok(Placed {
        source: Source::S3,
        sha256: Some(sha),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sidecar_format() {
        let h = "ab".repeat(32);
        assert_eq!(parse_sidecar(&format!("{h}  x.tar.gz\n")), Some(h.clone()));
        assert_eq!(parse_sidecar(&h.to_uppercase()), Some(h));
        assert_eq!(parse_sidecar("<html>not found</html>"), None);
    }

    #[test]
    fn staging_commit_replaces_and_failure_cleans_up() {
        let d = tempfile::tempdir().unwrap();
        let module_path = d.path().join("lib/binding/Release");
        // Failure: parents created for staging are removed again.
        drop(Staging::new(&module_path).unwrap());
        assert!(!d.path().join("lib").exists());
        // First install.
        let s = Staging::new(&module_path).unwrap();
        fs::write(s.path().join("m.node"), b"v1").unwrap();
        s.commit("m.node", None).unwrap();
        assert_eq!(fs::read(module_path.join("m.node")).unwrap(), b"v1");
        // Replacement.
        // Replacement: entries are replaced, other files in module_path stay.
        fs::write(module_path.join("user.txt"), b"mine").unwrap();
        fs::create_dir(module_path.join("sub")).unwrap();
        fs::write(module_path.join("sub/old"), b"old").unwrap();
        let s = Staging::new(&module_path).unwrap();
        fs::write(s.path().join("m.node"), b"v2").unwrap();
        fs::create_dir(s.path().join("sub")).unwrap();
        fs::write(s.path().join("sub/new"), b"new").unwrap();
        s.commit("m.node", None).unwrap();
        assert_eq!(fs::read(module_path.join("m.node")).unwrap(), b"v2");
        assert_eq!(fs::read(module_path.join("user.txt")).unwrap(), b"mine");
        assert!(module_path.join("sub/new").exists() && !module_path.join("sub/old").exists());
        let leftovers: Vec<_> = fs::read_dir(module_path.parent().unwrap())
            .unwrap()
            .flatten()
            .collect();
        assert_eq!(leftovers.len(), 1, "no temp dirs left: {leftovers:?}");
        // An abandoned replacement leaves v2 alone.
        let s = Staging::new(&module_path).unwrap();
        fs::write(s.path().join("m.node"), b"v3").unwrap();
        drop(s);
        assert_eq!(fs::read(module_path.join("m.node")).unwrap(), b"v2");
    }
}
