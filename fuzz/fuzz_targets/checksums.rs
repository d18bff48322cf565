//! `binary.checksums` holding any JSON value, and its lookup during evaluation.
#![no_main]

use arbitrary::{Result, Unstructured};
use libfuzzer_sys::fuzz_target;
use pregyp_fuzz::{checks, hexish, json, text};
use serde_json::Value;

fn run(u: &mut Unstructured) -> Result<()> {
    let package_name = text(u)?;
    let remote_path = text(u)?;
    let napi = u.arbitrary()?;
    let value = if u.ratio(3, 4)? {
        // Mostly an object of near-digests, keyed like real tables.
        Value::Object(
            (0..u.int_in_range(0..=4)?)
                .map(|_| {
                    let k = match u.int_in_range(0..=2)? {
                        0 => package_name.clone(),
                        1 => format!("{remote_path}{package_name}"),
                        _ => text(u)?,
                    };
                    let v = if u.ratio(7, 8)? {
                        Value::String(hexish(u)?)
                    } else {
                        json(u, 1)?
                    };
                    Ok((k, v))
                })
                .collect::<Result<_>>()?,
        )
    } else {
        json(u, 2)?
    };
    checks::checksums(&value, &package_name, &remote_path, napi);
    Ok(())
}

fuzz_target!(|data: &[u8]| {
    let _ = run(&mut Unstructured::new(data));
});
