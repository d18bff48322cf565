//! `migrate [--dry-run] [--keep-name] [--targets <list>] [--workflow github|none] [--yes]`:
//! moves a node-pre-gyp package, in place, onto pregyp and platform packages.
//!
//! Everything is computed first (package.json, the JS call sites, the workflow), shown as
//! one unified diff, and only then written, each file through a temp file and a rename:
//! a refusal or an error leaves the folder as it was, `--dry-run` writes nothing, and a
//! second run finds nothing to change.

use super::{Context, Outcome};
use crate::config::platform::{PlatformPackages, Target};
use crate::error::{Error, IoContext, Result};
use crate::results::MigrateResult;
use regex_lite::Regex;
use serde_json::{json, Map, Value};
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

/// The targets probed on the host when `--targets` is not given: the ones the
/// platform-package ecosystem (esbuild, sharp, @swc) ships.
const PROBED_TARGETS: &[&str] = &[
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
    if !binary.contains_key("platform_packages") {
        binary.insert(
            "platform_packages".into(),
            json!({ "name": crate::config::platform::DEFAULT_NAME, "targets": result.targets }),
        );
    }
    let pp_value = binary.get("platform_packages").cloned().unwrap_or_default();
    let pp: PlatformPackages =
        crate::config::manifest::parse_platform_packages(&pp_value, &root_name, &module_name)
            .map_err(|(field, reason)| Error::InvalidField {
                path: pj.clone(),
                field,
                reason,
            })?;
    layout_todo(ctx, &pp, &mut result.todo);
    let version = ctx.manifest.version().to_string();
    let deps: Map<String, Value> = pp
        .targets
        .iter()
        .map(|t| (pp.package_name(&root_name, &module_name, t), json!(version)))
        .collect();
    // The same set-up as `optional-deps --write`: optionalDependencies, the install script
    // gone, binding.gyp shipped as pregyp-binding.gyp (so that no package manager acts on
    // it), "gypfile": false. Where no platform package fits, the build moves to first use.
    let gyp_path = ctx.dir.join("binding.gyp");
    let has_gyp = gyp_path.is_file();
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
        let depth = (!ts).then(|| rel.matches('/').count());
        match rewrite_js(&old, depth, &module_name, keep_name) {
            Ok((new, manual)) => {
                result
                    .manual
                    .extend(manual.into_iter().map(|(l, c)| format!("{rel}:{l}: {c}")));
                if new != old {
                    changes.push(FileChange {
                        rel,
                        old: Some(old),
                        new,
                    });
                }
            }
            Err(why) => result
                .unparsed
                .push(format!("{rel}: {why}, left untouched")),
        }
    }

    // Workflow.
    if workflow == "github" {
        let rel = ".github/workflows/prebuild.yml";
        let new = workflow_yaml(ctx, &pp, &doc);
        match std::fs::read_to_string(ctx.dir.join(rel)) {
            Ok(old) if old == new => {}
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
            "build and test as before with `npx pregyp rebuild` (npm install no longer builds {root_name}); `npx pregyp package platform-package` makes this machine's platform package"
        ));
    }

    if !dry_run {
        for c in &changes {
            write_atomic(&ctx.dir.join(&c.rel), &c.new)?;
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

/// Refuses uncommitted changes in git unless `--yes`, or a person at a terminal agrees.
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
    // No git, or not a repository: nothing to protect.
    let Ok(out) = out else { return Ok(()) };
    if !out.status.success() || out.stdout.is_empty() {
        return Ok(());
    }
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
    use std::io::{BufRead, IsTerminal, Write};
    if !std::io::stdin().is_terminal() {
        return Err(Error::MigrateRefused(format!(
            "{what}; commit or stash them first so that migrate's changes can be reviewed alone, or pass --yes. No terminal to ask on: nothing was changed"
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
            let t = Target::parse(t).map_err(|reason| Error::InvalidOption {
                name: "targets".into(),
                value: list.clone(),
                reason,
            })?;
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
    for t in PROBED_TARGETS {
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
fn layout_todo(ctx: &Context, pp: &PlatformPackages, todo: &mut Vec<String>) {
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
    let names = format!(
        "{}{}",
        b.package_name.clone().unwrap_or_default(),
        b.remote_path.clone().unwrap_or_default()
    );
    // Each Node ABI's build gets its own folder in the platform package; only the staged
    // tarballs, which the workflow gathers by name, must tell the ABIs apart.
    if !napi && b.package_name.is_some() && !names.contains("{node_abi}") {
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

/// The index just past the `)` that closes the `(` at `open`, skipping strings,
/// template literals and comments; `None` when the text ends first.
fn close_paren(s: &str, open: usize) -> Option<usize> {
    let b = s.as_bytes();
    let mut depth = 0usize;
    let mut i = open;
    while i < b.len() {
        match b[i] {
            b'(' => depth += 1,
            b')' => {
                depth -= 1;
                if depth == 0 {
                    return Some(i + 1);
                }
            }
            q @ (b'\'' | b'"' | b'`') => {
                i += 1;
                while i < b.len() && b[i] != q {
                    if b[i] == b'\\' {
                        i += 1;
                    }
                    i += 1;
                }
                if i >= b.len() {
                    return None;
                }
            }
            b'/' if b.get(i + 1) == Some(&b'/') => {
                while i < b.len() && b[i] != b'\n' {
                    i += 1;
                }
            }
            b'/' if b.get(i + 1) == Some(&b'*') => {
                i = s[i + 2..].find("*/").map(|j| i + 2 + j + 1)?;
            }
            _ => {}
        }
        i += 1;
    }
    None
}

/// Whether `args` (a call's argument text) holds more than one argument.
fn has_top_level_comma(args: &str) -> bool {
    let mut depth = 0i32;
    let mut quote: Option<char> = None;
    let mut prev = ' ';
    for c in args.chars() {
        match quote {
            Some(q) => {
                if c == q && prev != '\\' {
                    quote = None;
                }
            }
            None => match c {
                '\'' | '"' | '`' => quote = Some(c),
                '(' | '[' | '{' => depth += 1,
                ')' | ']' | '}' => depth -= 1,
                ',' if depth == 0 => return true,
                _ => {}
            },
        }
        prev = c;
    }
    false
}

/// The span of a statement to delete: its whole line when it stands alone on it.
fn whole_line(text: &str, start: usize, end: usize) -> (usize, usize) {
    let line_start = text[..start].rfind('\n').map(|i| i + 1).unwrap_or(0);
    let line_end = text[end..]
        .find('\n')
        .map(|i| end + i + 1)
        .unwrap_or(text.len());
    if text[line_start..start].trim().is_empty() && text[end..line_end].trim().is_empty() {
        (line_start, line_end)
    } else {
        (start, end)
    }
}

fn line_of(s: &str, at: usize) -> usize {
    s[..at].matches('\n').count() + 1
}

/// The expression for the package folder, from a file `depth` folders below it.
fn root_expr(depth: usize) -> String {
    if depth == 0 {
        "__dirname".into()
    } else {
        format!(
            "require('path').join(__dirname, '{}')",
            vec![".."; depth].join("/")
        )
    }
}

/// Rewrites one JS file's recognisable shapes; returns the new text and the lines left
/// for a person (line number, code). `Err` names why the file could not be parsed.
///
/// Shapes:
/// - `require(X.find(<pkg>))` -> `X.load(<pkg>)`, X being a node-pre-gyp require;
/// - `var p = X.find(<pkg>); ... require(p)` (p used nowhere else) -> `X.load(<pkg>)`;
/// - other `X.find(...)` calls stay: pregyp's find() has the same contract;
/// - `require('@mapbox/node-pre-gyp')` -> `require('pregyp')` (not with --keep-name);
/// - `require('bindings')('<module_name>')` and `require('<path>/<module_name>.node')`
///   -> `require('pregyp').load(<package folder>)`, which also looks in platform packages.
fn rewrite_js(
    text: &str,
    depth: Option<usize>,
    module_name: &str,
    keep_name: bool,
) -> std::result::Result<(String, Vec<(usize, String)>), String> {
    let npg = r#"(?:@[\w.-]+/)?node-pre-gyp|pregyp"#;
    let mut edits: Vec<(usize, usize, String)> = Vec::new();
    // Identifiers bound to node-pre-gyp.
    let bind = Regex::new(&format!(
        r#"(?:var|let|const)\s+([A-Za-z_$][\w$]*)\s*=\s*require\(\s*['"](?:{npg})['"]\s*\)"#
    ))
    .expect("valid regex");
    let mut callees: Vec<String> = bind
        .captures_iter(text)
        .map(|c| regex_lite::escape(&c[1]))
        .collect();
    callees.push(format!(r#"require\(\s*['"](?:{npg})['"]\s*\)"#));
    let find_call =
        Regex::new(&format!(r"({})\s*\.\s*find\s*\(", callees.join("|"))).expect("valid regex");
    for m in find_call.captures_iter(text) {
        let whole = m.get(0).expect("match");
        let callee = m.get(1).expect("group").as_str();
        let open = whole.end() - 1;
        let close = close_paren(text, open)
            .ok_or_else(|| format!("unbalanced parentheses after line {}", line_of(text, open)))?;
        let args = &text[open + 1..close - 1];
        if has_top_level_comma(args) {
            continue; // find(pkg, opts): kept, it works as it is.
        }
        let load = format!("{callee}.load({args})");
        // require(X.find(...))
        let before = &text[..whole.start()];
        let after = &text[close..];
        let req_open = Regex::new(r"require\s*\(\s*$").expect("valid regex");
        if let Some(r) = req_open.find(before) {
            let ws = after.len() - after.trim_start().len();
            if after[ws..].starts_with(')') {
                edits.push((r.start(), close + ws + 1, load));
                continue;
            }
        }
        // var p = X.find(...); ... require(p)
        let decl = Regex::new(r"(?:var|let|const)\s+([A-Za-z_$][\w$]*)\s*=\s*$").expect("valid");
        if let Some(d) = decl.captures(before) {
            let var = d.get(1).expect("group").as_str();
            let word = Regex::new(&format!(
                r"(?:^|[^\w$.]){}(?:[^\w$]|$)",
                regex_lite::escape(var)
            ))
            .expect("valid");
            if word.find_iter(text).count() != 2 {
                continue; // the path is used elsewhere: keep find()
            }
            let use_re = Regex::new(&format!(r"require\s*\(\s*{}\s*\)", regex_lite::escape(var)))
                .expect("valid");
            let Some(u) = use_re.find_at(text, close) else {
                continue;
            };
            // The whole declaration statement, with its line when it stands alone.
            let stmt_start = d.get(0).expect("match").start();
            let mut stmt_end = close;
            if text[stmt_end..].starts_with(';') {
                stmt_end += 1;
            }
            let (s, e) = whole_line(text, stmt_start, stmt_end);
            edits.push((s, e, String::new()));
            edits.push((u.start(), u.end(), load));
        }
    }
    // bindings('<module_name>') and require('<...>/<module_name>.node'), where the path
    // to the package folder is known.
    let name = regex_lite::escape(module_name);
    if let Some(depth) = depth {
        // bindings('<module_name>') and require('<...>/<module_name>.node').
        let load_root = format!("require('pregyp').load({})", root_expr(depth));
        let bindings = Regex::new(&format!(
            r#"require\s*\(\s*['"]bindings['"]\s*\)\s*\(\s*['"]{name}(?:\.node)?['"]\s*\)"#
        ))
        .expect("valid");
        for m in bindings.find_iter(text) {
            edits.push((m.start(), m.end(), load_root.clone()));
        }
        // `var getBindings = require('bindings'); ... getBindings('<module_name>')`
        let bound = Regex::new(
            r#"(?:(?:var|let|const)\s+([A-Za-z_$][\w$]*)\s*=\s*require\s*\(\s*['"]bindings['"]\s*\)|import\s+(?:\*\s*as\s+)?([A-Za-z_$][\w$]*)\s+from\s+['"]bindings['"])\s*;?"#,
        )
        .expect("valid");
        let mut bindings_decls = Vec::new();
        for c in bound.captures_iter(text) {
            let id = regex_lite::escape(c.get(1).or(c.get(2)).expect("one of them").as_str());
            let call = Regex::new(&format!(
                r#"(?:^|[^\w$.])({id}\s*\(\s*['"]{name}(?:\.node)?['"]\s*\))"#
            ))
            .expect("valid");
            let calls: Vec<_> = call
                .captures_iter(text)
                .map(|m| m.get(1).expect("group"))
                .collect();
            let uses = Regex::new(&format!(r"(?:^|[^\w$.]){id}(?:[^\w$]|$)"))
                .expect("valid")
                .find_iter(text)
                .count();
            for m in &calls {
                edits.push((m.start(), m.end(), load_root.clone()));
            }
            // Every use rewritten: the declaration goes too (with its line when alone).
            if !calls.is_empty() && uses == calls.len() + 1 {
                let d = c.get(0).expect("match");
                bindings_decls.push(whole_line(text, d.start(), d.end()));
            }
        }
        for (s, e) in bindings_decls {
            edits.push((s, e, String::new()));
        }
        let direct = Regex::new(&format!(
            r#"require\s*\(\s*(?:'\.[^'\n]*/{name}\.node'|"\.[^"\n]*/{name}\.node"|`\.[^`$\n]*/{name}\.node`)\s*\)"#
        ))
        .expect("valid");
        for m in direct.find_iter(text) {
            edits.push((m.start(), m.end(), load_root.clone()));
        }
    }
    // The module name.
    if !keep_name {
        let name_re = Regex::new(
            r#"((?:require\s*\(|import\s*\(|from)\s*)(['"])(?:@[\w.-]+/)?node-pre-gyp(['"])"#,
        )
        .expect("valid");
        for c in name_re.captures_iter(text) {
            let m = c.get(0).expect("match");
            if edits
                .iter()
                .any(|(s, e, _)| *s <= m.start() && m.end() <= *e)
            {
                continue;
            }
            edits.push((
                m.start(),
                m.end(),
                format!("{}{}pregyp{}", &c[1], &c[2], &c[3]),
            ));
        }
    }
    // Apply, last first; overlapping edits (a shape inside another) keep the outer one.
    edits.sort_by(|a, b| a.0.cmp(&b.0).then(b.1.cmp(&a.1)));
    let mut kept: Vec<(usize, usize, String)> = Vec::new();
    for e in edits {
        if kept.last().is_some_and(|k| e.0 < k.1) {
            continue;
        }
        kept.push(e);
    }
    let mut out = text.to_string();
    for (s, e, r) in kept.iter().rev() {
        out.replace_range(*s..*e, r);
    }
    // Within the load() rewrites, the callee's module name follows the dependency too.
    if !keep_name {
        let inner = Regex::new(r#"require\(\s*(['"])(?:@[\w.-]+/)?node-pre-gyp(['"])\s*\)"#)
            .expect("valid");
        out = inner
            .replace_all(&out, "require(${1}pregyp${2})")
            .into_owned();
    }
    // What is left for a person.
    let mut manual = Vec::new();
    let leftover_bindings =
        Regex::new(r#"require\s*\(\s*['"]bindings['"]\s*\)|from\s+['"]bindings['"]"#)
            .expect("valid");
    let leftover_node = Regex::new(&format!(r#"{name}\.node['"`]"#)).expect("valid");
    let leftover_npg =
        Regex::new(r#"['"](?:@[\w.-]+/)?node-pre-gyp(?:/[^'"]*)?['"]"#).expect("valid");
    for (i, line) in out.lines().enumerate() {
        let t = line.trim();
        if t.starts_with("//") || t.starts_with('*') {
            continue;
        }
        let npg_left = !keep_name && leftover_npg.is_match(line);
        if leftover_bindings.is_match(line) || leftover_node.is_match(line) || npg_left {
            manual.push((i + 1, t.to_string()));
        }
    }
    Ok((out, manual))
}

/// Writes `text` to `path` through a temp file and a rename.
fn write_atomic(path: &Path, text: &str) -> Result<()> {
    let dir = path.parent().unwrap_or(Path::new("."));
    std::fs::create_dir_all(dir).at("create directory", dir)?;
    let mut tmp = tempfile::Builder::new()
        .prefix(".pregyp-migrate-")
        .tempfile_in(dir)
        .at("create temp file in", dir)?;
    std::io::Write::write_all(&mut tmp, text.as_bytes()).at("write", tmp.path())?;
    if let Ok(meta) = std::fs::metadata(path) {
        let _ = std::fs::set_permissions(tmp.path(), meta.permissions());
    } else {
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let _ = std::fs::set_permissions(tmp.path(), std::fs::Permissions::from_mode(0o644));
        }
    }
    tmp.persist(path)
        .map_err(|e| Error::io("rename into", path, e.error))?;
    Ok(())
}

/// Where the binary host is, for the workflow's publish step.
enum HostKind {
    S3,
    GithubReleases,
    Other(String),
}

fn host_kind(ctx: &Context) -> HostKind {
    let host = ctx
        .evaluate("publish", None)
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
fn workflow_yaml(ctx: &Context, pp: &PlatformPackages, doc: &Map<String, Value>) -> String {
    let napi = ctx.manifest.napi_versions().ok().flatten().is_some();
    // Node-API builds run on any Node; others need one build per Node ABI, on every
    // major the package supports (one platform package holds them all).
    let engines = doc
        .get("engines")
        .and_then(|e| e.get("node"))
        .and_then(Value::as_str);
    let nodes = if napi {
        "[22]".to_string()
    } else {
        let majors: Vec<String> = crate::config::target::supported_node_majors(engines)
            .iter()
            .map(u32::to_string)
            .collect();
        format!("[{}]", majors.join(", "))
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
    y.push_str("      - run: npx pregyp rebuild\n");
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

    fn rw(src: &str, depth: usize, name: &str) -> (String, Vec<(usize, String)>) {
        rewrite_js(src, Some(depth), name, false).unwrap()
    }

    #[test]
    fn find_shapes_become_load() {
        // bcrypt 5.1.1's bcrypt.js
        let src = "var nodePreGyp = require('@mapbox/node-pre-gyp');\nvar path = require('path');\nvar binding_path = nodePreGyp.find(path.resolve(path.join(__dirname, './package.json')));\nvar bindings = require(binding_path);\n";
        let (out, manual) = rw(src, 0, "bcrypt_lib");
        assert_eq!(out, "var nodePreGyp = require('pregyp');\nvar path = require('path');\nvar bindings = nodePreGyp.load(path.resolve(path.join(__dirname, './package.json')));\n");
        assert!(manual.is_empty());
        // One expression.
        let (out, _) = rw("const b = require(require(\"@mapbox/node-pre-gyp\").find(require('path').join(__dirname, 'package.json')));\n", 0, "x");
        assert_eq!(out, "const b = require(\"pregyp\").load(require('path').join(__dirname, 'package.json'));\n");
        // The path used elsewhere: find() stays, the module name follows.
        let src = "const pre = require('node-pre-gyp');\nconst p = pre.find(pj);\nconsole.log(p);\nmodule.exports = require(p);\n";
        let (out, manual) = rw(src, 0, "x");
        assert_eq!(out, src.replace("'node-pre-gyp'", "'pregyp'"));
        assert!(manual.is_empty());
        // With options: kept.
        let src = "const pre = require('@mapbox/node-pre-gyp');\nmodule.exports = require(pre.find(pj, { debug: true }));\n";
        assert_eq!(
            rw(src, 0, "x").0,
            src.replace("@mapbox/node-pre-gyp", "pregyp")
        );
    }

    #[test]
    fn bindings_and_direct_requires_become_load() {
        let (out, m) = rw(
            "module.exports = require('bindings')('xmljs');\n",
            1,
            "xmljs",
        );
        assert_eq!(
            out,
            "module.exports = require('pregyp').load(require('path').join(__dirname, '..'));\n"
        );
        assert!(m.is_empty());
        let (out, _) = rw(
            "const {S} = require (`../build/Release/sock.node`);\n",
            1,
            "sock",
        );
        assert_eq!(
            out,
            "const {S} = require('pregyp').load(require('path').join(__dirname, '..'));\n"
        );
        // libxmljs 1.0's shape: bindings through a variable.
        let (out, m) = rw(
            "var getBindings = require(\"bindings\");\nvar bindings = getBindings(\"xmljs\");\n",
            2,
            "xmljs",
        );
        assert_eq!(
            out,
            "var bindings = require('pregyp').load(require('path').join(__dirname, '../..'));\n"
        );
        assert!(m.is_empty());
        // The same in TypeScript.
        let (out, _) = rw(
            "import * as getBindings from \"bindings\";\nconst bindings = getBindings(\"xmljs\");\n",
            1,
            "xmljs",
        );
        assert_eq!(
            out,
            "const bindings = require('pregyp').load(require('path').join(__dirname, '..'));\n"
        );
        // Another addon's binding, or bindings used another way: listed, unchanged.
        let src = "var b = require('bindings');\nmodule.exports = b('other');\n";
        let (out, m) = rw(src, 0, "xmljs");
        assert_eq!(out, src);
        assert_eq!(m, vec![(1, "var b = require('bindings');".to_string())]);
    }

    #[test]
    fn rewriting_is_idempotent_and_keep_name_keeps_the_name() {
        let src = "var binary = require('@mapbox/node-pre-gyp');\nvar p = binary.find(path.resolve(path.join(__dirname,'./package.json')));\nvar x = require(p);\n";
        let (once, _) = rw(src, 0, "x");
        assert_eq!(rw(&once, 0, "x").0, once);
        let (kept, m) = rewrite_js(src, Some(0), "x", true).unwrap();
        assert!(
            kept.starts_with("var binary = require('@mapbox/node-pre-gyp');\nvar x = binary.load(")
        );
        assert!(m.is_empty());
    }

    #[test]
    fn unbalanced_code_is_not_touched() {
        let src = "var b = require('node-pre-gyp');\nb.find(path.join(__dirname, 'x'\n";
        assert!(rewrite_js(src, Some(0), "x", false).is_err());
    }

    #[test]
    fn every_probed_target_builds_on_its_own_platform() {
        for t in PROBED_TARGETS {
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
