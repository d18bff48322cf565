//! The programmatic API behind the N-API functions: the same commands as the
//! CLI, returning structured results instead of printing them.

use crate::commands::{self, Context};
use crate::config::options::{self, CommandCall, Env};
use crate::config::target::HostInfo;
use crate::error::Result;
use crate::results::CommandResult;
use std::path::Path;

/// `reveal` for the API: one JSON document per Node-API version; with a key in
/// `args`, that value as a JSON string.
pub fn reveal(argv: &[String], host: HostInfo, cwd: &Path) -> Result<Vec<String>> {
    let mut line = vec!["reveal".to_string()];
    line.extend(argv.iter().cloned());
    let inv = options::parse(&line, Env::from_process())?;
    crate::log::scoped_sync(inv.opts.loglevel, || reveal_all(inv, host, cwd))
}

fn reveal_all(inv: options::Invocation, host: HostInfo, cwd: &Path) -> Result<Vec<String>> {
    let ctx = Context::load(inv.opts, host, cwd)?;
    let args: Vec<String> = inv.commands.into_iter().flat_map(|c| c.args).collect();
    let call = CommandCall {
        name: "reveal".into(),
        args: args.clone(),
    };
    commands::expand(&ctx, &[call])?
        .iter()
        .map(|s| {
            // A single value is a JSON string; the whole configuration an object.
            Ok(commands::reveal::reveal_value(&ctx, &args, s.napi_build_version)?.to_string())
        })
        .collect()
}

/// Runs one command (with the package's Node-API expansion) and returns the result
/// of every step: one element per Node-API version, or one for plain packages.
pub async fn run_command(
    name: &str,
    argv: Vec<String>,
    host: HostInfo,
    cwd: &Path,
) -> Result<Vec<CommandResult>> {
    // Parsed as `<name> <argv...>`: positional arguments (opts.args) belong to the
    // command, even when one of them is itself a command name (`build rebuild`).
    let mut line = vec![name.to_string()];
    line.extend(argv);
    let inv = options::parse(&line, Env::from_process())?;
    let level = inv.opts.loglevel;
    crate::log::scoped(level, run_invocation(name, inv, host, cwd)).await
}

async fn run_invocation(
    name: &str,
    inv: options::Invocation,
    host: HostInfo,
    cwd: &Path,
) -> Result<Vec<CommandResult>> {
    let ctx = Context::load(inv.opts, host, cwd)?;
    let mut call = CommandCall {
        name: name.to_string(),
        args: Vec::new(),
    };
    for (i, c) in inv.commands.into_iter().enumerate() {
        if i > 0 {
            call.args.push(c.name);
        }
        call.args.extend(c.args);
    }
    let outcomes = commands::run_chain(&ctx, &[call], |_, _| {}).await?;
    Ok(outcomes.into_iter().map(|o| o.result).collect())
}
