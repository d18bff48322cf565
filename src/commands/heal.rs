//! `heal`: walk a project's installed dependencies (npm, yarn and pnpm layouts), find
//! every native package whose binding is missing or does not load, whatever installs
//! it (a node-pre-gyp `binary` block, prebuild-install, node-gyp-build, a bare
//! binding.gyp), and mend each one as its blocked install script would have, a few at
//! a time: node-pre-gyp packages through `install` (download, verify, unpack; a source
//! build where their script says `--fallback-to-build`, or `--build-from-source` asks),
//! prebuild-install packages by its rules else node-gyp, the others with node-gyp.
//! One table says, per package, what was found and what was done.
//! For projects installed with `--ignore-scripts`, npm 12, pnpm, Yarn 4 or bun.

use super::{Context, Outcome};
use crate::building::process::ChildOutput;
use crate::config::manifest::Manifest;
use crate::config::options::{CommandCall, Selector};
use crate::config::package_manager::PackageManager;
use crate::error::{Error, Result};
use crate::log;
use crate::mend::kind::{self, Kind};
use crate::mend::{prebuild_install, source_build};
use crate::results::{HealResult, HealedPackage, PendingPackage, Source};
use std::collections::HashSet;
use std::path::{Path, PathBuf};
use std::time::Instant;

/// An installed native package.
#[derive(Debug, Clone)]
struct Candidate {
    dir: PathBuf,
    manifest: Manifest,
    kind: Kind,
}

/// Every installed package folder under `root/node_modules`, symlinks resolved and
/// deduplicated (pnpm links the same store folder from many places).
pub fn installed_packages(root: &Path) -> Vec<PathBuf> {
    let mut seen = HashSet::new();
    let mut out = Vec::new();
    let mut queue = vec![(root.join("node_modules"), 0usize)];
    while let Some((nm, depth)) = queue.pop() {
        if depth > 32 {
            continue;
        }
        let Ok(entries) = std::fs::read_dir(&nm) else {
            continue;
        };
        for e in entries.flatten() {
            let name = e.file_name().to_string_lossy().into_owned();
            let path = e.path();
            if name == ".pnpm" {
                // pnpm's store: .pnpm/<id>/node_modules/<package>
                if let Ok(ids) = std::fs::read_dir(&path) {
                    for id in ids.flatten() {
                        queue.push((id.path().join("node_modules"), depth + 1));
                    }
                }
                continue;
            }
            if name.starts_with('.') {
                continue;
            }
            let dirs = if name.starts_with('@') {
                std::fs::read_dir(&path)
                    .map(|d| d.flatten().map(|x| x.path()).collect())
                    .unwrap_or_default()
            } else {
                vec![path]
            };
            for d in dirs {
                // dunce: no `\\?\` prefix on Windows (these paths are printed).
                let Ok(real) = dunce::canonicalize(&d) else {
                    continue;
                };
                if !real.join("package.json").is_file() || !seen.insert(real.clone()) {
                    continue;
                }
                queue.push((real.join("node_modules"), depth + 1));
                out.push(real);
            }
        }
    }
    out.sort();
    out
}

/// The installed native packages heal can mend, and (name, folder) of those with a
/// binding.gyp whose install script is their own (`node install.js`, `cmake-js compile`,
/// ...), which heal does not run.
fn candidates(root: &Path) -> (Vec<Candidate>, Vec<(String, PathBuf)>) {
    let mut found = Vec::new();
    let mut own_script = Vec::new();
    for dir in installed_packages(root) {
        let Ok(manifest) = Manifest::load(&dir.join("package.json"), &dir) else {
            continue;
        };
        let kind = if kind::node_pre_gyp_ready(&manifest) {
            Some(Kind::NodePreGyp)
        } else {
            kind::classify(&dir, &manifest.raw)
        };
        match kind {
            Some(kind) => found.push(Candidate {
                dir,
                manifest,
                kind,
            }),
            None if dir.join("binding.gyp").is_file()
                && kind::has_install_script(&manifest.raw) =>
            {
                own_script.push((manifest.name().to_string(), dir))
            }
            None => {}
        }
    }
    (found, own_script)
}

/// What heal found and did for one package.
#[derive(Debug, Clone)]
struct Row {
    name: String,
    dir: PathBuf,
    kind: Kind,
    state: &'static str,
    source: Option<Source>,
    ms: u128,
    result: std::result::Result<&'static str, String>,
    /// A build the package's script lets fail, which did (not a failure of heal).
    optional_failure: Option<String>,
}

fn package_context(parent: &Context, c: &Candidate, update: bool) -> Context {
    let mut opts = parent.opts.clone();
    opts.directory = None;
    opts.update_binary = update;
    // A blocked `node-pre-gyp install --fallback-to-build` would have built from source
    // where no binary installs; so does heal, unless --fallback-to-build=false says not to.
    let refused =
        opts.raw.contains_key("fallback_to_build") && opts.fallback_to_build == Selector::Off;
    if c.kind == Kind::NodePreGyp
        && !refused
        && kind::script_falls_back_to_build(&c.dir, &c.manifest.raw)
    {
        opts.fallback_to_build = Selector::All;
    }
    parent.for_package(opts, c.dir.clone(), c.manifest.clone())
}

/// Mends one package; returns its row and the bindings to test-load (all of them are
/// loaded together afterwards, see `can_load_all`).
async fn heal_one(
    ctx: Context,
    c: Candidate,
    state: &'static str,
    pm: Option<PackageManager>,
) -> (Row, Vec<PathBuf>) {
    let started = Instant::now();
    let mut optional_failure = None;
    let result = match c.kind {
        Kind::NodePreGyp => heal_node_pre_gyp(&ctx).await,
        Kind::PrebuildInstall => prebuild_install::mend(
            &c.dir,
            &c.manifest.raw,
            &ctx.opts,
            &ctx.net,
            &ctx.host,
            ChildOutput::ToStderr,
        )
        .await
        .map(|m| (m.source, kind::built_bindings(&c.dir))),
        Kind::NodeGypBuild | Kind::BindingGyp => {
            source_build::node_gyp(&c.dir, &[], &ctx.opts, &ctx.host, ChildOutput::ToStderr)
                .await
                .map(|()| (Source::Build, kind::built_bindings(&c.dir)))
        }
    };
    let (source, modules, result) = match result {
        Ok((s, m)) => (Some(s), m, Ok("healed")),
        // `node-gyp rebuild || exit 0`: the script lets the build fail, and the package
        // works without its binding, as it would after its own install.
        // Not counted as a failure either way; whether the package loads without it is said.
        Err(e) if c.kind == Kind::BindingGyp && kind::build_is_optional(&c.manifest.raw) => {
            let without = kind::binding_problem(&c.dir, &ctx.host, &ctx.opts.env).await;
            log::log(
                crate::log::LogLevel::Notice,
                &format!(
                    "{}: its optional build failed ({}); its install script lets that happen, and the package {}",
                    c.manifest.name(),
                    e.to_string().lines().next().unwrap_or(""),
                    match &without {
                        None => "works without it".to_string(),
                        Some(p) => format!(
                            "{p} without it: {}",
                            pm.unwrap_or(PackageManager::Npm).rebuild(c.manifest.name())
                        ),
                    }
                ),
            );
            optional_failure = Some(e.to_string());
            let said = if without.is_none() {
                "optional build failed; loads without it"
            } else {
                "optional build failed; does not load without it"
            };
            (None, Vec::new(), Ok(said))
        }
        Err(e) => (
            None,
            Vec::new(),
            // The command a person would run for a package heal could not mend.
            Err(format!(
                "{e} (run: {})",
                pm.unwrap_or(PackageManager::Npm).rebuild(c.manifest.name())
            )),
        ),
    };
    let row = Row {
        name: format!("{}@{}", ctx.name(), ctx.manifest.version()),
        dir: ctx.dir.clone(),
        kind: c.kind,
        state,
        source,
        ms: started.elapsed().as_millis(),
        result,
        optional_failure,
    };
    (row, modules)
}

async fn heal_node_pre_gyp(ctx: &Context) -> Result<(Source, Vec<PathBuf>)> {
    let call = CommandCall {
        name: "install".into(),
        args: Vec::new(),
    };
    let step = super::expand(ctx, &[call])?
        .into_iter()
        .next()
        .ok_or_else(|| Error::Usage("nothing to install".into()))?;
    let outcome = super::run_step(ctx, &step).await?;
    let crate::results::CommandResult::Install(installed) = outcome.result else {
        return Err(Error::Usage("heal: install gave no install result".into()));
    };
    let config = ctx.evaluate("install", step.napi_build_version)?;
    let modules = if config.cross_compiling {
        Vec::new()
    } else {
        vec![config.module]
    };
    Ok((installed.source, modules))
}

fn table(rows: &[Row]) -> Vec<String> {
    let w = rows.iter().map(|r| r.name.len()).max().unwrap_or(7).max(7);
    let mut out = vec![format!(
        "{:<w$}  {:<16}  {:<8}  {:<7}  {:>7}  result",
        "package", "kind", "was", "source", "time"
    )];
    for r in rows {
        let result = match &r.result {
            Ok(s) => s.to_string(),
            Err(e) => format!("FAILED: {}", e.lines().next().unwrap_or("")),
        };
        out.push(format!(
            "{:<w$}  {:<16}  {:<8}  {:<7}  {:>5}ms  {result}",
            r.name,
            r.kind.as_str(),
            r.state,
            r.source.map_or("-", Source::as_str),
            r.ms
        ));
    }
    out
}

fn fine_row(c: &Candidate) -> Row {
    Row {
        name: format!("{}@{}", c.manifest.name(), c.manifest.version()),
        dir: c.dir.clone(),
        kind: c.kind,
        state: "ok",
        source: None,
        ms: 0,
        result: Ok("loads, nothing to do"),
        optional_failure: None,
    }
}

/// `heal`.
pub async fn heal(ctx: &Context) -> Result<Outcome<HealResult>> {
    let (found, own_script) = candidates(&ctx.dir);
    log::info(format!(
        "heal found {} installed native package(s) under {}",
        found.len(),
        ctx.dir.join("node_modules").display()
    ));
    // Packages whose install script is their own: heal cannot mend them, but names those
    // whose binding does not load (each is required in a child Node; for another target
    // that says nothing). They do not fail heal: it did not try them, and such a package is
    // often an optional dependency its dependents do without.
    let pm_or_npm = PackageManager::detect(&ctx.dir).unwrap_or(PackageManager::Npm);
    let mut left_alone: Vec<String> = Vec::new();
    let cross = ctx
        .opts
        .target
        .is_other_than(&ctx.host, crate::config::target::libc().family);
    for (name, dir) in own_script.iter().filter(|_| !cross) {
        match kind::binding_problem(dir, &ctx.host, &ctx.opts.env).await {
            None => log::verbose(format!(
                "{name}: an install script of its own, which heal does not run; no binding failed to load"
            )),
            Some(problem) => {
                log::log(
                    crate::log::LogLevel::Notice,
                    &format!(
                        "{name}: {problem}; it has an install script of its own, which heal does not run: {}",
                        pm_or_npm.rebuild(name)
                    ),
                );
                left_alone.push(name.clone());
            }
        }
    }
    let left_alone_line = (!left_alone.is_empty()).then(|| {
        format!(
            "left alone, with a binding that does not load: {} ({})",
            left_alone.join(", "),
            left_alone
                .iter()
                .map(|n| pm_or_npm.rebuild(n))
                .collect::<Vec<_>>()
                .join("; ")
        )
    });
    // Classify: missing, broken (does not load), or fine.
    let mut todo: Vec<(Candidate, &'static str)> = Vec::new();
    let mut problems: Vec<Row> = Vec::new();
    let mut fine: Vec<Candidate> = Vec::new();
    // Bindings to test-load, each with the index of its package in `present`.
    let mut present: Vec<Candidate> = Vec::new();
    let mut modules: Vec<(usize, PathBuf)> = Vec::new();
    let mut loader_checks: Vec<Candidate> = Vec::new();
    for c in found {
        match c.kind {
            Kind::NodePreGyp => {
                let pctx = package_context(ctx, &c, false);
                let napi = match crate::config::versioning::best_napi_build_version(
                    &c.manifest,
                    &ctx.host,
                ) {
                    Ok(n) => n,
                    Err(e) => {
                        problems.push(unusable(&c, e));
                        continue;
                    }
                };
                let config = match pctx.evaluate("install", napi) {
                    Ok(cfg) => cfg,
                    Err(e) => {
                        problems.push(unusable(&c, e));
                        continue;
                    }
                };
                if !config.module.exists() {
                    // A platform package may provide it (binary.platform_packages): fine as it is,
                    // unless that binding does not load (then install into module_path over it).
                    match super::common::platform_packages::provided(&pctx, &config) {
                        Ok((_, Some(_))) if config.cross_compiling => fine.push(c),
                        Ok((_, Some((_, p)))) => {
                            modules.push((present.len(), p));
                            present.push(c);
                        }
                        _ => todo.push((c, "missing")),
                    }
                } else if !config.cross_compiling {
                    modules.push((present.len(), config.module));
                    present.push(c);
                } else {
                    fine.push(c);
                }
            }
            Kind::PrebuildInstall | Kind::BindingGyp => {
                let built = kind::built_bindings(&c.dir);
                if built.is_empty() {
                    todo.push((c, "missing"));
                } else {
                    for m in built {
                        modules.push((present.len(), m));
                    }
                    present.push(c);
                }
            }
            Kind::NodeGypBuild => {
                if kind::node_gyp_build_has_candidates(&c.dir, &ctx.host) {
                    loader_checks.push(c);
                } else {
                    todo.push((c, "missing"));
                }
            }
        }
    }
    // The installed bindings are test-loaded together (one Node start, not one each).
    let paths: Vec<PathBuf> = modules.iter().map(|(_, m)| m.clone()).collect();
    let loads = crate::building::process::can_load_all(&paths, &ctx.host, &ctx.opts.env).await;
    let mut broken = vec![false; present.len()];
    for ((i, _), load) in modules.iter().zip(loads) {
        if load.is_err() {
            broken[*i] = true;
        }
    }
    for (c, b) in present.into_iter().zip(broken) {
        if b {
            todo.push((c, "broken"));
        } else {
            fine.push(c);
        }
    }
    // node-gyp-build picks among its prebuilds at run time: ask it, in a child.
    for c in loader_checks {
        match kind::node_gyp_build_loads(&c.dir, &ctx.host, &ctx.opts.env).await {
            Ok(()) => fine.push(c),
            Err(_) => todo.push((c, "broken")),
        }
    }
    fine.sort_by(|a, b| a.dir.cmp(&b.dir));
    let fine_rows: Vec<Row> = fine.iter().map(fine_row).collect();
    let fine = fine.len();
    if todo.is_empty() && problems.is_empty() {
        let mut lines = if fine_rows.is_empty() {
            Vec::new()
        } else {
            table(&fine_rows)
        };
        lines.extend(left_alone_line.clone());
        lines.push(format!(
            "nothing to heal: {fine} native package(s) are installed and load{}",
            if left_alone.is_empty() {
                ""
            } else {
                " (and the one(s) left alone above do not)"
            }
        ));
        return Ok(Outcome {
            stdout: lines,
            result: HealResult {
                already_working: fine as u64,
                left_alone: left_alone.clone(),
                ..Default::default()
            },
        });
    }
    // Bindings missing because their install scripts were blocked: say how the project's
    // package manager approves them, and that heal needs no script at all.
    let scripted: Vec<&str> = todo
        .iter()
        .filter(|(c, state)| {
            *state == "missing"
                && (kind::has_install_script(&c.manifest.raw) || c.kind == Kind::BindingGyp)
        })
        .map(|(c, _)| c.manifest.name())
        .collect();
    let pm = PackageManager::detect(&ctx.dir);
    if let Some(pm) = pm {
        if !scripted.is_empty() {
            log::log(
                crate::log::LogLevel::Notice,
                &format!(
                    "{}: install script(s) did not run ({} blocks dependencies' scripts unless approved: {}); heal mends them without running their scripts (a verified download where there is one, else a node-gyp build)",
                    scripted.join(", "),
                    pm.name(),
                    scripted
                        .iter()
                        .map(|n| pm.approve(n))
                        .collect::<std::collections::BTreeSet<_>>()
                        .into_iter()
                        .collect::<Vec<_>>()
                        .join("; ")
                ),
            );
        }
    }
    if ctx.opts.dry_run {
        // A bad PREGYP_MIRROR or config file fails the dry run as it does the heal.
        let net = ctx.net()?;
        let mut lines: Vec<String> = todo
            .iter()
            .map(|(c, state)| {
                let what = match c.kind {
                    Kind::NodePreGyp => {
                        let napi = crate::config::versioning::best_napi_build_version(
                            &c.manifest,
                            &ctx.host,
                        )
                        .ok()
                        .flatten();
                        let pctx = package_context(ctx, c, true);
                        let fallback = if pctx.opts.fallback_to_build.matches(c.manifest.name()) {
                            ", else by building it with node-gyp"
                        } else {
                            ""
                        };
                        match pctx.evaluate("install", napi) {
                            Ok(cfg) => format!(
                                "from {}{fallback}",
                                crate::redact::redact_url(&net.install_target(&ctx.opts, &cfg).url)
                            ),
                            Err(e) => format!("nowhere: {e}"),
                        }
                    }
                    Kind::PrebuildInstall => {
                        match prebuild_install::planned(&c.manifest.raw, &ctx.opts, net, &ctx.host)
                        {
                            Ok(plan) => plan.text,
                            Err(e) => format!("nowhere: {e}"),
                        }
                    }
                    Kind::NodeGypBuild | Kind::BindingGyp => {
                        "by building it with node-gyp rebuild".to_string()
                    }
                };
                format!(
                    "would install {}@{} ({state}) {what} [{}]",
                    c.manifest.name(),
                    c.manifest.version(),
                    c.kind.as_str()
                )
            })
            .collect();
        if !problems.is_empty() {
            lines.extend(table(&problems));
        }
        lines.extend(left_alone_line.clone());
        let would_install = todo
            .iter()
            .map(|(c, state)| PendingPackage {
                name: c.manifest.name().to_string(),
                dir: c.dir.to_string_lossy().into_owned(),
                kind: c.kind.as_str().to_string(),
                state: state.to_string(),
            })
            .collect();
        return Ok(Outcome {
            stdout: lines,
            result: HealResult {
                would_install,
                already_working: fine as u64,
                left_alone: left_alone.clone(),
                ..Default::default()
            },
        });
    }

    let limit = std::sync::Arc::new(tokio::sync::Semaphore::new(ctx.opts.concurrency));
    let mut set = tokio::task::JoinSet::new();
    let total = todo.len();
    for (c, state) in todo {
        let pctx = package_context(ctx, &c, state == "broken");
        let limit = limit.clone();
        set.spawn(async move {
            let _permit = limit.acquire_owned().await.expect("semaphore open");
            heal_one(pctx, c, state, pm).await
        });
    }
    // One progress display: a bar on a terminal, a line per package otherwise.
    let bar = (std::io::IsTerminal::is_terminal(&std::io::stderr())
        && log::enabled(crate::log::LogLevel::Notice))
    .then(|| {
        let b = indicatif::ProgressBar::new(total as u64);
        b.set_style(
            indicatif::ProgressStyle::with_template("pregyp heal [{bar:30}] {pos}/{len} {msg}")
                .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar())
                .progress_chars("=> "),
        );
        b
    });
    let mut rows = Vec::new();
    // Every new binding must load here: one child runtime loads them as they arrive.
    let mut check = crate::building::process::LoadCheck::start(&ctx.host, &ctx.opts.env);
    let mut to_load: Vec<usize> = Vec::new();
    while let Some(r) = set.join_next().await {
        let (row, modules) = r.map_err(Error::task("healing a package"))?;
        for m in modules {
            to_load.push(rows.len());
            check.add(m).await;
        }
        let status = match &row.result {
            Ok(said) if row.optional_failure.is_some() => said.to_string(),
            Ok(_) => format!(
                "installed ({}, {} ms)",
                row.source.map_or("-", Source::as_str),
                row.ms
            ),
            Err(e) => format!("failed: {}", e.lines().next().unwrap_or("")),
        };
        match &bar {
            Some(b) => {
                b.set_message(format!("{} {status}", row.name));
                b.inc(1);
            }
            None => log::log(
                crate::log::LogLevel::Notice,
                &format!("[{}/{total}] {} {status}", rows.len() + 1, row.name),
            ),
        }
        rows.push(row);
    }
    let loads = check.finish(&ctx.host, &ctx.opts.env).await;
    for (i, load) in to_load.into_iter().zip(loads) {
        if let Err(e) = load {
            if rows[i].result.is_ok() {
                rows[i].result = Err(e.to_string());
            }
        }
    }
    if let Some(b) = bar {
        b.finish_and_clear();
    }
    rows.sort_by(|a, b| a.name.cmp(&b.name));
    rows.extend(problems);
    let failed = rows.iter().filter(|r| r.result.is_err()).count();
    let healed = rows
        .iter()
        .map(|r| HealedPackage {
            name: r.name.clone(),
            dir: r.dir.to_string_lossy().into_owned(),
            kind: r.kind.as_str().to_string(),
            was: r.state.to_string(),
            source: r.source,
            ms: r.ms as u64,
            ok: r.result.is_ok() && r.optional_failure.is_none(),
            error: r
                .result
                .as_ref()
                .err()
                .or(r.optional_failure.as_ref())
                .cloned(),
        })
        .collect();
    let mut all = rows.clone();
    all.extend(fine_rows);
    let mut lines = table(&all);
    lines.extend(left_alone_line);
    let result = HealResult {
        healed,
        would_install: Vec::new(),
        already_working: fine as u64,
        left_alone,
    };
    if failed > 0 {
        // What was done is printed before the error, as the CLI prints a result (--json
        // included: a tool reading it learns which packages failed).
        if ctx.opts.json {
            log::result(serde_json::to_string(&result).expect("results serialize"));
        } else {
            lines.iter().for_each(log::result);
        }
        return Err(Error::Summary(format!(
            "{failed} of {} package(s) still have no working binding (see {} above)",
            rows.len(),
            if ctx.opts.json {
                "the JSON"
            } else {
                "the table"
            }
        )));
    }
    Ok(Outcome {
        stdout: lines,
        result,
    })
}

fn unusable(c: &Candidate, e: Error) -> Row {
    Row {
        name: format!("{}@{}", c.manifest.name(), c.manifest.version()),
        dir: c.dir.clone(),
        kind: c.kind,
        state: "invalid",
        source: None,
        ms: 0,
        result: Err(e.to_string()),
        optional_failure: None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn write_pkg(dir: &Path, name: &str, binary: bool) {
        std::fs::create_dir_all(dir).unwrap();
        let mut v = json!({ "name": name, "version": "1.0.0", "main": "index.js" });
        if binary {
            v["binary"] = json!({ "module_name": "m", "module_path": "lib", "host": "https://h/" });
        }
        std::fs::write(dir.join("package.json"), v.to_string()).unwrap();
    }

    #[test]
    fn walks_npm_and_pnpm_layouts() {
        let d = tempfile::tempdir().unwrap();
        let root = d.path();
        let nm = root.join("node_modules");
        write_pkg(&nm.join("plain"), "plain", false);
        write_pkg(&nm.join("native"), "native", true);
        write_pkg(&nm.join("@scope/native2"), "@scope/native2", true);
        write_pkg(&nm.join("native/node_modules/nested"), "nested", true);
        // pnpm: the real folder in the store, linked from the top level.
        let store = nm.join(".pnpm/pn@1.0.0/node_modules/pn");
        write_pkg(&store, "pn", true);
        #[cfg(unix)]
        std::os::unix::fs::symlink(&store, nm.join("pn")).unwrap();
        // A binding.gyp whose install script only runs node-gyp, and one whose script is
        // its own (named, not mended).
        for (name, script) in [("gyp", "node-gyp rebuild"), ("own", "node install.js")] {
            let dir = nm.join(name);
            std::fs::create_dir_all(&dir).unwrap();
            let v = json!({ "name": name, "version": "1.0.0", "scripts": { "install": script } });
            std::fs::write(dir.join("package.json"), v.to_string()).unwrap();
            std::fs::write(dir.join("binding.gyp"), "{}").unwrap();
        }
        let (found, own_script) = candidates(root);
        let mut sorted: Vec<String> = found
            .iter()
            .map(|c| c.manifest.name().to_string())
            .collect();
        sorted.sort();
        assert_eq!(sorted, ["@scope/native2", "gyp", "native", "nested", "pn"]);
        assert_eq!(
            own_script,
            [("own".to_string(), nm.join("own").canonicalize().unwrap())]
        );
    }
}
