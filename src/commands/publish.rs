//! `publish`: uploads the staged tarball (and its `.sha256`) to S3 with the package's
//! ACL, refusing to overwrite an existing version, as node-pre-gyp does.

use super::{Context, Outcome};
use crate::error::{Error, Result};
use crate::packing::pack;
use crate::results::PublishResult;
use crate::s3::{self, Overwrite, Put, S3};
use serde_json::Value;

/// `publish`.
pub async fn publish(ctx: &Context, napi: Option<u32>) -> Result<Outcome<PublishResult>> {
    let config = ctx.evaluate("publish", napi)?;
    let tarball = super::common::staged::staged_tarball(&config, "publish")?;
    crate::log::info("publish Detecting s3 credentials");
    let loc = config.s3_location()?;
    let s3 = S3::connect(&loc, &ctx.opts).await?;
    let key = s3.key(&config.package_name);
    crate::log::info(format!(
        "publish Authenticating with s3 (bucket {}, credentials from {})",
        s3.bucket, s3.credentials_source
    ));
    crate::log::info(format!(
        "publish Checking for existing binary at {}",
        config.hosted_path
    ));
    if let Some(existing) = s3.head(&key).await? {
        crate::log::verbose(format!(
            "publish existing object: {} bytes, last modified {}",
            existing.size,
            existing.last_modified.as_deref().unwrap_or("unknown")
        ));
        return Err(Error::PublishExists {
            hosted_path: config.hosted_path.clone(),
            key,
        });
    }
    let acl = match config.values.get("acl") {
        Some(Value::String(a)) if !a.is_empty() => a.clone(),
        _ => "public-read".to_string(),
    };
    let (sha256, size) = super::common::staged::sha256_of(&tarball).await?;
    let sha_key = s3::sha256_key(&key);
    let result = PublishResult {
        hosted_path: config.hosted_path.clone(),
        hosted_tarball: config.hosted_tarball.clone(),
        bucket: s3.bucket.clone(),
        key,
        sha256,
        size,
        acl,
        dry_run: ctx.opts.dry_run,
    };
    let PublishResult {
        key, sha256, acl, ..
    } = &result;
    if ctx.opts.dry_run {
        crate::log::info(format!(
            "publish --dry-run: would put s3://{}/{key} ({size} bytes, ACL {acl}) and {sha_key}",
            s3.bucket
        ));
        let line = format!(
            "[{}] Dry run: would publish to {}",
            ctx.name(),
            config.hosted_path
        );
        return Ok(Outcome::line(line, result));
    }
    crate::log::info(format!("publish Putting object with ACL: {acl}"));
    crate::log::info(format!("publish Bucket: {} Key: {key}", s3.bucket));
    // The tarball goes first, as a conditional write: of several jobs publishing one
    // version at once (a CI matrix), exactly one gets here with `Written`; the HEAD
    // check above only makes the usual case fail fast. The winner then writes the
    // checksum, so a loser can never replace it with the sha256 of other bytes.
    let put = s3
        .put_file(key, &tarball, acl, &[("sha256", sha256)], Overwrite::Refuse)
        .await?;
    if put == Put::Exists && !holds_these_bytes(&s3, key, sha256, result.size).await? {
        return Err(Error::PublishExists {
            hosted_path: config.hosted_path.clone(),
            key: key.clone(),
        });
    }
    s3.put_bytes(
        &sha_key,
        pack::sha256_line(&tarball, sha256).into_bytes(),
        acl,
        "text/plain",
    )
    .await?;
    crate::log::info("publish successfully put object");
    let line = format!(
        "[{}] Success: published to {}",
        ctx.name(),
        config.hosted_path
    );
    Ok(Outcome::line(line, result))
}

/// After a conditional write found an object at `key`: whether that object is this very
/// tarball. It is when the SDK retried a write whose first attempt landed but whose
/// answer was lost (a reset or a timeout): the retry then meets our own object. Calling
/// that "already published" would fail the job after it published, and every rerun
/// after it.
async fn holds_these_bytes(s3: &S3, key: &str, sha256: &str, size: u64) -> Result<bool> {
    let Some(existing) = s3.head(key).await? else {
        return Ok(false);
    };
    let ours = existing.size == size && existing.sha256.as_deref() == Some(sha256);
    if ours {
        crate::log::verbose(format!(
            "publish the object at {key} is this tarball (sha256 {sha256}): an earlier attempt of this write landed"
        ));
    }
    Ok(ours)
}
