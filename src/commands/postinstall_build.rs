//! `postinstall-build [--script name] [--only-as-dependency] [--silent|--verbose] <artifact> [command]`:
//! the `postinstall-build` package (5.0.3) built in.
//!
//! If `<artifact>` (a file or folder, relative to the package) exists, nothing happens.
//! Otherwise the build dependencies (`devDependencies`, or only those named in
//! `buildDependencies`) are installed with the package manager running the install,
//! the build runs (`<command>` through the shell, `--script <name>`, or the `build`
//! script), and what the install added is removed again.
//!
//! Differences from the package, each deliberate:
//! - Removal is exact: the package's `node_modules` (and package.json, lockfiles) are
//!   snapshotted before the install and restored after, instead of `npm prune --production`
//!   (which npm 7+ and pnpm/yarn do not run the same way, and which also removed
//!   devDependencies the user had installed on purpose).
//! - The build dependencies are installed with whatever package manager runs us
//!   (npm, pnpm, yarn, bun, from `npm_execpath` / `npm_config_user_agent`), not only npm.
//! - The removal also runs when the build fails; then the build's error is returned.
//! - The recursion guard (`POSTINSTALL_BUILD_CWD`, the package's variable, so the two
//!   tools recognise each other) stays set for the build command too.
//! - A command given unquoted in several words (`postinstall-build lib make dist`) is
//!   joined, where the package used only its first word.
//! - The package's warning about every npm version but 3 and 4.0 is not repeated.

use super::{Context, Outcome};
use crate::building::lifecycle::{self, Lifecycle, PackageManager, PmCommand};
use crate::building::process::ChildOutput;
use crate::error::{Error, IoContext, Result};
use crate::redact::CommandLine;
use crate::results::PostinstallBuildResult;
use serde_json::Value;
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

/// The recursion guard: the directory whose postinstall-build is installing build deps.
pub const GUARD_VAR: &str = "POSTINSTALL_BUILD_CWD";

/// Where package.json is kept while the build-dependency install rewrites it.
const BACKUP_NAME: &str = "package.json.pregyp-backup";

/// The build dependencies to install: `(name, spec)` pairs and warnings for names
/// in `buildDependencies` that are not devDependencies (assumed available, as in the package).
pub fn select_build_dependencies(package_json: &Value) -> (Vec<(String, String)>, Vec<String>) {
    let dev = package_json
        .get("devDependencies")
        .and_then(Value::as_object);
    let spec_of = |v: &Value| match v {
        Value::String(s) => s.clone(),
        _ => String::new(),
    };
    let mut warnings = Vec::new();
    let deps = match package_json.get("buildDependencies").and_then(Value::as_array) {
        Some(names) => names
            .iter()
            .filter_map(Value::as_str)
            .filter_map(|name| match dev.and_then(|d| d.get(name)) {
                Some(spec) => Some((name.to_string(), spec_of(spec))),
                None => {
                    warnings.push(format!(
                        "The dependency '{name}' appears in buildDependencies but not devDependencies. Instead of installing it, postinstall-build will assume it is already available."
                    ));
                    None
                }
            })
            .collect(),
        None => dev
            .map(|d| d.iter().map(|(k, v)| (k.clone(), spec_of(v))).collect())
            .unwrap_or_default(),
    };
    (deps, warnings)
}

/// `name@spec` as package managers take it on the command line (`name` for an empty spec).
pub fn install_spec(name: &str, spec: &str) -> String {
    if spec.is_empty() {
        name.to_string()
    } else {
        format!("{name}@{spec}")
    }
}

/// The arguments that install `specs` without recording them in package.json or a lockfile
/// (as far as the manager allows: the snapshot restores both anyway).
pub fn install_args(pm: PackageManager, pm_version: Option<&str>, specs: &[String]) -> Vec<String> {
    let mut args: Vec<String> = match pm {
        PackageManager::Npm => [
            "install",
            "--no-save",
            "--no-package-lock",
            "--no-audit",
            "--no-fund",
            "--global=false",
        ]
        .iter()
        .map(|s| s.to_string())
        .collect(),
        PackageManager::Pnpm => [
            "add",
            "--config.lockfile=false",
            "--config.frozen-lockfile=false",
        ]
        .iter()
        .map(|s| s.to_string())
        .collect(),
        PackageManager::Yarn => {
            let mut a = vec!["add".to_string()];
            if pm_version.is_none_or(|v| v.starts_with("1.")) {
                a.push("--no-lockfile".into());
            }
            a
        }
        PackageManager::Bun => vec!["add".into(), "--no-save".into()],
    };
    args.extend(specs.iter().cloned());
    args
}

/// `npm_config_*` settings of the outer install that would send the nested install
/// elsewhere (global, a workspace, another prefix) or stop it from installing.
fn is_redirecting_setting(name: &str) -> bool {
    let Some(k) = name.strip_prefix("npm_config_") else {
        return false;
    };
    let k = k.to_ascii_lowercase().replace('-', "_");
    matches!(
        k.as_str(),
        "global"
            | "location"
            | "prefix"
            | "dir"
            | "lockfile_dir"
            | "workspace"
            | "workspaces"
            | "include_workspace_root"
            | "dry_run"
            | "package_lock_only"
            | "lockfile_only"
            | "frozen_lockfile"
            | "prefer_frozen_lockfile"
            | "omit"
            | "only"
            | "production"
    ) || k.starts_with("save")
}

/// Files the install may write that must look untouched afterwards.
const GUARDED_FILES: &[&str] = &[
    "package.json",
    "package-lock.json",
    "npm-shrinkwrap.json",
    "pnpm-lock.yaml",
    "yarn.lock",
    "bun.lockb",
    "bun.lock",
    "node_modules/.package-lock.json",
    "node_modules/.modules.yaml",
    "node_modules/.yarn-integrity",
    "node_modules/.yarn-state.yml",
];

/// Folders of node_modules whose children are tracked one by one.
const NESTED: &[&str] = &[".bin", ".pnpm"];

/// What the package's node_modules and manifest files looked like before the install.
#[derive(Debug)]
pub struct Snapshot {
    dir: PathBuf,
    node_modules_existed: bool,
    entries: BTreeSet<String>,
    files: Vec<(PathBuf, Option<Vec<u8>>)>,
}

fn list_entries(node_modules: &Path) -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    let Ok(rd) = std::fs::read_dir(node_modules) else {
        return out;
    };
    for e in rd.flatten() {
        let name = e.file_name().to_string_lossy().into_owned();
        let is_dir = e.file_type().map(|t| t.is_dir()).unwrap_or(false);
        if is_dir && (name.starts_with('@') || NESTED.contains(&name.as_str())) {
            if let Ok(inner) = std::fs::read_dir(e.path()) {
                for c in inner.flatten() {
                    out.insert(format!("{name}/{}", c.file_name().to_string_lossy()));
                }
            }
        }
        out.insert(name);
    }
    out
}

/// Removes a file, a link (never following it) or a tree; missing is fine.
fn remove_path(p: &Path) -> Result<()> {
    crate::place::fsutil::remove_no_follow(p).map(|_| ())
}

impl Snapshot {
    /// Records the state of `dir`.
    pub fn take(dir: &Path) -> Self {
        let nm = dir.join("node_modules");
        Snapshot {
            dir: dir.to_path_buf(),
            node_modules_existed: nm.is_dir(),
            entries: list_entries(&nm),
            files: GUARDED_FILES
                .iter()
                .map(|f| {
                    let p = dir.join(f);
                    let content = std::fs::read(&p).ok();
                    (p, content)
                })
                .collect(),
        }
    }

    /// Restores one guarded file to its recorded content (or removes it if it was absent).
    pub fn restore_file(&self, path: &Path) -> Result<()> {
        let Some((_, before)) = self.files.iter().find(|(p, _)| p == path) else {
            return Ok(());
        };
        match before {
            Some(b) => crate::place::atomic::write_file(path, b),
            None => remove_path(path),
        }
    }

    /// Puts things back: removes what appeared in node_modules, restores or removes
    /// the guarded files. Returns the relative paths removed.
    pub fn restore(&self) -> Result<Vec<String>> {
        let nm = self.dir.join("node_modules");
        let mut removed = Vec::new();
        if !self.node_modules_existed {
            if std::fs::symlink_metadata(&nm).is_ok() {
                remove_path(&nm)?;
                removed.push("node_modules".to_string());
            }
        } else {
            // BTreeSet order puts a folder before its children; children of a removed
            // folder are then simply gone.
            for rel in list_entries(&nm).difference(&self.entries) {
                let p = nm.join(rel);
                if std::fs::symlink_metadata(&p).is_ok() {
                    remove_path(&p)?;
                    removed.push(format!("node_modules/{rel}"));
                }
            }
        }
        for (path, before) in &self.files {
            if !self.node_modules_existed && path.starts_with(&nm) {
                continue;
            }
            let now = std::fs::read(path).ok();
            match (before, now) {
                (None, Some(_)) => remove_path(path)?,
                (Some(b), Some(n)) if *b != n => crate::place::atomic::write_file(path, b)?,
                (Some(b), None) => crate::place::atomic::write_file(path, b)?,
                _ => {}
            }
        }
        Ok(removed)
    }
}

/// package.json as the build-dependency install sees it: devDependencies reduced to
/// `deps`, and with `drop_runtime` no dependencies/optionalDependencies/peerDependencies.
/// (Runtime dependencies are kept when node_modules already exists: a package manager
/// would prune installed packages that package.json no longer lists.)
pub fn install_manifest(raw: &Value, deps: &[(String, String)], drop_runtime: bool) -> Value {
    let mut out = raw.clone();
    if let Some(o) = out.as_object_mut() {
        let dev: serde_json::Map<String, Value> = deps
            .iter()
            .map(|(n, s)| (n.clone(), Value::String(s.clone())))
            .collect();
        o.insert("devDependencies".into(), Value::Object(dev));
        if drop_runtime {
            for k in ["dependencies", "optionalDependencies", "peerDependencies"] {
                o.remove(k);
            }
        }
        // Nothing of the package's own lifecycle may run inside the nested install.
        o.remove("scripts");
    }
    out
}

/// Whether `artifact` reads like a command given in the artifact's place.
pub fn looks_like_command(artifact: &str) -> bool {
    ["npm ", "yarn ", "pnpm ", "npx ", "bun ", "node "]
        .iter()
        .any(|p| artifact.starts_with(p))
}

struct Runner<'a> {
    ctx: &'a Context,
    pm: PmCommand,
    base_env: Vec<(String, String)>,
    quiet: bool,
}

impl Runner<'_> {
    async fn spawn(&self, cmd: CommandLine, env: &[(String, String)]) -> Result<()> {
        crate::log::info(format!("postinstall-build: {cmd}"));
        let output = ChildOutput::for_results(self.ctx.opts.json, self.quiet);
        crate::building::process::run(&cmd, &self.ctx.dir, env, output).await
    }

    async fn run_pm(&self, args: Vec<String>, env: &[(String, String)]) -> Result<()> {
        self.spawn(self.pm.command(&args), env).await
    }

    async fn run_shell(&self, command: &str, env: &[(String, String)]) -> Result<()> {
        let comspec = self.ctx.opts.env.non_empty("ComSpec");
        self.spawn(CommandLine::shell(command, cfg!(windows), comspec), env)
            .await
    }
}

fn with_var(env: &[(String, String)], key: &str, value: String) -> Vec<(String, String)> {
    let mut out: Vec<(String, String)> = env.iter().filter(|(k, _)| k != key).cloned().collect();
    out.push((key.to_string(), value));
    out
}

/// `PATH` with the package's `node_modules/.bin` first, so freshly installed tools run.
fn with_local_bin(env: &[(String, String)], dir: &Path) -> Vec<(String, String)> {
    let key = env
        .iter()
        .find(|(k, _)| k.eq_ignore_ascii_case("PATH"))
        .map(|(k, _)| k.clone())
        .unwrap_or_else(|| "PATH".into());
    let current = env
        .iter()
        .find(|(k, _)| *k == key)
        .map(|(_, v)| v.clone())
        .unwrap_or_default();
    let bin = dir.join("node_modules").join(".bin");
    let mut paths = vec![bin];
    paths.extend(std::env::split_paths(&current));
    let joined = std::env::join_paths(paths)
        .map(|p| p.to_string_lossy().into_owned())
        .unwrap_or(current);
    with_var(env, &key, joined)
}

/// The build postinstall-build runs: a package manager's `run <script>`, or a shell command.
enum BuildStep {
    PackageManager(Vec<String>),
    Shell(String),
}

/// `postinstall-build [--script name] [--only-as-dependency] <artifact> [command]`.
pub async fn postinstall_build(
    ctx: &Context,
    args: &[String],
) -> Result<Outcome<PostinstallBuildResult>> {
    let env = &ctx.opts.env;
    let dir_text = ctx.dir.to_string_lossy().into_owned();
    let skipped = |reason: &str, artifact: Option<&str>| {
        Ok(Outcome::quiet(PostinstallBuildResult {
            built: false,
            skipped: Some(reason.to_string()),
            artifact: artifact.map(String::from),
            command: None,
            package_manager: None,
            installed: Vec::new(),
            removed: Vec::new(),
        }))
    };
    if let Some(guard) = env.non_empty(GUARD_VAR) {
        if lifecycle::same_dir(Path::new(guard), &ctx.dir) {
            crate::log::verbose(
                "postinstall-build: already building this package (POSTINSTALL_BUILD_CWD), skipping",
            );
            return skipped("recursion", None);
        }
    }
    // An earlier run killed during its dependency install left package.json rewritten:
    // put the user's own back first.
    let backup = ctx.dir.join(BACKUP_NAME);
    if let Ok(original) = std::fs::read(&backup) {
        if ctx.opts.dry_run {
            crate::log::warn(format!(
                "postinstall-build: dry run: would restore {} from an interrupted earlier run",
                ctx.dir.join("package.json").display()
            ));
            return skipped("dry run", args.first().map(String::as_str));
        }
        crate::place::atomic::write_file(&ctx.dir.join("package.json"), &original)?;
        std::fs::remove_file(&backup).at("remove", &backup)?;
        crate::log::warn(format!(
            "postinstall-build: restored {} from an interrupted earlier run",
            ctx.dir.join("package.json").display()
        ));
    }
    let Some(artifact) = args.first() else {
        return Err(Error::Usage(
            "postinstall-build: A build artifact must be supplied.".into(),
        ));
    };
    let command = if args.len() > 1 {
        Some(args[1..].join(" "))
    } else {
        None
    };
    let script = ctx.opts.get_str("script");
    if looks_like_command(artifact) {
        crate::log::warn(format!(
            "postinstall-build: '{artifact}' is being passed as the build artifact, not the build command. If your build artifact is a file or folder named '{artifact}', you may ignore this warning. Otherwise, you probably meant to pass this as the build command instead, and must supply a build artifact."
        ));
    }
    let own = lifecycle::is_own_directory_at(&ctx.dir, &ctx.opts.env);
    if ctx.opts.get_bool("only_as_dependency") && own {
        crate::log::info("postinstall-build: Not installed as a dependency, skipping build.");
        return skipped("not a dependency", Some(artifact));
    }
    let artifact_path = ctx.dir.join(artifact);
    if artifact_path.is_file() || artifact_path.is_dir() {
        crate::log::verbose(format!(
            "postinstall-build: Build artifact {artifact} found, skipping build."
        ));
        return skipped("artifact exists", Some(artifact));
    }
    crate::log::info(format!(
        "postinstall-build: {artifact} not found, building {}",
        ctx.name()
    ));
    let life = Lifecycle::from_env(env);
    let pm = life.invocation(&ctx.host);
    // The build: `--script`, else the command given, else the `build` script; `shown` is
    // how it is logged (the dry run says the same).
    let (build_step, shown) = match (&script, &command) {
        (None, Some(c)) => (BuildStep::Shell(c.clone()), crate::redact::redact_arg(c)),
        (s, _) => {
            let args = vec![
                "run".to_string(),
                s.clone().unwrap_or_else(|| "build".into()),
            ];
            let shown = pm.command(&args).to_string();
            (BuildStep::PackageManager(args), shown)
        }
    };
    if ctx.opts.dry_run {
        crate::log::info(format!(
            "postinstall-build: dry run: would install the build dependencies and run {shown}"
        ));
        return skipped("dry run", Some(artifact));
    }

    let runner = Runner {
        ctx,
        pm: pm.clone(),
        base_env: crate::building::process::child_env(env),
        quiet: ctx.opts.loglevel == crate::log::LogLevel::Silent,
    };
    let guarded_env = with_var(&runner.base_env, GUARD_VAR, dir_text.clone());

    // Build dependencies are needed only when the package manager did not install the
    // devDependencies already: as a dependency, or for a production-only install.
    let needs_install = !own || lifecycle::production_only(env);
    let (deps, warnings) = select_build_dependencies(&ctx.manifest.raw);
    for w in &warnings {
        crate::log::warn(format!("postinstall-build: {w}"));
    }
    let mut snapshot = None;
    let mut installed = Vec::new();
    if !needs_install {
        crate::log::verbose("postinstall-build: Already have devDependencies, skipping install.");
    } else if deps.is_empty() {
        crate::log::verbose("postinstall-build: No install arguments, skipping install.");
    } else {
        let specs: Vec<String> = deps.iter().map(|(n, s)| install_spec(n, s)).collect();
        let install_env: Vec<(String, String)> = guarded_env
            .iter()
            .filter(|(k, _)| !is_redirecting_setting(k))
            .cloned()
            .collect();
        let snap = Snapshot::take(&ctx.dir);
        // Package managers install everything package.json lists next to what is named on
        // the command line: for the duration of the install, package.json lists only the
        // build dependencies (and, when node_modules is new, no runtime dependencies: those
        // resolve from the tree the package is installed in).
        let masked = install_manifest(&ctx.manifest.raw, &deps, !snap.node_modules_existed);
        let pj = ctx.dir.join("package.json");
        let installing = async {
            let text = serde_json::to_string_pretty(&masked).expect("JSON values serialize");
            // The original survives a kill during the install: the next run restores it.
            let original = std::fs::read(&pj).at("read", &pj)?;
            crate::place::atomic::write_file(&backup, &original)?;
            crate::place::atomic::write_file(&pj, (text + "\n").as_bytes())?;
            let args = install_args(pm.pm, life.package_manager_version().as_deref(), &specs);
            let r = runner.run_pm(args, &install_env).await;
            snap.restore_file(&pj)?;
            std::fs::remove_file(&backup).at("remove", &backup)?;
            r
        };
        if let Err(e) = installing.await {
            if let Err(e2) = snap.restore() {
                crate::log::warn(format!("postinstall-build: cleanup failed: {e2}"));
            }
            return Err(e);
        }
        installed = deps.iter().map(|(n, _)| n.clone()).collect();
        snapshot = Some(snap);
    }

    let build_env = with_local_bin(&guarded_env, &ctx.dir);
    let result = match build_step {
        BuildStep::PackageManager(args) => runner.run_pm(args, &build_env).await,
        BuildStep::Shell(c) => runner.run_shell(&c, &build_env).await,
    };

    let mut removed = Vec::new();
    if let Some(snap) = &snapshot {
        crate::log::info(format!(
            "postinstall-build: removing build dependencies ({})",
            installed.join(", ")
        ));
        match snap.restore() {
            Ok(r) => removed = r,
            Err(e) if result.is_ok() => return Err(e),
            Err(e) => crate::log::warn(format!("postinstall-build: cleanup failed: {e}")),
        }
    }
    result?;
    Ok(Outcome::quiet(PostinstallBuildResult {
        built: true,
        skipped: None,
        artifact: Some(artifact.to_string()),
        command: Some(shown),
        package_manager: Some(pm.pm.name().to_string()),
        installed,
        removed,
    }))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn build_dependencies_selection() {
        let pj = json!({
            "devDependencies": {"a": "^1.0.0", "b": "file:../b", "c": ""},
            "buildDependencies": ["b", "ghost", "c"]
        });
        let (deps, warnings) = select_build_dependencies(&pj);
        assert_eq!(
            deps,
            [
                ("b".to_string(), "file:../b".to_string()),
                ("c".to_string(), String::new())
            ]
        );
        assert_eq!(warnings.len(), 1);
        assert!(
            warnings[0].contains("'ghost' appears in buildDependencies but not devDependencies")
        );
        let specs: Vec<String> = deps.iter().map(|(n, s)| install_spec(n, s)).collect();
        assert_eq!(specs, ["b@file:../b", "c"]);

        // No buildDependencies (or not an array): every devDependency.
        let (deps, warnings) = select_build_dependencies(
            &json!({"devDependencies": {"a": "1", "b": "2"}, "buildDependencies": "a"}),
        );
        assert_eq!(deps.len(), 2);
        assert!(warnings.is_empty());
        // An empty buildDependencies array: nothing to install.
        let (deps, _) = select_build_dependencies(
            &json!({"devDependencies": {"a": "1"}, "buildDependencies": []}),
        );
        assert!(deps.is_empty());
        let (deps, _) = select_build_dependencies(&json!({}));
        assert!(deps.is_empty());
    }

    #[test]
    fn install_manifest_lists_only_build_dependencies() {
        let raw = json!({
            "name": "p", "version": "1.0.0",
            "scripts": {"postinstall": "pregyp postinstall-build lib"},
            "dependencies": {"rt": "1"}, "optionalDependencies": {"o": "1"}, "peerDependencies": {"peer": "1"},
            "devDependencies": {"a": "1", "b": "2"},
        });
        let deps = vec![("a".to_string(), "1".to_string())];
        let m = install_manifest(&raw, &deps, true);
        assert_eq!(
            m,
            json!({"name": "p", "version": "1.0.0", "devDependencies": {"a": "1"}})
        );
        let m = install_manifest(&raw, &deps, false);
        assert_eq!(m["dependencies"], json!({"rt": "1"}));
        assert_eq!(m["devDependencies"], json!({"a": "1"}));
        assert!(m.get("scripts").is_none());
    }

    #[test]
    fn install_arguments_per_manager() {
        let specs = vec!["a@1".to_string()];
        let npm = install_args(PackageManager::Npm, Some("11.1.0"), &specs);
        assert_eq!(npm[0], "install");
        assert!(npm.contains(&"--no-save".to_string()));
        assert!(npm.contains(&"--no-package-lock".to_string()));
        assert_eq!(npm.last().unwrap(), "a@1");
        assert_eq!(install_args(PackageManager::Pnpm, None, &specs)[0], "add");
        assert!(install_args(PackageManager::Yarn, Some("1.22.0"), &specs)
            .contains(&"--no-lockfile".to_string()));
        assert!(!install_args(PackageManager::Yarn, Some("4.1.0"), &specs)
            .contains(&"--no-lockfile".to_string()));
        assert!(install_args(PackageManager::Bun, None, &specs).contains(&"--no-save".to_string()));
    }

    #[test]
    fn redirecting_settings_are_dropped() {
        for k in [
            "npm_config_global",
            "npm_config_save_dev",
            "npm_config_save",
            "npm_config_omit",
            "npm_config_workspace",
            "npm_config_prefix",
        ] {
            assert!(is_redirecting_setting(k), "{k}");
        }
        for k in [
            "npm_config_registry",
            "npm_config_cache",
            "npm_config_nodedir",
            "PATH",
            "save",
        ] {
            assert!(!is_redirecting_setting(k), "{k}");
        }
    }

    #[test]
    fn command_like_artifacts() {
        assert!(looks_like_command("npm run build"));
        assert!(looks_like_command("yarn build"));
        assert!(!looks_like_command("lib"));
        assert!(!looks_like_command("npm-shrinkwrap.json"));
    }

    #[cfg(unix)]
    #[test]
    fn snapshot_restores_exactly() {
        let t = tempfile::tempdir().unwrap();
        let d = t.path();
        let nm = d.join("node_modules");
        std::fs::create_dir_all(nm.join("kept/lib")).unwrap();
        std::fs::create_dir_all(nm.join("@s/old")).unwrap();
        std::fs::create_dir_all(nm.join(".bin")).unwrap();
        std::fs::write(nm.join(".bin/old"), "").unwrap();
        std::fs::write(nm.join(".package-lock.json"), "before").unwrap();
        std::fs::write(d.join("package.json"), "{\"a\":1}").unwrap();
        let linked = d.join("outside");
        std::fs::create_dir_all(&linked).unwrap();
        std::fs::write(linked.join("precious"), "x").unwrap();

        let snap = Snapshot::take(d);
        // What an install does.
        std::fs::create_dir_all(nm.join("new/lib")).unwrap();
        std::fs::create_dir_all(nm.join("@s/new")).unwrap();
        std::fs::create_dir_all(nm.join("@t/x")).unwrap();
        std::fs::write(nm.join(".bin/tool"), "").unwrap();
        std::os::unix::fs::symlink(&linked, nm.join("linked")).unwrap();
        std::fs::write(nm.join(".package-lock.json"), "after").unwrap();
        std::fs::write(d.join("package.json"), "{\"a\":1,\"devDependencies\":{}}").unwrap();
        std::fs::write(d.join("package-lock.json"), "{}").unwrap();

        let removed = snap.restore().unwrap();
        assert_eq!(
            removed,
            [
                "node_modules/.bin/tool",
                "node_modules/@s/new",
                "node_modules/@t",
                "node_modules/linked",
                "node_modules/new"
            ]
        );
        assert!(nm.join("kept/lib").is_dir());
        assert!(nm.join("@s/old").is_dir());
        assert!(nm.join(".bin/old").is_file());
        assert!(
            linked.join("precious").is_file(),
            "a linked dependency's target survives"
        );
        assert_eq!(
            std::fs::read_to_string(nm.join(".package-lock.json")).unwrap(),
            "before"
        );
        assert_eq!(
            std::fs::read_to_string(d.join("package.json")).unwrap(),
            "{\"a\":1}"
        );
        assert!(!d.join("package-lock.json").exists());

        // Without node_modules before, the whole folder goes.
        let t2 = tempfile::tempdir().unwrap();
        let snap = Snapshot::take(t2.path());
        std::fs::create_dir_all(t2.path().join("node_modules/x")).unwrap();
        assert_eq!(snap.restore().unwrap(), ["node_modules"]);
        assert!(!t2.path().join("node_modules").exists());
    }

    #[cfg(unix)]
    #[test]
    fn restoring_breaks_hard_links_to_a_store() {
        let t = tempfile::tempdir().unwrap();
        let store = t.path().join("store-file");
        std::fs::write(&store, "{\"name\":\"p\"}").unwrap();
        let pj = t.path().join("package.json");
        std::fs::hard_link(&store, &pj).unwrap();
        let snap = Snapshot::take(t.path());
        crate::place::atomic::write_file(&pj, b"{}").unwrap();
        snap.restore_file(&pj).unwrap();
        assert_eq!(std::fs::read_to_string(&pj).unwrap(), "{\"name\":\"p\"}");
        assert_eq!(std::fs::read_to_string(&store).unwrap(), "{\"name\":\"p\"}");
        let leftovers: Vec<_> = std::fs::read_dir(t.path())
            .unwrap()
            .flatten()
            .map(|e| e.file_name())
            .collect();
        assert_eq!(leftovers.len(), 2, "{leftovers:?}");
    }

    #[test]
    fn local_bin_comes_first() {
        let env = vec![("PATH".to_string(), "/usr/bin:/bin".to_string())];
        let out = with_local_bin(&env, Path::new("/p"));
        let path = &out.iter().find(|(k, _)| k == "PATH").unwrap().1;
        assert!(path.starts_with("/p/node_modules/.bin"), "{path}");
        assert!(path.ends_with("/usr/bin:/bin"));
    }
}
