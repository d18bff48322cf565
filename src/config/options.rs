//! Command line + `npm_config_*` environment merged into one typed `Options`.
//! Commands get argv and the environment only through `Options` (and its `env`
//! snapshot). The exceptions are deliberate: `find()` asks the process for the few
//! variables it reads (no snapshot on its hot path), and the AWS default credentials
//! chain reads the process environment itself.
//!
//! Parsing follows node-pre-gyp's nopt setup: `--flag` is true, `--no-flag` false,
//! `--flag=value` a string, `--flag true|false` a boolean; dashes and underscores in
//! names are interchangeable. Commands chain (`clean build package`); positional
//! arguments after a command belong to it; everything after `--` goes to node-gyp.
//! As in the reference, an `npm_config_<key>` variable overrides the same flag on the
//! script's command line (npm passes the user's `npm install --flag` that way), except
//! `loglevel`, where the command line wins.

use crate::config::target::{Runtime, TargetOptions};
use crate::config::versioning::EvalOptions;
use crate::error::{Error, Result};
use crate::log::LogLevel;
use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};
use std::time::Duration;

/// A raw option value as parsed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Raw {
    /// `--flag` / `--no-flag`.
    Bool(bool),
    /// `--flag=value` or an environment value.
    Str(String),
}

/// A snapshot of the environment variables pregyp reads.
#[derive(Debug, Clone, Default)]
pub struct Env(pub HashMap<String, String>);

impl Env {
    /// The whole process environment.
    pub fn from_process() -> Self {
        Env(std::env::vars_os()
            .filter_map(|(k, v)| Some((k.into_string().ok()?, v.into_string().ok()?)))
            .collect())
    }

    /// An environment made of these pairs (tests, embedding).
    pub fn from_pairs(pairs: &[(&str, &str)]) -> Self {
        Env(pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect())
    }

    /// A variable, `None` when unset.
    pub fn get(&self, k: &str) -> Option<&str> {
        self.0.get(k).map(String::as_str)
    }

    /// A variable, `None` when unset or empty.
    pub fn non_empty(&self, k: &str) -> Option<&str> {
        self.get(k).filter(|s| !s.is_empty())
    }
}

/// `--build-from-source` / `--fallback-to-build`: off, on, or on for named packages.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub enum Selector {
    /// Not requested.
    #[default]
    Off,
    /// For every package.
    All,
    /// For these package names only.
    Names(Vec<String>),
}

impl Selector {
    fn from_raw(v: Option<&Raw>) -> Self {
        match v {
            None | Some(Raw::Bool(false)) => Selector::Off,
            Some(Raw::Bool(true)) => Selector::All,
            Some(Raw::Str(s)) => Self::parse(s),
        }
    }

    /// Parses `true`, `false`, empty, or a comma-separated list of package names.
    pub fn parse(s: &str) -> Self {
        match s.trim() {
            "" | "false" | "0" => Selector::Off,
            "true" | "1" => Selector::All,
            list => Selector::Names(
                list.split(',')
                    .map(|n| n.trim().to_string())
                    .filter(|n| !n.is_empty())
                    .collect(),
            ),
        }
    }

    /// Whether it selects the package `name`.
    pub fn matches(&self, name: &str) -> bool {
        match self {
            Selector::Off => false,
            Selector::All => true,
            Selector::Names(n) => n.iter().any(|x| x == name),
        }
    }

    fn or(self, other: Selector) -> Selector {
        match (self, other) {
            (Selector::All, _) | (_, Selector::All) => Selector::All,
            (Selector::Off, o) | (o, Selector::Off) => o,
            (Selector::Names(mut a), Selector::Names(b)) => {
                a.extend(b);
                Selector::Names(a)
            }
        }
    }
}

/// One command of a chain and its positional arguments.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CommandCall {
    /// Command name.
    pub name: String,
    /// Positional arguments that followed it.
    pub args: Vec<String>,
}

/// Everything the user asked for, typed.
#[derive(Debug, Clone)]
pub struct Options {
    /// `-C/--directory`.
    pub directory: Option<PathBuf>,
    /// `--build-from-source[=names]`, also `PREGYP_BUILD_FROM_SOURCE`.
    pub build_from_source: Selector,
    /// `--fallback-to-build[=names|false]`.
    pub fallback_to_build: Selector,
    /// `--update-binary`.
    pub update_binary: bool,
    /// `--runtime`, `--target`, `--target_arch`, `--target_platform`, `--target_libc`,
    /// `--debug` / `--release`.
    pub target: TargetOptions,
    /// `--toolset`.
    pub toolset: Option<String>,
    /// `--loglevel`, `--silent`, `--verbose`.
    pub loglevel: LogLevel,
    /// `--acl`.
    pub acl: Option<String>,
    /// `--s3_host`.
    pub s3_host: Option<String>,
    /// `--proxy` / `npm_config_proxy` (http targets), then `HTTP_PROXY`.
    pub proxy: Option<String>,
    /// `--https-proxy` / `npm_config_https_proxy`, then `HTTPS_PROXY`.
    pub https_proxy: Option<String>,
    /// `--noproxy` / `NO_PROXY`.
    pub noproxy: Option<String>,
    /// `--ca` (PEM text).
    pub ca: Vec<String>,
    /// `--cafile`, `NODE_EXTRA_CA_CERTS`, `SSL_CERT_FILE`: extra PEM files.
    pub ca_files: Vec<PathBuf>,
    /// `--strict-ssl=false` turns certificate checks off.
    pub strict_ssl: bool,
    /// `--fetch-retries` (npm's name), default 3.
    pub retries: u32,
    /// `--fetch-timeout` in ms: connect and idle-read timeout, default 20 s (a stall is
    /// retried once, so a stuck server ends an install in well under a minute).
    pub timeout: Duration,
    /// First retry delay (`--fetch-retry-mintimeout` in ms), doubled each time.
    pub retry_min_delay: Duration,
    /// Download cache folder (`--pregyp-cache`, `PREGYP_CACHE`, else `<npm cache>/_pregyp`).
    pub cache_dir: Option<PathBuf>,
    /// `--offline`: install from the cache only.
    pub offline: bool,
    /// Refuse archives that unpack to more than this many bytes.
    pub max_unpacked_size: u64,
    /// `--build-latest-napi-version-only`.
    pub build_latest_napi_version_only: bool,
    /// `--json`.
    pub json: bool,
    /// `--dry-run`.
    pub dry_run: bool,
    /// `--concurrency` for heal.
    pub concurrency: usize,
    /// `--dist-url`, `--python`, `--nodedir`, `--msvs_version` (forwarded to node-gyp configure).
    pub gyp_known: Vec<(String, String)>,
    /// Every `--flag[=value]` from the command line, for node-gyp.
    pub cli_flags: Vec<String>,
    /// Everything after `--`.
    pub gyp_args: Vec<String>,
    /// `--ensure=false` (reference's configure option).
    pub ensure: Option<bool>,
    /// All merged raw values, for command-specific flags (postinstall-build).
    pub raw: BTreeMap<String, Raw>,
    /// The environment snapshot (mirrors, lifecycle variables, child process env).
    pub env: Env,
}

/// A parsed command line.
#[derive(Debug, Clone)]
pub struct Invocation {
    /// Commands in order.
    pub commands: Vec<CommandCall>,
    /// Options.
    pub opts: Options,
    /// `-h/--help`.
    pub help: bool,
    /// `-v/--version`.
    pub version: bool,
}

/// Whether the option `key` takes the next argument as its value when written without `=`.
fn takes_value(key: &str) -> bool {
    crate::config::spec::option(key).is_some_and(|o| o.kind.takes_value())
}

/// Normalizes an option name: lowercase is kept, dashes become underscores.
pub fn key(name: &str) -> String {
    name.replace('-', "_")
}

/// Parses `argv` (without node and script) against `env`.
pub fn parse(argv: &[String], env: Env) -> Result<Invocation> {
    let mut cli: BTreeMap<String, Raw> = BTreeMap::new();
    let mut cli_flags = Vec::new();
    let mut positionals = Vec::new();
    let mut gyp_args = Vec::new();
    let (mut help, mut version) = (false, false);
    let mut i = 0;
    while i < argv.len() {
        let arg = &argv[i];
        i += 1;
        if arg == "--" {
            gyp_args.extend(argv[i..].iter().cloned());
            break;
        }
        // `-C dir`, `-Cdir` and the like: the one-letter aliases the spec declares.
        let short = arg
            .strip_prefix('-')
            .filter(|a| !a.starts_with('-'))
            .and_then(|a| {
                let c = a.chars().next()?;
                let o = crate::config::spec::OPTIONS
                    .iter()
                    .find(|o| o.short == Some(c))?;
                let rest = &a[c.len_utf8()..];
                Some((o.key(), (!rest.is_empty()).then(|| rest.to_string())))
            });
        let expanded: Option<(String, Option<String>)> = match arg.as_str() {
            _ if short.is_some() => short,
            "-v" | "--version" => {
                version = true;
                continue;
            }
            "-h" | "--help" | "-?" => {
                help = true;
                continue;
            }
            "--release" => Some(("no-debug".into(), None)),
            "--silent" => Some(("loglevel".into(), Some("silent".into()))),
            "--verbose" => Some(("loglevel".into(), Some("verbose".into()))),
            "--silly" => Some(("loglevel".into(), Some("silly".into()))),
            a if a.starts_with("--") && a.len() > 2 => {
                let body = &a[2..];
                match body.split_once('=') {
                    Some((k, v)) => Some((k.to_string(), Some(v.to_string()))),
                    None => Some((body.to_string(), None)),
                }
            }
            _ => None,
        };
        let Some((mut written, mut value)) = expanded else {
            positionals.push(arg.clone());
            continue;
        };
        let mut negated = false;
        if value.is_none() {
            if let Some(stripped) = written.strip_prefix("no-").or(written.strip_prefix("no_")) {
                written = stripped.to_string();
                negated = true;
            }
        }
        // node-gyp gets flags spelled as the user wrote them; pregyp reads normalized names.
        let name = key(&written);
        if value.is_none() && !negated {
            let next = argv.get(i).map(String::as_str);
            if takes_value(&name) {
                match next {
                    Some(n) if !n.starts_with('-') || n.len() == 1 => {
                        value = Some(n.to_string());
                        i += 1;
                    }
                    _ => {
                        return Err(Error::InvalidOption {
                            name: name.clone(),
                            value: String::new(),
                            reason: "expects a value".into(),
                        })
                    }
                }
            } else if let Some(n @ ("true" | "false")) = next {
                value = Some(n.to_string());
                i += 1;
            }
        }
        let raw = match (&value, negated) {
            (Some(v), _) if v == "true" && !takes_value(&name) => Raw::Bool(true),
            (Some(v), _) if v == "false" && !takes_value(&name) => Raw::Bool(false),
            (Some(v), _) => Raw::Str(v.clone()),
            (None, neg) => Raw::Bool(!neg),
        };
        if name != "directory" {
            cli_flags.push(match &raw {
                Raw::Bool(true) => format!("--{written}"),
                Raw::Bool(false) => format!("--no-{written}"),
                Raw::Str(v) => format!("--{written}={v}"),
            });
        }
        cli.insert(name, raw);
    }

    // Commands and their arguments.
    let mut commands: Vec<CommandCall> = Vec::new();
    let mut leading = Vec::new();
    for p in positionals {
        // postinstall-build takes a command line of its own (`... lib npm run build`).
        let takes_rest = commands
            .last()
            .is_some_and(|c| c.name == "postinstall-build");
        if crate::config::spec::command(&p).is_some() && !takes_rest {
            commands.push(CommandCall {
                name: p,
                args: Vec::new(),
            });
        } else if let Some(last) = commands.last_mut() {
            last.args.push(p);
        } else {
            leading.push(p);
        }
    }
    if !leading.is_empty() {
        return Err(Error::Usage(format!(
            "Unknown command: {} (run `pregyp --help` for the list of commands)",
            leading.join(" ")
        )));
    }

    // npm_config_* override the script's own flags (reference behaviour).
    let mut raw = cli.clone();
    for (k, v) in &env.0 {
        if let Some(name) = k.strip_prefix("npm_config_") {
            let name = key(&name.to_ascii_lowercase());
            if name == "loglevel" && cli.contains_key("loglevel") {
                continue;
            }
            if name == "argv" {
                continue;
            }
            raw.insert(name, Raw::Str(v.clone()));
        }
    }
    let opts = Options::from_raw(raw, cli_flags, gyp_args, env)?;
    Ok(Invocation {
        commands,
        opts,
        help,
        version,
    })
}

/// The first non-empty environment variable the spec names for option `k`.
fn from_env(env: &Env, k: &str) -> Option<String> {
    crate::config::spec::option(k)?
        .env
        .iter()
        .find_map(|v| env.non_empty(v).map(String::from))
}

fn str_of(raw: &BTreeMap<String, Raw>, k: &str) -> Option<String> {
    match raw.get(k) {
        Some(Raw::Str(s)) if !s.is_empty() => Some(s.clone()),
        _ => None,
    }
}

fn bool_of(raw: &BTreeMap<String, Raw>, k: &str) -> Option<bool> {
    match raw.get(k)? {
        Raw::Bool(b) => Some(*b),
        Raw::Str(s) => Some(!matches!(s.as_str(), "" | "false" | "0")),
    }
}

fn number_of(raw: &BTreeMap<String, Raw>, k: &str) -> Result<Option<u64>> {
    match str_of(raw, k) {
        None => Ok(None),
        Some(s) => s
            .trim()
            .parse::<u64>()
            .map(Some)
            .map_err(|_| Error::InvalidOption {
                name: k.into(),
                value: s.clone(),
                reason: "expected a non-negative whole number".into(),
            }),
    }
}

impl Options {
    fn from_raw(
        raw: BTreeMap<String, Raw>,
        cli_flags: Vec<String>,
        gyp_args: Vec<String>,
        env: Env,
    ) -> Result<Self> {
        let runtime = str_of(&raw, "runtime")
            .map(|r| Runtime::parse(&r))
            .transpose()?;
        let loglevel = match str_of(&raw, "loglevel") {
            Some(l) => LogLevel::parse(&l)?,
            None => LogLevel::Info,
        };
        // npm 6 passed the user's flags as npm_config_argv; honour its
        // `--fallback-to-build false` as the reference does.
        let mut fallback_to_build = Selector::from_raw(raw.get("fallback_to_build"));
        if let Some(argv) = env.get("npm_config_argv") {
            if let Ok(v) = serde_json::from_str::<serde_json::Value>(argv) {
                if let Some(cooked) = v.get("cooked").and_then(|c| c.as_array()) {
                    let cooked: Vec<&str> = cooked.iter().filter_map(|c| c.as_str()).collect();
                    if let Some(i) = cooked.iter().position(|c| *c == "--fallback-to-build") {
                        if cooked.get(i + 1) == Some(&"false") {
                            fallback_to_build = Selector::Off;
                        }
                    }
                }
            }
        }
        let build_from_source = Selector::from_raw(raw.get("build_from_source")).or(from_env(
            &env,
            "build_from_source",
        )
        .map(|s| Selector::parse(&s))
        .unwrap_or_default());
        let mut ca = Vec::new();
        if let Some(c) = str_of(&raw, "ca") {
            ca.push(c.replace("\\n", "\n"));
        }
        let mut ca_files = Vec::new();
        // Every CA file counts: --cafile and each variable the spec names for it.
        let cafile_vars = crate::config::spec::option("cafile").map_or(&[][..], |o| o.env);
        for f in std::iter::once(str_of(&raw, "cafile"))
            .chain(
                cafile_vars
                    .iter()
                    .map(|v| env.non_empty(v).map(String::from)),
            )
            .flatten()
        {
            ca_files.push(PathBuf::from(f));
        }
        let text = |k: &str| str_of(&raw, k).or_else(|| from_env(&env, k));
        let proxy = text("proxy");
        let https_proxy = text("https_proxy").or_else(|| str_of(&raw, "proxy"));
        let noproxy = text("noproxy");
        let cache_dir = text("pregyp_cache")
            .map(PathBuf::from)
            .or_else(|| str_of(&raw, "cache").map(|c| Path::new(&c).join("_pregyp")))
            .or_else(|| {
                env.non_empty("HOME")
                    .map(|h| Path::new(h).join(".npm").join("_pregyp"))
            });
        let mut gyp_known = Vec::new();
        for k in ["dist_url", "python", "nodedir", "msvs_version"] {
            if let Some(v) = str_of(&raw, k) {
                gyp_known.push((
                    k.replace('_', "-").replace("msvs-version", "msvs_version"),
                    v,
                ));
            }
        }
        let max_unpacked_size = match str_of(&raw, "max_unpacked_size") {
            None => 1 << 30,
            Some(s) => parse_size(&s).ok_or_else(|| Error::InvalidOption {
                name: "max-unpacked-size".into(),
                value: s.clone(),
                reason: "expected a size such as 500000000, 512mb or 2gb".into(),
            })?,
        };
        Ok(Options {
            directory: str_of(&raw, "directory").map(PathBuf::from),
            build_from_source,
            fallback_to_build,
            update_binary: bool_of(&raw, "update_binary").unwrap_or(false),
            target: TargetOptions {
                runtime,
                version: str_of(&raw, "target"),
                arch: str_of(&raw, "target_arch"),
                platform: str_of(&raw, "target_platform"),
                libc: str_of(&raw, "target_libc"),
                debug: bool_of(&raw, "debug"),
            },
            toolset: str_of(&raw, "toolset"),
            loglevel,
            acl: str_of(&raw, "acl"),
            s3_host: str_of(&raw, "s3_host"),
            proxy,
            https_proxy,
            noproxy,
            ca,
            ca_files,
            strict_ssl: bool_of(&raw, "strict_ssl").unwrap_or(true),
            // Bounded: a retry count is a courtesy to flaky networks, not a loop forever.
            retries: number_of(&raw, "fetch_retries")?.unwrap_or(3).min(20) as u32,
            timeout: match number_of(&raw, "fetch_timeout")? {
                // npm's 0: no timeout. A year stands for "never" (timers take a bound).
                Some(0) => Duration::from_secs(365 * 24 * 3600),
                t => Duration::from_millis(t.unwrap_or(20_000)),
            },
            retry_min_delay: Duration::from_millis(
                number_of(&raw, "fetch_retry_mintimeout")?.unwrap_or(200),
            ),
            cache_dir,
            offline: bool_of(&raw, "offline").unwrap_or(false),
            max_unpacked_size,
            build_latest_napi_version_only: bool_of(&raw, "build_latest_napi_version_only")
                .unwrap_or(false),
            json: bool_of(&raw, "json").unwrap_or(false),
            dry_run: bool_of(&raw, "dry_run").unwrap_or(false),
            concurrency: number_of(&raw, "concurrency")?.unwrap_or(4).clamp(1, 64) as usize,
            gyp_known,
            cli_flags,
            gyp_args,
            ensure: bool_of(&raw, "ensure"),
            raw,
            env,
        })
    }

    /// Options with nothing on the command line (programmatic API).
    pub fn from_env(env: Env) -> Result<Self> {
        Ok(parse(&[], env)?.opts)
    }

    /// The host mirror for `module_name`: `npm_config_<module_name>_binary_host_mirror`
    /// with every `-` as `_` (npm's spelling), then the reference's first-dash-only
    /// spelling, then the global `PREGYP_BINARY_HOST_MIRROR` / `npm_config_pregyp_binary_host_mirror`.
    pub fn mirror_for(&self, module_name: &str) -> Option<String> {
        mirror_for(&self.env, module_name)
    }

    /// The subset of options template evaluation needs.
    pub fn eval_options(&self, module_name: &str) -> Result<EvalOptions> {
        let abi_table = match self.env.non_empty("NODE_PRE_GYP_ABI_CROSSWALK") {
            Some(p) => Some(crate::config::target::load_crosswalk(Path::new(p))?),
            None => None,
        };
        Ok(EvalOptions {
            target: self.target.clone(),
            toolset: self.toolset.clone(),
            acl: self.acl.clone(),
            module_root: None,
            mirror: self.mirror_for(module_name),
            abi_table,
        })
    }

    /// A string option by (normalized) name, for command-specific flags.
    pub fn get_str(&self, name: &str) -> Option<String> {
        str_of(&self.raw, &key(name))
    }

    /// A boolean option by (normalized) name.
    pub fn get_bool(&self, name: &str) -> bool {
        bool_of(&self.raw, &key(name)).unwrap_or(false)
    }
}

/// See [`Options::mirror_for`].
pub fn mirror_for(env: &Env, module_name: &str) -> Option<String> {
    mirror_with(|k| env.get(k).map(String::from), module_name)
}

/// The mirror lookup against any source of variables (find() asks the process
/// environment for these few names instead of copying all of it).
pub fn mirror_with(get: impl Fn(&str) -> Option<String>, module_name: &str) -> Option<String> {
    let all = module_name.replace('-', "_");
    let first = module_name.replacen('-', "_", 1);
    [
        format!("npm_config_{all}_binary_host_mirror"),
        format!("npm_config_{first}_binary_host_mirror"),
        format!("npm_config_{module_name}_binary_host_mirror"),
        "PREGYP_BINARY_HOST_MIRROR".to_string(),
        "npm_config_pregyp_binary_host_mirror".to_string(),
    ]
    .iter()
    .find_map(|k| get(k).filter(|v| !v.is_empty()))
}

fn parse_size(s: &str) -> Option<u64> {
    let s = s.trim().to_ascii_lowercase();
    let (num, mult) = if let Some(n) = s.strip_suffix("gb") {
        (n, 1u64 << 30)
    } else if let Some(n) = s.strip_suffix("mb") {
        (n, 1 << 20)
    } else if let Some(n) = s.strip_suffix("kb") {
        (n, 1 << 10)
    } else {
        (s.as_str(), 1)
    };
    num.trim().parse::<u64>().ok()?.checked_mul(mult)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_support::env;

    /// Environment pairs of a test case.
    type Vars<'a> = &'a [(&'a str, &'a str)];

    fn p(args: &[&str], e: &[(&str, &str)]) -> Invocation {
        parse(
            &args.iter().map(|s| s.to_string()).collect::<Vec<_>>(),
            env(e),
        )
        .unwrap()
    }

    #[test]
    fn chained_commands_and_their_arguments() {
        let inv = p(
            &[
                "clean",
                "build",
                "--debug",
                "package",
                "reveal",
                "module_path",
            ],
            &[],
        );
        let names: Vec<&str> = inv.commands.iter().map(|c| c.name.as_str()).collect();
        assert_eq!(names, ["clean", "build", "package", "reveal"]);
        assert_eq!(inv.commands[3].args, ["module_path"]);
        let pib = p(&["postinstall-build", "build", "npm", "run", "build"], &[]);
        assert_eq!(pib.commands.len(), 1);
        assert_eq!(pib.commands[0].args, ["build", "npm", "run", "build"]);
        assert_eq!(inv.opts.target.debug, Some(true));
    }

    #[test]
    fn flag_forms() {
        let inv = p(
            &[
                "install",
                "--fallback-to-build",
                "--update_binary",
                "--target=20.0.0",
                "--target_arch",
                "arm64",
                "-C",
                "dir",
                "--no-debug",
                "--",
                "-Dfoo",
                "--bar",
            ],
            &[],
        );
        let o = &inv.opts;
        assert_eq!(o.fallback_to_build, Selector::All);
        assert!(o.update_binary);
        assert_eq!(o.target.version.as_deref(), Some("20.0.0"));
        assert_eq!(o.target.arch.as_deref(), Some("arm64"));
        assert_eq!(o.directory.as_deref(), Some(Path::new("dir")));
        assert_eq!(o.target.debug, Some(false));
        assert_eq!(o.gyp_args, ["-Dfoo", "--bar"]);
        assert_eq!(
            o.cli_flags,
            [
                "--fallback-to-build",
                "--update_binary",
                "--target=20.0.0",
                "--target_arch=arm64",
                "--no-debug"
            ]
        );
        let r = p(&["build", "--release", "--silent"], &[]);
        assert_eq!(r.opts.target.debug, Some(false));
        assert_eq!(r.opts.loglevel, LogLevel::Silent);
        assert_eq!(
            p(&["build", "--verbose"], &[]).opts.loglevel,
            LogLevel::Verbose
        );
        assert_eq!(
            p(&["build", "--fallback-to-build", "false"], &[])
                .opts
                .fallback_to_build,
            Selector::Off
        );
        assert!(p(&["-v"], &[]).version);
        assert!(p(&["install", "--help"], &[]).help);
    }

    #[test]
    fn build_from_source_values() {
        let cases: &[(&[&str], Vars, &str, bool)] = &[
            (&["install", "--build-from-source"], &[], "a", true),
            (&["install", "--build-from-source=a"], &[], "a", true),
            (&["install", "--build-from-source=a"], &[], "b", false),
            (&["install", "--build-from-source=a,b"], &[], "b", true),
            (
                &["install"],
                &[("npm_config_build_from_source", "true")],
                "a",
                true,
            ),
            (
                &["install"],
                &[("npm_config_build_from_source", "a")],
                "a",
                true,
            ),
            (
                &["install"],
                &[("npm_config_build_from_source", "")],
                "a",
                false,
            ),
            (
                &["install", "--build-from-source"],
                &[("npm_config_build_from_source", "false")],
                "a",
                false,
            ),
            (
                &["install"],
                &[("PREGYP_BUILD_FROM_SOURCE", "x,a")],
                "a",
                true,
            ),
            (
                &["install"],
                &[("PREGYP_BUILD_FROM_SOURCE", "x")],
                "a",
                false,
            ),
        ];
        for (args, e, pkg, want) in cases {
            assert_eq!(
                p(args, e).opts.build_from_source.matches(pkg),
                *want,
                "{args:?} {e:?}"
            );
        }
    }

    #[test]
    fn fallback_to_build_values() {
        let on = |args: &[&str], e: &[(&str, &str)]| p(args, e).opts.fallback_to_build.matches("a");
        assert!(on(&["install", "--fallback-to-build"], &[]));
        assert!(!on(&["install", "--fallback-to-build=false"], &[]));
        // npm 11: `npm install --fallback-to-build=false` reaches the script as an empty value,
        // which overrides the script's own --fallback-to-build (as in the reference).
        assert!(!on(
            &["install", "--fallback-to-build"],
            &[("npm_config_fallback_to_build", "")]
        ));
        assert!(on(
            &["install"],
            &[("npm_config_fallback_to_build", "true")]
        ));
        assert!(!on(
            &["install", "--fallback-to-build"],
            &[(
                "npm_config_argv",
                r#"{"cooked":["install","--fallback-to-build","false"]}"#
            )]
        ));
    }

    #[test]
    fn environment_overrides_and_loglevel_exception() {
        let inv = p(
            &["install", "--target=1.0.0", "--loglevel=warn"],
            &[
                ("npm_config_target", "20.0.0"),
                ("npm_config_loglevel", "silly"),
                ("npm_config_runtime", "electron"),
            ],
        );
        assert_eq!(inv.opts.target.version.as_deref(), Some("20.0.0"));
        assert_eq!(inv.opts.loglevel, LogLevel::Warn);
        assert_eq!(inv.opts.target.runtime, Some(Runtime::Electron));
    }

    #[test]
    fn mirror_names() {
        let cases: &[(&str, Vars, Option<&str>)] = &[
            (
                "my-cool-mod",
                &[("npm_config_my_cool_mod_binary_host_mirror", "https://all")],
                Some("https://all"),
            ),
            (
                "my-cool-mod",
                &[("npm_config_my_cool-mod_binary_host_mirror", "https://first")],
                Some("https://first"),
            ),
            (
                "plain",
                &[("npm_config_plain_binary_host_mirror", "https://p")],
                Some("https://p"),
            ),
            (
                "plain",
                &[("PREGYP_BINARY_HOST_MIRROR", "https://global/{name}")],
                Some("https://global/{name}"),
            ),
            (
                "plain",
                &[
                    ("PREGYP_BINARY_HOST_MIRROR", "https://global"),
                    ("npm_config_plain_binary_host_mirror", "https://own"),
                ],
                Some("https://own"),
            ),
            (
                "plain",
                &[("npm_config_plain_binary_host_mirror", "")],
                None,
            ),
            ("plain", &[], None),
        ];
        for (name, e, want) in cases {
            assert_eq!(mirror_for(&env(e), name).as_deref(), *want, "{name} {e:?}");
        }
    }

    #[test]
    fn network_options() {
        let o = p(
            &[
                "install",
                "--cafile=/x.pem",
                "--strict-ssl=false",
                "--fetch-retries=5",
            ],
            &[
                ("HTTPS_PROXY", "http://proxy:3128"),
                ("NO_PROXY", "example.com"),
                ("NODE_EXTRA_CA_CERTS", "/y.pem"),
            ],
        )
        .opts;
        assert_eq!(o.https_proxy.as_deref(), Some("http://proxy:3128"));
        assert_eq!(o.noproxy.as_deref(), Some("example.com"));
        assert_eq!(
            o.ca_files,
            [PathBuf::from("/x.pem"), PathBuf::from("/y.pem")]
        );
        assert!(!o.strict_ssl);
        assert_eq!(o.retries, 5);
        let o = p(
            &["install"],
            &[
                ("npm_config_proxy", "http://p:1"),
                ("npm_config_cache", "/c"),
            ],
        )
        .opts;
        assert_eq!(o.https_proxy.as_deref(), Some("http://p:1"));
        assert_eq!(o.cache_dir.as_deref(), Some(Path::new("/c/_pregyp")));
    }

    #[test]
    fn errors_name_the_option() {
        let e = parse(
            &["install".into(), "--loglevel=loud".into()],
            Env::default(),
        )
        .unwrap_err();
        assert!(e.to_string().contains("--loglevel=loud"), "{e}");
        let e = parse(&["frobnicate".into()], Env::default()).unwrap_err();
        assert!(e.to_string().contains("Unknown command: frobnicate"), "{e}");
        let e = parse(
            &["install".into(), "--fetch-retries=x".into()],
            Env::default(),
        )
        .unwrap_err();
        assert_eq!(e.code(), "E_INVALID_OPTION");
        // npm's fetch-timeout=0 means no timeout, not an immediate one.
        let o = parse(
            &["install".into(), "--fetch-timeout=0".into()],
            Env::default(),
        )
        .unwrap()
        .opts;
        assert!(
            o.timeout >= Duration::from_secs(24 * 3600),
            "{:?}",
            o.timeout
        );
        let e = parse(&["install".into(), "--runtime=deno".into()], Env::default()).unwrap_err();
        assert!(e.to_string().contains("Unknown Runtime: 'deno'"));
        assert_eq!(parse_size("2gb"), Some(2 << 30));
        assert_eq!(parse_size("12"), Some(12));
        assert_eq!(parse_size("x"), None);
    }
}
