//! Facts about the npm lifecycle pregyp runs in, read from the environment snapshot:
//! which package manager started us and how to call it again, whether the package
//! is being installed in its own directory or as a dependency, whether only
//! production dependencies were asked for.
//!
//! npm, pnpm and yarn all export `npm_lifecycle_event`, `INIT_CWD` (where the user
//! ran the install), `npm_execpath` (the package manager's entry point) and
//! `npm_config_user_agent` (`<pm>/<version> npm/? node/<v> <platform> <arch>`) to scripts.

use crate::config::options::Env;
use crate::config::target::HostInfo;
use crate::redact::CommandLine;
use std::path::{Component, Path, PathBuf};

/// A package manager that runs lifecycle scripts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PackageManager {
    /// npm.
    Npm,
    /// pnpm.
    Pnpm,
    /// Yarn (classic or berry).
    Yarn,
    /// Bun.
    Bun,
}

impl PackageManager {
    /// The command name (also the name looked up on PATH).
    pub fn name(self) -> &'static str {
        match self {
            PackageManager::Npm => "npm",
            PackageManager::Pnpm => "pnpm",
            PackageManager::Yarn => "yarn",
            PackageManager::Bun => "bun",
        }
    }

    fn from_name(s: &str) -> Option<Self> {
        Some(match s {
            "npm" => PackageManager::Npm,
            "pnpm" => PackageManager::Pnpm,
            "yarn" => PackageManager::Yarn,
            "bun" => PackageManager::Bun,
            _ => return None,
        })
    }
}

/// The lifecycle variables of the current run.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Lifecycle {
    /// `npm_lifecycle_event` (install, postinstall, ...).
    pub event: Option<String>,
    /// `INIT_CWD`: the directory the user ran the package manager in.
    pub init_cwd: Option<PathBuf>,
    /// `npm_package_json`: the package.json of the package whose script runs.
    pub package_json: Option<PathBuf>,
    /// `npm_execpath`: the package manager's entry point.
    pub execpath: Option<PathBuf>,
    /// `npm_config_user_agent`.
    pub user_agent: Option<String>,
}

impl Lifecycle {
    /// Reads the lifecycle variables (empty ones count as unset).
    pub fn from_env(env: &Env) -> Self {
        Lifecycle {
            event: env.non_empty("npm_lifecycle_event").map(String::from),
            init_cwd: env.non_empty("INIT_CWD").map(PathBuf::from),
            package_json: env.non_empty("npm_package_json").map(PathBuf::from),
            execpath: env.non_empty("npm_execpath").map(PathBuf::from),
            user_agent: env.non_empty("npm_config_user_agent").map(String::from),
        }
    }

    /// Whether a package manager is running us as a script.
    pub fn in_script(&self) -> bool {
        self.event.is_some()
    }

    /// The package manager running us: from the user agent's first word, else from the
    /// name of `npm_execpath`, else npm.
    pub fn package_manager(&self) -> PackageManager {
        if let Some(pm) = self
            .user_agent
            .as_deref()
            .and_then(|ua| ua.split('/').next())
            .and_then(PackageManager::from_name)
        {
            return pm;
        }
        if let Some(exec) = &self.execpath {
            let text = exec.to_string_lossy().to_ascii_lowercase();
            let file = exec
                .file_name()
                .map(|f| f.to_string_lossy().to_ascii_lowercase())
                .unwrap_or_default();
            for pm in [
                PackageManager::Pnpm,
                PackageManager::Yarn,
                PackageManager::Bun,
            ] {
                if file.starts_with(pm.name()) || text.contains(&format!("/{}/", pm.name())) {
                    return pm;
                }
            }
        }
        PackageManager::Npm
    }

    /// The version of the package manager, from the user agent.
    pub fn package_manager_version(&self) -> Option<String> {
        let ua = self.user_agent.as_deref()?;
        let first = ua.split_whitespace().next()?;
        first.split_once('/').map(|(_, v)| v.to_string())
    }

    /// How to run the package manager that runs us: its `npm_execpath` (through node
    /// for a JS entry point) when that belongs to the detected manager, else its name on PATH.
    pub fn invocation(&self, host: &HostInfo) -> PmCommand {
        let pm = self.package_manager();
        if let Some(exec) = &self.execpath {
            let belongs = match pm {
                PackageManager::Npm => {
                    let t = exec.to_string_lossy().to_ascii_lowercase();
                    !(t.contains("pnpm") || t.contains("yarn") || t.contains("bun"))
                }
                other => exec
                    .to_string_lossy()
                    .to_ascii_lowercase()
                    .contains(other.name()),
            };
            if belongs {
                let js = matches!(
                    exec.extension().and_then(|e| e.to_str()),
                    Some("js" | "cjs" | "mjs")
                );
                return if js {
                    PmCommand {
                        pm,
                        program: PathBuf::from(&host.exec_path),
                        prefix: vec![exec.to_string_lossy().into_owned()],
                    }
                } else {
                    PmCommand {
                        pm,
                        program: exec.clone(),
                        prefix: Vec::new(),
                    }
                };
            }
        }
        let name = if cfg!(windows) && pm != PackageManager::Bun {
            format!("{}.cmd", pm.name())
        } else {
            pm.name().to_string()
        };
        PmCommand {
            pm,
            program: PathBuf::from(name),
            prefix: Vec::new(),
        }
    }
}

/// A way to start a package manager.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PmCommand {
    /// Which one.
    pub pm: PackageManager,
    /// Executable (node, or the manager itself).
    pub program: PathBuf,
    /// Arguments before the manager's own (its script, when the program is node).
    pub prefix: Vec<String>,
}

impl PmCommand {
    /// The manager with `args`: what is spawned, shown redacted in logs and errors.
    pub fn command(&self, args: &[String]) -> CommandLine {
        CommandLine::new(&self.program, self.prefix.iter().chain(args).cloned())
    }
}

/// Whether `dir` has a `node_modules` folder among its components (installed as a dependency,
/// the reference postinstall-build's test).
pub fn inside_node_modules(dir: &Path) -> bool {
    dir.components()
        .any(|c| matches!(c, Component::Normal(n) if n == "node_modules"))
}

/// Whether two paths name the same directory (symlinks resolved when they exist).
pub fn same_dir(a: &Path, b: &Path) -> bool {
    let canon = |p: &Path| {
        std::fs::canonicalize(p).unwrap_or_else(|_| crate::config::manifest::normalize(p))
    };
    canon(a) == canon(b)
}

/// Whether `dir` is being installed as its own project (`npm install` run in it, or a
/// checkout being developed) rather than as someone's dependency: `INIT_CWD` is `dir`,
/// or `dir` is not inside a `node_modules` folder.
pub fn is_own_directory_at(dir: &Path, env: &Env) -> bool {
    if let Some(init) = env.non_empty("INIT_CWD") {
        if same_dir(Path::new(init), dir) {
            return true;
        }
    }
    !inside_node_modules(dir)
}

/// Whether only production dependencies were asked for (`--omit=dev`, `--production`,
/// `--only=prod`, `NODE_ENV=production`): devDependencies are then not installed,
/// even in the package's own directory.
pub fn production_only(env: &Env) -> bool {
    let only = env.get("npm_config_only").unwrap_or("");
    let only_dev = only == "dev" || only == "development";
    if env.get("npm_config_production") == Some("true") && !only_dev {
        return true;
    }
    if only == "prod" || only == "production" {
        return true;
    }
    let listed = |k: &str| {
        env.get(k)
            .map(|v| v.split(['\n', ',', ' ']).any(|x| x.trim() == "dev"))
            .unwrap_or(false)
    };
    if listed("npm_config_omit") && !listed("npm_config_include") {
        return true;
    }
    env.get("NODE_ENV") == Some("production") && !listed("npm_config_include")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_support::env;

    #[test]
    fn package_manager_detection() {
        let cases: &[(&[(&str, &str)], PackageManager)] = &[
            (&[], PackageManager::Npm),
            (
                &[(
                    "npm_config_user_agent",
                    "npm/11.1.0 node/v20.20.2 linux x64 workspaces/false",
                )],
                PackageManager::Npm,
            ),
            (
                &[(
                    "npm_config_user_agent",
                    "pnpm/9.15.0 npm/? node/v20.20.2 linux x64",
                )],
                PackageManager::Pnpm,
            ),
            (
                &[(
                    "npm_config_user_agent",
                    "yarn/1.22.22 npm/? node/v20.20.2 linux x64",
                )],
                PackageManager::Yarn,
            ),
            (
                &[(
                    "npm_config_user_agent",
                    "bun/1.1.0 npm/? node/v22.6.0 linux x64",
                )],
                PackageManager::Bun,
            ),
            (
                &[(
                    "npm_execpath",
                    "/home/u/.cache/node/corepack/pnpm/9.1.0/bin/pnpm.cjs",
                )],
                PackageManager::Pnpm,
            ),
            (
                &[("npm_execpath", "/usr/lib/node_modules/yarn/bin/yarn.js")],
                PackageManager::Yarn,
            ),
            (
                &[("npm_execpath", "/usr/lib/node_modules/npm/bin/npm-cli.js")],
                PackageManager::Npm,
            ),
        ];
        for (e, want) in cases {
            assert_eq!(
                Lifecycle::from_env(&env(e)).package_manager(),
                *want,
                "{e:?}"
            );
        }
        let l = Lifecycle::from_env(&env(&[(
            "npm_config_user_agent",
            "pnpm/9.15.0 npm/? node/v20.20.2 linux x64",
        )]));
        assert_eq!(l.package_manager_version().as_deref(), Some("9.15.0"));
    }

    #[test]
    fn invocation() {
        let host = HostInfo::test();
        let l = Lifecycle::from_env(&env(&[
            (
                "npm_config_user_agent",
                "npm/11.1.0 node/v20.20.2 linux x64",
            ),
            ("npm_execpath", "/usr/lib/node_modules/npm/bin/npm-cli.js"),
        ]));
        let c = l.invocation(&host);
        assert_eq!(c.program, PathBuf::from("/usr/bin/node"));
        assert_eq!(c.prefix, ["/usr/lib/node_modules/npm/bin/npm-cli.js"]);
        assert_eq!(
            c.command(&["run".into(), "build".into()]).to_string(),
            "/usr/bin/node /usr/lib/node_modules/npm/bin/npm-cli.js run build"
        );
        // A native pnpm executable is run directly.
        let l = Lifecycle::from_env(&env(&[
            (
                "npm_config_user_agent",
                "pnpm/9.0.0 npm/? node/v20.20.2 linux x64",
            ),
            ("npm_execpath", "/opt/pnpm/pnpm"),
        ]));
        let c = l.invocation(&host);
        assert_eq!(
            (c.pm, c.program, c.prefix.len()),
            (PackageManager::Pnpm, PathBuf::from("/opt/pnpm/pnpm"), 0)
        );
        // yarn's agent with npm's execpath (e.g. a nested npm): do not mix them up.
        let l = Lifecycle::from_env(&env(&[
            (
                "npm_config_user_agent",
                "yarn/1.22.22 npm/? node/v20.20.2 linux x64",
            ),
            ("npm_execpath", "/usr/lib/node_modules/npm/bin/npm-cli.js"),
        ]));
        let c = l.invocation(&host);
        assert_eq!(c.pm, PackageManager::Yarn);
        assert!(c.program.to_string_lossy().starts_with("yarn"));
        // Nothing known: npm from PATH.
        let c = Lifecycle::default().invocation(&host);
        assert_eq!(c.pm, PackageManager::Npm);
        assert!(c.prefix.is_empty());
    }

    #[test]
    fn own_directory_or_dependency() {
        let cases: &[(&str, Option<&str>, bool)] = &[
            ("/work/pkg", None, true),
            ("/work/pkg", Some("/work/pkg"), true),
            ("/work/pkg", Some("/elsewhere"), true),
            ("/work/app/node_modules/pkg", None, false),
            ("/work/app/node_modules/pkg", Some("/work/app"), false),
            (
                "/work/app/node_modules/@scope/pkg",
                Some("/work/app"),
                false,
            ),
            (
                "/work/app/node_modules/.pnpm/pkg@1.0.0/node_modules/pkg",
                Some("/work/app"),
                false,
            ),
            (
                "/work/app/node_modules/pkg",
                Some("/work/app/node_modules/pkg"),
                true,
            ),
            (
                "/work/app/node_modules/pkg",
                Some("/work/app/node_modules/pkg/"),
                true,
            ),
            ("/work/node_modules_backup/pkg", None, true),
        ];
        for (dir, init, want) in cases {
            let e = match init {
                Some(i) => env(&[("INIT_CWD", i)]),
                None => env(&[]),
            };
            assert_eq!(
                is_own_directory_at(Path::new(dir), &e),
                *want,
                "{dir} {init:?}"
            );
        }
    }

    #[test]
    fn production_flags() {
        let cases: &[(&[(&str, &str)], bool)] = &[
            (&[], false),
            (&[("npm_config_omit", "dev")], true),
            (&[("npm_config_omit", "optional\ndev")], true),
            (&[("npm_config_omit", "optional")], false),
            (&[("npm_config_production", "true")], true),
            (
                &[
                    ("npm_config_production", "true"),
                    ("npm_config_only", "dev"),
                ],
                false,
            ),
            (&[("npm_config_only", "prod")], true),
            (&[("NODE_ENV", "production")], true),
            (
                &[("NODE_ENV", "production"), ("npm_config_include", "dev")],
                false,
            ),
        ];
        for (e, want) in cases {
            assert_eq!(production_only(&env(e)), *want, "{e:?}");
        }
    }

    #[test]
    fn lifecycle_fields() {
        let l = Lifecycle::from_env(&env(&[
            ("npm_lifecycle_event", "postinstall"),
            ("INIT_CWD", "/work/app"),
            (
                "npm_package_json",
                "/work/app/node_modules/pkg/package.json",
            ),
            ("npm_execpath", ""),
        ]));
        assert!(l.in_script());
        assert_eq!(l.init_cwd.as_deref(), Some(Path::new("/work/app")));
        assert_eq!(l.execpath, None);
        assert!(!Lifecycle::default().in_script());
    }
}
