//! S3 for publish, unpublish, info and private-binary installs: an aws-sdk-s3 client
//! built from the package's `S3Location` (endpoint, region, path style) and the
//! credentials node-pre-gyp users already have.
//!
//! Credentials come from [`credentials`].
//! May use `config`, `fetch` (the HTTP client's proxy and CA settings) and the top-level files.

pub mod credentials;

use crate::config::options::Options;
use crate::config::versioning::{Config, S3Location};
use crate::error::cause_text;
use crate::error::{Error, IoContext, Result};
use crate::log::LogLevel;
use aws_sdk_s3::config::retry::RetryConfig;
use aws_sdk_s3::config::timeout::TimeoutConfig;
use aws_sdk_s3::config::{
    BehaviorVersion, Region, RequestChecksumCalculation, ResponseChecksumValidation,
};
use aws_sdk_s3::error::{ProvideErrorMetadata, SdkError};
use aws_sdk_s3::operation::put_object::PutObjectError;
use aws_sdk_s3::primitives::{ByteStream, Length};
use aws_sdk_s3::types::{CompletedMultipartUpload, CompletedPart, ObjectCannedAcl};
use aws_sdk_s3::Client;
use std::io::IsTerminal;
use std::path::Path;
use std::time::Duration;

/// Conditional writes retried after a 409 ConditionalRequestConflict.
const MAX_CONFLICTS: u64 = 3;
/// Files larger than this are uploaded in parts.
pub const MULTIPART_THRESHOLD: u64 = 64 * 1024 * 1024;
/// Preferred part size of multipart uploads (S3's minimum is 5 MiB, maximum 10,000 parts).
const PART_SIZE: u64 = 16 * 1024 * 1024;
const MIN_PART_SIZE: u64 = 5 * 1024 * 1024;
/// Parts in flight at once.
const PART_CONCURRENCY: usize = 4;

/// An S3 client for one package location.
pub struct S3 {
    client: Client,
    /// Bucket.
    pub bucket: String,
    /// Key prefix (remote_path), percent-decoded.
    pub prefix: String,
    /// Where the credentials came from (for messages).
    pub credentials_source: String,
    /// The endpoint, or `None` for AWS.
    pub endpoint: Option<String>,
    show_progress: bool,
    multipart_threshold: u64,
}

/// Metadata of an object.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ObjectInfo {
    /// Key.
    pub key: String,
    /// Size in bytes.
    pub size: u64,
    /// Last modification (RFC 3339), when the server says.
    pub last_modified: Option<String>,
    /// The `sha256` metadata publish stores with a tarball (from `HeadObject` only).
    pub sha256: Option<String>,
}

/// node's legacy `url.resolve(prefix, name)` for a relative prefix: the key of
/// `name` in the folder `prefix`.
pub fn key_for(prefix: &str, name: &str) -> String {
    match prefix.rfind('/') {
        Some(i) => format!("{}{name}", &prefix[..=i]),
        None => name.to_string(),
    }
}

/// Decodes `%XX` escapes: the prefix comes from a URL path, the key must not.
fn percent_decode(s: &str) -> String {
    percent_encoding::percent_decode_str(s)
        .decode_utf8()
        .map(|c| c.into_owned())
        .unwrap_or_else(|_| s.to_string())
}

/// The endpoint to give the SDK: none for AWS hosts (the SDK derives it from the
/// region), and without a leading `<bucket>.` for virtual-hosted S3-compatible hosts
/// (the SDK adds the bucket itself).
fn sdk_endpoint(loc: &S3Location) -> Option<String> {
    let ep = loc.endpoint.as_deref()?;
    let Ok(url) = url::Url::parse(ep) else {
        return Some(ep.to_string());
    };
    let host = url.host_str().unwrap_or("");
    if host.ends_with(".amazonaws.com") || host.ends_with(".amazonaws.com.cn") {
        return None;
    }
    if !loc.force_path_style {
        if let Some(rest) = host.strip_prefix(&format!("{}.", loc.bucket)) {
            let mut u = url.clone();
            if u.set_host(Some(rest)).is_ok() {
                return Some(u.origin().ascii_serialization());
            }
        }
    }
    Some(url.origin().ascii_serialization())
}

impl S3 {
    /// Resolves credentials and builds the client. Fails with `Error::S3Credentials`
    /// when no source has credentials.
    pub async fn connect(loc: &S3Location, opts: &Options) -> Result<S3> {
        let region = Region::new(loc.region.clone());
        let endpoint = sdk_endpoint(loc);
        let http = http_client(opts, endpoint.as_deref())?;
        let (provider, source) =
            credentials::provider(&opts.env, region.clone(), http.clone()).await?;
        let mut b = aws_sdk_s3::Config::builder()
            .http_client(http)
            .behavior_version(BehaviorVersion::latest())
            .region(region)
            .credentials_provider(provider)
            .force_path_style(loc.force_path_style)
            .retry_config(RetryConfig::standard().with_max_attempts(opts.retries + 1))
            .timeout_config(
                TimeoutConfig::builder()
                    .connect_timeout(opts.timeout.min(Duration::from_secs(30)))
                    .build(),
            );
        if let Some(ep) = &endpoint {
            // S3-compatible servers often reject the SDK's default flexible checksums
            // (aws-chunked uploads with CRC trailers): only send them when required.
            b = b
                .endpoint_url(ep)
                .request_checksum_calculation(RequestChecksumCalculation::WhenRequired)
                .response_checksum_validation(ResponseChecksumValidation::WhenRequired);
        }
        let multipart_threshold = opts
            .env
            .non_empty("PREGYP_MULTIPART_THRESHOLD")
            .and_then(|s| s.trim().parse::<u64>().ok())
            .unwrap_or(MULTIPART_THRESHOLD)
            .max(MIN_PART_SIZE);
        crate::log::verbose(format!(
            "s3: bucket {} prefix {:?} region {} endpoint {} path-style {} credentials from {source}",
            loc.bucket,
            loc.prefix,
            loc.region,
            endpoint.as_deref().unwrap_or("(AWS)"),
            loc.force_path_style
        ));
        Ok(S3 {
            client: Client::from_conf(b.build()),
            bucket: loc.bucket.clone(),
            prefix: percent_decode(&loc.prefix),
            credentials_source: source,
            endpoint,
            show_progress: std::io::stderr().is_terminal() && crate::log::enabled(LogLevel::Info),
            multipart_threshold,
        })
    }

    /// The key of `name` under the prefix.
    pub fn key(&self, name: &str) -> String {
        key_for(&self.prefix, name)
    }

    fn err<E>(&self, op: &'static str, key: &str, e: SdkError<E>) -> Error
    where
        E: ProvideErrorMetadata + std::error::Error + Send + Sync + 'static,
    {
        Error::S3 {
            op,
            bucket: self.bucket.clone(),
            key: key.to_string(),
            detail: describe(&e, &self.credentials_source, self.endpoint.as_deref()),
            source: Some(Box::new(e)),
        }
    }

    /// `HeadObject`: `None` when there is no object at `key`.
    pub async fn head(&self, key: &str) -> Result<Option<ObjectInfo>> {
        match self
            .client
            .head_object()
            .bucket(&self.bucket)
            .key(key)
            .send()
            .await
        {
            Ok(o) => Ok(Some(ObjectInfo {
                key: key.to_string(),
                size: o.content_length().unwrap_or(0).max(0) as u64,
                last_modified: o
                    .last_modified()
                    .and_then(|d| d.fmt(aws_sdk_s3::primitives::DateTimeFormat::DateTime).ok()),
                sha256: o.metadata().and_then(|m| m.get("sha256")).cloned(),
            })),
            Err(e) if status_of(&e) == Some(404) => Ok(None),
            Err(e) if e.as_service_error().is_some_and(|s| s.is_not_found()) => Ok(None),
            Err(e) => Err(self.err("head", key, e)),
        }
    }

    /// Uploads a small in-memory object (the `.sha256` files).
    pub async fn put_bytes(
        &self,
        key: &str,
        body: Vec<u8>,
        acl: &str,
        content_type: &str,
    ) -> Result<()> {
        self.client
            .put_object()
            .bucket(&self.bucket)
            .key(key)
            .acl(ObjectCannedAcl::from(acl))
            .content_type(content_type)
            .body(ByteStream::from(body))
            .send()
            .await
            .map_err(|e| self.err("put", key, e))?;
        Ok(())
    }

    /// Uploads a file with a canned ACL, in parts when it is large; `metadata` becomes
    /// `x-amz-meta-*` headers. With [`Overwrite::Refuse`] the write is conditional
    /// (`If-None-Match: *`), so of several concurrent publishers exactly one succeeds and
    /// the others get [`Put::Exists`]; a server without conditional writes (501) gets a
    /// plain write, and the caller's earlier HEAD check is all the protection there is.
    pub async fn put_file(
        &self,
        key: &str,
        path: &Path,
        acl: &str,
        metadata: &[(&str, &str)],
        overwrite: Overwrite,
    ) -> Result<Put> {
        let size = std::fs::metadata(path).at("read", path)?.len();
        let bar = self.progress(size, key);
        let refuse = overwrite == Overwrite::Refuse;
        let r = if size > self.multipart_threshold {
            self.put_multipart(key, path, acl, metadata, refuse, &bar)
                .await
        } else {
            let mut conditional = refuse;
            let mut conflicts = 0;
            loop {
                match self
                    .put_once(key, path, size, acl, metadata, conditional)
                    .await
                {
                    Ok(()) => break Ok(Put::Written),
                    Err(e) => match condition_outcome(&e) {
                        Some(ConditionOutcome::Failed) => break Ok(Put::Exists),
                        Some(ConditionOutcome::Unsupported) if conditional => {
                            crate::log::verbose(format!(
                                "s3: the server does not support conditional writes; writing {key} after the HEAD check"
                            ));
                            conditional = false;
                        }
                        Some(ConditionOutcome::Conflict) if conflicts < MAX_CONFLICTS => {
                            conflicts += 1;
                            tokio::time::sleep(Duration::from_millis(200 * conflicts)).await;
                        }
                        _ => break Err(self.err("put", key, e)),
                    },
                }
            }
        };
        bar.set_position(size);
        bar.finish_and_clear();
        r
    }

    async fn put_once(
        &self,
        key: &str,
        path: &Path,
        size: u64,
        acl: &str,
        metadata: &[(&str, &str)],
        if_absent: bool,
    ) -> std::result::Result<(), SdkError<PutObjectError>> {
        let body = ByteStream::read_from()
            .path(path)
            .build()
            .await
            .map_err(|e| SdkError::construction_failure(Box::new(e)))?;
        let mut req = self
            .client
            .put_object()
            .bucket(&self.bucket)
            .key(key)
            .acl(ObjectCannedAcl::from(acl))
            .content_length(size as i64)
            .body(body);
        if if_absent {
            req = req.if_none_match("*");
        }
        for (k, v) in metadata {
            req = req.metadata(*k, *v);
        }
        req.send().await.map(|_| ())
    }

    fn progress(&self, size: u64, key: &str) -> indicatif::ProgressBar {
        if !self.show_progress {
            return indicatif::ProgressBar::hidden();
        }
        let bar = indicatif::ProgressBar::with_draw_target(
            Some(size),
            indicatif::ProgressDrawTarget::stderr(),
        );
        if let Ok(style) = indicatif::ProgressStyle::with_template(
            "pregyp upload {msg} [{bar:30}] {bytes}/{total_bytes} {bytes_per_sec} {eta}",
        ) {
            bar.set_style(style.progress_chars("=> "));
        }
        bar.set_message(key.rsplit('/').next().unwrap_or(key).to_string());
        bar
    }

    async fn put_multipart(
        &self,
        key: &str,
        path: &Path,
        acl: &str,
        metadata: &[(&str, &str)],
        if_absent: bool,
        bar: &indicatif::ProgressBar,
    ) -> Result<Put> {
        let size = std::fs::metadata(path).at("read", path)?.len();
        let mut req = self
            .client
            .create_multipart_upload()
            .bucket(&self.bucket)
            .key(key)
            .acl(ObjectCannedAcl::from(acl));
        for (k, v) in metadata {
            req = req.metadata(*k, *v);
        }
        let created = req.send().await.map_err(|e| self.err("put", key, e))?;
        let Some(upload_id) = created.upload_id().map(str::to_string) else {
            return Err(Error::S3 {
                op: "put",
                bucket: self.bucket.clone(),
                key: key.to_string(),
                detail: "the server started a multipart upload without an upload id".into(),
                source: None,
            });
        };
        let parts = match self.upload_parts(key, path, size, &upload_id, bar).await {
            Ok(parts) => parts,
            Err(e) => {
                self.abort(key, &upload_id).await;
                return Err(e);
            }
        };
        let mut conditional = if_absent;
        let mut conflicts = 0;
        loop {
            let mut complete = self
                .client
                .complete_multipart_upload()
                .bucket(&self.bucket)
                .key(key)
                .upload_id(&upload_id)
                .multipart_upload(
                    CompletedMultipartUpload::builder()
                        .set_parts(Some(parts.clone()))
                        .build(),
                );
            if conditional {
                complete = complete.if_none_match("*");
            }
            let e = match complete.send().await {
                Ok(_) => return Ok(Put::Written),
                Err(e) => e,
            };
            match condition_outcome(&e) {
                Some(ConditionOutcome::Failed) => {
                    self.abort(key, &upload_id).await;
                    return Ok(Put::Exists);
                }
                Some(ConditionOutcome::Unsupported) if conditional => {
                    conditional = false;
                    continue;
                }
                Some(ConditionOutcome::Conflict) if conflicts < MAX_CONFLICTS => {
                    conflicts += 1;
                    tokio::time::sleep(Duration::from_millis(200 * conflicts)).await;
                    continue;
                }
                _ => {}
            }
            // Some S3-compatible servers (moto 5.2) answer 200 with a body whose XML root
            // the SDK does not accept; S3's own "200 with an error body" carries an error
            // code. Without a code, trust the object if it is there with the right size.
            if status_of(&e) == Some(200)
                && e.code().is_none()
                && self
                    .head(key)
                    .await
                    .ok()
                    .flatten()
                    .is_some_and(|o| o.size == size)
            {
                crate::log::verbose(format!(
                    "s3: completed the multipart upload of {key}; the server's answer (HTTP 200, no error code) did not parse, but the object is there with the right size"));
                return Ok(Put::Written);
            }
            let err = self.err("put", key, e);
            self.abort(key, &upload_id).await;
            return Err(err);
        }
    }

    async fn abort(&self, key: &str, upload_id: &str) {
        if let Err(e) = self
            .client
            .abort_multipart_upload()
            .bucket(&self.bucket)
            .key(key)
            .upload_id(upload_id)
            .send()
            .await
        {
            crate::log::warn(format!(
                "could not abort the multipart upload of s3://{}/{key}: {}",
                self.bucket,
                describe(&e, &self.credentials_source, self.endpoint.as_deref())
            ));
        }
    }

    async fn upload_parts(
        &self,
        key: &str,
        path: &Path,
        size: u64,
        upload_id: &str,
        bar: &indicatif::ProgressBar,
    ) -> Result<Vec<CompletedPart>> {
        let part_size = self
            .multipart_threshold
            .clamp(MIN_PART_SIZE, PART_SIZE)
            .max(size.div_ceil(10_000));
        let count = size.div_ceil(part_size);
        crate::log::verbose(format!(
            "s3: multipart upload of {key}: {size} bytes in {count} parts of up to {part_size} bytes"
        ));
        let mut parts: Vec<CompletedPart> = Vec::with_capacity(count as usize);
        let mut set = tokio::task::JoinSet::new();
        let mut next = 0u64;
        loop {
            while set.len() < PART_CONCURRENCY && next < count {
                let offset = next * part_size;
                let len = part_size.min(size - offset);
                let number = (next + 1) as i32;
                let client = self.client.clone();
                let (bucket, key, upload_id, path) = (
                    self.bucket.clone(),
                    key.to_string(),
                    upload_id.to_string(),
                    path.to_path_buf(),
                );
                set.spawn(async move {
                    let body = ByteStream::read_from()
                        .path(&path)
                        .offset(offset)
                        .length(Length::Exact(len))
                        .build()
                        .await
                        .map_err(|e| Err(Error::io("read", &path, std::io::Error::other(e))))?;
                    let out = client
                        .upload_part()
                        .bucket(bucket)
                        .key(key)
                        .upload_id(upload_id)
                        .part_number(number)
                        .content_length(len as i64)
                        .body(body)
                        .send()
                        .await
                        .map_err(Ok)?;
                    Ok::<_, std::result::Result<_, Error>>((
                        number,
                        out.e_tag().map(str::to_string),
                        len,
                    ))
                });
                next += 1;
            }
            let Some(joined) = set.join_next().await else {
                break;
            };
            let done = joined.map_err(Error::task("uploading a part"))?;
            match done {
                Ok((number, etag, len)) => {
                    bar.inc(len);
                    parts.push(
                        CompletedPart::builder()
                            .set_e_tag(etag)
                            .part_number(number)
                            .build(),
                    );
                }
                Err(Ok(sdk)) => return Err(self.err("put", key, sdk)),
                Err(Err(e)) => return Err(e),
            }
        }
        parts.sort_by_key(|p| p.part_number());
        Ok(parts)
    }

    /// Downloads `key` to `dest` (temp file beside it, then rename).
    pub async fn get_to_file(&self, key: &str, dest: &Path) -> Result<u64> {
        use tokio::io::AsyncWriteExt;
        let out = self
            .client
            .get_object()
            .bucket(&self.bucket)
            .key(key)
            .send()
            .await
            .map_err(|e| self.err("get", key, e))?;
        let dir = dest.parent().unwrap_or(Path::new("."));
        tokio::fs::create_dir_all(dir)
            .await
            .at("create directory", dir)?;
        let tmp = tempfile::Builder::new()
            .prefix(".pregyp-s3-")
            .tempfile_in(dir)
            .at("create temp file in", dir)?;
        let std_file = tmp.as_file().try_clone().at("open", tmp.path())?;
        let mut file =
            tokio::io::BufWriter::with_capacity(256 * 1024, tokio::fs::File::from_std(std_file));
        let mut body = out.body;
        let mut written = 0u64;
        while let Some(chunk) = body.try_next().await.map_err(|e| Error::S3 {
            op: "get",
            bucket: self.bucket.clone(),
            key: key.to_string(),
            detail: format!("download interrupted: {}", cause_text(&e)),
            source: Some(Box::new(e)),
        })? {
            file.write_all(&chunk).await.at("write", tmp.path())?;
            written += chunk.len() as u64;
        }
        file.flush().await.at("write", tmp.path())?;
        drop(file);
        // Close our own handle before the rename too: Windows (and antivirus hooks on it)
        // can refuse to move a file that is still open.
        tmp.into_temp_path()
            .persist(dest)
            .map_err(|e| Error::io("rename into", dest, e.error))?;
        Ok(written)
    }

    /// `ListObjectsV2` of every key under `prefix` (all pages).
    pub async fn list(&self, prefix: &str) -> Result<Vec<ObjectInfo>> {
        let mut out = Vec::new();
        let mut token: Option<String> = None;
        loop {
            let page = self
                .client
                .list_objects_v2()
                .bucket(&self.bucket)
                .prefix(prefix)
                .set_continuation_token(token.take())
                .send()
                .await
                .map_err(|e| self.err("list", prefix, e))?;
            for o in page.contents() {
                out.push(ObjectInfo {
                    key: o.key().unwrap_or_default().to_string(),
                    size: o.size().unwrap_or(0).max(0) as u64,
                    last_modified: o
                        .last_modified()
                        .and_then(|d| d.fmt(aws_sdk_s3::primitives::DateTimeFormat::DateTime).ok()),
                    sha256: None,
                });
            }
            match page.next_continuation_token() {
                Some(t) if page.is_truncated() == Some(true) => token = Some(t.to_string()),
                _ => break,
            }
        }
        Ok(out)
    }

    /// `DeleteObject` (succeeds when there is nothing to delete).
    pub async fn delete(&self, key: &str) -> Result<()> {
        self.client
            .delete_object()
            .bucket(&self.bucket)
            .key(key)
            .send()
            .await
            .map_err(|e| self.err("delete", key, e))?;
        Ok(())
    }
}

fn status_of<E>(e: &SdkError<E>) -> Option<u16> {
    e.raw_response().map(|r| r.status().as_u16())
}

/// Whether a write's `If-None-Match` condition decided its failure.
enum ConditionOutcome {
    /// An object is there already (412 PreconditionFailed).
    Failed,
    /// Another conditional write to the key is in flight (409 ConditionalRequestConflict):
    /// try again, and one of the two will see the other's object.
    Conflict,
    /// The server does not implement conditional writes (501 NotImplemented).
    Unsupported,
}

fn condition_outcome<E: ProvideErrorMetadata>(e: &SdkError<E>) -> Option<ConditionOutcome> {
    match (status_of(e), e.code()) {
        (Some(412), _) | (_, Some("PreconditionFailed")) => Some(ConditionOutcome::Failed),
        (Some(409), _) | (_, Some("ConditionalRequestConflict")) => {
            Some(ConditionOutcome::Conflict)
        }
        (Some(501), _) | (_, Some("NotImplemented")) => Some(ConditionOutcome::Unsupported),
        _ => None,
    }
}

/// How a write treats an object already at its key.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Overwrite {
    /// Replace it.
    Allow,
    /// Leave it and report [`Put::Exists`] (a conditional write).
    Refuse,
}

/// What a write did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Put {
    /// The object is now the one written.
    Written,
    /// Another object was there (or won a concurrent write); nothing was written.
    Exists,
}

/// The S3 client's HTTP connector (also the credential chain's, for instance metadata
/// and STS): the same proxy (`--proxy`/`--https-proxy`, `HTTPS_PROXY`,
/// `NO_PROXY`, as folded into `Options`) and the same extra CAs (`--ca`, `--cafile`,
/// `NODE_EXTRA_CA_CERTS`, `SSL_CERT_FILE`, on top of the system's) as downloads.
/// (`--strict-ssl=false` is not honoured here: the SDK's TLS has no such switch.)
fn http_client(
    opts: &Options,
    endpoint: Option<&str>,
) -> Result<aws_sdk_s3::config::SharedHttpClient> {
    use aws_smithy_http_client::proxy::ProxyConfig;
    use aws_smithy_http_client::tls::{self, rustls_provider::CryptoMode, TlsContext, TrustStore};
    let mut trust = TrustStore::empty().with_native_roots(true);
    for pem in &opts.ca {
        trust = trust.with_pem_certificate(pem.as_bytes().to_vec());
    }
    for ca in &opts.ca_files {
        trust = trust.with_pem_certificate(std::fs::read(&ca.path).at("read CA file", &ca.path)?);
    }
    let tls_context = TlsContext::builder()
        .with_trust_store(trust)
        .build()
        .map_err(|e| Error::InvalidOption {
            name: "--ca/--cafile".into(),
            value: String::new(),
            reason: cause_text(&e),
        })?;
    // AWS itself is https; an S3-compatible endpoint may be plain http (loopback only).
    let plain_http = endpoint.is_some_and(|e| e.starts_with("http://"));
    let proxy_url = if plain_http {
        opts.proxy.as_deref()
    } else {
        opts.https_proxy.as_deref()
    };
    let proxy = match proxy_url {
        Some(url) => {
            let p = ProxyConfig::all(url).map_err(|e| Error::InvalidOption {
                name: opts.origin(if plain_http { "proxy" } else { "https_proxy" }),
                value: crate::redact::redact_url(url),
                reason: e.to_string(),
            })?;
            match &opts.noproxy {
                Some(rules) => p.no_proxy(rules),
                None => p,
            }
        }
        None => ProxyConfig::disabled(),
    };
    // `build_with_connector_fn` is the builder's one way to set a proxy on the default
    // (hyper + rustls) connector while keeping the SDK's timeouts and sleep.
    Ok(
        aws_smithy_http_client::Builder::new().build_with_connector_fn(
            move |settings, components| {
                let mut connector = aws_smithy_http_client::Connector::builder();
                connector.set_connector_settings(settings.cloned());
                if let Some(c) = components {
                    connector.set_sleep_impl(c.sleep_impl());
                }
                connector
                    .proxy_config(proxy.clone())
                    .tls_provider(tls::Provider::Rustls(CryptoMode::Ring))
                    .tls_context(tls_context.clone())
                    .build()
            },
        ),
    )
}

/// A one-line explanation of an SDK failure, naming the credential source where the
/// server rejected them.
fn describe<E>(e: &SdkError<E>, creds: &str, endpoint: Option<&str>) -> String
where
    E: ProvideErrorMetadata + std::error::Error + Send + Sync + 'static,
{
    match e {
        SdkError::ResponseError(_) => format!(
            "unreadable response (HTTP {}): {}",
            status_of(e).unwrap_or(0),
            cause_text(e)
        ),
        SdkError::ServiceError(_) => {
            let status = status_of(e);
            let code = e.code().map(str::to_string);
            let msg = e.message().map(str::to_string);
            let what = match (&code, &msg) {
                (Some(c), Some(m)) => format!("{c}: {m}"),
                (Some(c), None) => c.clone(),
                (None, Some(m)) => m.clone(),
                (None, None) => match status {
                    Some(403) => "HTTP 403 Forbidden".to_string(),
                    // No S3 error document: what the server did say (a proxy's page, say).
                    Some(st) => {
                        let body = e
                            .raw_response()
                            .and_then(|r| r.body().bytes())
                            .map(|b| {
                                String::from_utf8_lossy(b)
                                    .split_whitespace()
                                    .collect::<Vec<_>>()
                                    .join(" ")
                            })
                            .filter(|b| !b.is_empty());
                        match body {
                            Some(b) => format!(
                                "HTTP {st}: {}",
                                crate::redact::redact_text(
                                    &b.chars().take(300).collect::<String>()
                                )
                            ),
                            None => format!("HTTP {st}: {}", cause_text(e)),
                        }
                    }
                    None => "no response".to_string(),
                },
            };
            match (code.as_deref(), status) {
                (Some("InvalidAccessKeyId" | "InvalidClientTokenId"), _) => format!(
                    "{what} (the access key id from {creds} is not known to the server: check the credentials)"
                ),
                (Some("SignatureDoesNotMatch"), _) => format!(
                    "{what} (the secret access key from {creds} does not match its access key id: check the credentials)"
                ),
                (Some("ExpiredToken" | "InvalidToken" | "TokenRefreshRequired"), _) => {
                    format!("{what} (the session credentials from {creds} are no longer valid)")
                }
                (Some("AccessDenied"), _) | (None, Some(403)) => format!(
                    "{what} (access denied for the credentials from {creds}: they are wrong, or not allowed to do this on the bucket)"
                ),
                (Some("NoSuchBucket"), _) => format!("{what} (check binary.bucket and the host in package.json)"),
                _ => what,
            }
        }
        SdkError::DispatchFailure(_) => format!(
            "cannot reach {}: {}",
            endpoint.unwrap_or("AWS S3"),
            cause_text(e)
        ),
        SdkError::TimeoutError(_) => {
            format!("timed out talking to {}", endpoint.unwrap_or("AWS S3"))
        }
        _ => cause_text(e),
    }
}

/// Downloads the package's tarball with authenticated S3 `GetObject` to `dest`: what
/// install does when the host answers 403 (a private binary).
///
/// Returns the sha256 published beside the object (`<key>.sha256`, which `publish`
/// uploads), if there is one, so the caller can verify the download.
pub async fn get_object_to_file(
    config: &Config,
    opts: &Options,
    dest: &Path,
) -> Result<Option<String>> {
    let loc = config.s3_location()?;
    // On a user's machine an install must not go probing cloud metadata endpoints for
    // credentials: without any configured source, fail at once, as the reference does.
    if !credentials::configured(&opts.env)? {
        return Err(private_binary_error(Error::S3Credentials(
            "no credentials configured".into(),
        )));
    }
    let s3 = S3::connect(&loc, opts)
        .await
        .map_err(private_binary_error)?;
    let key = s3.key(&config.package_name);
    crate::log::info(format!("install Downloading from S3: {} {key}", s3.bucket));
    let n = s3.get_to_file(&key, dest).await?;
    crate::log::verbose(format!(
        "install Authenticated download of {n} bytes to {}",
        dest.display()
    ));
    let sidecar = dest.with_extension("sha256");
    let published = match s3.get_to_file(&sha256_key(&key), &sidecar).await {
        Ok(_) => std::fs::read_to_string(&sidecar)
            .ok()
            .and_then(|t| t.split_whitespace().next().map(str::to_ascii_lowercase))
            .filter(|h| h.len() == 64 && h.bytes().all(|c| c.is_ascii_hexdigit())),
        Err(_) => None,
    };
    let _ = std::fs::remove_file(&sidecar);
    Ok(published)
}

/// The reference's message when a private binary cannot be fetched for lack of
/// credentials (other errors pass through).
fn private_binary_error(e: Error) -> Error {
    match e {
        Error::S3Credentials(detail) => Error::S3Credentials(format!(
            "Binary is private but AWS credentials not found. Please configure AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY environment variables (or node_pre_gyp_accessKeyId and node_pre_gyp_secretAccessKey, ~/.node_pre_gyprc, an AWS profile), or use --fallback-to-build to compile from source. ({detail})"
        )),
        other => other,
    }
}

/// The `.sha256` companion key of a tarball key.
pub fn sha256_key(key: &str) -> String {
    format!("{key}.sha256")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_support::env;

    #[test]
    fn private_binary_message() {
        let e = private_binary_error(Error::S3Credentials("AWS credentials not found".into()));
        assert!(e.to_string().starts_with("Binary is private but AWS credentials not found. Please configure AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY"), "{e}");
        assert!(e.to_string().contains("--fallback-to-build"));
        assert_eq!(e.code(), "E_S3_CREDENTIALS");
        assert_eq!(
            private_binary_error(Error::S3HostParse { host: "h".into() }).code(),
            "E_S3_HOST"
        );
    }

    /// Private objects: an upload with ACL private, anonymous GET refused,
    /// `get_object_to_file` (install's 403 path) fetches it with credentials. The upload
    /// is multipart (threshold lowered through the environment).
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn private_object_roundtrip_against_moto() {
        let Some(moto) = crate::test_support::moto() else {
            return;
        };
        let home = tempfile::tempdir().unwrap();
        let vars = [
            ("AWS_ACCESS_KEY_ID", "testing"),
            ("AWS_SECRET_ACCESS_KEY", "testing"),
            ("AWS_EC2_METADATA_DISABLED", "true"),
            ("HOME", home.path().to_str().unwrap()),
            ("PREGYP_MULTIPART_THRESHOLD", "5242880"),
        ];
        let opts = Options::from_env(env(&vars)).unwrap();
        let manifest = crate::config::manifest::Manifest::parse(
            serde_json::json!({"name":"p","version":"1.0.0","main":"i.js","binary":{
                "module_name":"m","module_path":"lib","remote_path":"v{version}",
                "host": moto.endpoint, "bucket":"priv","region":"us-east-1","s3ForcePathStyle":true}})
            .to_string()
            .as_bytes(),
            home.path().join("package.json"),
        )
        .unwrap();
        let config = crate::config::versioning::evaluate(
            &manifest,
            &Default::default(),
            &crate::config::target::HostInfo::test(),
            None,
        )
        .unwrap();
        let loc = config.s3_location().unwrap();
        let s3 = S3::connect(&loc, &opts).await.unwrap();
        s3.client
            .create_bucket()
            .bucket("priv")
            .send()
            .await
            .unwrap();
        // 11 MiB of non-repeating bytes: three parts at the lowered threshold.
        let data: Vec<u8> = (0..11u32 * 1024 * 1024)
            .map(|i| (i.wrapping_mul(2654435761) >> 13) as u8)
            .collect();
        let src = home.path().join("t.tar.gz");
        std::fs::write(&src, &data).unwrap();
        let key = s3.key(&config.package_name);
        assert_eq!(key, format!("v1.0.0/{}", config.package_name));
        assert!(s3.head(&key).await.unwrap().is_none());
        let put = s3
            .put_file(&key, &src, "private", &[("sha256", "x")], Overwrite::Refuse)
            .await
            .unwrap();
        assert_eq!(put, Put::Written);
        let head = s3.head(&key).await.unwrap().unwrap();
        assert_eq!(head.size, data.len() as u64);
        // The metadata of a multipart upload is read back (publish's own-object check).
        assert_eq!(head.sha256.as_deref(), Some("x"));
        // A second conditional write finds the object there and leaves it.
        std::fs::write(&src, b"other bytes, six MiB or not").unwrap();
        let again = s3
            .put_file(&key, &src, "private", &[], Overwrite::Refuse)
            .await
            .unwrap();
        assert_eq!(again, Put::Exists);
        std::fs::write(&src, &data).unwrap();

        let url = format!("{}/priv/{key}", moto.endpoint);
        assert_eq!(config.hosted_tarball, url);
        let anon = reqwest::get(&url).await.unwrap();
        assert_eq!(anon.status().as_u16(), 403);

        let dest = home.path().join("out/got.tar.gz");
        get_object_to_file(&config, &opts, &dest).await.unwrap();
        assert_eq!(std::fs::read(&dest).unwrap(), data);

        let listed = s3.list(&s3.prefix).await.unwrap();
        let keys: Vec<&str> = listed.iter().map(|o| o.key.as_str()).collect();
        assert_eq!(keys, vec![key.as_str()]);
        s3.delete(&key).await.unwrap();
        assert!(s3.head(&key).await.unwrap().is_none());
        let err = get_object_to_file(&config, &opts, &dest).await.unwrap_err();
        assert_eq!(err.code(), "E_S3", "{err}");
        assert!(err.to_string().contains("NoSuchKey"), "{err}");
    }

    #[test]
    fn keys_and_endpoints() {
        assert_eq!(key_for("", "a.tgz"), "a.tgz");
        assert_eq!(key_for("pkg/v1/", "a.tgz"), "pkg/v1/a.tgz");
        assert_eq!(key_for("pkg/v1", "a.tgz"), "pkg/a.tgz");
        assert_eq!(percent_decode("my%20pkg/v1%2B2/"), "my pkg/v1+2/");
        assert_eq!(percent_decode("100%"), "100%");
        assert_eq!(percent_decode("a%zz"), "a%zz");
        let loc = |ep: &str, path_style: bool| S3Location {
            endpoint: Some(ep.into()),
            bucket: "b".into(),
            region: "r".into(),
            force_path_style: path_style,
            prefix: String::new(),
        };
        assert_eq!(
            sdk_endpoint(&loc("http://127.0.0.1:9000", true)).as_deref(),
            Some("http://127.0.0.1:9000")
        );
        assert_eq!(
            sdk_endpoint(&loc("https://b.s3.eu-west-1.amazonaws.com", false)),
            None
        );
        assert_eq!(
            sdk_endpoint(&loc("https://b.nyc3.example.com", false)).as_deref(),
            Some("https://nyc3.example.com")
        );
        assert_eq!(
            sdk_endpoint(&loc("https://b.nyc3.example.com", true)).as_deref(),
            Some("https://b.nyc3.example.com")
        );
    }
}
