//! package.json and its `binary` block, then template evaluation: either raw bytes
//! as the file, or a package.json assembled from template-laden fields plus the
//! options evaluation reads; and `eval_template` against the reference's model.
#![no_main]

use arbitrary::{Result, Unstructured};
use libfuzzer_sys::fuzz_target;
use pregyp_fuzz::{checks, json, opt_text, text};

fn run(u: &mut Unstructured) -> Result<()> {
    match u.int_in_range(0..=2)? {
        0 => checks::manifest_bytes(u.bytes(u.len())?),
        1 => {
            let mut case = checks::EvalCase {
                name: opt_text(u)?,
                version: opt_text(u)?,
                main: opt_text(u)?,
                object_host: u.ratio(1, 8)?,
                force_path_style: u.arbitrary()?,
                debug: u.arbitrary()?,
                runtime: u.int_in_range(0..=4)?,
                s3_host: opt_text(u)?,
                ..Default::default()
            };
            for f in case.fields.iter_mut() {
                *f = opt_text(u)?;
            }
            for o in case.opts.iter_mut() {
                *o = opt_text(u)?;
            }
            if u.arbitrary()? {
                case.napi_versions = Some(
                    (0..u.int_in_range(0..=4)?)
                        .map(|_| u.int_in_range(-2..=12))
                        .collect::<Result<_>>()?,
                );
            }
            for _ in 0..u.int_in_range(0..=2)? {
                case.checksums.push((text(u)?, pregyp_fuzz::hexish(u)?));
            }
            if u.ratio(1, 3)? {
                const TARGETS: &[&str] = &[
                    "linux-x64-glibc",
                    "linux-x64-musl",
                    "darwin-arm64",
                    "win32-x64",
                ];
                const NAMES: &[&str] = &[
                    "{name}-{triple}",
                    "@scope/{module_name}-{platform}-{arch}-{libc}",
                    "{name}-{platform}",
                ];
                let name = match u.int_in_range(0..=2)? {
                    0 => None,
                    1 => Some(u.choose(NAMES)?.to_string()),
                    _ => Some(text(u)?),
                };
                let targets = (0..u.int_in_range(0..=3)?)
                    .map(|_| {
                        if u.ratio(4, 5)? {
                            Ok(u.choose(TARGETS)?.to_string())
                        } else {
                            text(u)
                        }
                    })
                    .collect::<Result<Vec<_>>>()?;
                case.platform_packages = Some((name, targets));
            }
            checks::eval_case(&case);
        }
        _ => {
            let template = text(u)?;
            let values = (0..u.int_in_range(0..=8)?)
                .map(|_| {
                    let k = u.choose(checks::TEMPLATE_KEYS)?.to_string();
                    Ok((k, json(u, 0)?))
                })
                .collect::<Result<Vec<_>>>()?;
            checks::template(&template, &values);
        }
    }
    Ok(())
}

fuzz_target!(|data: &[u8]| {
    let _ = run(&mut Unstructured::new(data));
});
