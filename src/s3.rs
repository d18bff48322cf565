//! S3 for publish, unpublish, info and private-binary installs: an aws-sdk-s3 client
//! built from the package's `S3Location` (endpoint, region, path style) and the
//! credentials node-pre-gyp users already have.
//!
//! Credentials, first match wins (per field for the first two, as node-pre-gyp's
//! `rc("node_pre_gyp")` merged them):
//! 1. `node_pre_gyp_accessKeyId` / `node_pre_gyp_secretAccessKey` environment variables;
//! 2. `~/.node_pre_gyprc` (JSON `{"accessKeyId": "...", "secretAccessKey": "..."}`, or
//!    `key = value` lines as rc's ini format allows);
//! 3. `AWS_ACCESS_KEY_ID` / `AWS_SECRET_ACCESS_KEY` (/ `AWS_SESSION_TOKEN`);
//! 4. the rest of the AWS default chain (profiles, web identity, ECS, EC2 metadata).
//!
//! Sources 1-3 are read from the `Options.env` snapshot. aws-config only lets tests
//! inject an environment, so source 4 reads the process environment (which is the
//! snapshot's origin in the CLI and the API). Secrets never appear in messages: errors
//! name the source and at most the first characters of the access key id.

use crate::error::{Error, IoContext, Result};
use crate::options::{Env, LogLevel, Options};
use crate::versioning::{Config, S3Location};
use aws_sdk_s3::config::retry::RetryConfig;
use aws_sdk_s3::config::timeout::TimeoutConfig;
use aws_sdk_s3::config::{
    BehaviorVersion, Credentials, ProvideCredentials, Region, RequestChecksumCalculation,
    ResponseChecksumValidation, SharedCredentialsProvider,
};
use aws_sdk_s3::error::{DisplayErrorContext, ProvideErrorMetadata, SdkError};
use aws_sdk_s3::operation::put_object::PutObjectError;
use aws_sdk_s3::primitives::{ByteStream, Length};
use aws_sdk_s3::types::{CompletedMultipartUpload, CompletedPart, ObjectCannedAcl};
use aws_sdk_s3::Client;
use std::io::IsTerminal;
use std::path::{Path, PathBuf};
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

/// Credentials found in an explicit source (not the AWS default chain).
#[derive(Clone, PartialEq, Eq)]
pub struct FoundCredentials {
    /// Access key id.
    pub access_key_id: String,
    /// Secret access key.
    pub secret_access_key: String,
    /// Session token, for temporary credentials.
    pub session_token: Option<String>,
    /// Where they came from, for messages (never the secret).
    pub source: String,
}

impl std::fmt::Debug for FoundCredentials {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("FoundCredentials")
            .field("access_key_id", &mask(&self.access_key_id))
            .field("source", &self.source)
            .finish_non_exhaustive()
    }
}

/// An access key id as `aws configure list` shows it: only the last 4 characters.
fn mask(key_id: &str) -> String {
    let chars: Vec<char> = key_id.chars().collect();
    let tail: String = chars[chars.len().saturating_sub(4)..].iter().collect();
    format!("****{tail}")
}

/// Reads `~/.node_pre_gyprc`: JSON, else `key = value` lines (rc's ini form).
fn read_rc(path: &Path) -> Option<(Option<String>, Option<String>, Option<String>)> {
    let text = std::fs::read_to_string(path).ok()?;
    let get = |k: &str| -> Option<String> {
        if let Ok(serde_json::Value::Object(m)) = serde_json::from_str::<serde_json::Value>(&text) {
            return m
                .get(k)
                .and_then(|v| v.as_str())
                .map(str::to_string)
                .filter(|s| !s.is_empty());
        }
        text.lines().find_map(|line| {
            let line = line.trim();
            if line.starts_with([';', '#', '[']) {
                return None;
            }
            let (key, value) = line.split_once('=')?;
            (key.trim() == k)
                .then(|| value.trim().trim_matches('"').to_string())
                .filter(|s| !s.is_empty())
        })
    };
    if serde_json::from_str::<serde_json::Value>(&text).is_err() && !text.contains('=') {
        crate::log::warn(format!(
            "{} is neither JSON nor key = value lines; ignoring it",
            path.display()
        ));
        return None;
    }
    Some((
        get("accessKeyId"),
        get("secretAccessKey"),
        get("sessionToken"),
    ))
}

/// Credentials from node-pre-gyp's sources and the `AWS_*` variables, in precedence
/// order (see the module docs); `Ok(None)` leaves the choice to the AWS default chain.
pub fn explicit_credentials(env: &Env) -> Result<Option<FoundCredentials>> {
    let rc_path = env
        .non_empty("HOME")
        .map(|h| Path::new(h).join(".node_pre_gyprc"));
    let rc = rc_path.as_deref().and_then(read_rc);
    let rc_label = "~/.node_pre_gyprc";
    let pick = |env_key: &str, rc_value: Option<String>| -> Option<(String, String)> {
        env.non_empty(env_key)
            .map(|v| (v.to_string(), env_key.to_string()))
            .or_else(|| rc_value.map(|v| (v, rc_label.to_string())))
    };
    let (rc_id, rc_secret, rc_token) = rc.unwrap_or((None, None, None));
    let id = pick("node_pre_gyp_accessKeyId", rc_id);
    let secret = pick("node_pre_gyp_secretAccessKey", rc_secret);
    match (id, secret) {
        (Some((id, id_src)), Some((secret, secret_src))) => {
            let source = if id_src == secret_src {
                id_src
            } else if id_src.starts_with("node_pre_gyp_") && secret_src.starts_with("node_pre_gyp_") {
                format!("{id_src}/{secret_src}")
            } else {
                format!("{id_src} + {secret_src}")
            };
            let session_token = env
                .non_empty("node_pre_gyp_sessionToken")
                .map(String::from)
                .or(rc_token);
            return Ok(Some(FoundCredentials {
                access_key_id: id,
                secret_access_key: secret,
                session_token,
                source,
            }));
        }
        (Some((_, src)), None) => {
            return Err(Error::S3Credentials(format!(
                "S3 credentials are incomplete: {src} provides accessKeyId but no secretAccessKey was found (set node_pre_gyp_secretAccessKey or add secretAccessKey to ~/.node_pre_gyprc)"
            )))
        }
        (None, Some((_, src))) => {
            return Err(Error::S3Credentials(format!(
                "S3 credentials are incomplete: {src} provides secretAccessKey but no accessKeyId was found (set node_pre_gyp_accessKeyId or add accessKeyId to ~/.node_pre_gyprc)"
            )))
        }
        (None, None) => {}
    }
    match (
        env.non_empty("AWS_ACCESS_KEY_ID"),
        env.non_empty("AWS_SECRET_ACCESS_KEY"),
    ) {
        (Some(id), Some(secret)) => Ok(Some(FoundCredentials {
            access_key_id: id.to_string(),
            secret_access_key: secret.to_string(),
            session_token: env.non_empty("AWS_SESSION_TOKEN").map(String::from),
            source: "AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY".into(),
        })),
        _ => Ok(None),
    }
}

const HOW_TO_SET: &str = "set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY (or node_pre_gyp_accessKeyId and node_pre_gyp_secretAccessKey), create ~/.node_pre_gyprc with {\"accessKeyId\": \"...\", \"secretAccessKey\": \"...\"}, or configure an AWS profile";

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
        let (provider, source) = match explicit_credentials(&opts.env)? {
            Some(c) => {
                let source = format!("{} ({})", c.source, mask(&c.access_key_id));
                let creds = Credentials::new(
                    c.access_key_id,
                    c.secret_access_key,
                    c.session_token,
                    None,
                    "pregyp",
                );
                (SharedCredentialsProvider::new(creds), source)
            }
            None => {
                let chain =
                    aws_config::default_provider::credentials::DefaultCredentialsChain::builder()
                        .region(region.clone())
                        .build()
                        .await;
                match chain.provide_credentials().await {
                    Ok(c) => {
                        let source = format!("the AWS default chain ({})", mask(c.access_key_id()));
                        (SharedCredentialsProvider::new(chain), source)
                    }
                    Err(aws_credential_types::provider::error::CredentialsError::CredentialsNotLoaded(_)) => {
                        return Err(Error::S3Credentials(format!(
                            "AWS credentials not found: {HOW_TO_SET}"
                        )))
                    }
                    Err(e) => {
                        return Err(Error::S3Credentials(format!(
                            "AWS credentials could not be loaded ({}): {HOW_TO_SET}",
                            DisplayErrorContext(&e)
                        )))
                    }
                }
            }
        };
        let endpoint = sdk_endpoint(loc);
        let mut b = aws_sdk_s3::Config::builder()
            .http_client(http_client(opts, endpoint.as_deref())?)
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
            let done = joined.map_err(|e| Error::S3 {
                op: "put",
                bucket: self.bucket.clone(),
                key: key.to_string(),
                detail: format!("upload task failed: {e}"),
            })?;
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
            detail: format!("download interrupted: {}", DisplayErrorContext(&e)),
        })? {
            file.write_all(&chunk).await.at("write", tmp.path())?;
            written += chunk.len() as u64;
        }
        file.flush().await.at("write", tmp.path())?;
        drop(file);
        tmp.persist(dest)
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

/// The S3 client's HTTP connector: the same proxy (`--proxy`/`--https-proxy`, `HTTPS_PROXY`,
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
    for file in &opts.ca_files {
        trust = trust.with_pem_certificate(std::fs::read(file).at("read CA file", file)?);
    }
    let tls_context = TlsContext::builder()
        .with_trust_store(trust)
        .build()
        .map_err(|e| Error::InvalidOption {
            name: "cafile".into(),
            value: String::new(),
            reason: DisplayErrorContext(&e).to_string(),
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
                name: if plain_http { "proxy" } else { "https-proxy" }.into(),
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
                    .tls_provider(tls::Provider::Rustls(CryptoMode::AwsLc))
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
            DisplayErrorContext(e)
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
                    Some(st) => {
                        let ctx = DisplayErrorContext(e).to_string();
                        let short: String = ctx.chars().take(600).collect();
                        format!("HTTP {st}: {short}")
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
            DisplayErrorContext(e)
        ),
        SdkError::TimeoutError(_) => {
            format!("timed out talking to {}", endpoint.unwrap_or("AWS S3"))
        }
        _ => DisplayErrorContext(e).to_string(),
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
    if !credentials_configured(&opts.env)? {
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
/// Whether any credential source other than instance metadata is configured.
fn credentials_configured(env: &Env) -> Result<bool> {
    if explicit_credentials(env)?.is_some() {
        return Ok(true);
    }
    let set = |k: &str| env.non_empty(k).is_some();
    let aws_files = env.non_empty("HOME").is_some_and(|h| {
        let aws = Path::new(h).join(".aws");
        aws.join("credentials").is_file() || aws.join("config").is_file()
    });
    Ok(set("AWS_ACCESS_KEY_ID")
        || set("AWS_PROFILE")
        || set("AWS_WEB_IDENTITY_TOKEN_FILE")
        || set("AWS_CONTAINER_CREDENTIALS_RELATIVE_URI")
        || set("AWS_CONTAINER_CREDENTIALS_FULL_URI")
        || ["AWS_SHARED_CREDENTIALS_FILE", "AWS_CONFIG_FILE"]
            .iter()
            .any(|k| env.non_empty(k).is_some_and(|f| Path::new(f).is_file()))
        || aws_files)
}

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

/// Where a staged tarball's `.sha256` file is (re-exported for the commands).
pub fn local_sha256_path(tarball: &Path) -> PathBuf {
    crate::pack::sha256_path(tarball)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn env(pairs: &[(&str, &str)]) -> Env {
        Env::from_pairs(pairs)
    }

    #[test]
    fn precedence_env_then_rc_then_aws() {
        let home = tempfile::tempdir().unwrap();
        let h = home.path().to_str().unwrap();
        let aws = [
            ("AWS_ACCESS_KEY_ID", "AKIAAWS"),
            ("AWS_SECRET_ACCESS_KEY", "awssecret"),
            ("HOME", h),
        ];
        // Only AWS_*.
        let c = explicit_credentials(&env(&aws)).unwrap().unwrap();
        assert_eq!(
            (c.access_key_id.as_str(), c.secret_access_key.as_str()),
            ("AKIAAWS", "awssecret")
        );
        assert_eq!(c.source, "AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY");
        // The rc file beats AWS_*.
        std::fs::write(
            home.path().join(".node_pre_gyprc"),
            r#"{"accessKeyId":"AKIARC","secretAccessKey":"rcsecret"}"#,
        )
        .unwrap();
        let c = explicit_credentials(&env(&aws)).unwrap().unwrap();
        assert_eq!(
            (c.access_key_id.as_str(), c.secret_access_key.as_str()),
            ("AKIARC", "rcsecret")
        );
        assert_eq!(c.source, "~/.node_pre_gyprc");
        // node_pre_gyp_* beat the rc file, field by field.
        let mut more = aws.to_vec();
        more.push(("node_pre_gyp_accessKeyId", "AKIAENV"));
        let c = explicit_credentials(&env(&more)).unwrap().unwrap();
        assert_eq!(
            (c.access_key_id.as_str(), c.secret_access_key.as_str()),
            ("AKIAENV", "rcsecret")
        );
        assert_eq!(c.source, "node_pre_gyp_accessKeyId + ~/.node_pre_gyprc");
        more.push(("node_pre_gyp_secretAccessKey", "envsecret"));
        let c = explicit_credentials(&env(&more)).unwrap().unwrap();
        assert_eq!(
            (c.access_key_id.as_str(), c.secret_access_key.as_str()),
            ("AKIAENV", "envsecret")
        );
        // Secrets never show in Debug output.
        assert!(!format!("{c:?}").contains("envsecret"));
        assert!(!format!("{c:?}").contains("AKIAENV"));
    }

    #[test]
    fn rc_ini_form_incomplete_and_none() {
        let home = tempfile::tempdir().unwrap();
        let h = home.path().to_str().unwrap();
        assert!(explicit_credentials(&env(&[("HOME", h)]))
            .unwrap()
            .is_none());
        std::fs::write(
            home.path().join(".node_pre_gyprc"),
            "; comment\naccessKeyId = AKIAINI\nsecretAccessKey=\"inisecret\"\n",
        )
        .unwrap();
        let c = explicit_credentials(&env(&[("HOME", h)])).unwrap().unwrap();
        assert_eq!(
            (c.access_key_id.as_str(), c.secret_access_key.as_str()),
            ("AKIAINI", "inisecret")
        );
        std::fs::write(
            home.path().join(".node_pre_gyprc"),
            r#"{"accessKeyId":"AKIAONLY"}"#,
        )
        .unwrap();
        let e = explicit_credentials(&env(&[("HOME", h)])).unwrap_err();
        assert_eq!(e.code(), "E_S3_CREDENTIALS");
        assert!(e.to_string().contains("no secretAccessKey"), "{e}");
        assert!(!e.to_string().contains("AKIAONLY"));
        // Half of an AWS pair is left to the default chain.
        assert!(explicit_credentials(&env(&[("AWS_ACCESS_KEY_ID", "x")]))
            .unwrap()
            .is_none());
    }

    #[test]
    fn private_binary_message() {
        let e = private_binary_error(Error::S3Credentials("AWS credentials not found".into()));
        assert!(e.to_string().starts_with("Binary is private but AWS credentials not found. Please configure AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY"), "{e}");
        assert!(e.to_string().contains("--fallback-to-build"));
        assert_eq!(e.code(), "E_S3_CREDENTIALS");
        assert_eq!(private_binary_error(Error::S3HostParse).code(), "E_S3_HOST");
        assert_eq!(mask("AKIARZPUZDIKJDB3T6GU"), "****T6GU");
        assert_eq!(mask("ab"), "****ab");
    }

    /// A moto server on a free loopback port, killed on drop (by its own PID).
    struct Moto {
        child: std::process::Child,
        endpoint: String,
    }

    impl Drop for Moto {
        fn drop(&mut self) {
            let _ = self.child.kill();
            let _ = self.child.wait();
        }
    }

    fn start_moto() -> Option<Moto> {
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .ok()?
            .local_addr()
            .ok()?
            .port();
        let child = std::process::Command::new("moto_server")
            .args(["-H", "127.0.0.1", "-p", &port.to_string()])
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .spawn()
            .ok()?;
        let moto = Moto {
            child,
            endpoint: format!("http://127.0.0.1:{port}"),
        };
        for _ in 0..300 {
            if std::net::TcpStream::connect(("127.0.0.1", port)).is_ok() {
                return Some(moto);
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        None
    }

    /// Private objects: an upload with ACL private, anonymous GET refused,
    /// `get_object_to_file` (install's 403 path) fetches it with credentials. The upload
    /// is multipart (threshold lowered through the environment).
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn private_object_roundtrip_against_moto() {
        let Some(moto) = start_moto() else {
            eprintln!("moto_server not available: skipping");
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
        let manifest = crate::manifest::Manifest::parse(
            serde_json::json!({"name":"p","version":"1.0.0","main":"i.js","binary":{
                "module_name":"m","module_path":"lib","remote_path":"v{version}",
                "host": moto.endpoint, "bucket":"priv","region":"us-east-1","s3ForcePathStyle":true}})
            .to_string()
            .as_bytes(),
            home.path().join("package.json"),
        )
        .unwrap();
        let config = crate::versioning::evaluate(
            &manifest,
            &Default::default(),
            &crate::target::HostInfo::test(),
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
        assert_eq!(
            s3.head(&key).await.unwrap().unwrap().size,
            data.len() as u64
        );
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
