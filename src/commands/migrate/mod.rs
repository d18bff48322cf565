//! `migrate [--dry-run] [--keep-name] [--targets <list>] [--workflow github|none] [--yes]`:
//! moves a node-pre-gyp package, in place, onto pregyp and platform packages.
//!
//! Everything is computed first (package.json, the JS call sites, the workflow), shown as
//! one unified diff, and only then written, each file through a temp file and a rename:
//! a refusal or an error leaves the folder as it was, `--dry-run` writes nothing, and a
//! second run finds nothing to change.

mod js;
mod targets;
mod workflow;

use super::{Context, Outcome};
use crate::config::platform::{PlatformPackages, Target};
use crate::error::{Error, IoContext, Result};
use crate::results::MigrateResult;
use serde_json::{json, Map, Value};
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use targets::choose_targets;
use workflow::{build_steps, is_sealed, sealed, workflow_todo, workflow_yaml, BUILD_SCRIPT};

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
    let _lock = crate::place::staging::lock_for("migrate", lock_path(&ctx.dir), &ctx.dir).await?;
    let pj = ctx.manifest.path.clone();
    let text = std::fs::read_to_string(&pj).at("read", &pj)?;
    let mut reloaded = ctx.clone();
    reloaded.manifest = crate::config::manifest::Manifest::parse(text.as_bytes(), pj.clone())?;
    let ctx = &reloaded;
    let Value::Object(mut doc) = ctx.manifest.raw.clone() else {
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
                if lifecycle && super::common::platform_packages::is_binding_install_script(s) {
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
    match binary
        .get_mut("platform_packages")
        .and_then(Value::as_object_mut)
    {
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
    let writes_workflow = workflow == "github" && build.build.is_some();
    layout_todo(ctx, &pp, writes_workflow, &mut result.todo);
    if let Some(f) = &build.keep_fallback {
        if let Some(scripts) = doc.get_mut("scripts").and_then(Value::as_object_mut) {
            scripts.insert(BUILD_SCRIPT.into(), json!(f));
            notes.push(format!(
                "scripts.{BUILD_SCRIPT}: \"{f}\" (the build the install script fell back to)"
            ));
        }
    }
    let (changed, warnings) = super::common::platform_packages::setup_platform_packages_doc(
        &pj, &mut doc, &deps, has_gyp,
    )?;
    notes.extend(changed);
    result.todo.extend(warnings);

    let mut changes = Vec::new();
    let new_pj =
        super::common::package_json::render_package_json(&text, &Value::Object(doc.clone()));
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
    let module_dir = ctx
        .evaluate("install", latest_napi(ctx))
        .ok()
        .and_then(|c| c.module_path.strip_prefix(&ctx.dir).ok().map(slashed));
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
                Some(Value::Object(o)) => o
                    .values()
                    .filter_map(|v| v.as_str().map(String::from))
                    .collect(),
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
        let module_path = module_path_as_written(ctx);
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
            let listed = changes
                .iter()
                .map(|c| c.rel.as_str())
                .collect::<Vec<_>>()
                .join(", ");
            return Err(Error::MigrateRefused(if e.left_changed.is_empty() {
                format!(
                    "{}; migrate wrote none of its changes ({listed}): the package is as it was",
                    e.error
                )
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

/// `binary.module_path` as package.json writes it (templates not evaluated).
fn module_path_as_written(ctx: &Context) -> String {
    ctx.manifest
        .binary
        .as_ref()
        .and_then(|b| b.module_path.clone())
        .unwrap_or_default()
}

/// The newest of `binary.napi_versions`, to evaluate templates with as `reveal` does:
/// without one they give paths and URLs no command produces (`napi-v` and nothing).
fn latest_napi(ctx: &Context) -> Option<u32> {
    ctx.manifest
        .napi_versions()
        .ok()
        .flatten()
        .and_then(|v| v.into_iter().max())
}

/// The lock file of migrate runs on `dir`: in the temp folder, so that the package
/// gets no file of it.
fn lock_path(dir: &Path) -> PathBuf {
    let dir = dunce::canonicalize(dir).unwrap_or_else(|_| dir.to_path_buf());
    let hash = crate::fetch::cache::sha256_hex(dir.to_string_lossy().as_bytes());
    std::env::temp_dir().join(format!("pregyp-migrate-{}.lock", &hash[..16]))
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
    // The name node-pre-gyp uses when package_name is not set.
    let names = format!(
        "{}{}",
        b.package_name.clone().unwrap_or_else(|| {
            "{module_name}-v{version}-{node_abi}-{platform}-{arch}.tar.gz".into()
        }),
        b.remote_path.clone().unwrap_or_default()
    );
    // Each Node ABI's build gets its own folder in the platform package; only the staged
    // tarballs, which the workflow gathers by name, must tell the ABIs apart.
    if !napi && github && !names.contains("{node_abi}") {
        todo.push(
            "package_name (or remote_path) has no {node_abi}: add it, or the staged tarballs of the Node majors the workflow builds share one name".into(),
        );
    }
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

#[cfg(test)]
mod tests {
    use super::targets::{runner, SUPPORTED_TARGETS};
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
