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
pub struct Env {
    /// The variables.
    pub vars: HashMap<String, String>,
    /// Windows' rules: names are case-insensitive (`Path`, `HTTPS_PROXY` as
    /// `https_proxy`), the home folder is `USERPROFILE`, caches live under `LOCALAPPDATA`.
    pub windows: bool,
}

impl Env {
    /// The whole process environment.
    pub fn from_process() -> Self {
        Env {
            vars: std::env::vars_os()
                .filter_map(|(k, v)| Some((k.into_string().ok()?, v.into_string().ok()?)))
                .collect(),
            windows: cfg!(windows),
        }
    }

    /// An environment made of these pairs (tests, embedding), with this platform's rules.
    pub fn from_pairs(pairs: &[(&str, &str)]) -> Self {
        Self::from_pairs_on(pairs, cfg!(windows))
    }

    /// An environment made of these pairs, with Windows' rules or not.
    pub fn from_pairs_on(pairs: &[(&str, &str)], windows: bool) -> Self {
        Env {
            vars: pairs
                .iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect(),
            windows,
        }
    }

    /// A variable, `None` when unset.
    pub fn get(&self, k: &str) -> Option<&str> {
        match self.vars.get(k) {
            Some(v) => Some(v.as_str()),
            None if self.windows => self
                .vars
                .iter()
                .find(|(n, _)| n.eq_ignore_ascii_case(k))
                .map(|(_, v)| v.as_str()),
            None => None,
        }
    }

    /// The user's home folder: `HOME`, else on Windows `USERPROFILE` (which is what
    /// Windows sets; `HOME` only under MSYS or Cygwin).
    pub fn home(&self) -> Option<&str> {
        self.non_empty("HOME").or_else(|| {
            self.windows
                .then(|| self.non_empty("USERPROFILE"))
                .flatten()
        })
    }

    /// The default download cache: npm's cache folder plus `_pregyp`, as npm places it
    /// (`%LOCALAPPDATA%\npm-cache` on Windows, `~/.npm` elsewhere).
    pub fn default_cache_dir(&self) -> Option<PathBuf> {
        if self.windows {
            if let Some(d) = self.non_empty("LOCALAPPDATA") {
                return Some(Path::new(d).join("npm-cache").join("_pregyp"));
            }
        }
        self.home()
            .map(|h| Path::new(h).join(".npm").join("_pregyp"))
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
    /// `--cafile`, `NODE_EXTRA_CA_CERTS`, `SSL_CERT_FILE`: extra PEM files, each with
    /// where it was named (for errors).
    pub ca_files: Vec<CaFile>,
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
    /// Command-line options pregyp does not know, handed on to node-gyp (where they
    /// become gyp variables), each with a note for the log.
    pub passed_on: Vec<PassedOn>,
    /// Where each raw value came from, as the user wrote it (`--fetch-retries`,
    /// `npm_config_fetch_retries`, `PREGYP_FETCH_RETRIES`), for error messages.
    pub origins: BTreeMap<String, String>,
    /// The environment snapshot (mirrors, lifecycle variables, child process env).
    pub env: Env,
}

/// A command-line option pregyp does not know, in a chain that hands options to node-gyp.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PassedOn {
    /// The option as written (`--shared-libxml2`).
    pub flag: String,
    /// The pregyp option it is close to, when it looks like a typo of one.
    pub near: Option<&'static str>,
    /// The commands it is pregyp's option for, when it is one (of other commands).
    pub other_commands: Option<&'static [&'static str]>,
}

impl PassedOn {
    /// Logs it: a warning when it looks like a typo or is an option of other commands,
    /// else a verbose note.
    pub fn log(&self) {
        if let Some(commands) = self.other_commands {
            return crate::log::warn(format!(
                "{} is pregyp's option for {}, not for this command; it is passed on to node-gyp",
                self.flag,
                commands.join(", ")
            ));
        }
        match self.near {
            Some(near) => crate::log::warn(format!(
                "{} is not a pregyp option (did you mean --{near}?); it is passed on to node-gyp",
                self.flag
            )),
            None => crate::log::verbose(format!(
                "{} is not a pregyp option: passed on to node-gyp, which reads unknown options as gyp variables",
                self.flag
            )),
        }
    }
}

/// Checks every command-line option against the commands of the chain: an option no
/// command knows is an error naming the command and the nearest known option, except
/// in chains that hand options to node-gyp, where it is passed on (and returned).
fn check_chain(
    commands: &[CommandCall],
    given: &BTreeMap<String, String>,
) -> Result<Vec<PassedOn>> {
    use crate::config::spec::{option, OPTIONS};
    let applies = |o: &crate::config::spec::OptionSpec| {
        o.commands.is_empty()
            || commands
                .iter()
                .any(|c| o.commands.contains(&c.name.as_str()))
    };
    let names: Vec<&str> = commands.iter().map(|c| c.name.as_str()).collect();
    let to_gyp = names
        .iter()
        .any(|n| crate::config::spec::GYP_COMMANDS.contains(n));
    let mut passed_on = Vec::new();
    for (k, written) in given {
        // One-letter aliases were resolved to declared options.
        if !written.starts_with("--") {
            continue;
        }
        if option(k).is_some_and(applies) {
            continue;
        }
        let candidates = OPTIONS.iter().filter(|o| applies(o)).map(|o| o.name);
        let near = crate::typo::nearest(k, candidates);
        if to_gyp {
            passed_on.push(PassedOn {
                flag: written.clone(),
                near,
                other_commands: option(k).map(|o| o.commands),
            });
            continue;
        }
        let chain = if names.is_empty() {
            "pregyp".to_string()
        } else {
            names.join(" ")
        };
        let mut msg = match option(k) {
            Some(o) => format!(
                "option `{written}` does not apply to {chain} (it is for: {})",
                o.commands.join(", ")
            ),
            None => format!("unknown option `{written}` for {chain}"),
        };
        if let Some(n) = near {
            msg.push_str(&format!("; did you mean `--{n}`?"));
        }
        msg.push_str(" (pregyp <command> --help lists the options)");
        return Err(Error::UnknownOption(msg));
    }
    Ok(passed_on)
}

/// pregyp's own variables besides each option's `PREGYP_<OPTION>` (tuning and test knobs
/// included, so that setting one is never called a typo).
const PREGYP_VARIABLES: &[&str] = &[
    "PREGYP_AUTH",
    "PREGYP_BINARY_HOST_MIRROR",
    "PREGYP_CACHE",
    "PREGYP_CONFIG",
    "PREGYP_FETCH_SELF",
    "PREGYP_FIND_CORE",
    "PREGYP_GITHUB_API",
    "PREGYP_INSTALL_ON_FIND",
    "PREGYP_MIRROR",
    "PREGYP_GZIP_LEVEL",
    "PREGYP_MULTIPART_THRESHOLD",
    "PREGYP_PACK_THREADS",
    "PREGYP_TEST_HIDE_NATIVE",
    "PREGYP_TEST_PAUSE_IN_COMMIT_MS",
    // pregyp's own build and test scripts.
    "PREGYP_PROFILE",
    "PREGYP_KEEP_TMP",
];

/// Warnings for `PREGYP_*` variables that look like typos of pregyp's own
/// (`PREGYP_BUILD_FROM_SOUCE`): pregyp owns that prefix, so a near miss is a mistake, not
/// another tool's setting. (Per-module mirrors, `PREGYP_<MODULE>_BINARY_HOST_MIRROR`, are
/// never named.)
pub fn env_typos(env: &Env) -> Vec<String> {
    let option_vars: Vec<String> = crate::config::spec::OPTIONS
        .iter()
        .map(|o| format!("PREGYP_{}", o.key().to_ascii_uppercase()))
        .collect();
    let known: Vec<&str> = option_vars
        .iter()
        .map(String::as_str)
        .chain(PREGYP_VARIABLES.iter().copied())
        .collect();
    let mut out: Vec<String> = env
        .vars
        .keys()
        .filter(|k| {
            let upper = k.to_ascii_uppercase();
            upper.starts_with("PREGYP_")
                && !upper.ends_with("_BINARY_HOST_MIRROR")
                // Windows reads names in any case; elsewhere `pregyp_target` is not read.
                && !(known.contains(&upper.as_str()) && (env.windows || upper == **k))
        })
        .filter_map(|k| {
            // Compared without the prefix they share, so that PREGYP_URL is not PREGYP_ACL.
            let unprefixed =
                |n: &str| -> String { n.strip_prefix("PREGYP_").unwrap_or(n).to_string() };
            let bare: Vec<String> = known.iter().map(|n| unprefixed(n)).collect();
            let near = crate::typo::nearest(
                &k.to_ascii_uppercase()["PREGYP_".len()..],
                bare.iter().map(String::as_str),
            )?;
            Some(format!(
                "{k} is not a variable pregyp reads (did you mean PREGYP_{near}?); it is ignored"
            ))
        })
        .collect();
    out.sort();
    out
}

/// An extra CA file and where it was named (`--cafile`, `NODE_EXTRA_CA_CERTS`, ...).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CaFile {
    /// The file.
    pub path: PathBuf,
    /// The option or variable that named it.
    pub origin: String,
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
    let mut origins: BTreeMap<String, String> = BTreeMap::new();
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
                        // As --help shows it: the choices, or what the value is.
                        let what = match crate::config::spec::option(&name) {
                            Some(o) if !o.values.is_empty() => o.values.join("|"),
                            Some(o) => o.arg.to_string(),
                            None => "value".to_string(),
                        };
                        // `-C` as written, with the option it stands for.
                        let shown = if arg.starts_with("--") {
                            format!("--{written}")
                        } else {
                            format!("{arg} (--{written})")
                        };
                        return Err(Error::InvalidOption {
                            name: shown,
                            value: String::new(),
                            reason: format!("expects a value (--{written}=<{what}>)"),
                        });
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
        origins.insert(
            name.clone(),
            if arg.starts_with("--") {
                format!("--{written}")
            } else {
                arg.chars().take(2).collect()
            },
        );
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
    // `pregyp help [command]` is `pregyp [command] --help`.
    if leading.first().is_some_and(|l| l == "help") {
        help = true;
        leading.remove(0);
        if let Some(c) = leading
            .first()
            .filter(|c| crate::config::spec::command(c).is_some())
        {
            commands.insert(
                0,
                CommandCall {
                    name: c.clone(),
                    args: Vec::new(),
                },
            );
            leading.remove(0);
        }
    }
    if !leading.is_empty() {
        return Err(Error::Usage(format!(
            "Unknown command: {} (run `pregyp --help` for the list of commands)",
            leading.join(" ")
        )));
    }

    // Without a command there is only help to print.
    let passed_on = if help || commands.is_empty() {
        Vec::new()
    } else {
        check_chain(&commands, &origins)?
    };

    // An option of other commands, set in the environment, is not these commands' (as
    // such a flag on the command line is refused): PREGYP_MODULE_ROOT must not move what
    // heal looks at.
    let for_these = |k: &str| {
        commands.is_empty()
            || crate::config::spec::option(k).is_none_or(|o| {
                o.commands.is_empty()
                    || commands
                        .iter()
                        .any(|c| o.commands.contains(&c.name.as_str()))
            })
    };
    // npm_config_* override the script's own flags (reference behaviour).
    let mut raw = cli.clone();
    for (k, v) in &env.vars {
        // Windows names are case-insensitive: NPM_CONFIG_FOO is npm_config_foo there.
        let lower = k.to_ascii_lowercase();
        let k = if env.windows { &lower } else { k };
        if let Some(name) = k.strip_prefix("npm_config_") {
            let name = key(&name.to_ascii_lowercase());
            if name == "loglevel" && cli.contains_key("loglevel") {
                continue;
            }
            if name == "argv" || !for_these(&name) {
                continue;
            }
            origins.insert(name.clone(), k.to_string());
            raw.insert(name, Raw::Str(v.clone()));
        }
    }
    // PREGYP_<OPTION> for every declared option, where neither the command line nor
    // npm_config_<option> gave it: npm 12 rejects unknown command-line flags
    // (`npm install --build-from-source`), so options must work from the environment too.
    for o in crate::config::spec::OPTIONS {
        let k = o.key();
        let var = format!("PREGYP_{}", k.to_ascii_uppercase());
        if raw.contains_key(&k) || o.env.contains(&var.as_str()) || !for_these(&k) {
            continue;
        }
        if let Some(v) = env.non_empty(&var) {
            origins.insert(k.clone(), var);
            raw.insert(k, Raw::Str(v.to_string()));
        }
    }
    let mut opts = Options::from_raw(raw, origins, cli_flags, gyp_args, env)?;
    opts.passed_on = passed_on;
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

/// Reads `true`, `false`, `1`, `0` and empty (false), as npm writes booleans.
fn parse_bool(s: &str) -> Option<bool> {
    match s.trim().to_ascii_lowercase().as_str() {
        "" | "false" | "0" => Some(false),
        "true" | "1" => Some(true),
        _ => None,
    }
}

fn bool_of(raw: &BTreeMap<String, Raw>, k: &str) -> Option<bool> {
    match raw.get(k)? {
        Raw::Bool(b) => Some(*b),
        Raw::Str(s) => Some(parse_bool(s).unwrap_or(true)),
    }
}

/// The merged values with where each came from: every read that can fail names the
/// flag or variable as the user wrote it.
struct Given<'a> {
    raw: &'a BTreeMap<String, Raw>,
    origins: &'a BTreeMap<String, String>,
    env: &'a Env,
}

impl Given<'_> {
    fn origin(&self, k: &str) -> String {
        origin_of(self.origins, k)
    }

    fn invalid(&self, k: &str, value: &str, reason: impl Into<String>) -> Error {
        Error::InvalidOption {
            name: self.origin(k),
            value: value.to_string(),
            reason: reason.into(),
        }
    }

    fn text(&self, k: &str) -> Option<String> {
        str_of(self.raw, k)
    }

    /// The option, else the first non-empty variable the spec names for it; with its origin.
    fn text_or_env(&self, k: &str) -> Option<(String, String)> {
        if let Some(v) = self.text(k) {
            return Some((v, self.origin(k)));
        }
        crate::config::spec::option(k)?
            .env
            .iter()
            .find_map(|var| Some((self.env.non_empty(var)?.to_string(), var.to_string())))
    }

    /// A flag: `--x`, `--no-x`, or `true`/`false`/`1`/`0`/empty; anything else is refused.
    fn flag(&self, k: &str) -> Result<Option<bool>> {
        match self.raw.get(k) {
            None => Ok(None),
            Some(Raw::Bool(b)) => Ok(Some(*b)),
            Some(Raw::Str(s)) => parse_bool(s)
                .map(Some)
                .ok_or_else(|| self.invalid(k, s, "expected true or false")),
        }
    }

    /// A whole number within `range`.
    fn number(&self, k: &str, range: std::ops::RangeInclusive<u64>) -> Result<Option<u64>> {
        let Some(s) = self.text(k) else {
            return Ok(None);
        };
        match s.trim().parse::<u64>() {
            Ok(n) if range.contains(&n) => Ok(Some(n)),
            _ if *range.end() == u64::MAX => {
                Err(self.invalid(k, &s, "expected a non-negative whole number"))
            }
            _ => Err(self.invalid(
                k,
                &s,
                format!(
                    "expected a whole number from {} to {}",
                    range.start(),
                    range.end()
                ),
            )),
        }
    }
}

/// How the user wrote option `k`: its flag or variable, else `--<k with dashes>`.
fn origin_of(origins: &BTreeMap<String, String>, k: &str) -> String {
    origins
        .get(k)
        .cloned()
        .unwrap_or_else(|| format!("--{}", k.replace('_', "-")))
}

/// A proxy must be a URL with an http, https or socks scheme, or `host:port` (which
/// curl and npm read as http).
fn check_proxy(url: &str) -> std::result::Result<(), &'static str> {
    let (scheme, rest) = match url.split_once("://") {
        Some((s, r)) => (s.to_ascii_lowercase(), r),
        None => (String::new(), url),
    };
    if !matches!(
        scheme.as_str(),
        "" | "http" | "https" | "socks4" | "socks4a" | "socks5" | "socks5h"
    ) {
        return Err("expected an http://, https:// or socks5:// URL");
    }
    let authority = rest.split('/').next().unwrap_or("");
    let host_port = authority.rsplit('@').next().unwrap_or("");
    let has_port = host_port
        .rsplit_once(':')
        .is_some_and(|(h, p)| !h.is_empty() && p.parse::<u16>().is_ok());
    let host = host_port.split(':').next().unwrap_or("");
    if host.is_empty() || url.chars().any(char::is_whitespace) || (scheme.is_empty() && !has_port) {
        return Err("expected a proxy URL such as http://proxy.example:3128");
    }
    Ok(())
}

impl Options {
    fn from_raw(
        raw: BTreeMap<String, Raw>,
        origins: BTreeMap<String, String>,
        cli_flags: Vec<String>,
        gyp_args: Vec<String>,
        env: Env,
    ) -> Result<Self> {
        let g = Given {
            raw: &raw,
            origins: &origins,
            env: &env,
        };
        // Fixed sets of values; runtime and s3_host keep the reference's own messages.
        for o in crate::config::spec::OPTIONS {
            let k = o.key();
            if o.values.is_empty() || k == "runtime" || k == "s3_host" {
                continue;
            }
            if let Some(v) = g.text(&k) {
                if !o.values.contains(&v.as_str()) {
                    return Err(g.invalid(
                        &k,
                        &v,
                        format!("expected one of {}", o.values.join(", ")),
                    ));
                }
            }
        }
        // Every flag's value is a boolean (npm's `color` may also be `always`).
        for o in crate::config::spec::OPTIONS {
            if o.kind == crate::config::spec::Kind::Flag
                && !(o.name == "color" && g.text("color").as_deref() == Some("always"))
            {
                g.flag(&o.key())?;
            }
        }
        let runtime = g.text("runtime").map(|r| Runtime::parse(&r)).transpose()?;
        let loglevel = match g.text("loglevel") {
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
        if let Some(c) = g.text("ca") {
            let pem = c.replace("\\n", "\n");
            if !pem.contains("-----BEGIN CERTIFICATE-----") {
                return Err(g.invalid(
                    "ca",
                    &c.chars().take(40).collect::<String>(),
                    "expected a PEM certificate (-----BEGIN CERTIFICATE----- ...)",
                ));
            }
            ca.push(pem);
        }
        let mut ca_files = Vec::new();
        // Every CA file counts: --cafile and each variable the spec names for it.
        if let Some(f) = g.text("cafile") {
            ca_files.push(CaFile {
                path: PathBuf::from(f),
                origin: g.origin("cafile"),
            });
        }
        let cafile_vars = crate::config::spec::option("cafile").map_or(&[][..], |o| o.env);
        for var in cafile_vars {
            if let Some(f) = env.non_empty(var) {
                ca_files.push(CaFile {
                    path: PathBuf::from(f),
                    origin: var.to_string(),
                });
            }
        }
        let proxy_of = |k: &str| -> Result<Option<(String, String)>> {
            let Some((url, origin)) = g.text_or_env(k) else {
                return Ok(None);
            };
            check_proxy(&url).map_err(|why| Error::InvalidOption {
                name: origin.clone(),
                value: crate::redact::redact_url(&url),
                reason: why.into(),
            })?;
            Ok(Some((url, origin)))
        };
        let proxy = proxy_of("proxy")?;
        let https_proxy = match proxy_of("https_proxy")? {
            Some(p) => Some(p),
            None => g.text("proxy").map(|p| (p, g.origin("proxy"))),
        };
        let mut origins = origins.clone();
        for (k, p) in [("proxy", &proxy), ("https_proxy", &https_proxy)] {
            if let Some((_, origin)) = p {
                origins.insert(k.to_string(), origin.clone());
            }
        }
        let noproxy = g.text_or_env("noproxy").map(|(v, _)| v);
        let cache_dir = g
            .text_or_env("pregyp_cache")
            .map(|(v, _)| PathBuf::from(v))
            .or_else(|| g.text("cache").map(|c| Path::new(&c).join("_pregyp")))
            .or_else(|| env.default_cache_dir());
        let mut gyp_known = Vec::new();
        for k in ["dist_url", "python", "nodedir", "msvs_version"] {
            if let Some(v) = g.text(k) {
                gyp_known.push((
                    k.replace('_', "-").replace("msvs-version", "msvs_version"),
                    v,
                ));
            }
        }
        let max_unpacked_size = match g.text("max_unpacked_size") {
            None => 1 << 30,
            Some(s) => parse_size(&s).ok_or_else(|| {
                g.invalid(
                    "max_unpacked_size",
                    &s,
                    "expected a size such as 500000000, 512mb or 2gb",
                )
            })?,
        };
        let flag = |k: &str, default: bool| g.flag(k).map(|b| b.unwrap_or(default));
        Ok(Options {
            directory: g.text("directory").map(PathBuf::from),
            build_from_source,
            fallback_to_build,
            update_binary: flag("update_binary", false)?,
            target: TargetOptions {
                runtime,
                version: g.text("target"),
                arch: g.text("target_arch"),
                platform: g.text("target_platform"),
                libc: g.text("target_libc"),
                debug: g.flag("debug")?,
            },
            toolset: g.text("toolset"),
            loglevel,
            acl: g.text("acl"),
            s3_host: g.text("s3_host"),
            proxy: proxy.map(|p| p.0),
            https_proxy: https_proxy.map(|p| p.0),
            noproxy,
            ca,
            ca_files,
            strict_ssl: flag("strict_ssl", true)?,
            // Bounded: a retry count is a courtesy to flaky networks, not a loop forever.
            retries: g.number("fetch_retries", 0..=20)?.unwrap_or(3) as u32,
            timeout: match g.number("fetch_timeout", 0..=u64::MAX)? {
                // npm's 0: no timeout. A year stands for "never" (timers take a bound).
                Some(0) => Duration::from_secs(365 * 24 * 3600),
                t => Duration::from_millis(t.unwrap_or(20_000)),
            },
            retry_min_delay: Duration::from_millis(
                g.number("fetch_retry_mintimeout", 0..=u64::MAX)?
                    .unwrap_or(200),
            ),
            cache_dir,
            offline: flag("offline", false)?,
            max_unpacked_size,
            build_latest_napi_version_only: flag("build_latest_napi_version_only", false)?,
            json: flag("json", false)?,
            dry_run: flag("dry_run", false)?,
            concurrency: g.number("concurrency", 1..=64)?.unwrap_or(4) as usize,
            gyp_known,
            cli_flags,
            gyp_args,
            ensure: g.flag("ensure")?,
            raw,
            origins,
            passed_on: Vec::new(),
            env,
        })
    }

    /// How the user wrote option `key` (`--fetch-retries`, `npm_config_fetch_retries`,
    /// `HTTPS_PROXY`), for messages about its value.
    pub fn origin(&self, key: &str) -> String {
        origin_of(&self.origins, key)
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
        // The same without npm (npm 12 refuses `--<module>_binary_host_mirror` flags and
        // warns about unknown npm_config_* variables): uppercase, dashes as underscores.
        format!("PREGYP_{}_BINARY_HOST_MIRROR", all.to_ascii_uppercase()),
        format!("{}_BINARY_HOST_MIRROR", all.to_ascii_uppercase()),
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
    fn every_option_also_reads_pregyp_env() {
        let env = Env::from_pairs;
        let argv = |a: &[&str]| a.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        let o = parse(
            &argv(&["install"]),
            env(&[
                ("PREGYP_FALLBACK_TO_BUILD", "true"),
                ("PREGYP_TARGET", "20.0.0"),
                ("PREGYP_LOGLEVEL", "silly"),
            ]),
        )
        .unwrap()
        .opts;
        assert_eq!(o.fallback_to_build, Selector::All);
        assert_eq!(o.target.version.as_deref(), Some("20.0.0"));
        // The command line wins over PREGYP_*, and npm_config_* too.
        let o = parse(
            &argv(&["install", "--target=18.0.0"]),
            env(&[("PREGYP_TARGET", "20.0.0")]),
        )
        .unwrap()
        .opts;
        assert_eq!(o.target.version.as_deref(), Some("18.0.0"));
        let o = parse(
            &argv(&["install"]),
            env(&[("PREGYP_TARGET", "20.0.0"), ("npm_config_target", "22.0.0")]),
        )
        .unwrap()
        .opts;
        assert_eq!(o.target.version.as_deref(), Some("22.0.0"));
        // An option of other commands, from the environment, is left out.
        let root = |cmd: &str| {
            parse(&argv(&[cmd]), env(&[("PREGYP_MODULE_ROOT", "sub")]))
                .unwrap()
                .opts
                .get_str("module_root")
        };
        assert_eq!(root("reveal").as_deref(), Some("sub"));
        assert_eq!(root("heal"), None);
        // Unknown PREGYP_* names are not options.
        assert!(parse(&argv(&["install"]), env(&[("PREGYP_NO_SUCH_THING", "1")])).is_ok());
        // ... and only a near miss of one of pregyp's own is named, as a warning.
        let vars = env(&[
            ("PREGYP_NO_SUCH_THING", "1"),
            ("PREGYP_BUILD_FROM_SOUCE", "1"),
            ("PREGYP_FETCH_RETRIES", "2"),
            ("PREGYP_MIRORR", "x"),
            ("PREGYP_MY_MOD_BINARY_HOST_MIRROR", "x"),
            ("pregyp_target", "18.0.0"),
            ("PREGYP_URL", "x"),
            ("PREGYP_CI", "1"),
            ("PREGYP_ROOT", "x"),
        ]);
        assert_eq!(
            env_typos(&vars),
            [
                "PREGYP_BUILD_FROM_SOUCE is not a variable pregyp reads (did you mean PREGYP_BUILD_FROM_SOURCE?); it is ignored",
                "PREGYP_MIRORR is not a variable pregyp reads (did you mean PREGYP_MIRROR?); it is ignored",
                "pregyp_target is not a variable pregyp reads (did you mean PREGYP_TARGET?); it is ignored",
            ]
        );
    }

    #[test]
    fn module_mirror_from_uppercase_variables() {
        let get = |pairs: &'static [(&'static str, &'static str)]| {
            move |k: &str| {
                pairs
                    .iter()
                    .find(|(n, _)| *n == k)
                    .map(|(_, v)| v.to_string())
            }
        };
        assert_eq!(
            mirror_with(
                get(&[("BCRYPT_LIB_BINARY_HOST_MIRROR", "https://m/")]),
                "bcrypt_lib"
            )
            .as_deref(),
            Some("https://m/")
        );
        assert_eq!(
            mirror_with(
                get(&[("PREGYP_MY_MOD_BINARY_HOST_MIRROR", "https://p/")]),
                "my-mod"
            )
            .as_deref(),
            Some("https://p/")
        );
        // npm's spelling first, the global mirror last.
        assert_eq!(
            mirror_with(
                get(&[
                    ("MY_MOD_BINARY_HOST_MIRROR", "https://u/"),
                    ("npm_config_my_mod_binary_host_mirror", "https://n/")
                ]),
                "my-mod"
            )
            .as_deref(),
            Some("https://n/")
        );
        assert_eq!(
            mirror_with(
                get(&[
                    ("MY_MOD_BINARY_HOST_MIRROR", "https://u/"),
                    ("PREGYP_BINARY_HOST_MIRROR", "https://g/")
                ]),
                "my-mod"
            )
            .as_deref(),
            Some("https://u/")
        );
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
            [
                CaFile {
                    path: PathBuf::from("/x.pem"),
                    origin: "--cafile".into()
                },
                CaFile {
                    path: PathBuf::from("/y.pem"),
                    origin: "NODE_EXTRA_CA_CERTS".into()
                }
            ]
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

    #[test]
    fn windows_env_names_are_case_insensitive() {
        let pairs = [
            ("Https_Proxy", "http://p:1"),
            ("NPM_CONFIG_TARGET", "20.0.0"),
        ];
        let win = Env::from_pairs_on(&pairs, true);
        assert_eq!(win.get("HTTPS_PROXY"), Some("http://p:1"));
        assert_eq!(win.non_empty("https_proxy"), Some("http://p:1"));
        let posix = Env::from_pairs_on(&pairs, false);
        assert_eq!(posix.get("HTTPS_PROXY"), None);
        // npm_config_* in any case are options on Windows, as npm sets them there.
        let args = vec!["install".to_string()];
        let o = parse(&args, Env::from_pairs_on(&pairs, true)).unwrap().opts;
        assert_eq!(o.target.version.as_deref(), Some("20.0.0"));
        let o = parse(&args, Env::from_pairs_on(&pairs, false))
            .unwrap()
            .opts;
        assert_eq!(o.target.version, None);
    }

    #[test]
    fn windows_home_and_cache_dir() {
        let win = |pairs: &[(&str, &str)]| Env::from_pairs_on(pairs, true);
        let posix = |pairs: &[(&str, &str)]| Env::from_pairs_on(pairs, false);
        // Windows sets USERPROFILE, not HOME; the cache is npm's, under LOCALAPPDATA.
        let e = win(&[
            ("USERPROFILE", r"C:\Users\me"),
            ("LOCALAPPDATA", r"C:\Users\me\AppData\Local"),
        ]);
        assert_eq!(e.home(), Some(r"C:\Users\me"));
        assert_eq!(
            e.default_cache_dir(),
            Some(
                Path::new(r"C:\Users\me\AppData\Local")
                    .join("npm-cache")
                    .join("_pregyp")
            )
        );
        let e = win(&[("USERPROFILE", r"C:\Users\me")]);
        assert_eq!(
            e.default_cache_dir(),
            Some(Path::new(r"C:\Users\me").join(".npm").join("_pregyp"))
        );
        // HOME (MSYS, Cygwin) still wins for the home folder.
        assert_eq!(
            win(&[("HOME", "/home/me"), ("USERPROFILE", "C:/u")]).home(),
            Some("/home/me")
        );
        // Elsewhere only HOME counts.
        assert_eq!(
            posix(&[("USERPROFILE", "/u"), ("LOCALAPPDATA", "/l")]).home(),
            None
        );
        assert_eq!(
            posix(&[("USERPROFILE", "/u"), ("LOCALAPPDATA", "/l")]).default_cache_dir(),
            None
        );
        assert_eq!(
            posix(&[("HOME", "/h")]).default_cache_dir(),
            Some(PathBuf::from("/h/.npm/_pregyp"))
        );
    }
}
