//! `reveal [key]`: print one evaluated value, or all of them as JSON.

use super::{Context, Outcome};
use crate::error::Result;
use crate::results::RevealResult;
use serde_json::Value;

/// What `reveal` gives for one Node-API version (or the only evaluation): the value of
/// the key asked for, as a string, or the whole configuration as an object.
pub fn reveal_value(
    ctx: &Context,
    args: &[String],
    napi_build_version: Option<u32>,
) -> Result<Value> {
    let config = ctx.evaluate("reveal", napi_build_version)?;
    // The reference looks at the last positional argument only.
    if let Some(v) = args.last().and_then(|k| config.reveal_key(k)) {
        return Ok(Value::String(v));
    }
    Ok(config.reveal_json())
}

/// `reveal` as a chain step: the value as printed (the reference's pretty JSON for the
/// whole configuration), and the same value as data.
pub fn reveal_outcome(
    ctx: &Context,
    args: &[String],
    napi_build_version: Option<u32>,
) -> Result<Outcome<RevealResult>> {
    let value = reveal_value(ctx, args, napi_build_version)?;
    let text = match &value {
        Value::String(s) => s.clone(),
        all => serde_json::to_string_pretty(all).expect("JSON values serialize"),
    };
    Ok(Outcome::line(text, RevealResult(value)))
}
