//! `info`: lists the published objects under the package's prefix, one key per line.

use super::{Context, Outcome};
use crate::error::Result;
use crate::results::{InfoResult, PublishedObject};
use crate::s3::S3;

/// `info`.
pub async fn info(ctx: &Context) -> Result<Outcome<InfoResult>> {
    let config = ctx.evaluate("info", None)?;
    let loc = config.s3_location()?;
    let s3 = S3::connect(&loc, &ctx.opts).await?;
    let objects = s3.list(&s3.prefix).await?;
    if objects.is_empty() {
        crate::log::warn(format!(
            "[{}] Not found: No objects at {}",
            ctx.name(),
            config.hosted_path
        ));
    }
    Ok(Outcome {
        stdout: objects.iter().map(|o| o.key.clone()).collect(),
        result: InfoResult(
            objects
                .into_iter()
                .map(|o| PublishedObject {
                    key: o.key,
                    size: o.size,
                    last_modified: o.last_modified,
                })
                .collect(),
        ),
    })
}
