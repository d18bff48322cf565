//! `reveal [key]`: print one evaluated value, or all of them as JSON.

use super::{Context, Outcome};
use crate::error::Result;
use crate::results::RevealResult;

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

/// `reveal` as a chain step: the printed text, and its JSON (a string for one value).
pub fn reveal_outcome(
    ctx: &Context,
    args: &[String],
    napi_build_version: Option<u32>,
) -> Result<Outcome<RevealResult>> {
    let text = reveal(ctx, args, napi_build_version)?;
    let value = serde_json::from_str(&text).unwrap_or(serde_json::Value::String(text.clone()));
    Ok(Outcome::line(text, RevealResult(value)))
}
