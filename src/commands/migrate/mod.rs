//! `migrate [--dry-run] [--keep-name] [--targets <list>] [--workflow github|none] [--yes]`:
//! moves a node-pre-gyp package, in place, onto pregyp and platform packages.
//!
//! Everything is computed first (package.json, the JS call sites, the workflow), shown as
//! one unified diff, and only then written, each file through a temp file and a rename:
//! a refusal or an error leaves the folder as it was, `--dry-run` writes nothing, and a
//! second run finds nothing to change.

mod js;

use super::{Context, Outcome};
use crate::config::platform::{PlatformPackages, Target};
use crate::error::{Error, IoContext, Result};
use crate::results::MigrateResult;
use serde_json::{json, Map, Value};
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

/// The targets migrate's workflow can build, each on a GitHub runner of its own (in an
/// Alpine container for musl): the only ones `--targets` accepts, and the ones probed on
/// the host when it is not given (the platform-package ecosystem's: esbuild, sharp, @swc).
const SUPPORTED_TARGETS: &[&str] = &[
    "linux-x64-glibc",
    "linux-x64-musl",
    "linux-arm64-glibc",
    "linux-arm64-musl",
    "darwin-x64",
    "darwin-arm64",
    "win32-x64",
    "win32-ia32",
    "win32-arm64",
];

/// node-pre-gyp under its names: the original, mapbox's, and forks (`@discordjs/node-pre-gyp`).
fn is_node_pre_gyp(name: &str) -> bool {
    name == "node-pre-gyp" || name.ends_with("/node-pre-gyp")
}

const DEP_SECTIONS: &[&str] = &["dependencies", "devDependencies", "optionalDependencies"];

/// The dependency on node-pre-gyp (section, name, spec), or on pregyp after a first run.
fn find_dependency(doc: &Map<String, Value>) -> Option<(String, String, String)> {
    for section in DEP_SECTIONS {
        let Some(deps) = doc.get(*section).and_then(Value::as_object) else {
            continue;
        };
        for (name, spec) in deps {
            let spec = spec.as_str().unwrap_or("").to_string();
            if is_node_pre_gyp(name) || name == "pregyp" || spec.starts_with("npm:pregyp@") {
                return Some((section.to_string(), name.clone(), spec));
            }
        }
    }
    None
}

fn pregyp_range() -> String {
    format!("^{}", env!("CARGO_PKG_VERSION"))
}

/// Renames a key in place (keeping its position), with a new value.
fn rename_key(map: &mut Map<String, Value>, old: &str, new: &str, value: Value) {
    let entries: Vec<(String, Value)> = std::mem::take(map).into_iter().collect();
    for (k, v) in entries {
        if k == old {
            map.insert(new.to_string(), value.clone());
        } else if k != new {
            map.insert(k, v);
        }
    }
}

/// A script with every `node-pre-gyp` command (also `node_modules/.bin/node-pre-gyp`)
/// calling `pregyp`; other words (`node-pre-gyp-github`) stay.
fn rewrite_script(s: &str) -> String {
    s.split(' ')
        .map(|w| {
            if w == "node-pre-gyp" || w.ends_with("/.bin/node-pre-gyp") {
                w.replace("node-pre-gyp", "pregyp")
            } else {
                w.to_string()
            }
        })
        .collect::<Vec<_>>()
        .join(" ")
}

/// One file's new text.
struct FileChange {
    rel: String,
    old: Option<String>,
    new: String,
}

/// `migrate`.
pub async fn migrate(ctx: &Context) -> Result<Outcome<MigrateResult>> {
    let dry_run = ctx.opts.get_bool("dry_run");
    let keep_name = ctx.opts.get_bool("keep_name");
    let workflow = ctx
        .opts
        .get_str("workflow")
        .unwrap_or_else(|| "github".into());
    if workflow != "github" && workflow != "none" {
        return Err(Error::InvalidOption {
            name: "workflow".into(),
            value: workflow,
            reason: "expected github or none".into(),
        });
    }
    // One run at a time per folder: everything below is read and written under the
    // lock, so that a second run sees the first one's result whole.
    let _lock = crate::place::staging::lock(lock_path(&ctx.dir), &ctx.dir).await?;
    let mut reloaded = ctx.clone();
    reloaded.manifest =
        crate::config::manifest::Manifest::load(&ctx.manifest.path, &ctx.dir)?;
    let ctx = &reloaded;
    let pj = ctx.manifest.path.clone();
    let text = std::fs::read_to_string(&pj).at("read", &pj)?;
    let doc: Value = serde_json::from_str(&text).map_err(|source| Error::PackageJsonInvalid {
        path: pj.clone(),
        source,
    })?;
    let Value::Object(mut doc) = doc else {
        return Err(Error::MigrateRefused(format!(
            "{} is not a JSON object; nothing was changed",
            pj.display()
        )));
    };
    let dep = find_dependency(&doc);
    let has_binary = doc.get("binary").is_some_and(Value::is_object);
    if !has_binary || dep.is_none() {
        let mut missing = Vec::new();
        if !has_binary {
            missing.push("no `binary` block");
        }
        if dep.is_none() {
            missing.push("no dependency on @mapbox/node-pre-gyp or node-pre-gyp");
        }
        return Err(Error::MigrateRefused(format!(
            "{} is not a node-pre-gyp package ({}): nothing was changed",
            ctx.dir.display(),
            missing.join(", ")
        )));
    }
    let (section, dep_name, dep_spec) = dep.expect("checked above");
    if !dry_run {
        check_git(ctx)?;
    }

    let mut result = MigrateResult {
        dry_run,
        ..Default::default()
    };
    let mut notes: Vec<String> = Vec::new();

    // Dependency.
    let deps = doc
        .get_mut(&section)
        .and_then(Value::as_object_mut)
        .expect("found there");
    if keep_name {
        let alias = format!("npm:pregyp@{}", pregyp_range());
        if !dep_spec.starts_with("npm:pregyp@") {
            let name = if dep_name == "pregyp" {
                "@mapbox/node-pre-gyp".to_string()
            } else {
                dep_name.clone()
            };
            rename_key(deps, &dep_name, &name, json!(alias));
        }
    } else if dep_name != "pregyp" {
        rename_key(deps, &dep_name, "pregyp", json!(pregyp_range()));
    }
    if section == "devDependencies" {
        result.todo.push(format!(
            "pregyp is in devDependencies (where {dep_name} was): move it to dependencies, since load() and find() run in your users' installs"
        ));
    }

    let original_scripts: Map<String, Value> = doc
        .get("scripts")
        .and_then(Value::as_object)
        .cloned()
        .unwrap_or_default();
    // Scripts.
    if let Some(scripts) = doc.get_mut("scripts").and_then(Value::as_object_mut) {
        for (k, v) in scripts.iter_mut() {
            if let Some(s) = v.as_str() {
                // The install script goes below, and its summary line quotes it as written.
                let lifecycle = ["preinstall", "install", "postinstall"].contains(&k.as_str());
                if lifecycle && super::platform_package::is_binding_install_script(s) {
                    continue;
                }
                let new = rewrite_script(s);
                if new.contains("--build-from-source") && new.contains("npm ") {
                    result.todo.push(format!(
                        "scripts.{k} (`{new}`) relies on an install script to build: no install script runs any more; build with `npx pregyp rebuild`"
                    ));
                }
                *v = json!(new);
            }
        }
    }

    // Platform packages.
    let root_name = ctx.manifest.name().to_string();
    let module_name = ctx.manifest.module_name().to_string();
    let (targets, from) = choose_targets(ctx).await?;
    result.targets = targets.iter().map(Target::triple).collect();
    result.targets_from = from.to_string();
    let binary = doc
        .get_mut("binary")
        .and_then(Value::as_object_mut)
        .expect("checked above");
    // The platform packages the previous run declared (their names leave
    // optionalDependencies when their targets are no longer listed).
    let previous: Vec<String> = binary
        .get("platform_packages")
        .and_then(|v| {
            crate::config::manifest::parse_platform_packages(v, &root_name, &module_name).ok()
        })
        .map(|pp| {
            pp.targets
                .iter()
                .map(|t| pp.package_name(&root_name, &module_name, t))
                .collect()
        })
        .unwrap_or_default();
    match binary.get_mut("platform_packages").and_then(Value::as_object_mut) {
        Some(pp) if from == "--targets" => {
            pp.insert("targets".into(), json!(result.targets));
        }
        Some(_) => {}
        None => {
            binary.insert(
                "platform_packages".into(),
                json!({ "name": crate::config::platform::DEFAULT_NAME, "targets": result.targets }),
            );
        }
    }
    let pp_value = binary.get("platform_packages").cloned().unwrap_or_default();
    let pp: PlatformPackages =
        crate::config::manifest::parse_platform_packages(&pp_value, &root_name, &module_name)
            .map_err(|(field, reason)| Error::InvalidField {
                path: pj.clone(),
                field,
                reason,
            })?;
    layout_todo(ctx, &pp, workflow == "github", &mut result.todo);
    let version = ctx.manifest.version().to_string();
    let deps: Map<String, Value> = pp
        .targets
        .iter()
        .map(|t| (pp.package_name(&root_name, &module_name, t), json!(version)))
        .collect();
    // The same set-up as `optional-deps --write`: optionalDependencies, the install script
    // gone, binding.gyp shipped as pregyp-binding.gyp (so that no package manager acts on
    // it), "gypfile": false. Where no platform package fits, the build moves to first use.
    if let Some(od) = doc
        .get_mut("optionalDependencies")
        .and_then(Value::as_object_mut)
    {
        for name in previous.iter().filter(|n| !deps.contains_key(*n)) {
            if od.shift_remove(name).is_some() {
                notes.push(format!("optionalDependencies: removed {name}"));
            }
        }
    }
    let gyp_path = ctx.dir.join("binding.gyp");
    let has_gyp = gyp_path.is_file();
    let build = build_steps(&original_scripts, has_gyp);
    if let Some(f) = &build.keep_fallback {
        if let Some(scripts) = doc.get_mut("scripts").and_then(Value::as_object_mut) {
            scripts.insert(BUILD_SCRIPT.into(), json!(f));
            notes.push(format!("scripts.{BUILD_SCRIPT}: \"{f}\" (the build the install script fell back to)"));
        }
    }
    let (changed, warnings) =
        super::platform_package::setup_platform_packages_doc(&pj, &mut doc, &deps, has_gyp)?;
    notes.extend(changed);
    result.todo.extend(warnings);

    let mut changes = Vec::new();
    let new_pj = super::package::render_package_json(&text, &Value::Object(doc.clone()));
    changes.push(FileChange {
        rel: "package.json".into(),
        old: Some(text.clone()),
        new: new_pj,
    });
    if has_gyp {
        let shipped = crate::building::gyp::SHIPPED_GYP_FILE;
        let gyp = std::fs::read_to_string(&gyp_path).at("read", &gyp_path)?;
        let old = std::fs::read_to_string(ctx.dir.join(shipped)).ok();
        if old.as_deref() != Some(gyp.as_str()) {
            changes.push(FileChange {
                rel: shipped.into(),
                old,
                new: gyp,
            });
        }
    }

    // Code.
    let installed_as = if keep_name {
        if dep_name == "pregyp" {
            "@mapbox/node-pre-gyp".to_string()
        } else {
            dep_name.clone()
        }
    } else {
        "pregyp".to_string()
    };
    let napi_max = ctx
        .manifest
        .napi_versions()
        .ok()
        .flatten()
        .and_then(|v| v.into_iter().max());
    let module_dir = ctx
        .evaluate("install", napi_max)
        .ok()
        .and_then(|c| {
            c.module_path
                .strip_prefix(&ctx.dir)
                .ok()
                .map(slashed)
        });
    let type_module = doc.get("type").and_then(Value::as_str) == Some("module");
    let mut loads = 0;
    for file in js_files(&ctx.dir)? {
        let rel = slashed(file.strip_prefix(&ctx.dir).unwrap_or(&file));
        let bytes = std::fs::read(&file).at("read", &file)?;
        let Ok(old) = String::from_utf8(bytes) else {
            result
                .unparsed
                .push(format!("{rel}: not UTF-8 text, left untouched"));
            continue;
        };
        // TypeScript compiles elsewhere (outDir): no path from its own folder to the root.
        let ts = [".ts", ".cts", ".mts"].iter().any(|x| rel.ends_with(x));
        let file_dir = rel.rsplit_once('/').map_or("", |(d, _)| d);
        let target = js::Target {
            module_name: &module_name,
            dep_name: &installed_as,
            file_dir: (!ts).then_some(file_dir),
            module_dir: module_dir.as_deref(),
            type_module,
        };
        match js::rewrite(&rel, &old, &target) {
            Ok(r) => {
                loads += r.loads + r.manual.len();
                result
                    .manual
                    .extend(r.manual.into_iter().map(|(l, c)| format!("{rel}:{l}: {c}")));
                if r.text != old {
                    changes.push(FileChange {
                        rel,
                        old: Some(old),
                        new: r.text,
                    });
                }
            }
            Err(why) => result
                .unparsed
                .push(format!("{rel}: {why}; left untouched")),
        }
    }

    // An executable (grpc-tools' protoc) rather than an addon: no binding.gyp, nothing
    // loads it, and the package's `bin` runs from module_path. Platform packages carry
    // addons that load() finds; the `bin` script looks beside itself and would not find
    // the executable there.
    if !has_gyp && loads == 0 {
        if let Some(m) = module_dir.as_deref() {
            let bins: Vec<String> = match doc.get("bin") {
                Some(Value::String(b)) => vec![b.clone()],
                Some(Value::Object(o)) => o.values().filter_map(|v| v.as_str().map(String::from)).collect(),
                _ => Vec::new(),
            };
            let inside: Vec<&String> = bins
                .iter()
                .filter(|b| {
                    let b = b.trim_start_matches("./");
                    b.rsplit_once('/').map_or("", |(d, _)| d) == m
                })
                .collect();
            if let Some(bin) = inside.first() {
                return Err(Error::MigrateRefused(format!(
                    "{root_name}'s binary is an executable run by its bin script {bin} from {m}/, not a Node addon that find() or load() loads (no binding.gyp, and no JavaScript loads {module_name}): pregyp's platform packages carry addons, so {bin} would no longer find it. Nothing was changed"
                )));
            }
        }
    }

    // Workflow.
    if workflow == "github" && build.build.is_none() {
        let module_path = ctx
            .manifest
            .binary
            .as_ref()
            .and_then(|b| b.module_path.clone())
            .unwrap_or_default();
        result.todo.push(format!(
            ".github/workflows/prebuild.yml was not written: {root_name} has no binding.gyp, and migrate found no command that builds {module_name}.node (no `node-pre-gyp install || <build>` install script, no scripts.build). Add scripts.build with the commands that put {module_name}.node into {module_path} and run migrate again, or write the workflow yourself"
        ));
    } else if workflow == "github" {
        let rel = ".github/workflows/prebuild.yml";
        let new = sealed(workflow_yaml(ctx, &pp, &doc, &build));
        match std::fs::read_to_string(ctx.dir.join(rel)) {
            Ok(old) if old == new => {}
            // Written by an earlier run and not edited since: it follows the new arguments.
            Ok(old) if is_sealed(&old) => changes.push(FileChange {
                rel: rel.into(),
                old: Some(old),
                new,
            }),
            Ok(_) => result.todo.push(format!(
                "{rel} exists and differs from what migrate writes: left as it is (move it away and run migrate again to see the generated one)"
            )),
            Err(_) => changes.push(FileChange {
                rel: rel.into(),
                old: None,
                new,
            }),
        }
        result.todo.extend(workflow_todo(ctx, &pp));
    }
    changes.retain(|c| c.old.as_deref() != Some(c.new.as_str()));

    // The diff.
    let mut diff = String::new();
    for c in &changes {
        let old = c.old.as_deref().unwrap_or("");
        let d = similar::TextDiff::from_lines(old, &c.new);
        for op in d.ops() {
            for change in d.iter_changes(op) {
                if change.tag() != similar::ChangeTag::Equal {
                    result.lines_changed += 1;
                }
            }
        }
        let from = if c.old.is_some() {
            format!("a/{}", c.rel)
        } else {
            "/dev/null".into()
        };
        diff.push_str(
            &d.unified_diff()
                .context_radius(3)
                .header(&from, &format!("b/{}", c.rel))
                .to_string(),
        );
    }
    result.files = changes.iter().map(|c| c.rel.clone()).collect();
    result.diff = diff;
    if changes.iter().any(|c| c.rel == "package.json")
        && ctx.dir.join("package-lock.json").is_file()
    {
        result.todo.push("package-lock.json still records the old dependencies: run `npm install --ignore-scripts` and commit it (the workflow runs `npm ci`, which refuses a stale lockfile)".into());
    }
    if !changes.is_empty() {
        result.todo.push(format!(
            "build and test as before with `{}` (npm install no longer builds {root_name}); `npx pregyp package platform-package` makes this machine's platform package",
            build.build.as_deref().unwrap_or("<your build command>")
        ));
    }

    if !dry_run && !changes.is_empty() {
        let files: Vec<(PathBuf, Vec<u8>)> = changes
            .iter()
            .map(|c| (ctx.dir.join(&c.rel), c.new.clone().into_bytes()))
            .collect();
        if let Err(e) = crate::place::atomic::write_all(&files) {
            let listed = changes.iter().map(|c| c.rel.as_str()).collect::<Vec<_>>().join(", ");
            return Err(Error::MigrateRefused(if e.left_changed.is_empty() {
                format!("{}; migrate wrote none of its changes ({listed}): the package is as it was", e.error)
            } else {
                let left: Vec<String> = e
                    .left_changed
                    .iter()
                    .map(|p| slashed(p.strip_prefix(&ctx.dir).unwrap_or(p)))
                    .collect();
                format!(
                    "{}; migrate could not put back {}: they hold its changes, the other files ({listed}) are as they were",
                    e.error,
                    left.join(", ")
                )
            }));
        }
    }

    // Output: the diff, then what a person still has to do.
    let mut stdout: Vec<String> = result.diff.lines().map(String::from).collect();
    if changes.is_empty() {
        stdout.push(format!("{root_name}: nothing to change (already migrated)"));
    } else {
        stdout.push(String::new());
        stdout.push(format!(
            "{} {} file(s), {} line(s) changed{}; platform package targets ({}): {}",
            if dry_run { "would change" } else { "changed" },
            changes.len(),
            result.lines_changed,
            if notes.is_empty() {
                String::new()
            } else {
                format!("; {}", notes.join("; "))
            },
            result.targets_from,
            result.targets.join(", ")
        ));
    }
    if !result.manual.is_empty() {
        stdout.push(String::new());
        stdout.push("Call sites to change by hand (load the binding with require('pregyp').load(<package folder>)):".into());
        stdout.extend(result.manual.iter().map(|m| format!("  {m}")));
    }
    if !result.unparsed.is_empty() {
        stdout.push(String::new());
        stdout.push("Files not parsed:".into());
        stdout.extend(result.unparsed.iter().map(|m| format!("  {m}")));
    }
    if !changes.is_empty() || !result.todo.is_empty() {
        stdout.push(String::new());
        stdout.push("To do:".into());
        stdout.extend(result.todo.iter().map(|t| format!("  - {t}")));
    }
    if dry_run && !changes.is_empty() {
        stdout.push(String::new());
        stdout.push("--dry-run: nothing was written".into());
    }
    Ok(Outcome { stdout, result })
}

/// The lock file of migrate runs on `dir`: in the temp folder, so that the package
/// gets no file of it.
fn lock_path(dir: &Path) -> PathBuf {
    use sha2::Digest;
    let dir = dunce::canonicalize(dir).unwrap_or_else(|_| dir.to_path_buf());
    let hash = sha2::Sha256::digest(dir.to_string_lossy().as_bytes());
    std::env::temp_dir().join(format!("pregyp-migrate-{}.lock", &hex::encode(hash)[..16]))
}

/// Refuses to change files that nothing can restore, unless `--yes` or a person at a
/// terminal agrees: uncommitted changes in git, or a folder outside git altogether.
fn check_git(ctx: &Context) -> Result<()> {
    if ctx.opts.get_bool("yes") {
        return Ok(());
    }
    let out = std::process::Command::new("git")
        .args(["status", "--porcelain", "--", "."])
        .current_dir(&ctx.dir)
        .stdin(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .output();
    let (what, advice) = match out {
        Ok(out) if out.status.success() && out.stdout.is_empty() => return Ok(()),
        Ok(out) if out.status.success() => {
            let listing = String::from_utf8_lossy(&out.stdout);
            let files: Vec<&str> = listing.lines().take(5).collect();
            let what = format!(
                "{} has uncommitted changes in git ({}{})",
                ctx.dir.display(),
                files.join(", ").trim(),
                if listing.lines().count() > 5 {
                    ", ..."
                } else {
                    ""
                }
            );
            (what, "commit or stash them first so that migrate's changes can be reviewed alone")
        }
        _ => (
            format!(
                "{} is not in a git repository: migrate's changes could not be reviewed or undone with git",
                ctx.dir.display()
            ),
            "put it under git (or keep a copy) first",
        ),
    };
    use std::io::{BufRead, IsTerminal, Write};
    if !std::io::stdin().is_terminal() {
        return Err(Error::MigrateRefused(format!(
            "{what}; {advice}, or pass --yes. No terminal to ask on: nothing was changed"
        )));
    }
    eprint!("pregyp WARN {what}.\nMigrate anyway? [y/N] ");
    let _ = std::io::stderr().flush();
    let mut answer = String::new();
    let _ = std::io::stdin().lock().read_line(&mut answer);
    if matches!(answer.trim(), "y" | "Y" | "yes" | "Yes") {
        Ok(())
    } else {
        Err(Error::MigrateRefused(format!(
            "{what}; not confirmed: nothing was changed"
        )))
    }
}

/// The targets: `--targets`, else those already declared, else the tarballs of this
/// version that the host has (HEAD requests), else this machine's.
async fn choose_targets(ctx: &Context) -> Result<(Vec<Target>, &'static str)> {
    if let Some(list) = ctx.opts.get_str("targets") {
        let mut out: Vec<Target> = Vec::new();
        for t in list.split(',').map(str::trim).filter(|t| !t.is_empty()) {
            let supported = || SUPPORTED_TARGETS.join(", ");
            let t = Target::parse(t).map_err(|reason| Error::InvalidOption {
                name: "targets".into(),
                value: list.clone(),
                reason: format!("{reason}; supported: {}", supported()),
            })?;
            if !SUPPORTED_TARGETS.contains(&t.triple().as_str()) {
                return Err(Error::InvalidOption {
                    name: "targets".into(),
                    value: list.clone(),
                    reason: format!(
                        "{} has no GitHub runner or cross build in the workflow migrate writes; supported: {}",
                        t.triple(),
                        supported()
                    ),
                });
            }
            if !out.contains(&t) {
                out.push(t);
            }
        }
        if out.is_empty() {
            return Err(Error::InvalidOption {
                name: "targets".into(),
                value: list,
                reason: "expected a comma list such as linux-x64-glibc,darwin-arm64,win32-x64"
                    .into(),
            });
        }
        return Ok((out, "--targets"));
    }
    if let Some(pp) = ctx
        .manifest
        .binary
        .as_ref()
        .and_then(|b| b.platform_packages.as_ref())
    {
        return Ok((pp.targets.clone(), "binary.platform_packages"));
    }
    let here = ctx.evaluate("install", None).ok();
    match probe_host(ctx).await {
        Some(found) if !found.is_empty() => Ok((found, "host")),
        probed => {
            let Some(c) = here else {
                return Err(Error::Usage(
                    "cannot tell the targets (no tarball found on the host, and this machine's target is unknown): pass --targets".into(),
                ));
            };
            let t = Target::of(&c.platform, &c.arch, &c.libc);
            crate::log::warn(format!(
                "migrate: {}; using this machine's target only ({}); pass --targets to list every target you build",
                if probed.is_some() {
                    "the host has no tarball of this version"
                } else {
                    "the host could not be reached"
                },
                t.triple()
            ));
            Ok((vec![t], "this machine"))
        }
    }
}

/// The targets whose tarball of this version the host has; `None` when no request got
/// an answer (host unreachable).
async fn probe_host(ctx: &Context) -> Option<Vec<Target>> {
    let mut opts = ctx.opts.clone();
    opts.timeout = std::time::Duration::from_secs(5);
    let client = crate::fetch::http::client(&opts).ok()?;
    let napis: Vec<Option<u32>> = match ctx.manifest.napi_versions().ok().flatten() {
        Some(v) if !v.is_empty() => v.into_iter().map(Some).collect(),
        _ => vec![None],
    };
    let mut probes: Vec<(Target, String)> = Vec::new();
    let mut seen_urls = BTreeSet::new();
    for t in SUPPORTED_TARGETS {
        let target = Target::parse(t).expect("listed targets parse");
        let mut c = ctx.clone();
        c.opts.target.platform = Some(target.platform.clone());
        c.opts.target.arch = Some(target.arch.clone());
        c.opts.target.libc = Some(target.libc.clone().unwrap_or_else(|| "unknown".into()));
        for napi in &napis {
            let Ok(config) = c.evaluate("install", *napi) else {
                continue;
            };
            // Without {libc} in the name, musl and glibc builds share one URL: the
            // first target listed (glibc) claims it.
            if seen_urls.insert(config.hosted_tarball.clone()) {
                probes.push((target.clone(), config.hosted_tarball));
            }
        }
    }
    let answers = futures_join(probes.iter().map(|(_, url)| {
        let client = client.clone();
        let url = url.clone();
        async move {
            let r =
                tokio::time::timeout(std::time::Duration::from_secs(8), client.head(&url).send())
                    .await;
            match r {
                Ok(Ok(resp)) => Some(resp.status().is_success()),
                _ => None,
            }
        }
    }))
    .await;
    if answers.iter().all(Option::is_none) {
        return None;
    }
    let mut found: Vec<Target> = Vec::new();
    for ((t, url), ok) in probes.iter().zip(answers) {
        crate::log::verbose(format!("migrate: HEAD {url}: {ok:?}"));
        if ok == Some(true) && !found.contains(t) {
            found.push(t.clone());
        }
    }
    Some(found)
}

/// Runs futures concurrently on the current runtime, keeping their order.
async fn futures_join<F, T>(futs: impl Iterator<Item = F>) -> Vec<T>
where
    F: std::future::Future<Output = T> + Send + 'static,
    T: Send + 'static,
{
    let handles: Vec<_> = futs.map(tokio::spawn).collect();
    let mut out = Vec::new();
    for h in handles {
        out.push(h.await.expect("probe task does not panic"));
    }
    out
}

/// To-do lines for a layout that platform packages cannot hold as it is.
fn layout_todo(ctx: &Context, pp: &PlatformPackages, github: bool, todo: &mut Vec<String>) {
    let Some(b) = ctx.manifest.binary.as_ref() else {
        return;
    };
    let module_path = b.module_path.clone().unwrap_or_default();
    let napi = ctx.manifest.napi_versions().ok().flatten().is_some();
    if napi && !module_path.contains("{napi_build_version}") {
        todo.push(format!(
            "binary.module_path `{module_path}` has no {{napi_build_version}}: fine with one Node-API version; with several, add it so that builds sit side by side"
        ));
    }
    if !napi && !module_path.contains("{node_abi}") {
        todo.push(format!(
            "binary.module_path `{module_path}` has no {{node_abi}}: each platform package can hold the build of one Node ABI only{}; add {{node_abi}} to module_path to ship several, or move to Node-API",
            if github { " (the workflow builds on Node 22)" } else { "" }
        ));
    }
    // The name node-pre-gyp uses when package_name is not set.
    let names = format!(
        "{}{}",
        b.package_name
            .clone()
            .unwrap_or_else(|| "{module_name}-v{version}-{node_abi}-{platform}-{arch}.tar.gz".into()),
        b.remote_path.clone().unwrap_or_default()
    );
    let linux_libcs: BTreeSet<_> = pp
        .targets
        .iter()
        .filter(|t| t.platform == "linux")
        .filter_map(|t| t.libc.clone())
        .collect();
    if linux_libcs.len() > 1 && !names.contains("{libc}") {
        todo.push("targets include glibc and musl but package_name has no {libc}: add it, or their staged tarballs share one name".into());
    }
    for var in ["{platform}", "{arch}"] {
        if pp.targets.len() > 1 && !names.contains(var) {
            todo.push(format!(
                "package_name (or remote_path) has no {var}: add it, or the targets' staged tarballs share one name"
            ));
        }
    }
}

fn slashed(p: &Path) -> String {
    p.components()
        .map(|c| c.as_os_str().to_string_lossy())
        .collect::<Vec<_>>()
        .join("/")
}

/// The package's own JavaScript and TypeScript (sources that compile to the JS): not dependencies, builds, vendored or hidden folders.
fn js_files(dir: &Path) -> Result<Vec<PathBuf>> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        let mut entries: Vec<_> = std::fs::read_dir(&d)
            .at("read directory", &d)?
            .filter_map(|e| e.ok())
            .collect();
        entries.sort_by_key(|e| e.file_name());
        for e in entries {
            let name = e.file_name().to_string_lossy().into_owned();
            let Ok(ty) = e.file_type() else { continue };
            if ty.is_dir() {
                let skip = name.starts_with('.')
                    || matches!(
                        name.as_str(),
                        "node_modules" | "build" | "deps" | "vendor" | "prebuilds" | "coverage"
                    );
                if !skip {
                    stack.push(e.path());
                }
            } else if ty.is_file()
                && [".js", ".cjs", ".mjs", ".ts", ".cts", ".mts"]
                    .iter()
                    .any(|x| name.ends_with(x))
                && !name.ends_with(".min.js")
                && !name.ends_with(".d.ts")
                && e.metadata().map(|m| m.len() < 2_000_000).unwrap_or(false)
            {
                out.push(e.path());
            }
        }
    }
    out.sort();
    Ok(out)
}

/// The last line of a workflow migrate wrote: the hash of everything before it, so that
/// a later run can tell its own unedited file (which it may rewrite) from a person's.
const SEAL: &str = "# pregyp migrate, sha256 of the lines above: ";

fn seal_of(body: &str) -> String {
    use sha2::Digest;
    hex::encode(sha2::Sha256::digest(body.as_bytes()))[..16].to_string()
}

fn sealed(body: String) -> String {
    let seal = seal_of(&body);
    format!("{body}{SEAL}{seal}\n")
}

fn is_sealed(text: &str) -> bool {
    let Some(body_end) = text.trim_end_matches('\n').rfind('\n').map(|i| i + 1) else {
        return false;
    };
    let (body, last) = text.split_at(body_end);
    last.trim_end()
        .strip_prefix(SEAL)
        .is_some_and(|seal| seal == seal_of(body))
}

/// How the workflow builds the binary.
struct BuildSteps {
    /// The package's own install scripts that stay (they prepare the build: a config
    /// file, a library download), run by name before the build.
    prepare: Vec<String>,
    /// The build command; `None` when migrate cannot tell it.
    build: Option<String>,
    /// The build an install script fell back to, to keep as [`BUILD_SCRIPT`].
    keep_fallback: Option<String>,
}

/// The script that keeps the build a removed install script fell back to
/// (`node-pre-gyp install || ./scripts/build.sh`).
const BUILD_SCRIPT: &str = "build:native";

/// The build: `pregyp rebuild` with a binding.gyp; else the command a node-pre-gyp
/// install script falls back to (`node-pre-gyp install || ./scripts/build.sh`), else
/// `npm run build` when there is such a script.
fn build_steps(scripts: &Map<String, Value>, has_gyp: bool) -> BuildSteps {
    let mut prepare = Vec::new();
    let mut fallback = None;
    for name in ["preinstall", "install", "postinstall"] {
        let Some(script) = scripts.get(name).and_then(Value::as_str) else {
            continue;
        };
        if super::platform_package::is_binding_install_script(script) {
            if let Some((_, rest)) = script.split_once("||") {
                fallback = Some(rest.trim().to_string());
            }
        } else {
            prepare.push(format!("npm run {name}"));
        }
    }
    let mut keep_fallback = None;
    let build = if has_gyp {
        Some("npx pregyp rebuild".to_string())
    } else if let Some(f) = fallback {
        // The install script goes: its build stays, as a script of its own, so that the
        // workflow (and a second run) still find it.
        if !scripts.contains_key(BUILD_SCRIPT) {
            keep_fallback = Some(f);
        }
        Some(format!("npm run {BUILD_SCRIPT}"))
    } else if scripts.contains_key(BUILD_SCRIPT) {
        Some(format!("npm run {BUILD_SCRIPT}"))
    } else {
        scripts.contains_key("build").then(|| "npm run build".into())
    };
    BuildSteps {
        prepare,
        build,
        keep_fallback,
    }
}

/// Where the binary host is, for the workflow's publish step.
enum HostKind {
    S3,
    GithubReleases,
    Other(String),
}

fn host_kind(ctx: &Context) -> HostKind {
    // With napi_versions, evaluated for one of them, as `reveal` does: without one the
    // templates give URLs no command produces (`napi-v` with nothing after it).
    let napi = ctx
        .manifest
        .napi_versions()
        .ok()
        .flatten()
        .and_then(|v| v.into_iter().max());
    let host = ctx
        .evaluate("publish", napi)
        .map(|c| c.hosted_tarball)
        .unwrap_or_default();
    if host.contains("amazonaws.com")
        || host.starts_with("s3")
        || ctx
            .manifest
            .raw
            .get("binary")
            .and_then(|b| b.get("bucket"))
            .is_some()
    {
        HostKind::S3
    } else if host.starts_with("https://github.com/") && host.contains("/releases/download/") {
        HostKind::GithubReleases
    } else {
        HostKind::Other(host)
    }
}

/// The GitHub runner (and container) that builds a target natively.
fn runner(t: &Target) -> (&'static str, Option<&'static str>, Option<&'static str>) {
    match (t.platform.as_str(), t.arch.as_str(), t.libc.as_deref()) {
        ("linux", "x64", Some("musl")) => ("ubuntu-22.04", Some("node:22-alpine"), None),
        ("linux", "arm64", Some("musl")) => ("ubuntu-22.04-arm", Some("node:22-alpine"), None),
        ("linux", "arm64", _) => ("ubuntu-22.04-arm", None, None),
        ("linux", _, _) => ("ubuntu-22.04", None, None),
        ("darwin", "x64", _) => ("macos-15-intel", None, None),
        ("darwin", _, _) => ("macos-15", None, None),
        ("win32", "ia32", _) => ("windows-2022", None, Some("x86")),
        ("win32", "arm64", _) => ("windows-11-arm", None, None),
        ("win32", _, _) => ("windows-2022", None, None),
        _ => ("ubuntu-22.04", None, None),
    }
}

fn workflow_todo(ctx: &Context, pp: &PlatformPackages) -> Vec<String> {
    let root = ctx.manifest.name();
    let module_name = ctx.manifest.module_name();
    let names: Vec<String> = pp
        .targets
        .iter()
        .map(|t| pp.package_name(root, module_name, t))
        .collect();
    let mut todo = vec![
        format!(
            "first publish (once): a brand-new package name cannot use trusted publishing; add an npm token with publish rights as the repository secret NPM_TOKEN and push a version tag (the workflow publishes {} and {root} with it)",
            names.join(", ")
        ),
        format!(
            "trusted publishing: on npmjs.com, for {root} and each platform package, add this repository and the workflow file prebuild.yml as a trusted publisher; then delete the NPM_TOKEN secret"
        ),
    ];
    match host_kind(ctx) {
        HostKind::S3 => todo.push("binary host (S3): add the repository secrets AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY that `pregyp publish` uses".into()),
        HostKind::GithubReleases => todo.push("binary host (GitHub releases): the build jobs upload the staged tarballs to the release of the pushed tag; create that release before the tag's workflow runs (or let it fail and re-run)".into()),
        HostKind::Other(h) => todo.push(format!("binary host ({h}): neither S3 nor GitHub releases; add the upload of build/stage to the build job of .github/workflows/prebuild.yml")),
    }
    for t in &pp.targets {
        if let ("linux", "arm64", Some("musl")) =
            (t.platform.as_str(), t.arch.as_str(), t.libc.as_deref())
        {
            todo.push("linux-arm64-musl builds in an Alpine container on an arm64 runner, where GitHub's JavaScript actions do not run: check that job, or build it with a cross toolchain".into());
        }
    }
    todo
}

/// `.github/workflows/prebuild.yml`.
fn workflow_yaml(
    ctx: &Context,
    pp: &PlatformPackages,
    doc: &Map<String, Value>,
    build: &BuildSteps,
) -> String {
    let napi = ctx.manifest.napi_versions().ok().flatten().is_some();
    let module_path = ctx
        .manifest
        .binary
        .as_ref()
        .and_then(|b| b.module_path.clone())
        .unwrap_or_default();
    // Node-API builds run on any Node; others need one build per Node ABI, which
    // module_path must keep apart.
    let nodes = if napi || !module_path.contains("{node_abi}") {
        "[22]"
    } else {
        "[20, 22, 24]"
    };
    let has_test = doc
        .get("scripts")
        .and_then(|s| s.get("test"))
        .and_then(Value::as_str)
        .is_some_and(|t| !t.contains("no test specified"));
    let lockfile = ctx.dir.join("package-lock.json").is_file();
    let install = if lockfile {
        "npm ci --ignore-scripts"
    } else {
        "npm install --ignore-scripts --no-audit --no-fund"
    };
    let mut y = String::new();
    y.push_str(&format!(
        "# Written by `pregyp migrate`. On a version tag: builds {root} for every target on its own
# runner and tests it there, keeps publishing the staged tarballs to the binary host
# (installs that skip optional dependencies, and older versions, download from it), then
# publishes the platform packages and, last, {root} itself to npm with provenance,
# through trusted publishing. The root goes last so that it never names a platform
# package that is not on the registry yet.
#
# Once, before the first release: a brand-new package name cannot use trusted
# publishing. Add an npm token with publish rights as the repository secret NPM_TOKEN
# and push the tag: the publish job uses it where trusted publishing is not set up yet.
# Then, on npmjs.com, add this repository and this workflow (prebuild.yml) as the
# trusted publisher of {root} and of each platform package, and delete NPM_TOKEN.
name: prebuild
on:
  push:
    tags: ['v*']
  workflow_dispatch:
permissions:
  contents: read
jobs:
  build:
    strategy:
      fail-fast: false
      matrix:
        target: [{targets}]
        node: {nodes}
        include:
",
        root = ctx.manifest.name(),
        targets = pp
            .targets
            .iter()
            .map(Target::triple)
            .collect::<Vec<_>>()
            .join(", "),
    ));
    for t in &pp.targets {
        let (os, container, arch) = runner(t);
        y.push_str(&format!(
            "          - target: {}\n            os: {os}\n",
            t.triple()
        ));
        if let Some(c) = container {
            y.push_str(&format!("            container: '{c}'\n"));
        }
        if let Some(a) = arch {
            y.push_str(&format!("            node-arch: {a}\n"));
        }
    }
    let any_container = pp.targets.iter().any(|t| runner(t).1.is_some());
    let any_arch = pp.targets.iter().any(|t| runner(t).2.is_some());
    y.push_str("    runs-on: ${{ matrix.os }}\n");
    if any_container {
        y.push_str("    container: ${{ matrix.container }}\n");
    }
    y.push_str("    permissions:\n      contents: write\n    steps:\n");
    if any_container {
        y.push_str("      - name: Build tools (Alpine)\n        if: ${{ matrix.container }}\n        run: apk add --no-cache python3 make g++ git\n");
    }
    y.push_str("      - uses: actions/checkout@v5\n      - uses: actions/setup-node@v5\n");
    if any_container {
        y.push_str("        if: ${{ !matrix.container }}\n");
    }
    y.push_str("        with:\n          node-version: ${{ matrix.node }}\n");
    if any_arch {
        y.push_str("          architecture: ${{ matrix.node-arch }}\n");
    }
    y.push_str(&format!("      - run: {install}\n"));
    for p in &build.prepare {
        y.push_str(&format!("      - run: {p}\n"));
    }
    let command = build.build.as_deref().unwrap_or("npx pregyp rebuild");
    y.push_str(&format!("      - run: {command}\n"));
    if has_test {
        y.push_str("      - name: Test the binary on its runner\n        run: npm test\n");
    }
    y.push_str("      - run: npx pregyp testbinary package testpackage\n");
    match host_kind(ctx) {
        HostKind::S3 => y.push_str(
            "      - name: Publish the staged tarballs to the binary host
        if: startsWith(github.ref, 'refs/tags/')
        run: npx pregyp publish
        env:
          AWS_ACCESS_KEY_ID: ${{ secrets.AWS_ACCESS_KEY_ID }}
          AWS_SECRET_ACCESS_KEY: ${{ secrets.AWS_SECRET_ACCESS_KEY }}
",
        ),
        HostKind::GithubReleases => y.push_str(
            "      - name: Publish the staged tarballs to the binary host (this tag's GitHub release)
        if: startsWith(github.ref, 'refs/tags/')
        shell: bash
        run: find build/stage -name '*.tar.gz' -exec gh release upload \"$GITHUB_REF_NAME\" --clobber {} +
        env:
          GH_TOKEN: ${{ github.token }}
",
        ),
        HostKind::Other(_) => y.push_str(
            "      # The binary host is neither S3 nor GitHub releases: upload build/stage to it here.\n",
        ),
    }
    y.push_str(
        "      - uses: actions/upload-artifact@v6
        with:
          name: stage-${{ matrix.target }}-node${{ matrix.node }}
          path: build/stage

  publish:
    needs: build
    if: startsWith(github.ref, 'refs/tags/')
    runs-on: ubuntu-22.04
    permissions:
      contents: read
      id-token: write
    steps:
      - uses: actions/checkout@v5
      - uses: actions/setup-node@v5
        with:
          node-version: 22
          registry-url: 'https://registry.npmjs.org'
      - name: npm with trusted publishing (11.5.1 or later)
        run: npm install -g npm@latest
",
    );
    y.push_str(&format!("      - run: {install}\n"));
    y.push_str(
        "      - uses: actions/download-artifact@v7
        with:
          path: artifacts
      - run: npx pregyp platform-package --from artifacts
      - run: npx pregyp optional-deps --write
      - name: Publish the platform packages, then the root package last
        run: |
          for pj in build/npm/*/package.json build/npm/@*/*/package.json; do
            [ -f \"$pj\" ] || continue
            spec=$(node -p \"const p = require('./' + process.argv[1]); p.name + '@' + p.version\" \"$pj\")
            if npm view \"$spec\" version > /dev/null 2>&1; then
              echo \"$spec is already published\"
              continue
            fi
            (cd \"$(dirname \"$pj\")\" && npm publish --provenance --access public)
          done
          npm publish --provenance --access public
        env:
          NODE_AUTH_TOKEN: ${{ secrets.NPM_TOKEN }}
",
    );
    y
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_probed_target_builds_on_its_own_platform() {
        for t in SUPPORTED_TARGETS {
            let target = Target::parse(t).unwrap();
            let (os, container, _) = runner(&target);
            let want = match target.platform.as_str() {
                "win32" => "windows-",
                "darwin" => "macos-",
                _ => "ubuntu-",
            };
            assert!(os.starts_with(want), "{t} -> {os}");
            assert_eq!(
                os.ends_with("-arm"),
                target.arch == "arm64" && target.platform == "linux" || os == "windows-11-arm",
                "{t} -> {os}"
            );
            assert_eq!(
                container.is_some(),
                target.libc.as_deref() == Some("musl"),
                "{t}"
            );
        }
    }

    #[test]
    fn scripts_call_pregyp() {
        assert_eq!(
            rewrite_script("node-pre-gyp install --fallback-to-build"),
            "pregyp install --fallback-to-build"
        );
        assert_eq!(
            rewrite_script("node-pre-gyp-github publish"),
            "node-pre-gyp-github publish"
        );
        assert_eq!(
            rewrite_script("./node_modules/.bin/node-pre-gyp rebuild"),
            "./node_modules/.bin/pregyp rebuild"
        );
    }
}
