//! argv -> chained commands -> run -> exit code. Logging is set up here only.

use crate::commands::{self, Context};
use crate::config::options::{self, Env, Invocation};
use crate::config::target::HostInfo;
use crate::error::{Error, Result};
use crate::log;
use std::path::Path;

/// `--help`, or `<command> --help`: made from the declarations in [`crate::config::spec`].
fn help_text(command: Option<&str>) -> String {
    use crate::config::spec::{Kind, COMMANDS, OPTIONS};
    let option_line = |o: &crate::config::spec::OptionSpec| {
        let mut names = match o.short {
            Some(c) => format!("-{c}, --{}", o.name),
            None => format!("--{}", o.name),
        };
        match o.kind {
            Kind::Flag => {}
            Kind::Selector => names.push_str("[=names]"),
            Kind::Text | Kind::Number | Kind::Size if !o.values.is_empty() => {
                names.push_str(&format!(" <{}>", o.values.join("|")))
            }
            Kind::Text | Kind::Number | Kind::Size => names.push_str(&format!(" <{}>", o.arg)),
        }
        let mut help = o.help.to_string();
        if !o.env.is_empty() {
            help.push_str(&format!(" [env: {}]", o.env.join(", ")));
        }
        format!("    {names:<34} {help}\n")
    };
    if let Some(c) = command.and_then(crate::config::spec::command) {
        let mut s = format!(
            "Usage: pregyp {} {}[options]\n\n  {}\n\n  Options for {}:\n",
            c.name,
            if c.args.is_empty() {
                String::new()
            } else {
                format!("{} ", c.args)
            },
            c.summary,
            c.name
        );
        for o in OPTIONS.iter().filter(|o| o.commands.contains(&c.name)) {
            s.push_str(&option_line(o));
        }
        s.push_str("\n  Every option of `pregyp --help` applies too, and each can be set as npm_config_<name>.\n");
        return s;
    }
    let mut s = String::from("\n  Usage: pregyp <command> [command ...] [options] [-- node-gyp args]\n\n  where <command> is one of:\n");
    for c in COMMANDS {
        s.push_str(&format!("    - {} - {}\n", c.name, c.summary));
    }
    s.push_str("\n  Options (dashes and underscores are interchangeable; every option can also be set as npm_config_<name>):\n");
    for o in OPTIONS {
        s.push_str(&option_line(o));
    }
    s.push_str("    --silent, --verbose, --silly          shorthands for --loglevel\n");
    s.push_str("    --release                             shorthand for --no-debug\n");
    s.push_str("    -v, --version, -h, --help\n");
    s.push_str(&format!("\npregyp@{}", env!("CARGO_PKG_VERSION")));
    s
}

/// Runs a command line; returns the process exit code.
pub async fn run(argv: Vec<String>, host: HostInfo, cwd: &Path, env: Env) -> i32 {
    let inv = match options::parse(&argv, env) {
        Ok(i) => i,
        Err(e) => {
            log::error(e.to_string());
            return 1;
        }
    };
    log::set_level(inv.opts.loglevel);
    if inv.version && inv.commands.is_empty() {
        log::result(format!("v{}", env!("CARGO_PKG_VERSION")));
        return 0;
    }
    if inv.help {
        log::result(help_text(inv.commands.first().map(|c| c.name.as_str())));
        return 0;
    }
    if inv.commands.is_empty() {
        eprintln!("{}", help_text(None));
        return 1;
    }
    match run_invocation(inv, host, cwd).await {
        Ok(()) => {
            log::info("ok");
            0
        }
        Err(e) => {
            report(&e);
            1
        }
    }
}

/// Prints an error as one clear line (plus detail with --verbose).
pub fn report(e: &Error) {
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
    // Shown regardless of --silent: the exit code alone does not say what went wrong.
    eprintln!("pregyp ERR! {}", msg.replace('\n', "\npregyp ERR! "));
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
