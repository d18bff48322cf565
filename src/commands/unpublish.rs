//! `unpublish`: deletes the package's tarball (and its `.sha256`) from S3.

use super::{Context, Outcome};
use crate::error::Result;
use crate::results::UnpublishResult;
use crate::s3::{self, S3};

/// `unpublish`.
pub async fn unpublish(ctx: &Context, napi: Option<u32>) -> Result<Outcome<UnpublishResult>> {
    let config = ctx.evaluate("unpublish", napi)?;
    let loc = config.s3_location()?;
    let s3 = S3::connect(&loc, &ctx.opts).await?;
    let key = s3.key(&config.package_name);
    let Some(meta) = s3.head(&key).await? else {
        return Ok(Outcome::line(
            format!("[{}] Not found: {}", ctx.name(), config.hosted_tarball),
            UnpublishResult {
                hosted_tarball: config.hosted_tarball.clone(),
                key,
                removed: false,
                dry_run: false,
            },
        ));
    };
    crate::log::info(format!(
        "unpublish {key}: {} bytes, last modified {}",
        meta.size,
        meta.last_modified.as_deref().unwrap_or("unknown")
    ));
    if ctx.opts.dry_run {
        return Ok(Outcome::line(
            format!(
                "[{}] Dry run: would remove {}",
                ctx.name(),
                config.hosted_tarball
            ),
            UnpublishResult {
                hosted_tarball: config.hosted_tarball.clone(),
                key,
                removed: false,
                dry_run: true,
            },
        ));
    }
    s3.delete(&key).await?;
    s3.delete(&s3::sha256_key(&key)).await?;
    Ok(Outcome::line(
        format!(
            "[{}] Success: removed {}",
            ctx.name(),
            config.hosted_tarball
        ),
        UnpublishResult {
            hosted_tarball: config.hosted_tarball.clone(),
            key,
            removed: true,
            dry_run: false,
        },
    ))
}
