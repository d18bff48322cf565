//! `testbinary`: load the binding in a fresh node (reference's testbinary.js), and
//! `can_load`, which install uses to check a downloaded binary before trusting it.

use super::{Context, Outcome};
use crate::error::{Error, Result};
use crate::options::Env;
use crate::target::{HostInfo, Runtime};
use serde_json::json;
use std::path::Path;
use std::process::Stdio;
use std::time::Duration;
use tokio::process::Command;

/// Longest a test load may take (a binding's init could hang).
const LOAD_TIMEOUT: Duration = Duration::from_secs(120);

/// The `-e` script: `require('<module>')`, with the path as a JS string literal.
pub fn require_script(module: &Path) -> String {
    let literal = serde_json::to_string(&module.to_string_lossy().replace('\\', "/"))
        .expect("strings serialize");
    format!("require({literal})")
}

/// The line of a failed node's stderr that says what went wrong: the first
/// `SomethingError: ...` line (node prints the source position first), else the
/// first non-empty line.
pub fn error_line(stderr: &str) -> Option<String> {
    let lines: Vec<&str> = stderr
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .collect();
    let is_error = |l: &&&str| {
        let head = l.split(':').next().unwrap_or("");
        let name = head.split_whitespace().next().unwrap_or("");
        l.contains(':')
            && (name.ends_with("Error") || name == "Error")
            && name.chars().all(|c| c.is_ascii_alphanumeric())
    };
    lines
        .iter()
        .find(is_error)
        .or_else(|| lines.first())
        .map(|l| l.to_string())
}

/// Loads `module` in a fresh `node -e "require(...)"`; a failure is `Error::BindingLoad`
/// carrying the child's error line.
/// The child runs the package's code, so it gets the environment without secrets.
pub async fn can_load(module: &Path, host: &HostInfo, env: &Env) -> Result<()> {
    let script = require_script(module);
    let mut cmd = Command::new(&host.exec_path);
    cmd.arg("--eval")
        .arg(&script)
        .env_clear()
        .envs(crate::gyp::child_env(env))
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .kill_on_drop(true);
    if host.electron.is_some() {
        // The electron binary only behaves as node with this set.
        cmd.env("ELECTRON_RUN_AS_NODE", "1");
    }
    let run = async {
        let out = cmd.output().await.map_err(|e| Error::BindingLoad {
            module: module.to_path_buf(),
            detail: format!("cannot start {}: {e}", host.exec_path),
        })?;
        if out.status.success() {
            return Ok(());
        }
        let stderr = String::from_utf8_lossy(&out.stderr);
        let detail = error_line(&stderr).unwrap_or_else(|| match out.status.code() {
            Some(c) => format!("node exited with code {c}"),
            None => "node was killed by a signal".into(),
        });
        Err(Error::BindingLoad {
            module: module.to_path_buf(),
            detail,
        })
    };
    match tokio::time::timeout(LOAD_TIMEOUT, run).await {
        Ok(r) => r,
        Err(_) => Err(Error::BindingLoad {
            module: module.to_path_buf(),
            detail: format!("loading did not finish in {} s", LOAD_TIMEOUT.as_secs()),
        }),
    }
}

/// `testbinary`.
pub async fn testbinary(ctx: &Context, napi: Option<u32>) -> Result<Outcome> {
    let config = ctx.evaluate("testbinary", napi)?;
    let data = |tested: bool| {
        json!({
            "module": config.module.to_string_lossy(),
            "napi_build_version": napi,
            "tested": tested,
        })
    };
    if config.runtime != Runtime::Node {
        // The reference skips runtimes it cannot start (electron); pregyp cannot start
        // node-webkit's test app either.
        crate::log::info(format!(
            "skipping validation: cannot load a {} binding in node",
            config.runtime.as_str()
        ));
        return Ok(Outcome {
            stdout: Vec::new(),
            data: data(false),
        });
    }
    if config.cross_compiling {
        crate::log::info(format!(
            "skipping validation since host platform/arch ({}/{}) does not match target ({}/{})",
            ctx.host.platform, ctx.host.arch, config.platform, config.arch
        ));
        return Ok(Outcome {
            stdout: Vec::new(),
            data: data(false),
        });
    }
    crate::log::info(format!(
        "Running test command: '{} --eval {}'",
        ctx.host.exec_path,
        require_script(&config.module)
    ));
    can_load(&config.module, &ctx.host, &ctx.opts.env).await?;
    Ok(Outcome {
        stdout: Vec::new(),
        data: data(true),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn script_quotes_the_path() {
        assert_eq!(
            require_script(Path::new("/a/it's \"x\"/m.node")),
            r#"require("/a/it's \"x\"/m.node")"#
        );
    }

    #[test]
    fn picks_the_error_line() {
        let node = "node:internal/modules/cjs/loader:1228\n  throw err;\n  ^\n\nError: Cannot find module '/x/m.node'\nRequire stack:\n- /x/[eval]\n";
        assert_eq!(
            error_line(node).as_deref(),
            Some("Error: Cannot find module '/x/m.node'")
        );
        let dl = "node:internal/modules/cjs/loader:1460\n  return process.dlopen(module, path.toNamespacedPath(filename));\n\nError: /x/m.node: invalid ELF header\n    at Module._extensions..node";
        assert_eq!(
            error_line(dl).as_deref(),
            Some("Error: /x/m.node: invalid ELF header")
        );
        assert_eq!(
            error_line("TypeError: boom\n    at x").as_deref(),
            Some("TypeError: boom")
        );
        assert_eq!(
            error_line("something odd\n").as_deref(),
            Some("something odd")
        );
        assert_eq!(error_line("\n \n"), None);
    }

    fn node() -> Option<HostInfo> {
        let exec = std::env::var_os("PATH").and_then(|p| {
            std::env::split_paths(&p)
                .map(|d| d.join("node"))
                .find(|n| n.is_file())
        })?;
        Some(HostInfo {
            exec_path: exec.to_string_lossy().into_owned(),
            ..HostInfo::test()
        })
    }

    #[tokio::test]
    async fn loads_or_explains() {
        let Some(host) = node() else {
            eprintln!("skipped: no node on PATH");
            return;
        };
        let t = tempfile::tempdir().unwrap();
        // A JS file stands in for a binding: require() loads both the same way.
        let good = t.path().join("good.js");
        std::fs::write(&good, "module.exports = 1").unwrap();
        can_load(&good, &host, &Env::from_process()).await.unwrap();
        let bad = t.path().join("bad.node");
        std::fs::write(&bad, "not an ELF file").unwrap();
        let e = can_load(&bad, &host, &Env::from_process())
            .await
            .unwrap_err();
        assert_eq!(e.code(), "E_BINDING_LOAD");
        assert!(e.to_string().contains("bad.node"), "{e}");
        assert!(e.to_string().contains("Error: "), "{e}");
        let missing = t.path().join("missing.node");
        let e = can_load(&missing, &host, &Env::from_process())
            .await
            .unwrap_err();
        assert!(e.to_string().contains("Cannot find module"), "{e}");
    }
}
