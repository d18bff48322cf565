//! `testpackage`: unpacks the staged tarball as install would (safe unpack, first
//! path component stripped) and loads the binding from it in a child Node.
//!
//! The reference unpacks over module_path and runs testbinary there; pregyp unpacks
//! into a temp folder beside the staged tarball instead, so the test proves the
//! *tarball* is complete and never clobbers the build output. The folder is inside
//! the package (not /tmp) because /tmp may be mounted noexec, where dlopen fails.

use super::{Context, Outcome};
use crate::config::target::Runtime;
use crate::error::{Error, IoContext, Result};
use crate::place::archive::{self, Limits};
use crate::results::TestpackageResult;

/// `testpackage`.
pub async fn testpackage(ctx: &Context, napi: Option<u32>) -> Result<Outcome<TestpackageResult>> {
    let config = ctx.evaluate("testpackage", napi)?;
    let tarball = super::common::staged::staged_tarball(&config, "test package")?;
    let dir = tarball
        .parent()
        .map(std::path::Path::to_path_buf)
        .unwrap_or_else(|| ctx.dir.clone());
    let tmp = tempfile::Builder::new()
        .prefix(".pregyp-testpackage-")
        .tempdir_in(&dir)
        .at("create temp folder in", &dir)?;
    let dest = tmp.path().to_path_buf();
    let limits = Limits::for_options(&ctx.opts);
    let t = tarball.clone();
    let d = dest.clone();
    let stats = tokio::task::spawn_blocking(move || {
        let file = std::fs::File::open(&t).at("open", &t)?;
        archive::unpack_tar_gz(
            std::io::BufReader::new(file),
            &d,
            &t.to_string_lossy(),
            &limits,
        )
    })
    .await
    .map_err(Error::task("unpacking"))??;
    crate::log::info(format!(
        "testpackage unpacked {} files ({} bytes) from {}",
        stats.files,
        stats.bytes,
        tarball.display()
    ));
    let module = dest.join(format!("{}.node", config.module_name));
    if !module.exists() {
        return Err(Error::BindingLoad {
            module: module.clone(),
            detail: format!(
                "the tarball has no {}.node at its top level",
                config.module_name
            ),
            source: None,
        });
    }
    let tested = if config.runtime != Runtime::Node {
        crate::log::info(format!(
            "validate skipping validation for runtime {}",
            config.runtime.as_str()
        ));
        false
    } else if config.cross_compiling {
        crate::log::info(format!(
            "validate skipping validation since host platform/arch ({}/{}) does not match target ({}/{})",
            ctx.host.platform, ctx.host.arch, config.platform, config.arch
        ));
        false
    } else {
        crate::log::info(format!(
            "validate Running test command: '{} --eval {}'",
            ctx.host.exec_path,
            crate::building::process::require_script(&module)
        ));
        crate::building::process::can_load(&module, &ctx.host, &ctx.opts.env).await?;
        true
    };
    Ok(Outcome::line(
        format!("[{}] Package appears valid", ctx.name()),
        TestpackageResult {
            tarball: config.staged_tarball.to_string_lossy().into_owned(),
            tested,
            files: stats.files as u64,
        },
    ))
}
