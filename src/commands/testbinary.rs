//! `testbinary`: load the binding in a fresh node (reference's testbinary.js).

use super::{Context, Outcome};
use crate::building::process::{can_load, require_script};
use crate::config::target::Runtime;
use crate::error::Result;
use crate::results::TestbinaryResult;

/// `testbinary`.
pub async fn testbinary(ctx: &Context, napi: Option<u32>) -> Result<Outcome<TestbinaryResult>> {
    let config = ctx.evaluate("testbinary", napi)?;
    let result = |tested: bool| {
        Outcome::quiet(TestbinaryResult {
            module: config.module.to_string_lossy().into_owned(),
            napi_build_version: napi,
            tested,
        })
    };
    if config.runtime != Runtime::Node {
        // The reference skips runtimes it cannot start (electron); pregyp cannot start
        // node-webkit's test app either.
        crate::log::info(format!(
            "skipping validation: cannot load a {} binding in node",
            config.runtime.as_str()
        ));
        return Ok(result(false));
    }
    if config.cross_compiling {
        crate::log::info(format!(
            "skipping validation since host platform/arch ({}/{}) does not match target ({}/{})",
            ctx.host.platform, ctx.host.arch, config.platform, config.arch
        ));
        return Ok(result(false));
    }
    crate::log::info(format!(
        "Running test command: '{} --eval {}'",
        ctx.host.exec_path,
        require_script(&config.module)
    ));
    can_load(&config.module, &ctx.host, &ctx.opts.env).await?;
    Ok(result(true))
}
