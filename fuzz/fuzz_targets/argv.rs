//! Command line + `npm_config_*` environment -> typed options.
#![no_main]

use arbitrary::{Result, Unstructured};
use libfuzzer_sys::fuzz_target;
use pregyp_fuzz::{checks, text};

/// Words the parser gives meaning to.
const WORDS: &[&str] = &[
    "--",
    "-C",
    "-j",
    "-v",
    "-h",
    "-?",
    "--help",
    "--version",
    "--release",
    "--silent",
    "--verbose",
    "--silly",
    "--debug",
    "--no-debug",
    "--no_debug",
    "--target",
    "--target=",
    "--loglevel",
    "--loglevel=",
    "--fallback-to-build",
    "--build-from-source",
    "--directory",
    "--fetch-retries=",
    "--fetch-timeout=",
    "--fetch-retry-mintimeout=",
    "--concurrency=",
    "--max-unpacked-size=",
    "--runtime=",
    "--proxy",
    "--ca",
    "--cafile",
    "true",
    "false",
    "install",
    "build",
    "rebuild",
    "package",
    "reveal",
    "postinstall-build",
    "clean",
    "publish",
    "checksums",
    "heal",
    "silent",
    "electron",
    "2gb",
    "512mb",
    "99999999999999999999",
];

const ENV: &[&str] = &[
    "npm_config_target",
    "npm_config_loglevel",
    "npm_config_argv",
    "npm_config_fallback_to_build",
    "npm_config_build_from_source",
    "npm_config_runtime",
    "npm_config_proxy",
    "npm_config_cache",
    "npm_config_fetch_retries",
    "npm_config_max_unpacked_size",
    "npm_config_concurrency",
    "npm_config_FOO-bar",
    "PREGYP_BUILD_FROM_SOURCE",
    "PREGYP_BINARY_HOST_MIRROR",
    "HTTPS_PROXY",
    "NO_PROXY",
    "HOME",
    "PREGYP_CACHE",
    "NODE_EXTRA_CA_CERTS",
];

fn word(u: &mut Unstructured) -> Result<String> {
    Ok(match u.int_in_range(0..=2)? {
        0 => u.choose(WORDS)?.to_string(),
        1 => format!("{}{}", u.choose(WORDS)?, text(u)?),
        _ => text(u)?,
    })
}

fn run(u: &mut Unstructured) -> Result<()> {
    let args = (0..u.int_in_range(0..=12)?)
        .map(|_| word(u))
        .collect::<Result<Vec<_>>>()?;
    let env = (0..u.int_in_range(0..=6)?)
        .map(|_| {
            let k = if u.arbitrary()? {
                u.choose(ENV)?.to_string()
            } else {
                format!("npm_config_{}", text(u)?)
            };
            Ok((k, word(u)?))
        })
        .collect::<Result<Vec<_>>>()?;
    checks::argv(&args, &env);
    Ok(())
}

fuzz_target!(|data: &[u8]| {
    let _ = run(&mut Unstructured::new(data));
});
