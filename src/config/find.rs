//! `find(packageJsonPath, opts)`: the path of the binding to `require`.
//! This runs inside every `require` of every addon using pregyp, so it reads one
//! file, evaluates templates and stats one path: no runtime, no client, no spawn.
//! Only when the binding is not in `module_path` does it look further, into the
//! platform package for this target (see `platform.rs`): a realpath, a few stats
//! up the `node_modules` chain, and one small package.json read.

use crate::config::manifest::{HostRole, Manifest};
use crate::config::options::mirror_with;
use crate::config::platform::{self, Installed, Lookup, Target};
use crate::config::target::{self, HostInfo, TargetOptions};
use crate::config::versioning::{self, Config, EvalOptions};
use crate::error::{Error, Result};
use std::path::{Path, PathBuf};

/// The options find() reads (never the host application's argv).
#[derive(Debug, Clone, Default)]
pub struct FindOptions {
    /// `runtime`, `target`, `targetArch`, `targetPlatform`, `targetLibc`, `debug`.
    pub target: TargetOptions,
    /// Resolve module_path against this instead of the package.json's folder.
    pub module_root: Option<String>,
}

/// Reads one environment variable (the process's, or a test's).
pub type EnvLookup<'a> = &'a dyn Fn(&str) -> Option<String>;

/// What `evaluate` needs to evaluate again for another Node-API version.
struct Prepared {
    manifest: Manifest,
    eval: EvalOptions,
    napi: Option<u32>,
}

fn prepare(
    package_json: &Path,
    opts: &FindOptions,
    host: &HostInfo,
    env: EnvLookup,
    cwd: &Path,
) -> Result<Prepared> {
    let mut manifest = Manifest::load(package_json, cwd)?;
    let s3_host = env("node_pre_gyp_s3_host");
    manifest.select_host(HostRole::Production, None, s3_host.as_deref())?;
    let napi = versioning::best_napi_build_version(&manifest, host)?;
    let module_name = manifest.module_name().to_string();
    let module_root = match &opts.module_root {
        Some(r) => cwd.join(r),
        None => manifest.root.clone(),
    };
    let abi_table = match &opts.target.version {
        Some(_) => match env("NODE_PRE_GYP_ABI_CROSSWALK").filter(|p| !p.is_empty()) {
            Some(p) => Some(target::load_crosswalk(Path::new(&p))?),
            None => None,
        },
        None => None,
    };
    let eval = EvalOptions {
        target: opts.target.clone(),
        toolset: None,
        acl: None,
        module_root: Some(module_root),
        mirror: mirror_with(env, &module_name),
        abi_table,
    };
    Ok(Prepared {
        manifest,
        eval,
        napi,
    })
}

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
    let p = prepare(package_json, opts, host, env, cwd)?;
    // versioning::evaluate validates package.json (the reference's checks, once).
    versioning::evaluate(&p.manifest, &p.eval, host, p.napi)
}

/// Where find() found (or expects) the binding.
#[derive(Debug, Clone)]
pub struct Located {
    /// The evaluation for this Node (best Node-API version).
    pub config: Config,
    /// The binding to `require`: in module_path, else in the platform package, else
    /// the module_path one (which does not exist).
    pub path: PathBuf,
    /// Whether `path` exists.
    pub exists: bool,
    /// The platform package that holds `path`, when it came from one.
    pub platform_package: Option<Installed>,
    /// What the platform package lookup found (`NotDeclared` when it was not needed).
    pub lookup: Lookup,
    /// The package folder (package.json's).
    pub root: PathBuf,
}

/// The binding for this package and target: `module_path` first (installed or built),
/// then the platform package for this target, resolved from the package's own folder,
/// with this Node's best Node-API version first and then the older ones it runs.
pub fn locate(
    package_json: &Path,
    opts: &FindOptions,
    host: &HostInfo,
    env: EnvLookup,
    cwd: &Path,
) -> Result<Located> {
    let p = prepare(package_json, opts, host, env, cwd)?;
    let config = versioning::evaluate(&p.manifest, &p.eval, host, p.napi)?;
    if config.module.exists() {
        return Ok(Located {
            path: config.module.clone(),
            exists: true,
            platform_package: None,
            lookup: Lookup::NotDeclared,
            root: p.manifest.root.clone(),
            config,
        });
    }
    let lookup = lookup_platform_package(&p.manifest, &config);
    let missing = |config: Config, lookup: Lookup| Located {
        root: p.manifest.root.clone(),
        path: config.module.clone(),
        exists: false,
        platform_package: None,
        lookup,
        config,
    };
    let Lookup::Found { package } = &lookup else {
        return Ok(missing(config, lookup));
    };
    let root = p.eval.module_root.as_deref().unwrap_or(&p.manifest.root);
    // This Node's best build first, then older Node-API builds the package may hold.
    let older = match (p.napi, p.manifest.binary.as_ref()) {
        (Some(best), Some(b)) => crate::config::node_api::older_than(b, best, host.napi)?,
        _ => Vec::new(),
    };
    for napi in std::iter::once(None).chain(older.into_iter().map(Some)) {
        let c = match napi {
            None => config.clone(),
            Some(v) => versioning::evaluate(&p.manifest, &p.eval, host, Some(v))?,
        };
        if let Some(path) = binding_in(&package.dir, root, &c) {
            return Ok(Located {
                path,
                exists: true,
                platform_package: Some(package.clone()),
                lookup,
                root: p.manifest.root.clone(),
                config: c,
            });
        }
    }
    Ok(missing(config, lookup))
}

/// The platform package for the evaluated target, if the package declares them.
pub fn lookup_platform_package(manifest: &Manifest, config: &Config) -> Lookup {
    let pp = manifest
        .binary
        .as_ref()
        .and_then(|b| b.platform_packages.as_ref());
    platform::lookup(
        pp,
        manifest.name(),
        &config.module_name,
        &config.version,
        &Target::of(&config.platform, &config.arch, &config.libc),
        &manifest.root,
    )
}

/// The binding's place inside a platform package: module_path as evaluated, relative to
/// the package root (`root`), under `package_dir`; None when it is not there.
pub fn binding_in(package_dir: &Path, root: &Path, config: &Config) -> Option<PathBuf> {
    let rel = config.module.strip_prefix(root).ok()?;
    let path = package_dir.join(rel);
    path.is_file().then_some(path)
}

/// The absolute path of the binding, as the reference's find() returns it: never an
/// error for a missing binding (callers try candidate paths); only for a bad package.json.
pub fn find(
    package_json: &Path,
    opts: &FindOptions,
    host: &HostInfo,
    env: EnvLookup,
    cwd: &Path,
) -> Result<PathBuf> {
    Ok(locate(package_json, opts, host, env, cwd)?.path)
}

/// Like [`find`], but a missing binding is an error explaining why and how to fix it
/// (what `load()` throws).
pub fn check(
    package_json: &Path,
    opts: &FindOptions,
    host: &HostInfo,
    env: EnvLookup,
    cwd: &Path,
) -> Result<PathBuf> {
    let located = locate(package_json, opts, host, env, cwd)?;
    if !located.exists {
        return Err(missing_binding_error(&located));
    }
    Ok(located.path)
}

fn target_line(config: &Config) -> String {
    let napi = match config.napi_build_version {
        Some(b) => format!("Node-API v{b}"),
        None => config
            .values
            .get("node_abi")
            .and_then(|v| v.as_str())
            .unwrap_or("")
            .to_string(),
    };
    format!(
        "{} {} {}-{} {}",
        config.runtime.as_str(),
        napi,
        config.platform,
        config.arch,
        config.libc
    )
}

/// Explains a missing binding: what was expected, for which target, what the platform
/// package lookup found, the likely cause, and the fixing command.
pub fn missing_binding_error(located: &Located) -> Error {
    let config = &located.config;
    let dir = located.root.display();
    let heal =
        format!("npx pregyp heal   (or: cd {dir} && npx pregyp install --fallback-to-build)");
    let other_builds = config
        .module_path
        .parent()
        .and_then(|p| std::fs::read_dir(p).ok())
        .map(|d| d.flatten().count() > 0)
        .unwrap_or(false);
    let no_script = "its install script did not run (npm --ignore-scripts, pnpm without allowBuilds, or a failed install), or no prebuilt binary exists for this target";
    let (platform_line, cause, fix) = match &located.lookup {
        Lookup::NotDeclared => (
            None,
            if other_builds {
                "a binary for another target is installed, but none for this one (Node, platform or libc changed since the install?)".to_string()
            } else {
                no_script.to_string()
            },
            heal,
        ),
        Lookup::NotShipped { triple } => (
            Some(format!("none for {triple} (binary.platform_packages.targets does not list it)")),
            no_script.to_string(),
            heal,
        ),
        Lookup::NotInstalled { name } => (
            Some(format!("{name} is not installed (looked in every node_modules from {dir} up)")),
            format!("optional dependencies were left out (npm --omit=optional or --no-optional, yarn --ignore-optional), or node_modules was installed on another platform, and {no_script}"),
            format!("reinstall with optional dependencies (npm install --include=optional), or: {heal}"),
        ),
        Lookup::WrongVersion { found, expected } => (
            Some(format!(
                "{}@{} at {} is for another release (this package is {expected})",
                found.name,
                found.version,
                found.dir.display()
            )),
            "the lockfile or a hoisted copy pins another version of the platform package".to_string(),
            format!("npm install {}@{expected} (the version must match exactly), or: {heal}", found.name),
        ),
        Lookup::Found { package } => (
            Some(format!(
                "{}@{} at {} has no binding for this target",
                package.name,
                package.version,
                package.dir.display()
            )),
            "the platform package was published without a build for this Node (Node-API version or Node ABI)".to_string(),
            heal,
        ),
    };
    let mut message = format!(
        "{name}@{version}: native binding not found at {module}\n  target: {target}",
        name = config.name,
        version = config.version,
        module = config.module.display(),
        target = target_line(config),
    );
    if let Some(l) = platform_line {
        message.push_str(&format!("\n  platform package: {l}"));
    }
    message.push_str(&format!("\n  likely cause: {cause}\n  fix: {fix}"));
    Error::BindingMissing { message }
}

/// Explains a binding that is there but does not load (`detail`: the loader's message).
pub fn load_error(located: &Located, detail: &str) -> Error {
    let config = &located.config;
    let dir = located.root.display();
    let (origin, fix) = match &located.platform_package {
        Some(p) => (
            format!("from the platform package {}@{} ({})", p.name, p.version, p.dir.display()),
            format!("reinstall it on this machine (rm -rf node_modules && npm install), or: cd {dir} && npx pregyp install --update-binary --fallback-to-build"),
        ),
        None => (
            "from module_path".to_string(),
            format!("cd {dir} && npx pregyp install --update-binary --fallback-to-build   (or: npx pregyp heal)"),
        ),
    };
    let first = detail.lines().next().unwrap_or("");
    Error::BindingLoad {
        module: located.path.clone(),
        detail: format!(
            "{first}\n  package: {}@{} ({origin})\n  target: {}\n  likely cause: the binary was built for another Node ABI, platform or libc, or a library it links to is missing\n  fix: {fix}",
            config.name,
            config.version,
            target_line(config),
        ),
        source: None,
    }
}
