//! `platform-package [--from <dir>]`: writes (or merges into) `build/npm/<package>/`,
//! the npm package that carries this target's bindings (see `platform.rs`), and
//! `optional-deps [--write]`: the root's `optionalDependencies` on all of them.
//! Also the install-side question "does an installed platform package already provide
//! the binding?", asked by `install`, `explain` and `heal`.

use super::{Context, Outcome};
use crate::config::platform::{PlatformPackages, Target, ABI_DIR};
use crate::config::versioning::Config;
use crate::error::{Error, IoContext, Result};
use crate::log;
use crate::results::{OptionalDepsResult, PlatformPackage, PlatformPackageResult};
use serde_json::{json, Map, Value};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// `binary.platform_packages`, or an error saying how to declare it.
fn declared(ctx: &Context) -> Result<&PlatformPackages> {
    ctx.manifest
        .binary
        .as_ref()
        .and_then(|b| b.platform_packages.as_ref())
        .ok_or_else(|| Error::InvalidField {
            path: ctx.manifest.path.clone(),
            field: "binary.platform_packages".into(),
            reason: "not declared; add for example \"platform_packages\": { \"targets\": [\"linux-x64-glibc\", \"darwin-arm64\", \"win32-x64\"] } to the binary block".into(),
        })
}

/// The Node ABI or Node-API label a build is for (`napi-v8`, `node-v115`, `electron-v31.1`).
fn abi_label(config: &Config) -> String {
    match config.napi_build_version {
        Some(n) => format!("napi-v{n}"),
        None => config
            .values
            .get("node_abi")
            .and_then(Value::as_str)
            .unwrap_or("")
            .to_string(),
    }
}

/// module_path relative to the package root, as `/`-separated text; it must lie inside.
fn relative_module_path(ctx: &Context, config: &Config) -> Result<PathBuf> {
    match config.module_path.strip_prefix(&ctx.dir) {
        Ok(rel) if !rel.as_os_str().is_empty() => Ok(rel.to_path_buf()),
        _ => Err(Error::InvalidField {
            path: ctx.manifest.path.clone(),
            field: "binary.module_path".into(),
            reason: format!(
                "resolves to {}, which is not a folder inside the package; a platform package holds the bindings at module_path relative to its own root",
                config.module_path.display()
            ),
        }),
    }
}

fn slashed(p: &Path) -> String {
    p.components()
        .map(|c| c.as_os_str().to_string_lossy())
        .collect::<Vec<_>>()
        .join("/")
}

/// Where a build comes from.
enum BuildFrom<'a> {
    /// A built module_path folder.
    Dir(&'a Path),
    /// A staged tarball (entries prefixed by the module_path folder name).
    Tarball(&'a Path),
}

/// Copies every file of `from` into `to` (recursively), replacing files of the same name.
fn copy_tree(from: &Path, to: &Path) -> Result<u64> {
    std::fs::create_dir_all(to).at("create directory", to)?;
    let mut n = 0;
    for e in std::fs::read_dir(from).at("read directory", from)? {
        let e = e.at("read directory", from)?;
        let ty = e.file_type().at("stat", e.path())?;
        let dest = to.join(e.file_name());
        if ty.is_dir() {
            n += copy_tree(&e.path(), &dest)?;
        } else if ty.is_file() {
            crate::place::fsutil::remove_no_follow(&dest)?;
            std::fs::copy(e.path(), &dest).at("copy to", &dest)?;
            n += 1;
        }
        // Symlinks are left out: a published package must not point outside itself.
    }
    Ok(n)
}

/// Adds one build to the platform package of `target` under `out`, refusing a second
/// Node ABI (or Node-API version) that would land on the path of another.
fn add_build(
    ctx: &Context,
    pp: &PlatformPackages,
    target: &Target,
    config: &Config,
    source: BuildFrom,
    out: &Path,
) -> Result<(String, PathBuf, String)> {
    let root_name = ctx.name().to_string();
    let version = config.version.clone();
    let name = pp.package_name(&root_name, &config.module_name, target);
    let dir = out.join(&name);
    let rel = relative_module_path(ctx, config)?;
    let label = abi_label(config);
    // A build for one Node ABI (not Node-API) goes under abi/<node_abi>/, so builds for
    // every ABI share the package whatever module_path says; find() picks the running
    // ABI's from the list in package.json.
    let place = match config.napi_build_version {
        Some(_) => rel.clone(),
        None => Path::new(ABI_DIR).join(&label).join(&rel),
    };
    let binding = slashed(&place.join(format!("{}.node", config.module_name)));
    let pkg_file = dir.join("package.json");
    let mut doc: Map<String, Value> = match std::fs::read(&pkg_file) {
        Ok(b) => {
            crate::config::hostfs::parse_json(&b).map_err(|source| Error::PackageJsonInvalid {
                path: pkg_file.clone(),
                source,
            })?
        }
        Err(_) => Map::new(),
    };
    if doc
        .get("version")
        .and_then(Value::as_str)
        .is_some_and(|v| v != version)
    {
        // Left over from another release: start this one afresh.
        log::info(format!(
            "platform-package {} holds another version; replacing it",
            dir.display()
        ));
        std::fs::remove_dir_all(&dir).at("remove", &dir)?;
        doc = Map::new();
    }
    let mut bindings: BTreeMap<String, String> = doc
        .get("pregyp")
        .and_then(|p| p.get("bindings"))
        .and_then(|b| serde_json::from_value(b.clone()).ok())
        .unwrap_or_default();
    if let Some(other) = bindings.get(&binding).filter(|o| **o != label) {
        let (var, example) = if config.napi_build_version.is_some() {
            (
                "{napi_build_version}",
                "./lib/binding/napi-v{napi_build_version}",
            )
        } else {
            ("{node_abi}", "./lib/binding/{node_abi}-{platform}-{arch}")
        };
        let written = ctx
            .manifest
            .binary
            .as_ref()
            .and_then(|b| b.module_path.clone())
            .unwrap_or_default();
        return Err(Error::InvalidField {
            path: ctx.manifest.path.clone(),
            field: "binary.module_path".into(),
            reason: format!(
                "`{written}` puts the {label} build at {binding} in {}, where the {other} build already is: add {var} to module_path (for example \"{example}\") so that builds sit side by side",
                dir.display()
            ),
        });
    }
    let dest = dir.join(&place);
    match source {
        BuildFrom::Dir(from) => {
            copy_tree(from, &dest)?;
        }
        BuildFrom::Tarball(tgz) => {
            std::fs::create_dir_all(&dir).at("create directory", &dir)?;
            let tmp = tempfile::Builder::new()
                .prefix(".unpack-")
                .tempdir_in(&dir)
                .at("create temp dir in", &dir)?;
            let file = std::fs::File::open(tgz).at("open", tgz)?;
            let limits = crate::place::archive::Limits::for_options(&ctx.opts);
            crate::place::archive::unpack_tar_gz(
                std::io::BufReader::new(file),
                tmp.path(),
                &tgz.display().to_string(),
                &limits,
            )?;
            if !tmp
                .path()
                .join(format!("{}.node", config.module_name))
                .is_file()
            {
                return Err(Error::PackageMissingBinary {
                    module: tgz.join(format!("{}.node", config.module_name)),
                });
            }
            copy_tree(tmp.path(), &dest)?;
        }
    }
    bindings.insert(binding.clone(), label.clone());
    write_manifest(ctx, target, &name, &version, &place, &bindings, doc, &dir)?;
    Ok((name, dir, binding))
}

#[allow(clippy::too_many_arguments)]
fn write_manifest(
    ctx: &Context,
    target: &Target,
    name: &str,
    version: &str,
    rel: &Path,
    bindings: &BTreeMap<String, String>,
    mut doc: Map<String, Value>,
    dir: &Path,
) -> Result<()> {
    let root = ctx.name();
    let module_name = ctx.manifest.module_name().to_string();
    let triple = target.triple();
    let top = rel
        .components()
        .next()
        .map(|c| format!("{}/", c.as_os_str().to_string_lossy()))
        .unwrap_or_default();
    doc.insert("name".into(), json!(name));
    doc.insert("version".into(), json!(version));
    doc.insert(
        "description".into(),
        json!(format!(
            "The prebuilt {module_name}.node of {root} for {triple} (an optional dependency of {root}; do not install it directly)"
        )),
    );
    doc.insert("os".into(), json!([target.platform]));
    doc.insert("cpu".into(), json!([target.arch]));
    match &target.libc {
        Some(l) => doc.insert("libc".into(), json!([l])),
        None => doc.remove("libc"),
    };
    doc.insert("files".into(), json!([top]));
    for k in ["license", "repository", "homepage", "author"] {
        match ctx.manifest.raw.get(k) {
            Some(v) => doc.insert(k.into(), v.clone()),
            None => doc.remove(k),
        };
    }
    // Yarn 2+ keeps native files of such packages on disk rather than in its zip store.
    doc.insert("preferUnplugged".into(), json!(true));
    let mut pregyp = json!({ "package": root, "target": triple, "bindings": bindings });
    let abi_prefix = format!("{ABI_DIR}/");
    let mut abis: Vec<&String> = bindings
        .iter()
        .filter(|(path, _)| path.starts_with(&abi_prefix))
        .map(|(_, label)| label)
        .collect();
    if !abis.is_empty() {
        abis.sort_by_key(|a| abi_order(a));
        abis.dedup();
        pregyp["abis"] = json!(abis);
    }
    doc.insert("pregyp".into(), pregyp);
    std::fs::create_dir_all(dir).at("create directory", dir)?;
    let file = dir.join("package.json");
    let text = serde_json::to_string_pretty(&Value::Object(doc)).expect("JSON serializes");
    std::fs::write(&file, text + "\n").at("write", &file)?;
    let builds: Vec<String> = bindings
        .iter()
        .map(|(p, l)| format!("- `{p}` ({l})"))
        .collect();
    let readme = format!(
        "# {name}\n\nThe prebuilt `{module_name}.node` binding of [{root}](https://www.npmjs.com/package/{root}) \
for {triple}, made with `pregyp platform-package`.\n\nDo not depend on this package directly: install `{root}`, which lists it in \
`optionalDependencies`; npm, pnpm and yarn install only the package whose `os`, `cpu` and `libc` match the machine, \
with no install script, and `{root}` finds the binding here.\n\nBuilds:\n\n{}\n",
        builds.join("\n")
    );
    std::fs::write(dir.join("README.md"), readme).at("write", dir.join("README.md"))?;
    Ok(())
}

/// Sorts ABI labels by runtime, then by number (`node-v93` before `node-v115`).
fn abi_order(label: &str) -> (String, Vec<u64>) {
    let (runtime, number) = label.split_once("-v").unwrap_or((label, ""));
    (
        runtime.to_string(),
        number.split('.').map(|n| n.parse().unwrap_or(0)).collect(),
    )
}

/// The target a config evaluates for.
fn target_of(config: &Config) -> Target {
    Target::of(&config.platform, &config.arch, &config.libc)
}

/// `platform-package [--from <dir>]`.
pub fn platform_package(ctx: &Context) -> Result<Outcome<PlatformPackageResult>> {
    let pp = declared(ctx)?.clone();
    let out = ctx.dir.join("build").join("npm");
    if ctx.opts.dry_run {
        return Ok(Outcome::line(
            format!(
                "dry run: would write the platform packages of {} under {}",
                pp.targets
                    .iter()
                    .map(Target::triple)
                    .collect::<Vec<_>>()
                    .join(", "),
                out.display()
            ),
            PlatformPackageResult(Vec::new()),
        ));
    }
    let written = match ctx.opts.get_str("from") {
        Some(from) => from_tarballs(ctx, &pp, &out, &ctx.dir.join(from))?,
        None => from_builds(ctx, &pp, &out)?,
    };
    // One line and one record per package, listing every build it now holds.
    let mut by_pkg: BTreeMap<String, (PathBuf, Vec<String>)> = BTreeMap::new();
    for (name, dir, binding) in written {
        by_pkg
            .entry(name)
            .or_insert((dir, Vec::new()))
            .1
            .push(binding);
    }
    let mut lines = Vec::new();
    let mut data = Vec::new();
    for (name, (dir, bindings)) in by_pkg {
        lines.push(format!(
            "{name}@{}: {} ({})",
            ctx.manifest.version(),
            dir.display(),
            bindings.join(", ")
        ));
        data.push(PlatformPackage {
            name,
            version: ctx.manifest.version().to_string(),
            dir: dir.to_string_lossy().into_owned(),
            bindings,
        });
    }
    Ok(Outcome {
        stdout: lines,
        result: PlatformPackageResult(data),
    })
}

/// This machine's (or `--target_*`'s) builds in module_path, one per Node-API version.
fn from_builds(
    ctx: &Context,
    pp: &PlatformPackages,
    out: &Path,
) -> Result<Vec<(String, PathBuf, String)>> {
    let versions = crate::config::versioning::napi_build_versions(
        &ctx.manifest,
        &ctx.host,
        ctx.opts.build_latest_napi_version_only,
    )?;
    let napis: Vec<Option<u32>> = if versions.is_empty() {
        vec![None]
    } else {
        versions.into_iter().map(Some).collect()
    };
    let mut written = Vec::new();
    for napi in napis {
        let config = ctx.evaluate("platform-package", napi)?;
        if !config.module.is_file() {
            return Err(Error::PackageMissingBinary {
                module: config.module.clone(),
            });
        }
        let target = target_of(&config);
        let Some(target) = pp.shipped(&target).cloned() else {
            return Err(Error::InvalidField {
                path: ctx.manifest.path.clone(),
                field: "binary.platform_packages.targets".into(),
                reason: format!(
                    "does not list {}, the target of this build; add it",
                    target.triple()
                ),
            });
        };
        written.push(add_build(
            ctx,
            pp,
            &target,
            &config,
            BuildFrom::Dir(&config.module_path),
            out,
        )?);
    }
    Ok(written)
}

fn files_under(dir: &Path, out: &mut Vec<PathBuf>) -> Result<()> {
    for e in std::fs::read_dir(dir).at("read directory", dir)? {
        let e = e.at("read directory", dir)?;
        let ty = e.file_type().at("stat", e.path())?;
        if ty.is_dir() {
            files_under(&e.path(), out)?;
        } else if ty.is_file() {
            out.push(e.path());
        }
    }
    Ok(())
}

/// The Node versions to evaluate a non-Node-API package for: one per Node ABI of the
/// bundled table (the newest release of each), so every ABI's tarball name is known.
fn node_versions_per_abi() -> Vec<String> {
    let mut per_abi: BTreeMap<u32, (u64, u64, u64, String)> = BTreeMap::new();
    for (v, e) in &crate::config::target::bundled_table().node {
        let Some(abi) = e.node_abi.filter(|a| *a > 1) else {
            continue;
        };
        let mut it = v.split('.').map(|x| x.parse::<u64>().unwrap_or(0));
        let key = (
            it.next().unwrap_or(0),
            it.next().unwrap_or(0),
            it.next().unwrap_or(0),
            v.clone(),
        );
        let slot = per_abi.entry(abi).or_insert(key.clone());
        if key > *slot {
            *slot = key;
        }
    }
    per_abi.into_values().map(|k| k.3).collect()
}

/// The builds a staged tarball's name could hold: each with its target.
type Owners = Vec<(Target, Config)>;

/// Every target's package from the staged tarballs under `from` (a CI matrix's
/// artifacts gathered in one folder, in any sub-folders).
fn from_tarballs(
    ctx: &Context,
    pp: &PlatformPackages,
    out: &Path,
    from: &Path,
) -> Result<Vec<(String, PathBuf, String)>> {
    let mut files = Vec::new();
    files_under(from, &mut files)?;
    // Tarballs may sit under their remote_path (build/stage/<remote_path>/<package_name>)
    // or flat: match by the longest known suffix.
    let declared_napi = ctx.manifest.napi_versions()?;
    let variants: Vec<(Option<u32>, Option<String>)> = match &declared_napi {
        Some(v) if !v.is_empty() => v.iter().map(|n| (Some(*n), None)).collect(),
        _ => node_versions_per_abi()
            .into_iter()
            .map(|t| (None, Some(t)))
            .collect(),
    };
    // Expected tarball name -> the (target, config) pairs it would hold.
    let mut expected: BTreeMap<String, Owners> = BTreeMap::new();
    // A target without a libc (not Linux) is `unknown` where it runs; a tarball staged
    // here with --target_platform and no --target_libc carries this machine's libc, as
    // the reference names it: both names are that target's.
    let host_libc = crate::config::target::libc().family.to_string();
    let with_libc = pp.targets.iter().flat_map(|t| match &t.libc {
        Some(l) => vec![(t, l.clone())],
        None if host_libc != "unknown" => {
            vec![(t, "unknown".to_string()), (t, host_libc.clone())]
        }
        None => vec![(t, "unknown".to_string())],
    });
    for (t, libc) in with_libc {
        let mut c = ctx.clone();
        c.opts.target.platform = Some(t.platform.clone());
        c.opts.target.arch = Some(t.arch.clone());
        c.opts.target.libc = Some(libc);
        for (napi, node) in &variants {
            if node.is_some() {
                c.opts.target.version = node.clone();
                c.opts.target.runtime = Some(crate::config::target::Runtime::Node);
            }
            let config = c.evaluate("platform-package", *napi)?;
            let rel = config
                .staged_tarball
                .strip_prefix(ctx.dir.join("build").join("stage"))
                .map(slashed)
                .unwrap_or_else(|_| config.package_name.clone());
            expected.entry(rel).or_default().push((t.clone(), config));
        }
    }
    let mut written = Vec::new();
    let mut found_for: Vec<Target> = Vec::new();
    for file in &files {
        let shown = slashed(file);
        // Under its remote_path (as build/stage holds it), else by file name alone.
        let base = shown.rsplit('/').next().unwrap_or("");
        let hit = expected
            .iter()
            .filter(|(rel, _)| shown.ends_with(&format!("/{rel}")) || shown == **rel)
            .max_by_key(|(rel, _)| rel.len())
            .or_else(|| {
                expected
                    .iter()
                    .find(|(rel, _)| rel.rsplit('/').next() == Some(base))
            });
        let electron;
        let (rel, owners) = match hit {
            Some((rel, owners)) => (rel, owners),
            None => match (
                declared_napi.as_ref().is_some_and(|v| !v.is_empty()),
                electron_build(ctx, &expected, &shown)?,
            ) {
                (false, Some(found)) => {
                    electron = found;
                    (&electron.0, &electron.1)
                }
                _ => continue,
            },
        };
        let mut targets: Vec<&Target> = owners.iter().map(|(t, _)| t).collect();
        targets.dedup();
        if targets.len() > 1 {
            let names: Vec<String> = targets.iter().map(|t| t.triple()).collect();
            let var = if targets
                .iter()
                .all(|t| t.platform == targets[0].platform && t.arch == targets[0].arch)
            {
                "{libc}"
            } else {
                "{platform}, {arch} and {libc}"
            };
            return Err(Error::InvalidField {
                path: ctx.manifest.path.clone(),
                field: "binary.package_name".into(),
                reason: format!(
                    "the staged tarball {rel} could be the build for any of {}: add {var} to package_name (or remote_path) so each target's tarball has its own name",
                    names.join(", ")
                ),
            });
        }
        let mut abis: Vec<String> = owners
            .iter()
            .filter(|(_, c)| c.napi_build_version.is_none())
            .map(|(_, c)| abi_label(c))
            .collect();
        // The same build under both libc spellings is one ABI, not two.
        abis.sort_by_key(|a| abi_order(a));
        abis.dedup();
        if abis.len() > 1 {
            let shown: Vec<&str> = abis
                .iter()
                .rev()
                .take(3)
                .rev()
                .map(String::as_str)
                .collect();
            return Err(Error::InvalidField {
                path: ctx.manifest.path.clone(),
                field: "binary.package_name".into(),
                reason: format!(
                    "the staged tarball {rel} could be the build for any Node ABI (…, {}): add {{node_abi}} to package_name (or remote_path) so each Node ABI's tarball has its own name",
                    shown.join(", ")
                ),
            });
        }
        let (target, config) = &owners[0];
        written.push(add_build(
            ctx,
            pp,
            target,
            config,
            BuildFrom::Tarball(file),
            out,
        )?);
        if !found_for.contains(target) {
            found_for.push(target.clone());
        }
    }
    let missing: Vec<String> = pp
        .targets
        .iter()
        .filter(|t| !found_for.contains(t))
        .map(Target::triple)
        .collect();
    if !missing.is_empty() {
        // Name the files looked for, so that a tarball staged under another name is seen.
        let mut wanted: Vec<&str> = expected
            .iter()
            .filter(|(_, owners)| owners.iter().any(|(t, _)| missing.contains(&t.triple())))
            .map(|(rel, _)| rel.as_str())
            .collect();
        wanted.truncate(8);
        return Err(Error::Usage(format!(
            "no staged tarball under {} for {} (binary.platform_packages.targets lists it; looked for {}){}; build and package those targets, or remove them from targets, so that no optional dependency points at a package that is never published",
            from.display(),
            missing.join(", "),
            wanted.join(", "),
            if written.is_empty() {
                String::new()
            } else {
                format!(
                    "; the packages of the other targets were written to {}",
                    out.display()
                )
            }
        )));
    }
    Ok(written)
}

/// A staged tarball of an Electron build (`node_abi` `electron-v<major>.<minor>`, which
/// cannot be listed ahead like Node's): its name is each target's expected Node name with
/// the Node ABI swapped for an Electron one. Returns the name and the evaluated build.
fn electron_build(
    ctx: &Context,
    expected: &BTreeMap<String, Owners>,
    shown: &str,
) -> Result<Option<(String, Owners)>> {
    const PREFIX: &str = "electron-v";
    for (rel, owners) in expected {
        let [(target, config)] = owners.as_slice() else {
            continue;
        };
        let abi = crate::config::find::node_abi(config);
        let Some((pre, post)) = rel.split_once(abi).filter(|_| !abi.is_empty()) else {
            continue;
        };
        let Some(head) = shown.strip_suffix(post) else {
            continue;
        };
        let Some(at) = head.rfind(PREFIX) else {
            continue;
        };
        let version = &head[at + PREFIX.len()..];
        let valid = version.split('.').count() == 2
            && version
                .split('.')
                .all(|p| !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit()));
        // Under its remote_path, or flat: the file name's part before the ABI must match.
        let before = &head[..at];
        let pre_base = pre.rsplit('/').next().unwrap_or(pre);
        let rest = before.strip_suffix(pre_base);
        if !valid || !rest.is_some_and(|r| r.is_empty() || r.ends_with('/')) {
            continue;
        }
        let mut c = ctx.clone();
        c.opts.target.platform = Some(target.platform.clone());
        c.opts.target.arch = Some(target.arch.clone());
        c.opts.target.libc = Some(target.libc.clone().unwrap_or_else(|| "unknown".into()));
        c.opts.target.runtime = Some(crate::config::target::Runtime::Electron);
        c.opts.target.version = Some(format!("{version}.0"));
        let electron = c.evaluate("platform-package", None)?;
        let name = format!("{pre_base}{PREFIX}{version}{post}");
        return Ok(Some((name, vec![(target.clone(), electron)])));
    }
    Ok(None)
}

/// `optional-deps [--write]`: the root's optionalDependencies on every platform package,
/// at exactly the root's version.
pub fn optional_deps(ctx: &Context) -> Result<Outcome<OptionalDepsResult>> {
    let pp = declared(ctx)?;
    let version = ctx.manifest.version().to_string();
    let module_name = ctx.manifest.module_name().to_string();
    let mut deps = Map::new();
    for t in &pp.targets {
        deps.insert(pp.package_name(ctx.name(), &module_name, t), json!(version));
    }
    if ctx.opts.get_bool("write") {
        let dry_run = ctx.opts.dry_run;
        let changes = setup_platform_packages_manifest(&ctx.manifest.path, &deps, dry_run)?;
        let file = ctx.manifest.path.display();
        if changes.is_empty() {
            log::info(format!(
                "optional-deps: {file} already lists every platform package and needs no change"
            ));
        }
        for c in &changes {
            log::info(if dry_run {
                format!("dry run: optional-deps would change {file}: {c}")
            } else {
                format!("optional-deps changed {file}: {c}")
            });
        }
    }
    let text = serde_json::to_string_pretty(&json!({ "optionalDependencies": deps }))
        .expect("JSON serializes");
    Ok(Outcome {
        stdout: text.lines().map(String::from).collect(),
        result: OptionalDepsResult(deps),
    })
}

/// Sets up the package at `path` (its package.json) for platform packages and returns
/// what changed, one line per change (empty when nothing did); with `dry_run`, what would
/// change, with nothing written. `deps`: each platform package and its version.
///
/// npm 12, pnpm, yarn 4 and bun block dependencies' install scripts (pnpm 11+ fails the
/// install), so once platform packages carry the binaries:
/// - `optionalDependencies` lists every platform package at exactly `deps`' version;
/// - a `node-pre-gyp install`/`pregyp install` install script is removed (where no platform
///   package fits, `load()` with PREGYP_INSTALL_ON_FIND or `pregyp heal` download or build
///   on first use); any other install script is kept, with a warning;
/// - a binding.gyp is shipped as `pregyp-binding.gyp` (copied, and swapped for binding.gyp
///   in `files`), which a first-use build puts back: npm, pnpm 10, yarn 1 and 4 and bun act
///   on a `binding.gyp` in a package (yarn 1 runs `node-gyp rebuild`, which fails on a
///   node-pre-gyp binding.gyp; the others report a blocked script) whatever `gypfile` says;
/// - `"gypfile": false`, as npm adds an implicit `node-gyp rebuild` install script at
///   publish when the folder has a binding.gyp.
///
/// `optional-deps --write` uses it; so can any command that moves a package over.
pub fn setup_platform_packages_manifest(
    path: &Path,
    deps: &Map<String, Value>,
    dry_run: bool,
) -> Result<Vec<String>> {
    use crate::building::gyp::SHIPPED_GYP_FILE;
    let dir = path.parent().unwrap_or(Path::new("."));
    let gyp = dir.join("binding.gyp");
    let has_gyp = gyp.is_file();
    let mut changes = Vec::new();
    // Every new file content first; then all are written, or none.
    let mut files: Vec<(PathBuf, Vec<u8>)> = Vec::new();
    if has_gyp {
        let shipped = dir.join(SHIPPED_GYP_FILE);
        let text = std::fs::read(&gyp).at("read", &gyp)?;
        if std::fs::read(&shipped).ok().as_deref() != Some(&text[..]) {
            files.push((shipped, text));
            changes.push(format!(
                "{SHIPPED_GYP_FILE}: written from binding.gyp (shipped under this name; a first-use source build puts binding.gyp back)"
            ));
        }
    }
    let mut doc_changes = Vec::new();
    let mut warnings = Vec::new();
    let body = super::common::package_json::edited_package_json(path, |doc| {
        let obj = doc.as_object_mut().ok_or_else(|| Error::InvalidField {
            path: path.to_path_buf(),
            field: "(root)".into(),
            reason: "expected an object".into(),
        })?;
        (doc_changes, warnings) = super::common::platform_packages::setup_platform_packages_doc(
            path, obj, deps, has_gyp,
        )?;
        Ok(())
    })?;
    if !doc_changes.is_empty() {
        files.push((path.to_path_buf(), body.into_bytes()));
        changes.extend(doc_changes);
    }
    if !dry_run && !files.is_empty() {
        crate::place::atomic::write_all(&files).map_err(|e| {
            for left in &e.left_changed {
                log::warn(format!(
                    "{} could not be put back as it was",
                    left.display()
                ));
            }
            e.error
        })?;
    }
    warnings.into_iter().for_each(log::warn);
    Ok(changes)
}
