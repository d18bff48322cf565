//! `build`, `rebuild` (as `build rebuild`), `configure`: drive node-gyp, as the
//! reference's build.js / configure.js do.
//!
//! Node-API packages build once per version in the same `build/` folder, so each
//! version's node-gyp state is parked in `build-tmp-napi-v<N>` between steps
//! (the reference's `swap_build_dir_in/out`): configure leaves its result there,
//! build swaps it in, builds, and swaps it out again.
//!
//! One difference from the reference: `build` on a package that was never configured
//! (no `build/config.gypi`, or no `build-tmp-napi-v<N>` for Node-API) configures first,
//! where the reference fails (node-gyp's "You must run `node-gyp configure` first!",
//! or an ENOENT from renaming a missing `build-tmp-napi-v<N>`).

use super::{Context, Outcome};
use crate::building::gyp::{self, Gyp};
use crate::building::process::ChildOutput;
use crate::config::versioning::Config;
use crate::error::{IoContext, Result};
use crate::results::BuildResult;
use std::path::{Path, PathBuf};

/// `build-tmp-napi-v<N>` (reference's `napi.get_build_dir`).
pub fn napi_build_dir(dir: &Path, napi_build_version: u32) -> PathBuf {
    dir.join(format!("build-tmp-napi-v{napi_build_version}"))
}

/// Reference's `swap_build_dir_out`: `build` becomes `build-tmp-napi-v<N>`.
pub fn swap_build_dir_out(dir: &Path, napi_build_version: Option<u32>) -> Result<()> {
    let Some(n) = napi_build_version else {
        return Ok(());
    };
    let parked = napi_build_dir(dir, n);
    crate::place::fsutil::remove_no_follow(&parked)?;
    let build = dir.join("build");
    if build.exists() {
        std::fs::rename(&build, &parked).at("rename", &build)?;
    }
    Ok(())
}

/// Reference's `swap_build_dir_in`: `build-tmp-napi-v<N>` becomes `build`.
pub fn swap_build_dir_in(dir: &Path, napi_build_version: Option<u32>) -> Result<()> {
    let Some(n) = napi_build_version else {
        return Ok(());
    };
    let build = dir.join("build");
    crate::place::fsutil::remove_no_follow(&build)?;
    let parked = napi_build_dir(dir, n);
    std::fs::rename(&parked, &build).at("rename", &parked)?;
    Ok(())
}

/// Whether node-gyp has configured this build (for Node-API: this version's parked build).
fn is_configured(dir: &Path, napi_build_version: Option<u32>) -> bool {
    let build = match napi_build_version {
        Some(n) => napi_build_dir(dir, n),
        None => dir.join("build"),
    };
    build.join("config.gypi").is_file()
}

struct Job<'a> {
    ctx: &'a Context,
    config: Config,
    gyp: Gyp,
}

impl<'a> Job<'a> {
    fn new(ctx: &'a Context, command: &str, napi: Option<u32>) -> Result<Self> {
        let config = ctx.evaluate(command, napi)?;
        // node-gyp's stdout reaches ours, as in the reference (scripts look there for the
        // build's `Release/<module>.node` lines), unless stdout carries `--json` results.
        let output = ChildOutput::for_results(ctx.opts.json, false);
        if !ctx.opts.dry_run && gyp::restore_binding_gyp(&ctx.dir)? {
            crate::log::info(format!(
                "binding.gyp restored from {} (shipped under that name so that package managers run nothing at install)",
                gyp::SHIPPED_GYP_FILE
            ));
        }
        let gyp = Gyp::locate(config.runtime, &ctx.dir, &ctx.host, &ctx.opts.env, output)?;
        Ok(Job { ctx, config, gyp })
    }

    fn napi(&self) -> Option<u32> {
        self.config.napi_build_version
    }

    /// Runs node-gyp, or with `--dry-run` only says what it would run.
    async fn gyp(&self, args: &[String]) -> Result<()> {
        if self.ctx.opts.dry_run {
            crate::log::info(format!(
                "dry run: would run {}",
                self.gyp.program.command(args)
            ));
            return Ok(());
        }
        self.gyp.run(args).await
    }

    async fn configure(&self) -> Result<()> {
        let opts = &self.ctx.opts;
        if opts.ensure == Some(false) {
            self.gyp(&gyp::ensure_install_args(opts, &self.config))
                .await?;
        }
        self.gyp(&gyp::configure_args(opts, &self.config)).await?;
        if opts.dry_run {
            return Ok(());
        }
        // As in the reference: parked only when configure succeeded.
        swap_build_dir_out(&self.ctx.dir, self.napi())
    }

    async fn build(&self) -> Result<()> {
        if self.ctx.opts.dry_run {
            return self
                .gyp(&gyp::build_args(&self.ctx.opts, &self.config))
                .await;
        }
        swap_build_dir_in(&self.ctx.dir, self.napi())?;
        let result = self
            .gyp(&gyp::build_args(&self.ctx.opts, &self.config))
            .await;
        // Parked again whatever happened, so the next version starts clean.
        let swapped = swap_build_dir_out(&self.ctx.dir, self.napi());
        result.and(swapped)
    }

    async fn clean(&self) -> Result<()> {
        self.gyp(&["clean".to_string()]).await
    }

    fn outcome(&self) -> Outcome<BuildResult> {
        Outcome::quiet(BuildResult {
            module: self.config.module.to_string_lossy().into_owned(),
            module_path: self.config.module_path.to_string_lossy().into_owned(),
            napi_build_version: self.napi(),
            dry_run: self.ctx.opts.dry_run,
        })
    }
}

/// `build [rebuild]`: node-gyp build; with `rebuild`, node-gyp clean + configure + build.
pub async fn build(
    ctx: &Context,
    args: &[String],
    napi: Option<u32>,
) -> Result<Outcome<BuildResult>> {
    let job = Job::new(ctx, "build", napi)?;
    let rebuild = args.iter().any(|a| a == "rebuild");
    if rebuild {
        job.clean().await?;
        job.configure().await?;
    } else if !is_configured(&ctx.dir, job.napi()) {
        crate::log::info("not configured yet: running node-gyp configure first");
        job.configure().await?;
    }
    job.build().await?;
    if !ctx.opts.dry_run {
        crate::log::info(format!("built {}", job.config.module.display()));
    }
    Ok(job.outcome())
}

/// `configure`: node-gyp configure (and `install --ensure=false` first with `--ensure=false`).
pub async fn configure(
    ctx: &Context,
    _args: &[String],
    napi: Option<u32>,
) -> Result<Outcome<BuildResult>> {
    let job = Job::new(ctx, "configure", napi)?;
    job.configure().await?;
    Ok(job.outcome())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn mkdir_with(p: &Path, file: &str) {
        std::fs::create_dir_all(p).unwrap();
        std::fs::write(p.join(file), file).unwrap();
    }

    #[test]
    fn napi_build_dirs_swap_like_the_reference() {
        let t = tempfile::tempdir().unwrap();
        let d = t.path();
        // Without a Node-API version nothing moves.
        mkdir_with(&d.join("build"), "config.gypi");
        swap_build_dir_out(d, None).unwrap();
        assert!(d.join("build/config.gypi").is_file());
        assert!(is_configured(d, None));
        assert!(!is_configured(d, Some(3)));

        // configure v3 -> parked; a stale parked dir is replaced.
        mkdir_with(&d.join("build-tmp-napi-v3"), "stale");
        swap_build_dir_out(d, Some(3)).unwrap();
        assert!(!d.join("build").exists());
        assert!(d.join("build-tmp-napi-v3/config.gypi").is_file());
        assert!(!d.join("build-tmp-napi-v3/stale").exists());
        assert!(is_configured(d, Some(3)));

        // build v3: a leftover build/ is replaced by the parked one.
        mkdir_with(&d.join("build"), "leftover");
        swap_build_dir_in(d, Some(3)).unwrap();
        assert!(d.join("build/config.gypi").is_file());
        assert!(!d.join("build/leftover").exists());
        assert!(!d.join("build-tmp-napi-v3").exists());
        swap_build_dir_out(d, Some(3)).unwrap();
        assert!(d.join("build-tmp-napi-v3").is_dir());

        // Swapping in a version that was never configured is an error naming the path.
        let e = swap_build_dir_in(d, Some(6)).unwrap_err();
        assert_eq!(e.code(), "E_IO");
        assert!(e.to_string().contains("build-tmp-napi-v6"), "{e}");
    }
}
