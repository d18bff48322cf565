//! argv -> chained commands -> run -> exit code. Logging is set up here only.

use crate::commands::{self, Context};
use crate::error::{Error, Result};
use crate::log;
use crate::options::{self, Env, Invocation};
use crate::target::HostInfo;
use std::path::Path;

/// One-line descriptions, in the order `--help` lists them.
const USAGE: &[(&str, &str)] = &[
    (
        "clean",
        "Removes the entire folder containing the compiled .node module",
    ),
    ("install", "Attempts to install pre-built binary for module"),
    ("reinstall", "Runs \"clean\" and \"install\" at once"),
    (
        "build",
        "Attempts to compile the module by dispatching to node-gyp or nw-gyp",
    ),
    ("rebuild", "Runs \"clean\" and \"build\" at once"),
    (
        "package",
        "Packs binary (and enclosing directory) into locally staged tarball",
    ),
    ("testpackage", "Tests that the staged package is valid"),
    ("publish", "Publishes pre-built binary to S3"),
    ("unpublish", "Unpublishes pre-built binary from S3"),
    ("info", "Lists all published binaries"),
    ("testbinary", "Tests that the binary.node can be required"),
    ("reveal", "Reveals data on the versioned binary"),
    (
        "configure",
        "Attempts to configure node-gyp or nw-gyp build",
    ),
    (
        "postinstall-build",
        "Builds in postinstall only when an artifact is missing",
    ),
    (
        "explain",
        "Explains what install would do for this package, and why",
    ),
    (
        "heal",
        "Installs every missing or broken binding under node_modules",
    ),
    (
        "checksums",
        "Prints (or with --write stores) binary.checksums for the staged tarballs",
    ),
    (
        "platform-package",
        "Writes build/npm/<package>/, the npm package carrying this target's bindings (--from <dir>: every target's, from staged tarballs)",
    ),
    (
        "optional-deps",
        "Prints (or with --write stores) optionalDependencies on every platform package",
    ),
];

fn help_text(command: Option<&str>) -> String {
    if let Some(c) = command {
        if let Some((_, d)) = USAGE.iter().find(|(n, _)| *n == c) {
            return format!(
                "Usage: pregyp {c} [options]\n\n  {d}\n\nOptions: see `pregyp --help`; every option can also be set as npm_config_<name>."
            );
        }
    }
    let mut s = String::from("\n  Usage: pregyp <command> [command ...] [options] [-- node-gyp args]\n\n  where <command> is one of:\n");
    for (n, d) in USAGE {
        s.push_str(&format!("    - {n} - {d}\n"));
    }
    s.push_str(
        "\n  Options:\n    -C, --directory <dir>        run in <dir>\n    --build-from-source[=names]  compile instead of downloading\n    --fallback-to-build[=false]  compile when no binary can be installed\n    --update-binary              reinstall even if the binding exists\n    --runtime, --target, --target_arch, --target_platform, --target_libc\n    --debug / --release          configuration\n    --loglevel <level>, --silent, --verbose\n    --proxy, --https-proxy, --noproxy, --ca, --cafile, --strict-ssl=false\n    --fetch-retries <n>, --fetch-timeout <ms>, --offline, --pregyp-cache <dir>\n    --acl, --s3_host staging|production, --json, --dry-run\n    --from <dir>                 platform-package: staged tarballs of every target\n    --write                      checksums, optional-deps: store in package.json\n    -v, --version, -h, --help\n",
    );
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
    if log::enabled(crate::options::LogLevel::Verbose) {
        let mut src = std::error::Error::source(e);
        while let Some(s) = src {
            msg.push_str(&format!("\n  caused by: {s}"));
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
            log::result(serde_json::to_string(&outcome.data).expect("JSON values serialize"));
        } else {
            for line in &outcome.stdout {
                log::result(line);
            }
        }
    })
    .await?;
    Ok(())
}
