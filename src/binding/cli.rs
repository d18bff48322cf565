//! argv -> chained commands -> run -> exit code. Logging is set up here only.

use crate::commands::{self, Context};
use crate::config::options::{self, Env, Invocation};
use crate::config::target::HostInfo;
use crate::error::{Error, Result};
use crate::log;
use std::path::Path;

/// `--help`, or `<command> --help`: made from the declarations in [`crate::config::spec`].
fn help_text(command: Option<&str>) -> String {
    use crate::config::spec::{Kind, OptionSpec, COMMANDS, OPTIONS};
    let program = log::program();
    let names_of = |o: &OptionSpec| {
        let mut names = match o.short {
            Some(c) => format!("-{c}, --{}", o.name),
            None => format!("--{}", o.name),
        };
        match o.kind {
            Kind::Flag => {}
            Kind::Selector => names.push_str("[=false|names]"),
            Kind::Text | Kind::Number | Kind::Size if !o.values.is_empty() => {
                names.push_str(&format!(" <{}>", o.values.join("|")))
            }
            Kind::Text | Kind::Number | Kind::Size => names.push_str(&format!(" <{}>", o.arg)),
        }
        names
    };
    let extra: &[(&str, &str)] = &[
        ("--silent, --verbose, --silly", "shorthands for --loglevel"),
        ("--release", "shorthand for --no-debug"),
        ("-v, --version, -h, --help", "this text, or the version"),
    ];
    // One column for the descriptions; a longer name puts its description on the next line.
    let width = 36;
    let line = |names: &str, help: &str| {
        if names.len() > width {
            format!("    {names}\n    {:width$}  {help}\n", "")
        } else {
            format!("    {names:<width$}  {help}\n")
        }
    };
    let option_line = |o: &OptionSpec| {
        let mut help = o.help.to_string();
        if !o.env.is_empty() {
            help.push_str(&format!(" [env: {}]", o.env.join(", ")));
        }
        line(&names_of(o), &help)
    };
    let env_note = "every option can also be set as npm_config_<name> (npm's form) or PREGYP_<NAME> (`PREGYP_FETCH_RETRIES=5`); the command line wins over PREGYP_*, and npm_config_* over both, as in node-pre-gyp";
    if let Some(c) = command.and_then(crate::config::spec::command) {
        let mut s = format!(
            "Usage: {program} {} {}[options]\n\n  {}\n",
            c.name,
            if c.args.is_empty() {
                String::new()
            } else {
                format!("{} ", c.args)
            },
            c.summary,
        );
        let own: Vec<&OptionSpec> = OPTIONS
            .iter()
            .filter(|o| o.commands.contains(&c.name))
            .collect();
        if !own.is_empty() {
            s.push_str(&format!("\n  Options of {}:\n", c.name));
            own.iter().for_each(|o| s.push_str(&option_line(o)));
        }
        s.push_str("\n  Options of every command:\n");
        OPTIONS
            .iter()
            .filter(|o| o.commands.is_empty())
            .for_each(|o| s.push_str(&option_line(o)));
        extra.iter().for_each(|(n, h)| s.push_str(&line(n, h)));
        s.push_str(&format!("\n  {}.\n", env_note));
        return s;
    }
    let mut s = format!("\n  Usage: {program} <command> [command ...] [options] [-- node-gyp args]\n\n  where <command> is one of:\n");
    for c in COMMANDS {
        s.push_str(&format!("    - {} - {}\n", c.name, c.summary));
    }
    s.push_str(&format!(
        "\n  `{program} help <command>` (or `<command> --help`) shows one command's options.\n"
    ));
    s.push_str("\n  Options (dashes and underscores are interchangeable):\n");
    for o in OPTIONS {
        s.push_str(&option_line(o));
    }
    extra.iter().for_each(|(n, h)| s.push_str(&line(n, h)));
    s.push_str(&format!("\n  {}.\n", env_note));
    s.push_str(&format!("\npregyp@{}", env!("CARGO_PKG_VERSION")));
    s
}

/// The level asked for on a command line that did not parse, so that `--silent` is
/// silent about the parse error too.
fn level_of_unparsed(argv: &[String]) -> Option<crate::log::LogLevel> {
    argv.iter().enumerate().find_map(|(i, a)| match a.as_str() {
        "--silent" => Some(crate::log::LogLevel::Silent),
        "--loglevel" => crate::log::LogLevel::parse(argv.get(i + 1)?).ok(),
        _ => crate::log::LogLevel::parse(a.strip_prefix("--loglevel=")?).ok(),
    })
}

/// Runs a command line as `program` (`pregyp`, or `node-pre-gyp` for the reference's log
/// shape); returns the process exit code, and the error behind a failure (already reported,
/// as the CLI reports it). `library`: one command of node-pre-gyp's `Run`, whose caller (its
/// bin) logs the opening and closing lines itself.
pub async fn run(
    argv: Vec<String>,
    host: HostInfo,
    cwd: &Path,
    env: Env,
    program: &str,
    library: bool,
) -> (i32, Option<Error>) {
    log::set_program(program);
    let out = match run_command_line(&argv, host, cwd, env, library).await {
        Ok(code) => (code, None),
        Err(e) => {
            if library {
                report_error(&e);
            } else {
                report(&e);
            }
            (1, Some(e))
        }
    };
    // API calls made after it, in the same process, speak as pregyp again.
    log::set_program("pregyp");
    out
}

async fn run_command_line(
    argv: &[String],
    host: HostInfo,
    cwd: &Path,
    env: Env,
    library: bool,
) -> Result<i32, Error> {
    let inv = options::parse(argv, env).inspect_err(|_| {
        if let Some(l) = level_of_unparsed(argv) {
            log::set_level(l);
        }
    })?;
    log::set_level(inv.opts.loglevel);
    let color = match inv.opts.raw.get("color") {
        Some(options::Raw::Bool(b)) => *b,
        Some(options::Raw::Str(s)) => !matches!(s.as_str(), "false" | "0"),
        None => true,
    };
    log::set_color(color);
    if inv.version && inv.commands.is_empty() {
        log::result(format!("v{}", env!("CARGO_PKG_VERSION")));
        return Ok(0);
    }
    if inv.help {
        log::result(help_text(inv.commands.first().map(|c| c.name.as_str())));
        return Ok(0);
    }
    if inv.commands.is_empty() {
        eprintln!("{}", help_text(None));
        return Ok(1);
    }
    if log::reference_style() && !library {
        log::info("it worked if it ends with ok");
        log::info(format!(
            "using node-pre-gyp@{} (pregyp)",
            env!("CARGO_PKG_VERSION")
        ));
        log::info(format!(
            "using node@{} | {} | {}",
            host.node_version, host.platform, host.arch
        ));
    }
    run_invocation(inv, host, cwd).await?;
    if !library {
        log::info("ok");
    }
    Ok(0)
}

/// Logs an error as one clear line (plus detail with --verbose); nothing at `--silent`.
pub fn report_error(e: &Error) {
    let mut msg = e.to_string();
    if log::enabled(crate::log::LogLevel::Verbose) {
        // The chain of kept causes, less what the message already says.
        let mut src = std::error::Error::source(e);
        while let Some(s) = src {
            let text = crate::redact::redact_text(&s.to_string());
            if !msg.contains(&text) {
                msg.push_str(&format!("\n  caused by: {text}"));
            }
            src = s.source();
        }
        msg.push_str(&format!("\n  code: {}", e.code()));
    }
    log::error(msg);
}

/// [`report_error`], then, in the reference's log shape, its closing `not ok` (a command of
/// node-pre-gyp's `Run` leaves that to its caller, the bin).
pub fn report(e: &Error) {
    report_error(e);
    if log::reference_style() {
        log::error("not ok");
    }
}

async fn run_invocation(inv: Invocation, host: HostInfo, cwd: &Path) -> Result<()> {
    let ctx = Context::load(inv.opts, host, cwd)?;
    log::verbose(format!(
        "using pregyp@{} | node@{} | {} | {}",
        env!("CARGO_PKG_VERSION"),
        ctx.host.node_version,
        ctx.host.platform,
        ctx.host.arch
    ));
    let json = ctx.opts.json;
    commands::run_chain(&ctx, &inv.commands, |_, outcome| {
        if json {
            log::result(serde_json::to_string(&outcome.result).expect("results serialize"));
        } else {
            for line in &outcome.stdout {
                log::result(line);
            }
        }
    })
    .await?;
    Ok(())
}
