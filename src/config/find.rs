//! `find(packageJsonPath, opts)`: the path of the binding to `require`.
//! This runs inside every `require` of every addon using pregyp, so it reads one
//! file, evaluates templates and stats one path: no runtime, no client, no spawn.
//! Only when the binding is not in `module_path` does it look further, into the
//! platform package for this target (see `platform.rs`): a realpath, a few stats
//! up the `node_modules` chain, and one small package.json read.

use crate::config::hostfs;
use crate::config::manifest::{HostRole, Manifest};
use crate::config::options::mirror_with;
use crate::config::package_manager;
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
    /// The platform package's folder as the JS resolver found it, where no node_modules
    /// holds it (Yarn Plug'n'Play): used when the node_modules lookup finds none.
    pub platform_package_dir: Option<String>,
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
    let eval = eval_options(&manifest, opts, env, cwd, manifest.root.clone())?;
    Ok(Prepared {
        manifest,
        eval,
        napi,
    })
}

/// The evaluation options of find()'s `opts`: its target, module_path resolved against
/// `opts.module_root` (from `cwd`) or else `default_root`, the mirror and the
/// `NODE_PRE_GYP_ABI_CROSSWALK` table, which a `target` needs.
pub fn eval_options(
    manifest: &Manifest,
    opts: &FindOptions,
    env: EnvLookup,
    cwd: &Path,
    default_root: PathBuf,
) -> Result<EvalOptions> {
    let abi_table = match &opts.target.version {
        Some(_) => match env("NODE_PRE_GYP_ABI_CROSSWALK").filter(|p| !p.is_empty()) {
            Some(p) => Some(target::load_crosswalk(Path::new(&p))?),
            None => None,
        },
        None => None,
    };
    Ok(EvalOptions {
        target: opts.target.clone(),
        toolset: None,
        acl: None,
        module_root: Some(
            opts.module_root
                .as_ref()
                .map_or(default_root, |r| cwd.join(r)),
        ),
        mirror: mirror_with(env, manifest.module_name()),
        abi_table,
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
    /// Whether the package has an install script (preinstall, install or postinstall),
    /// which today's package managers block unless approved.
    pub install_script: bool,
}

fn has_install_script(manifest: &Manifest) -> bool {
    manifest
        .raw
        .get("scripts")
        .and_then(serde_json::Value::as_object)
        .is_some_and(|s| {
            ["preinstall", "install", "postinstall"]
                .iter()
                .any(|k| s.contains_key(*k))
        })
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
    let install_script = has_install_script(&p.manifest);
    if hostfs::exists(&config.module) {
        return Ok(Located {
            install_script,
            path: config.module.clone(),
            exists: true,
            platform_package: None,
            lookup: Lookup::NotDeclared,
            root: p.manifest.root.clone(),
            config,
        });
    }
    let lookup = match (
        lookup_platform_package(&p.manifest, &config),
        &opts.platform_package_dir,
    ) {
        (Lookup::NotInstalled { name }, Some(dir)) => {
            crate::config::platform::installed_at(name, Path::new(dir), &config.version)
        }
        (lookup, _) => lookup,
    };
    let missing = |config: Config, lookup: Lookup| Located {
        install_script,
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
    // This Node's best build first (its evaluation is `config` itself); only when the
    // package lacks it, the older Node-API builds this Node runs, each evaluated anew.
    let mut hit = binding_in(package, root, &config).map(|path| (None, path));
    if let (None, Some(best), Some(b)) = (&hit, p.napi, p.manifest.binary.as_ref()) {
        for v in crate::config::node_api::older_than(b, best, host.napi)? {
            let c = versioning::evaluate(&p.manifest, &p.eval, host, Some(v))?;
            if let Some(path) = binding_in(package, root, &c) {
                hit = Some((Some(c), path));
                break;
            }
        }
    }
    let Some((older_config, path)) = hit else {
        return Ok(missing(config, lookup));
    };
    Ok(Located {
        install_script,
        path,
        exists: true,
        platform_package: Some(package.clone()),
        lookup,
        root: p.manifest.root.clone(),
        config: older_config.unwrap_or(config),
    })
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

/// The `node_abi` a config was evaluated for (`node-v127`, `electron-v31.1`).
pub fn node_abi(config: &Config) -> &str {
    config
        .values
        .get("node_abi")
        .and_then(|v| v.as_str())
        .unwrap_or("")
}

/// The binding's place inside a platform package: module_path as evaluated, relative to
/// the package root (`root`), under the package's folder, or, for a build that is not
/// Node-API in a package that sorts its builds by Node ABI, under `abi/<node_abi>/`
/// there; None when it is not there. One stat, no read: the package's ABI list came
/// with the read of its package.json that found its version.
pub fn binding_in(package: &Installed, root: &Path, config: &Config) -> Option<PathBuf> {
    let rel = config.module.strip_prefix(root).ok()?;
    let path = match (
        config.napi_build_version,
        package.abi_binding(node_abi(config), rel),
    ) {
        (None, Some(slot)) => slot?,
        _ => package.dir.join(rel),
    };
    hostfs::is_file(&path).then_some(path)
}

/// `node-v127 (Node 22)`: an ABI label with the Node majors that use it, from the bundled
/// table (only asked when explaining a failure).
fn abi_with_majors(abi: &str) -> String {
    let Some(n) = abi
        .strip_prefix("node-v")
        .and_then(|n| n.parse::<u32>().ok())
    else {
        return abi.to_string();
    };
    let mut majors: Vec<u32> = target::bundled_table()
        .node
        .iter()
        .filter(|(_, e)| e.node_abi == Some(n))
        .filter_map(|(v, _)| v.split('.').next()?.parse().ok())
        .collect();
    majors.sort_unstable();
    majors.dedup();
    match majors.as_slice() {
        [] => abi.to_string(),
        [m] => format!("{abi} (Node {m})"),
        [first, .., last] => format!("{abi} (Node {first}-{last})"),
    }
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
    let other_builds = config.module_path.parent().is_some_and(hostfs::has_entries);
    let old_way = "its install script did not run (npm --ignore-scripts, pnpm without allowBuilds, or a failed install), or no prebuilt binary exists for this target";
    // A package on platform packages without an install script: nothing ran or was blocked.
    let no_script = if located.install_script || matches!(located.lookup, Lookup::NotDeclared) {
        old_way
    } else {
        "the package has no install script (it relies on platform packages), so nothing downloads or builds the binding at install time"
    };
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
            if located.install_script {
                heal
            } else {
                format!("npx pregyp heal --fallback-to-build   (downloads from the host, else builds from source; or set PREGYP_INSTALL_ON_FIND=1 to do that on first use; or: cd {dir} && npx pregyp install --fallback-to-build)")
            },
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
        Lookup::Found { package } if config.napi_build_version.is_none() && package.abis.is_some() => {
            let held: Vec<String> = package
                .abis
                .iter()
                .flatten()
                .map(|a| abi_with_majors(a))
                .collect();
            let held = if held.is_empty() {
                "no builds".to_string()
            } else {
                format!("builds for {} only", held.join(", "))
            };
            let host = if config.host.is_empty() {
                String::new()
            } else {
                format!(" (downloads this ABI's build from {} if it is published there, else builds from source; needs a compiler)", config.host)
            };
            (
                Some(format!(
                    "{}@{} at {} holds {held}; this runtime is {}",
                    package.name,
                    package.version,
                    package.dir.display(),
                    abi_with_majors(node_abi(config)),
                )),
                "the package is built once per Node ABI (it is not Node-API), and its platform package was published without a build for this one".to_string(),
                format!("npx pregyp heal --fallback-to-build{host}   (or: cd {dir} && npx pregyp install --fallback-to-build; or run it on a Node the platform package has a build for)"),
            )
        }
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
    if located.install_script {
        if let Some(hint) = package_manager::blocked_script_hint(&config.name, &located.root) {
            message.push_str(&format!("\n  install script: {hint}"));
        }
    }
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
