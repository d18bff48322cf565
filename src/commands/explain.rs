//! `explain`: what pregyp would do for this package, and why: the evaluated
//! target, every candidate URL and cache entry, whether the binding exists and
//! loads, and whether a source build is possible.

use super::{Context, Outcome};
use crate::config::options::mirror_for;
use crate::config::platform::Lookup;
use crate::error::Result;
use crate::fetch::cache::Cache;
use crate::redact::redact_url;
use crate::results::{
    CacheHit, ExplainResult, ExplainedBuild, ExplainedCache, ExplainedPackage, ExplainedTarget,
    HostCandidate, ProvidedBy,
};
use std::path::{Path, PathBuf};

/// `explain`.
pub async fn explain(ctx: &Context) -> Result<Outcome<ExplainResult>> {
    let napi = crate::config::versioning::best_napi_build_version(&ctx.manifest, &ctx.host)?;
    let config = ctx.evaluate("install", napi)?;
    let name = ctx.name().to_string();
    let module_name = config.module_name.clone();

    // Candidate hosts, in the order install considers them.
    let mut candidates = Vec::new();
    if let Some(m) = mirror_for(&ctx.opts.env, &module_name) {
        candidates.push(HostCandidate {
            kind: "mirror".into(),
            host: redact_url(&m),
            used: true,
        });
    }
    let declared = match ctx.manifest.binary.as_ref().and_then(|b| b.host.clone()) {
        Some(crate::config::manifest::HostSpec::Url(u)) => u,
        Some(crate::config::manifest::HostSpec::S3 { endpoint, .. }) => endpoint,
        None => String::new(),
    };
    candidates.push(HostCandidate {
        kind: "binary.host".into(),
        host: redact_url(&declared),
        used: candidates.is_empty(),
    });

    let cache = Cache::new(crate::fetch::cache::dir_for(ctx.opts.cache_dir.as_deref()));
    let cached = cache.peek(&config.hosted_tarball, config.checksum.as_deref());
    let exists = config.module.exists();
    // The platform package for this target (binary.platform_packages), when declared.
    let (lookup, provided) = if exists {
        (
            crate::config::find::lookup_platform_package(&ctx.manifest, &config),
            None,
        )
    } else {
        super::common::platform_packages::provided(ctx, &config)?
    };
    let platform_text = match &lookup {
        Lookup::NotDeclared => None,
        Lookup::NotShipped { triple } => Some(format!(
            "none for {triple} (not in binary.platform_packages.targets)"
        )),
        Lookup::NotInstalled { name } => Some(format!(
            "{name} is not installed (optional dependencies omitted?)"
        )),
        Lookup::WrongVersion { found, expected } => Some(format!(
            "{}@{} at {} is for another release (want {expected})",
            found.name,
            found.version,
            found.dir.display()
        )),
        Lookup::Found { package } => Some(match &provided {
            Some((_, p)) => format!(
                "{}@{} provides {}",
                package.name,
                package.version,
                p.display()
            ),
            None => format!(
                "{}@{} at {} has no binding for this target",
                package.name,
                package.version,
                package.dir.display()
            ),
        }),
    };
    let loads = if exists && !config.cross_compiling {
        Some(
            crate::building::process::can_load(&config.module, &ctx.host, &ctx.opts.env)
                .await
                .map_err(|e| e.to_string()),
        )
    } else {
        None
    };
    let gyp = crate::building::gyp::discover(config.runtime, &ctx.dir, &ctx.host, &ctx.opts.env);
    let compiler = find_compiler(
        cfg!(windows),
        &ctx.opts.env,
        |c| crate::building::process::which(c, &ctx.opts.env),
        |p| p.is_file(),
    );
    let has_binding_gyp = crate::building::gyp::has_gyp_file(&ctx.dir);
    let build_possible = gyp.is_ok() && compiler.is_some() && has_binding_gyp;
    let libc = crate::config::target::libc();
    let declared_napi = ctx.manifest.napi_versions()?;

    let action = if ctx.opts.build_from_source.matches(&name) {
        if build_possible {
            "build from source (requested with --build-from-source)".to_string()
        } else {
            "fail: --build-from-source asks for a source build, which is not possible here (see build above)".to_string()
        }
    } else if exists && !ctx.opts.update_binary {
        "nothing: the binding is already installed (--update-binary reinstalls)".to_string()
    } else if let (Some((package, _)), false) = (&provided, ctx.opts.update_binary) {
        format!(
            "nothing: the platform package {}@{} provides the binding (no download)",
            package.name, package.version
        )
    } else if cached.is_some() {
        format!(
            "unpack {} from the cache",
            redact_url(&config.hosted_tarball)
        )
    } else if ctx.opts.offline {
        "fail: --offline and the tarball is not in the cache".to_string()
    } else {
        let mut a = format!("download {}", redact_url(&config.hosted_tarball));
        if ctx.opts.fallback_to_build.matches(&name) && build_possible {
            a.push_str(", and build from source if that fails");
        } else if ctx.opts.fallback_to_build.matches(&name) {
            a.push_str(" (--fallback-to-build cannot build here: see build above)");
        }
        a
    };

    // The hosts, platform package, Node-API and action lines below are written from
    // the result itself.
    let result = ExplainResult {
        package: ExplainedPackage {
            name: name.clone(),
            version: config.version.clone(),
            dir: ctx.dir.to_string_lossy().into_owned(),
        },
        target: ExplainedTarget {
            runtime: config.runtime.as_str().into(),
            node_abi: config
                .values
                .get("node_abi")
                .and_then(|v| v.as_str())
                .map(String::from),
            napi_version: ctx.host.napi,
            napi_versions_declared: declared_napi,
            napi_build_version: config.napi_build_version,
            platform: config.platform.clone(),
            arch: config.arch.clone(),
            libc: config.libc.clone(),
            libc_version: (!libc.version().is_empty()).then(|| libc.version().to_string()),
        },
        module: config.module.to_string_lossy().into_owned(),
        platform_package: platform_text,
        provided_by: provided.as_ref().map(|(p, path)| ProvidedBy {
            name: p.name.clone(),
            version: p.version.clone(),
            path: path.to_string_lossy().into_owned(),
        }),
        exists,
        loads: loads.as_ref().map(|r| r.is_ok()),
        load_error: loads.as_ref().and_then(|r| r.clone().err()),
        hosts: candidates,
        tarball: redact_url(&config.hosted_tarball),
        checksum: config.checksum.clone(),
        cache: ExplainedCache {
            dir: cache.root().to_string_lossy().into_owned(),
            hit: cached.as_ref().map(|(p, sha)| CacheHit {
                path: p.to_string_lossy().into_owned(),
                sha256: sha.clone(),
            }),
        },
        build: ExplainedBuild {
            possible: build_possible,
            node_gyp: gyp.as_ref().ok().map(gyp_shown),
            node_gyp_error: gyp.as_ref().err().map(|e| e.to_string()),
            compiler: compiler.as_ref().map(|c| c.to_string_lossy().into_owned()),
            binding_gyp: has_binding_gyp,
        },
        install_would: action,
        blocked_script: None,
    };
    let mut result = result;
    // A missing binding of a package with an install script: the project's package
    // manager may have blocked it (npm 12, pnpm, yarn 4 and bun do by default).
    let scripts = ctx
        .manifest
        .raw
        .get("scripts")
        .and_then(serde_json::Value::as_object);
    if !result.exists
        && scripts.is_some_and(|s| {
            ["preinstall", "install", "postinstall"]
                .iter()
                .any(|k| s.contains_key(*k))
        })
    {
        result.blocked_script =
            crate::config::package_manager::blocked_script_hint(&name, &ctx.dir);
    }

    let yes_no = |b: bool| if b { "yes" } else { "no" };
    let mut lines = vec![
        format!("{}@{} in {}", name, config.version, ctx.dir.display()),
        format!(
            "  target:   {} {} {}-{} {} {}",
            config.runtime.as_str(),
            config
                .values
                .get("node_abi")
                .and_then(|v| v.as_str())
                .unwrap_or(""),
            config.platform,
            config.arch,
            config.libc,
            libc.version()
        ),
        format!(
            "  node-api: this Node {}; package declares {}; using {}",
            ctx.host
                .napi
                .map(|n| format!("v{n}"))
                .unwrap_or_else(|| "none".into()),
            result
                .target
                .napi_versions_declared
                .as_ref()
                .map(|d| d
                    .iter()
                    .map(|n| format!("v{n}"))
                    .collect::<Vec<_>>()
                    .join(", "))
                .unwrap_or_else(|| "none".into()),
            config
                .napi_build_version
                .map(|n| format!("v{n}"))
                .unwrap_or_else(|| "the ABI build".into())
        ),
        format!(
            "  binding:  {} (exists: {})",
            config.module.display(),
            yes_no(exists)
        ),
    ];
    if let Some(t) = &result.platform_package {
        lines.push(format!("  platform: {t}"));
    }
    if let Some(l) = &loads {
        lines.push(match l {
            Ok(()) => "  loads:    yes".to_string(),
            Err(e) => format!("  loads:    no ({e})"),
        });
    }
    for c in &result.hosts {
        lines.push(format!(
            "  host:     {} ({}{})",
            c.host,
            c.kind,
            if c.used { ", used" } else { ", overridden" }
        ));
    }
    lines.push(format!(
        "  tarball:  {}",
        redact_url(&config.hosted_tarball)
    ));
    lines.push(format!(
        "  checksum: {}",
        config.checksum.clone().unwrap_or_else(|| {
            "none in package.json (a .sha256 beside the tarball is used if present)".into()
        })
    ));
    lines.push(format!(
        "  cache:    {}",
        match &cached {
            Some((p, _)) => format!("hit ({})", p.display()),
            None => format!("miss ({})", cache.root().display()),
        }
    ));
    lines.push(format!(
        "  build:    {} (node-gyp: {}; compiler: {}; binding.gyp: {})",
        if build_possible {
            "possible"
        } else {
            "not possible"
        },
        match &gyp {
            Ok(g) => gyp_shown(g),
            Err(e) => e.to_string(),
        },
        compiler
            .map(|c| c.display().to_string())
            .unwrap_or_else(|| "none found".into()),
        yes_no(has_binding_gyp)
    ));
    lines.push(format!("  install would: {}", result.install_would));
    if let Some(h) = &result.blocked_script {
        lines.push(format!("  install script: {h}"));
    }
    Ok(Outcome {
        stdout: lines,
        result,
    })
}

/// The C/C++ compiler a build would use, as `explain` reports it: the first of the
/// platform's compilers on PATH, else `$CC`; on Windows MSVC's `cl` (on PATH in a developer
/// prompt), else a Visual Studio install that node-gyp finds by itself through vswhere
/// even when `cl` is not on PATH.
pub fn find_compiler(
    windows: bool,
    env: &crate::config::options::Env,
    which: impl Fn(&str) -> Option<PathBuf>,
    is_file: impl Fn(&Path) -> bool,
) -> Option<PathBuf> {
    let names: &[&str] = if windows {
        &["cl", "clang-cl", "gcc", "clang", "c++"]
    } else {
        &["cc", "gcc", "clang", "c++"]
    };
    names
        .iter()
        .find_map(|c| which(c))
        .or_else(|| env.non_empty("CC").map(Into::into))
        .or_else(|| {
            if !windows {
                return None;
            }
            let base = env
                .non_empty("ProgramFiles(x86)")
                .or_else(|| env.non_empty("ProgramFiles"))?;
            let vswhere = Path::new(base)
                .join("Microsoft Visual Studio")
                .join("Installer")
                .join("vswhere.exe");
            is_file(&vswhere).then_some(vswhere)
        })
}

/// node-gyp as found: its script (run by node) or its executable, not node itself.
fn gyp_shown(g: &crate::building::gyp::GypProgram) -> String {
    g.prefix
        .first()
        .map(String::from)
        .unwrap_or_else(|| g.program.display().to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn explain_knows_msvc() {
        use crate::config::options::Env;
        let on_path = |names: &'static [&'static str]| {
            move |c: &str| {
                names
                    .contains(&c)
                    .then(|| PathBuf::from(format!("/bin/{c}")))
            }
        };
        let none = |_: &str| None;
        let win = Env::from_pairs_on(&[("ProgramFiles(x86)", r"C:\PF86")], true);
        // A developer prompt: cl is on PATH.
        assert_eq!(
            find_compiler(true, &win, on_path(&["cl", "gcc"]), |_| false),
            Some(PathBuf::from("/bin/cl"))
        );
        // No cl on PATH, but Visual Studio installed: node-gyp finds it through vswhere.
        let vswhere = Path::new(r"C:\PF86")
            .join("Microsoft Visual Studio")
            .join("Installer")
            .join("vswhere.exe");
        let vs = vswhere.clone();
        assert_eq!(
            find_compiler(true, &win, none, move |p| p == vs),
            Some(vswhere)
        );
        assert_eq!(find_compiler(true, &win, none, |_| false), None);
        // Elsewhere: cc and friends, then $CC; never cl or vswhere.
        let posix = Env::from_pairs_on(&[("ProgramFiles(x86)", "/pf")], false);
        assert_eq!(
            find_compiler(false, &posix, on_path(&["cl"]), |_| true),
            None
        );
        assert_eq!(
            find_compiler(false, &posix, on_path(&["gcc", "cc"]), |_| true),
            Some(PathBuf::from("/bin/cc"))
        );
        let cc = Env::from_pairs_on(&[("CC", "/opt/x-cc")], false);
        assert_eq!(
            find_compiler(false, &cc, none, |_| true),
            Some(PathBuf::from("/opt/x-cc"))
        );
    }
}
