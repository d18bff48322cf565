//! Shared pieces of the fuzz targets: the properties (the same file the normal
//! test suite's property tests use) and builders of structured inputs.

use arbitrary::{Result, Unstructured};
use serde_json::Value;

#[path = "../../src/properties/checks.rs"]
pub mod checks;

use checks::PIECES;

/// A string made of template variables, meaningful pieces and arbitrary text.
pub fn text(u: &mut Unstructured) -> Result<String> {
    let mut s = String::new();
    for _ in 0..u.int_in_range(0..=6)? {
        match u.int_in_range(0..=5)? {
            0 => {
                let k = u.choose(checks::TEMPLATE_KEYS)?;
                s.push('{');
                s.push_str(k);
                s.push('}');
            }
            1 => s.push_str(u.choose(PIECES)?),
            2 => s.push_str(&(u.int_in_range(0u64..=u64::MAX)?).to_string()),
            // A variable's bare name, to meet braces from elsewhere.
            3 => s.push_str(u.choose(checks::TEMPLATE_KEYS)?),
            // Version-like triples, small numbers or huge ones.
            4 => {
                let part = |u: &mut Unstructured| -> Result<String> {
                    Ok(if u.ratio(3, 4)? {
                        u.int_in_range(0u64..=30)?.to_string()
                    } else {
                        u.arbitrary::<u64>()?.to_string()
                    })
                };
                let (a, b, c) = (part(u)?, part(u)?, part(u)?);
                s.push_str(&format!("{a}.{b}.{c}"));
            }
            _ => s.push_str(u.arbitrary::<&str>()?),
        }
    }
    Ok(s)
}

/// `Some(text)` or `None`.
pub fn opt_text(u: &mut Unstructured) -> Result<Option<String>> {
    Ok(if u.arbitrary()? { Some(text(u)?) } else { None })
}

/// A JSON value of bounded depth, strings from [`text`].
pub fn json(u: &mut Unstructured, depth: u32) -> Result<Value> {
    let pick = if depth == 0 {
        u.int_in_range(0..=4)?
    } else {
        u.int_in_range(0..=6)?
    };
    Ok(match pick {
        0 => Value::Null,
        1 => Value::Bool(u.arbitrary()?),
        2 => Value::from(u.arbitrary::<i64>()?),
        3 => Value::from(u.arbitrary::<f64>()?),
        4 => Value::String(if u.arbitrary()? { hexish(u)? } else { text(u)? }),
        5 => Value::Array(
            (0..u.int_in_range(0..=4)?)
                .map(|_| json(u, depth - 1))
                .collect::<Result<_>>()?,
        ),
        _ => Value::Object(
            (0..u.int_in_range(0..=4)?)
                .map(|_| Ok((text(u)?, json(u, depth - 1)?)))
                .collect::<Result<_>>()?,
        ),
    })
}

/// Mostly-hex strings around 64 characters: the edge of a valid sha256.
pub fn hexish(u: &mut Unstructured) -> Result<String> {
    const HEX: &[u8] = b"0123456789abcdefABCDEF";
    let len = *u.choose(&[63usize, 64, 64, 64, 65, 0, 32])?;
    let mut s = String::with_capacity(len);
    for _ in 0..len {
        if u.ratio(1, 40)? {
            s.push(u.arbitrary::<char>()?);
        } else {
            s.push(*u.choose(HEX)? as char);
        }
    }
    Ok(s)
}
