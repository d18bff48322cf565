//! One module per command, mirroring node-pre-gyp's lib/<command>.js, plus the
//! context they share and the Node-API expansion of a command chain. Decisions only:
//! the work is done by the service folders (`config`, `building`, `place`, `packing`,
//! `fetch`, `s3`, `mend`), which commands may use; only `binding` uses commands.

pub mod build;
pub mod clean;
pub mod common;
pub mod explain;
pub mod heal;
pub mod info;
pub mod install;
pub mod migrate;
pub mod package;
pub mod platform_package;
pub mod postinstall_build;
pub mod publish;
pub mod reveal;
pub mod testbinary;
pub mod testpackage;
pub mod unpublish;

use crate::config::manifest::{HostRole, Manifest};
use crate::config::options::{CommandCall, Options};
use crate::config::spec::HostUse;
use crate::config::target::HostInfo;
use crate::config::versioning::{self, Config};
use crate::error::{Error, Result};
use crate::fetch::settings::{LazyNetSettings, NetSettings};
use crate::results::CommandResult;
use std::path::{Path, PathBuf};

/// What every command works from: options, the running Node, the package.
#[derive(Debug, Clone)]
pub struct Context {
    /// Parsed options.
    pub opts: Options,
    /// The running Node.
    pub host: HostInfo,
    /// Absolute package directory (cwd, or `-C`).
    pub dir: PathBuf,
    /// The package's package.json.
    pub manifest: Manifest,
    /// The mirrors and credentials, read on first use, once for a command: the contexts
    /// of its packages share them.
    pub net: LazyNetSettings,
}

impl Context {
    /// Loads `<cwd>/<--directory>/package.json`.
    pub fn load(opts: Options, host: HostInfo, cwd: &Path) -> Result<Self> {
        let dir = match &opts.directory {
            Some(d) => crate::config::manifest::normalize(&cwd.join(d)),
            None => cwd.to_path_buf(),
        };
        let manifest = Manifest::load(&dir.join("package.json"), &dir)?;
        Ok(Context {
            opts,
            host,
            dir,
            manifest,
            net: LazyNetSettings::default(),
        })
    }

    /// The context of another package of the same command (`heal`): its own folder and
    /// options, the command's network settings.
    pub fn for_package(&self, opts: Options, dir: PathBuf, manifest: Manifest) -> Self {
        Context {
            opts,
            host: self.host.clone(),
            dir,
            manifest,
            net: self.net.clone(),
        }
    }

    /// `PREGYP_MIRROR`, `PREGYP_AUTH` and the config file: a malformed one is an error
    /// naming it.
    pub fn net(&self) -> Result<&NetSettings> {
        self.net.get(&self.opts.env)
    }

    /// For messages about module_path: ` (relative to --module_root=<value>)` when that
    /// option (or its variable) moved it, else nothing.
    pub fn module_root_note(&self) -> String {
        match self.opts.get_str("module_root") {
            Some(root) => format!(
                " (relative to {}={root})",
                self.opts
                    .origins
                    .get("module_root")
                    .map_or("--module_root", String::as_str)
            ),
            None => String::new(),
        }
    }

    /// Evaluates the package for `command` (which decides staging vs production host).
    pub fn evaluate(&self, command: &str, napi_build_version: Option<u32>) -> Result<Config> {
        let mut manifest = self.manifest.clone();
        let role = match crate::config::spec::command(command).map(|c| c.host) {
            Some(HostUse::Staging) => HostRole::Staging,
            _ => HostRole::Production,
        };
        manifest.select_host(
            role,
            self.opts.s3_host.as_deref(),
            self.opts.env.get("node_pre_gyp_s3_host"),
        )?;
        let module_name = manifest.module_name().to_string();
        let mut eval = self.opts.eval_options(&module_name)?;
        // node-pre-gyp's `--module_root`: module_path relative to it (joined as written,
        // so `./foo` is the package folder's foo).
        eval.module_root = Some(match self.opts.get_str("module_root") {
            Some(root) => self.dir.join(root),
            None => self.dir.clone(),
        });
        let config = versioning::evaluate(&manifest, &eval, &self.host, napi_build_version)?;
        for w in &config.warnings {
            crate::log::warn(w);
        }
        Ok(config)
    }

    /// The package name, for messages.
    pub fn name(&self) -> &str {
        self.manifest.name()
    }
}

/// A command ready to run: the call and the Node-API version it is for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Step {
    /// The command and its arguments.
    pub call: CommandCall,
    /// The Node-API version, for Node-API packages.
    pub napi_build_version: Option<u32>,
}

/// `napi_build_version=N` among a command's arguments (node-pre-gyp's own commands take it
/// so, one Node-API version each: its `Run` expands a command into one call per version):
/// `Some(version)` for the first one (`Some(None)` for 0: no version, one call, as in the
/// reference), and the arguments without any.
fn pinned_napi_version(args: &[String]) -> Result<(Option<Option<u32>>, Vec<String>)> {
    let mut pinned = None;
    let mut rest = Vec::new();
    for a in args {
        let Some(v) = a.strip_prefix("napi_build_version=") else {
            rest.push(a.clone());
            continue;
        };
        let n: u32 = v.parse().map_err(|_| {
            Error::Usage(format!(
                "`{a}`: a Node-API version is a whole number (napi_build_version=6)"
            ))
        })?;
        // The first one counts, as in the reference.
        if pinned.is_none() {
            pinned = Some(Some(n).filter(|n| *n > 0));
        }
    }
    Ok((pinned, rest))
}

/// What the user gave that no command will read, named before the commands run (the CLI,
/// the JS API and node-pre-gyp's `Run` all come through here): flags handed on to node-gyp
/// (warned about when they look like a typo of an option), `PREGYP_*` variables and
/// binary-block keys that look like typos.
fn warn_ignored_input(ctx: &Context) {
    ctx.opts
        .passed_on
        .iter()
        .for_each(crate::config::options::PassedOn::log);
    crate::config::options::env_typos(&ctx.opts.env)
        .into_iter()
        .chain(ctx.manifest.binary_field_typos())
        .for_each(crate::log::warn);
}

/// Expands aliases (rebuild, reinstall) and Node-API versions, as the reference does; a
/// command given `napi_build_version=N` runs for that version only.
pub fn expand(ctx: &Context, calls: &[CommandCall]) -> Result<Vec<Step>> {
    let versions = versioning::napi_build_versions(
        &ctx.manifest,
        &ctx.host,
        ctx.opts.build_latest_napi_version_only,
    )?;
    let best = versioning::best_napi_build_version(&ctx.manifest, &ctx.host)?;
    let mut out = Vec::new();
    let mut push = |name: &str, args: Vec<String>, pinned: Option<Option<u32>>| {
        let call = CommandCall {
            name: name.to_string(),
            args,
        };
        if let Some(version) = pinned {
            out.push(Step {
                call,
                napi_build_version: version,
            });
        } else if name == "install" {
            out.push(Step {
                call,
                napi_build_version: best,
            });
        } else if !versions.is_empty()
            && crate::config::spec::command(name).is_some_and(|c| c.per_napi_version)
        {
            for v in &versions {
                out.push(Step {
                    call: call.clone(),
                    napi_build_version: Some(*v),
                });
            }
        } else {
            out.push(Step {
                call,
                napi_build_version: None,
            });
        }
    };
    for c in calls {
        let (pinned, args) = pinned_napi_version(&c.args)?;
        match c.name.as_str() {
            "rebuild" => {
                push("clean", Vec::new(), pinned);
                let mut build_args = vec!["rebuild".to_string()];
                build_args.extend(args);
                push("build", build_args, pinned);
            }
            "reinstall" => {
                push("clean", Vec::new(), pinned);
                push("install", args, pinned);
            }
            name => push(name, args, pinned),
        }
    }
    Ok(out)
}

/// What a command produced: lines for the CLI's stdout and its typed result for the
/// API and `--json` (one of `crate::results`; `CommandResult` once erased).
#[derive(Debug, Clone)]
pub struct Outcome<T = CommandResult> {
    /// Printed on stdout by the CLI (the reference's result lines).
    pub stdout: Vec<String>,
    /// Returned by the N-API function, printed by `--json`.
    pub result: T,
}

impl<T> Outcome<T> {
    /// An outcome with one stdout line.
    pub fn line(line: impl Into<String>, result: T) -> Self {
        Outcome {
            stdout: vec![line.into()],
            result,
        }
    }

    /// An outcome that prints nothing.
    pub fn quiet(result: T) -> Self {
        Outcome {
            stdout: Vec::new(),
            result,
        }
    }

    /// The same outcome with its result as a [`CommandResult`].
    pub fn erase(self) -> Outcome
    where
        T: Into<CommandResult>,
    {
        Outcome {
            stdout: self.stdout,
            result: self.result.into(),
        }
    }
}

/// The command table: each command's function and the result type it returns. The
/// type is checked against the function (`Outcome<T>`), and `result_type` reads it for
/// index.d.ts, so the declared result of a command cannot drift from what it returns.
macro_rules! commands {
    ($ctx:ident, $args:ident, $napi:ident; $($name:literal => $ty:ty = $call:expr,)*) => {
        /// Runs one step.
        pub async fn dispatch($ctx: &Context, step: &Step) -> Result<Outcome> {
            let $napi = step.napi_build_version;
            let $args = &step.call.args;
            let _ = ($args, $napi);
            Ok(match step.call.name.as_str() {
                $($name => {
                    let outcome: Outcome<$ty> = $call;
                    outcome.erase()
                })*
                other => return Err(Error::Usage(format!("Unknown command: {other}"))),
            })
        }

        /// The TypeScript type of one step's result of `name` (aliases: each step's).
        pub fn result_type(name: &str) -> Option<String> {
            let cfg = ts_rs::Config::new();
            match name {
                $($name => Some(<$ty as ts_rs::TS>::name(&cfg)),)*
                "rebuild" => Some(format!("{} | {}", result_type("clean")?, result_type("build")?)),
                "reinstall" => Some(format!("{} | {}", result_type("clean")?, result_type("install")?)),
                _ => None,
            }
        }
    };
}

use crate::results::{
    BuildResult, ChecksumResult, CleanResult, ExplainResult, HealResult, InfoResult, InstallResult,
    MigrateResult, OptionalDepsResult, PackageResult, PlatformPackageResult,
    PostinstallBuildResult, PublishResult, RevealResult, TestbinaryResult, TestpackageResult,
    UnpublishResult,
};

commands! { ctx, args, napi;
    "reveal" => RevealResult = reveal::reveal_outcome(ctx, args, napi)?,
    "install" => InstallResult = install::install(ctx, args, napi).await?,
    "build" => BuildResult = build::build(ctx, args, napi).await?,
    "configure" => BuildResult = build::configure(ctx, args, napi).await?,
    "clean" => CleanResult = clean::clean(ctx, napi)?,
    "testbinary" => TestbinaryResult = testbinary::testbinary(ctx, napi).await?,
    "package" => PackageResult = package::package(ctx, napi).await?,
    "checksums" => ChecksumResult = package::checksums(ctx, napi).await?,
    "testpackage" => TestpackageResult = testpackage::testpackage(ctx, napi).await?,
    "publish" => PublishResult = publish::publish(ctx, napi).await?,
    "unpublish" => UnpublishResult = unpublish::unpublish(ctx, napi).await?,
    "info" => InfoResult = info::info(ctx).await?,
    "postinstall-build" => PostinstallBuildResult = postinstall_build::postinstall_build(ctx, args).await?,
    "explain" => ExplainResult = explain::explain(ctx).await?,
    "heal" => HealResult = heal::heal(ctx).await?,
    "platform-package" => PlatformPackageResult = platform_package::platform_package(ctx)?,
    "optional-deps" => OptionalDepsResult = platform_package::optional_deps(ctx)?,
    "migrate" => MigrateResult = migrate::migrate(ctx).await?,
}

/// Runs one step from inside another command (heal installs, install builds): through
/// the command table, so that no command module calls another one, and boxed, since
/// the table holds the calling command too.
pub fn run_step<'a>(
    ctx: &'a Context,
    step: &'a Step,
) -> std::pin::Pin<Box<dyn std::future::Future<Output = Result<Outcome>> + Send + 'a>> {
    Box::pin(dispatch(ctx, step))
}

/// Runs a chain of commands, handing each outcome to `on_outcome` as it completes.
pub async fn run_chain(
    ctx: &Context,
    calls: &[CommandCall],
    mut on_outcome: impl FnMut(&Step, &Outcome),
) -> Result<Vec<Outcome>> {
    let mut out = Vec::new();
    warn_ignored_input(ctx);
    for step in expand(ctx, calls)? {
        crate::log::verbose(format!(
            "command {} {:?}{}",
            step.call.name,
            step.call.args,
            step.napi_build_version
                .map(|v| format!(" (Node-API v{v})"))
                .unwrap_or_default()
        ));
        let o = dispatch(ctx, &step).await?;
        on_outcome(&step, &o);
        out.push(o);
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::pinned_napi_version;

    #[test]
    fn napi_build_version_arguments_pin_a_version_and_leave_the_others() {
        let args = |a: &[&str]| a.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        let pin = |a: &[&str]| pinned_napi_version(&args(a)).unwrap();
        assert_eq!(
            pin(&["module_path", "napi_build_version=6"]),
            (Some(Some(6)), args(&["module_path"]))
        );
        // The first counts, as in node-pre-gyp; every one is taken out; 0 is no version.
        assert_eq!(
            pin(&["napi_build_version=3", "napi_build_version=6"]),
            (Some(Some(3)), Vec::new())
        );
        assert_eq!(
            pin(&["napi_build_version=0", "napi_build_version=6"]),
            (Some(None), Vec::new())
        );
        assert_eq!(pin(&["x"]), (None, args(&["x"])));
        let e = pinned_napi_version(&args(&["napi_build_version=abc"])).unwrap_err();
        assert!(e.to_string().contains("napi_build_version=abc"), "{e}");
    }
}
