//! The programmatic API behind the N-API functions: the same commands as the
//! CLI, returning structured results instead of printing them.

use crate::commands::{self, Context};
use crate::error::Result;
use crate::options::{self, CommandCall, Env};
use crate::target::HostInfo;
use std::path::Path;

/// Builds a command context from API arguments (flags as on the command line).
pub fn context(argv: &[String], host: HostInfo, cwd: &Path) -> Result<Context> {
    let inv = options::parse(argv, Env::from_process())?;
    crate::log::set_level(inv.opts.loglevel);
    Context::load(inv.opts, host, cwd)
}

/// The evaluated configuration, once per Node-API version.
pub fn reveal(ctx: &Context) -> Result<Vec<String>> {
    let call = CommandCall {
        name: "reveal".into(),
        args: Vec::new(),
    };
    commands::expand(ctx, &[call])?
        .iter()
        .map(|s| commands::reveal::reveal(ctx, &[], s.napi_build_version))
        .collect()
}

/// Runs one command (with the package's Node-API expansion) and returns the data
/// of every step: one element per Node-API version, or one for plain packages.
pub async fn run_command(
    name: &str,
    argv: Vec<String>,
    host: HostInfo,
    cwd: &Path,
) -> Result<serde_json::Value> {
    let inv = options::parse(&argv, Env::from_process())?;
    crate::log::set_level(inv.opts.loglevel);
    let ctx = Context::load(inv.opts, host, cwd)?;
    let mut call = CommandCall {
        name: name.to_string(),
        args: Vec::new(),
    };
    // Positional arguments given in opts.args belong to the command.
    for c in inv.commands {
        call.args.extend(c.args);
    }
    let outcomes = commands::run_chain(&ctx, &[call], |_, _| {}).await?;
    Ok(serde_json::Value::Array(
        outcomes.into_iter().map(|o| o.data).collect(),
    ))
}
