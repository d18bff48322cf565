//! `find(packageJsonPath, opts)`: the path of the binding to `require`.
//! This runs inside every `require` of every addon using pregyp, so it reads one
//! file, evaluates templates and stats one path: no runtime, no client, no spawn.

use crate::error::{Error, Result};
use crate::manifest::{HostRole, Manifest};
use crate::options::mirror_with;
use crate::target::{self, HostInfo, Runtime};
use crate::versioning::{self, Config, EvalOptions};
use std::path::{Path, PathBuf};

/// The options find() reads (never the host application's argv).
#[derive(Debug, Clone, Default)]
pub struct FindOptions {
    /// `debug`.
    pub debug: Option<bool>,
    /// `runtime`.
    pub runtime: Option<String>,
    /// `target`.
    pub target: Option<String>,
    /// `target_arch`.
    pub target_arch: Option<String>,
    /// `target_platform`.
    pub target_platform: Option<String>,
    /// `target_libc`.
    pub target_libc: Option<String>,
    /// Resolve module_path against this instead of the package.json's folder.
    pub module_root: Option<String>,
    /// Throw `E_BINDING_MISSING` when the binding is not there (default true; false gives
    /// the reference's behaviour of returning the path regardless).
    pub check: Option<bool>,
}

/// Reads one environment variable (the process's, or a test's).
pub type EnvLookup<'a> = &'a dyn Fn(&str) -> Option<String>;

/// Evaluates the package the way find() does (production host, best Node-API version).
/// `env` is asked for a handful of names only: the mirrors, `node_pre_gyp_s3_host` and
/// `NODE_PRE_GYP_ABI_CROSSWALK`.
pub fn evaluate(
    package_json: &Path,
    opts: &FindOptions,
    host: &HostInfo,
    env: EnvLookup,
    cwd: &Path,
) -> Result<Config> {
    let mut manifest = Manifest::load(package_json, cwd)?;
    let s3_host = env("node_pre_gyp_s3_host");
    manifest.select_host(HostRole::Production, None, s3_host.as_deref())?;
    // versioning::evaluate validates package.json (the reference's checks, once).
    let napi = versioning::best_napi_build_version(&manifest, host)?;
    let module_name = manifest
        .binary
        .as_ref()
        .and_then(|b| b.module_name.clone())
        .unwrap_or_default();
    let module_root = match &opts.module_root {
        Some(r) => cwd.join(r),
        None => manifest.root.clone(),
    };
    let abi_table = match &opts.target {
        Some(_) => match env("NODE_PRE_GYP_ABI_CROSSWALK").filter(|p| !p.is_empty()) {
            Some(p) => Some(target::load_crosswalk(Path::new(&p))?),
            None => None,
        },
        None => None,
    };
    let eval = EvalOptions {
        runtime: opts.runtime.as_deref().map(Runtime::parse).transpose()?,
        target: opts.target.clone(),
        target_arch: opts.target_arch.clone(),
        target_platform: opts.target_platform.clone(),
        target_libc: opts.target_libc.clone(),
        debug: opts.debug,
        toolset: None,
        acl: None,
        module_root: Some(module_root),
        mirror: mirror_with(env, &module_name),
        abi_table,
    };
    versioning::evaluate(&manifest, &eval, host, napi)
}

/// The absolute path of the binding; an explanatory error when it is missing.
pub fn find(
    package_json: &Path,
    opts: &FindOptions,
    host: &HostInfo,
    env: EnvLookup,
    cwd: &Path,
) -> Result<PathBuf> {
    let config = evaluate(package_json, opts, host, env, cwd)?;
    if opts.check != Some(false) && !config.module.exists() {
        return Err(missing_binding_error(&config, host));
    }
    Ok(config.module)
}

/// Explains a missing binding: what was expected, for which target, why, and the fix.
pub fn missing_binding_error(config: &Config, host: &HostInfo) -> Error {
    let napi = match (config.napi_build_version, host.napi) {
        (Some(b), _) => format!("Node-API v{b}"),
        (None, _) => config
            .values
            .get("node_abi")
            .and_then(|v| v.as_str())
            .unwrap_or("")
            .to_string(),
    };
    let target = format!(
        "{} {} {}-{} {}",
        config.runtime.as_str(),
        napi,
        config.platform,
        config.arch,
        config.libc
    );
    let pkg_dir = config
        .module_path
        .ancestors()
        .find(|p| p.join("package.json").exists())
        .map(Path::to_path_buf)
        .unwrap_or_else(|| config.module_path.clone());
    let other_builds = config
        .module_path
        .parent()
        .and_then(|p| std::fs::read_dir(p).ok())
        .map(|d| d.flatten().count() > 0)
        .unwrap_or(false);
    let cause = if other_builds {
        "a binary for another target is installed, but none for this one (Node, platform or libc changed since the install?)"
    } else {
        "its install script did not run (npm --ignore-scripts, pnpm without allowBuilds, or a failed install), or no prebuilt binary exists for this target"
    };
    Error::BindingMissing {
        message: format!(
            "{name}@{version}: native binding not found at {module}\n  target: {target}\n  likely cause: {cause}\n  fix: npx pregyp heal   (or: cd {dir} && npx pregyp install --fallback-to-build)",
            name = config.name,
            version = config.version,
            module = config.module.display(),
            dir = pkg_dir.display(),
        ),
    }
}
