//! `testbinary`: load the binding in a fresh node (reference's testbinary.js).

use super::{Context, Outcome};
use crate::error::Result;
use crate::process::{can_load, require_script};
use crate::target::Runtime;
use serde_json::json;

/// `testbinary`.
pub async fn testbinary(ctx: &Context, napi: Option<u32>) -> Result<Outcome> {
    let config = ctx.evaluate("testbinary", napi)?;
    let data = |tested: bool| {
        json!({
            "module": config.module.to_string_lossy(),
            "napi_build_version": napi,
            "tested": tested,
        })
    };
    if config.runtime != Runtime::Node {
        // The reference skips runtimes it cannot start (electron); pregyp cannot start
        // node-webkit's test app either.
        crate::log::info(format!(
            "skipping validation: cannot load a {} binding in node",
            config.runtime.as_str()
        ));
        return Ok(Outcome {
            stdout: Vec::new(),
            data: data(false),
        });
    }
    if config.cross_compiling {
        crate::log::info(format!(
            "skipping validation since host platform/arch ({}/{}) does not match target ({}/{})",
            ctx.host.platform, ctx.host.arch, config.platform, config.arch
        ));
        return Ok(Outcome {
            stdout: Vec::new(),
            data: data(false),
        });
    }
    crate::log::info(format!(
        "Running test command: '{} --eval {}'",
        ctx.host.exec_path,
        require_script(&config.module)
    ));
    can_load(&config.module, &ctx.host, &ctx.opts.env).await?;
    Ok(Outcome {
        stdout: Vec::new(),
        data: data(true),
    })
}
