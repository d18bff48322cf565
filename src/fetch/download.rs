//! The download pipeline: one GET streamed through a hash and the cache file into the
//! unpacker (inflating on its own thread, so it overlaps with receiving), the
//! `<tarball>.sha256` sidecar fetched alongside, a progress bar on a terminal, and the
//! retry policy of [`crate::fetch::retry`] deciding what happens after a failure.

use crate::digest::parse_sidecar;
use crate::error::{Error, IoContext, Result};
use crate::fetch::cache::Cache;
use crate::fetch::http;
use crate::fetch::retry::{History, RetryPolicy};
use crate::log;
use crate::place::archive::{self, Limits};
use crate::redact::redact_url;
use sha2::{Digest, Sha256};
use std::fs;
use std::io::{self, IsTerminal, Read, Write};
use std::path::{Path, PathBuf};
use std::time::Duration;

/// What to download, and the rules for it.
pub struct Request<'a> {
    /// The client (proxy, CAs, timeouts).
    pub client: &'a reqwest::Client,
    /// The tarball.
    pub url: &'a str,
    /// The longest silence allowed (`--fetch-timeout`).
    pub idle: Duration,
    /// When to try again.
    pub policy: RetryPolicy,
    /// Bounds on what the archive may unpack to.
    pub limits: Limits,
    /// Where the download is kept (written while it streams).
    pub cache: &'a Cache,
    /// The sha256 from package.json; without it the `.sha256` sidecar is asked for.
    pub expected: Option<String>,
    /// Extra request headers (credentials for a private host, marked sensitive): sent to
    /// this URL and its sidecar, and dropped by the client on a redirect to another host.
    pub headers: reqwest::header::HeaderMap,
}

impl<'a> Request<'a> {
    /// The request for `target` under the command's network options (`--fetch-timeout`,
    /// `--fetch-retries`, `--fetch-retry-mintimeout`) and unpacking limits
    /// (`--max-unpacked-size`).
    pub fn new(
        client: &'a reqwest::Client,
        opts: &crate::config::options::Options,
        target: &'a crate::fetch::settings::Target,
        cache: &'a Cache,
        expected: Option<String>,
    ) -> Self {
        Request {
            client,
            url: &target.url,
            idle: opts.timeout,
            policy: RetryPolicy {
                attempts: opts.retries + 1,
                min_delay: opts.retry_min_delay,
            },
            limits: Limits::for_options(opts),
            cache,
            expected,
            headers: target.headers.clone(),
        }
    }
}

/// A complete archive, its sha256 verified, unpacked into the destination.
#[must_use = "store_in() or discard() the cache file"]
pub struct Downloaded {
    /// sha256 of the tarball.
    pub sha256: String,
    /// The bytes as downloaded, in the cache's temp folder (when the cache is writable).
    cache_file: Option<PathBuf>,
}

impl Downloaded {
    /// Keeps the download in the cache under `url` (a failure only costs a later download).
    pub fn store_in(self, cache: &Cache, url: &str) {
        if let Some(f) = self.cache_file {
            if let Err(e) = cache.store(url, &f, &self.sha256) {
                log::verbose(format!("could not cache the download: {e}"));
                let _ = fs::remove_file(&f);
            }
        }
    }

    /// Drops the cache file (the install did not go through).
    pub fn discard(self) {
        if let Some(f) = self.cache_file {
            let _ = fs::remove_file(f);
        }
    }
}

/// Downloads `req.url` and unpacks it into `dest` (an existing, empty folder), retrying
/// as the policy says (emptying `dest` between attempts), then verifies the sha256
/// against `req.expected` or the sidecar.
pub async fn download_into(req: &Request<'_>, dest: &Path) -> Result<Downloaded> {
    let url = req.url;
    // Without a checksum in package.json, a `<tarball>.sha256` beside the tarball counts.
    let sidecar_url = format!("{url}.sha256");
    // The sidecar request runs alongside the first attempt.
    let sidecar = tokio::spawn({
        let client = req.client.clone();
        let have_expected = req.expected.is_some();
        let idle = req.idle;
        let headers = req.headers.clone();
        async move {
            if have_expected {
                return None;
            }
            match http::fetch_small_text(&client, &sidecar_url, idle, headers).await {
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
            fs::remove_dir_all(dest).at("remove", dest)?;
            fs::create_dir(dest).at("create directory", dest)?;
        }
        history.attempts += 1;
        log::http(format!("GET {}", redact_url(url)));
        match download_once(req, dest).await {
            Ok(got) => {
                let expected = match req.expected.clone() {
                    Some(e) => Some(e),
                    None => sidecar.await.ok().flatten(),
                };
                if let Err(e) = verify(url, expected.as_deref(), &got.sha256) {
                    got.discard();
                    return Err(e);
                }
                return Ok(got);
            }
            Err(e) => {
                if matches!(e, Error::DownloadStalled { .. }) {
                    history.stalls += 1;
                }
                let Some(delay) = req.policy.next_delay(history, &e) else {
                    return Err(e);
                };
                // Visible at the default level: a slow install should say why it waits.
                log::warn(format!(
                    "attempt {}/{} failed: {e}; retrying in {} ms",
                    history.attempts,
                    req.policy.attempts,
                    delay.as_millis()
                ));
                tokio::time::sleep(delay).await;
            }
        }
    }
}

/// Unpacks a tarball on disk into `dest`; returns its sha256 (of every byte of the file).
pub async fn unpack_file(file: &Path, dest: &Path, source: &str, limits: Limits) -> Result<String> {
    let (file, dest, source) = (file.to_path_buf(), dest.to_path_buf(), source.to_string());
    tokio::task::spawn_blocking(move || -> Result<String> {
        let f = fs::File::open(&file).at("read", &file)?;
        let reader = HashingReader {
            inner: io::BufReader::with_capacity(256 * 1024, f),
            hasher: Sha256::new(),
        };
        // Reading, hashing and inflating on one thread, writing files on this one.
        let mut inflated = crate::place::inflate::spawn(reader).at("start a thread", &file)?;
        archive::unpack_tar(&mut inflated, &dest, &source, &limits)?;
        let reader = inflated
            .finish()
            .map_err(|e| archive::bad_archive_io(&source, e))?;
        Ok(hex::encode(reader.hasher.finalize()))
    })
    .await
    .map_err(Error::task("unpacking"))?
}

/// The sha256 check: a mismatch with a known checksum is an `Integrity` error.
pub fn verify(url: &str, expected: Option<&str>, actual: &str) -> Result<()> {
    match expected {
        Some(e) if e != actual => Err(Error::Integrity {
            url: url.into(),
            expected: e.to_string(),
            actual: actual.to_string(),
        }),
        _ => Ok(()),
    }
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
    if !io::stderr().is_terminal() || !log::enabled(crate::log::LogLevel::Notice) {
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

/// Aborts a spawned task when dropped.
struct AbortOnDrop(tokio::task::AbortHandle);

impl Drop for AbortOnDrop {
    fn drop(&mut self) {
        self.0.abort();
    }
}

/// One GET streamed into the unpacker. Returns the sha256 and the cache temp file.
async fn download_once(req: &Request<'_>, dest: &Path) -> Result<Downloaded> {
    let (client, url, idle, cache, limits) = (req.client, req.url, req.idle, req.cache, req.limits);
    let mut resp = client
        .get(url)
        .headers(req.headers.clone())
        .send()
        .await
        .map_err(|e| http::network_error(url, e, idle))?;
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
        let mut inflated = crate::place::inflate::spawn(reader).at("start a thread", &dest)?;
        archive::unpack_tar(&mut inflated, &dest, &source, &limits)?;
        inflated
            .finish()
            .map_err(|e| archive::bad_archive_io(&source, e))?;
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
                net_err = Some(http::network_error(url, e, idle));
                break;
            }
        }
    }
    drop(tx);
    if let Some(pb) = pb {
        pb.finish_and_clear();
    }
    let result = unpacker.await.map_err(Error::task("unpacking"))?;
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
                Ok(Downloaded {
                    sha256: sha,
                    cache_file: cache_path,
                })
            } else {
                cleanup(&cache_path);
                Ok(Downloaded {
                    sha256: sha,
                    cache_file: None,
                })
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
                        source: Some(e.into()),
                    });
                }
            }
            Err(e)
        }
    }
}
