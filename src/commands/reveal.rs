//! `reveal [key]`: print one evaluated value, or all of them as JSON.

use super::Context;
use crate::error::Result;

/// What `reveal` prints for one Node-API version (or the only evaluation).
pub fn reveal(ctx: &Context, args: &[String], napi_build_version: Option<u32>) -> Result<String> {
    let config = ctx.evaluate("reveal", napi_build_version)?;
    // The reference looks at the last positional argument only.
    if let Some(k) = args.last() {
        if let Some(v) = config.reveal_key(k) {
            return Ok(v);
        }
    }
    Ok(serde_json::to_string_pretty(&config.reveal_json()).expect("JSON values serialize"))
}
