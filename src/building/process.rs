//! Child processes: the one place that spawns node-gyp, package managers and node.
//!
//! Children get the environment without secrets ([`child_env`]), are shown only as a
//! [`CommandLine`] (whose `Display` redacts), and fail with the reference's
//! `Failed to execute '<cmd>' (<code>)`. [`can_load`] loads a binding in a fresh node,
//! for install, testbinary, testpackage, explain and heal alike.

use crate::config::options::Env;
use crate::config::target::HostInfo;
use crate::error::{Error, Result};
use crate::redact::CommandLine;
use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::time::Duration;
use tokio::process::Command;

/// Whether an environment variable holds a secret that a child must not inherit:
/// S3 keys and session tokens, and npm registry credentials.
pub fn is_secret_var(name: &str) -> bool {
    let n = name.to_ascii_lowercase();
    let n = n.trim_start_matches("npm_config_");
    n.ends_with("secret_access_key")
        || n.ends_with("secretaccesskey")
        || n == "aws_session_token"
        || n == "aws_security_token"
        || n == "node_pre_gyp_sessiontoken"
        // npm registry credentials (`npm_config_//registry.example/:_authToken`, `_auth`, `_password`).
        || n.ends_with("_authtoken")
        || n.ends_with(":_auth")
        || n.ends_with(":_password")
        // Binary hosts' credentials (PREGYP_AUTH) and prebuild-install's GitHub token:
        // node-gyp and a test-loaded binding have no business with them.
        || n == "pregyp_auth"
        || n == "prebuild-install_token"
}

/// The environment for a child process: the snapshot minus secrets.
pub fn child_env(env: &Env) -> Vec<(String, String)> {
    let mut out: Vec<(String, String)> = env
        .vars
        .iter()
        .filter(|(k, _)| !is_secret_var(k))
        .map(|(k, v)| (k.clone(), v.clone()))
        .collect();
    out.sort();
    out
}

/// Finds `name` in the `PATH` of `env` (with `PATHEXT` on Windows, through the `which` crate).
pub fn which(name: &str, env: &Env) -> Option<PathBuf> {
    let path = env.get("PATH").or_else(|| env.get("Path"))?;
    let cwd = std::env::current_dir().unwrap_or_else(|_| PathBuf::from("/"));
    which::which_in(name, Some(path), cwd).ok()
}

/// Whether `path` is a JavaScript file node must run (by extension or a node shebang),
/// as opposed to an executable (a shell wrapper, a native binary) to spawn directly.
pub fn is_js_script(path: &Path) -> bool {
    match path.extension().and_then(|e| e.to_str()) {
        Some("js" | "cjs" | "mjs") => return true,
        Some(_) => return false,
        None => {}
    }
    let mut head = [0u8; 128];
    let n = std::fs::File::open(path)
        .and_then(|mut f| std::io::Read::read(&mut f, &mut head))
        .unwrap_or(0);
    let first = String::from_utf8_lossy(&head[..n]);
    let first = first.lines().next().unwrap_or("");
    first.starts_with("#!") && first.contains("node")
}

/// Where a child's output goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ChildOutput {
    /// Its stdout to our stdout and its stderr to our stderr, as the reference does:
    /// scripts look on stdout for a build's `Release/<module>.node` lines.
    PassThrough,
    /// Both to our stderr, keeping our stdout for results (`--json`).
    ToStderr,
    /// Nowhere (`--silent`).
    Quiet,
}

impl ChildOutput {
    /// Pass-through, unless stdout carries results (`json`) or nothing is wanted (`quiet`).
    pub fn for_results(json: bool, quiet: bool) -> Self {
        match (quiet, json) {
            (true, _) => ChildOutput::Quiet,
            (false, true) => ChildOutput::ToStderr,
            (false, false) => ChildOutput::PassThrough,
        }
    }

    fn stdio(self) -> (Stdio, Stdio) {
        match self {
            ChildOutput::PassThrough => (inherited_stdout(), inherited_stderr()),
            ChildOutput::ToStderr => (inherited_stderr(), inherited_stderr()),
            ChildOutput::Quiet => (Stdio::null(), Stdio::null()),
        }
    }
}

/// Our stderr for a child. Not `Stdio::inherit()`: Node marks its own fds 1 and 2
/// close-on-exec when they are pipes, so a child that merely inherits them starts with
/// no stdout/stderr (node-gyp then dies silently). Passing a duplicate makes the spawn
/// `dup2` it onto the child's fd, which clears the flag.
fn inherited_stderr() -> Stdio {
    Stdio::from(std::io::stderr())
}

/// Our stdout for a child (see [`inherited_stderr`] for why it is a duplicate).
fn inherited_stdout() -> Stdio {
    Stdio::from(std::io::stdout())
}

/// Runs `cmd` in `cwd` with exactly `env`, no stdin, output as `output` says.
pub async fn run(
    cmd: &CommandLine,
    cwd: &Path,
    env: &[(String, String)],
    output: ChildOutput,
) -> Result<()> {
    let (out, err) = output.stdio();
    let mut command = Command::new(&cmd.program);
    #[cfg(windows)]
    {
        if cmd.verbatim {
            for a in &cmd.args {
                command.raw_arg(a);
            }
        } else {
            command.args(&cmd.args);
        }
    }
    #[cfg(not(windows))]
    command.args(&cmd.args);
    let status = command
        .current_dir(cwd)
        .env_clear()
        .envs(env.iter().map(|(k, v)| (k, v)))
        .stdin(Stdio::null())
        .stdout(out)
        .stderr(err)
        .kill_on_drop(true)
        .status()
        .await
        .map_err(|e| Error::CommandFailed {
            command: cmd.clone(),
            detail: format!("Error: {e}"),
            source: Some(e),
        })?;
    check_status(cmd, status)
}

/// Turns an exit status into the reference's error (a signal is a failure too,
/// where the reference treats a killed node-gyp as success).
pub fn check_status(cmd: &CommandLine, status: std::process::ExitStatus) -> Result<()> {
    if status.success() {
        return Ok(());
    }
    let detail = match status.code() {
        Some(c) => c.to_string(),
        None => signal_of(&status),
    };
    Err(Error::CommandFailed {
        command: cmd.clone(),
        detail,
        source: None,
    })
}

#[cfg(unix)]
fn signal_of(status: &std::process::ExitStatus) -> String {
    use std::os::unix::process::ExitStatusExt;
    match status.signal() {
        Some(s) => format!("killed by signal {s}"),
        None => "unknown exit status".into(),
    }
}

#[cfg(not(unix))]
fn signal_of(_: &std::process::ExitStatus) -> String {
    "unknown exit status".into()
}

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
    can_eval(module, &require_script(module), host, env).await
}

/// Runs `script` in a fresh `node --eval` (a package's own loader, e.g. node-gyp-build's);
/// a failure is `Error::BindingLoad` for `module` (what the script loads, for messages).
pub async fn can_eval(module: &Path, script: &str, host: &HostInfo, env: &Env) -> Result<()> {
    let mut cmd = node_eval(script, host, env);
    cmd.stdout(Stdio::null()).stderr(Stdio::piped());
    let run = async {
        let out = cmd.output().await.map_err(|e| Error::BindingLoad {
            module: module.to_path_buf(),
            detail: format!("cannot start {}: {e}", host.exec_path),
            source: Some(e),
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
            source: None,
        })
    };
    match tokio::time::timeout(LOAD_TIMEOUT, run).await {
        Ok(r) => r,
        Err(_) => Err(Error::BindingLoad {
            module: module.to_path_buf(),
            detail: format!("loading did not finish in {} s", LOAD_TIMEOUT.as_secs()),
            source: None,
        }),
    }
}

/// `node --eval <script>` with the child environment, for a test-load.
fn node_eval(script: &str, host: &HostInfo, env: &Env) -> Command {
    let mut cmd = Command::new(&host.exec_path);
    cmd.arg("--eval")
        .arg(script)
        .env_clear()
        .envs(child_env(env))
        .stdin(Stdio::null())
        .kill_on_drop(true);
    if host.electron.is_some() {
        // The electron binary only behaves as node with this set.
        cmd.env("ELECTRON_RUN_AS_NODE", "1");
    }
    cmd
}

/// Marks the report line of a [`LoadCheck`] child among whatever the bindings print; a
/// per-child nonce follows it, so no binding's own output is taken for the report.
const LOADED_MARK: &str = "pregyp-loaded-";

/// [`can_load`] for many bindings, in one child instead of one each: a Node start costs
/// ~40 ms of CPU, and heal checks dozens. The child starts at once and loads each path as
/// it is [`add`](LoadCheck::add)ed (so its start overlaps with whatever produces the
/// bindings), then reports which loaded. Every other one (a failure, or no report because
/// a binding crashed or exited the child) is checked again alone with [`can_load`] by
/// [`finish`](LoadCheck::finish), so each error is the one a lone load gives and no binding
/// is failed by another loaded beside it.
pub struct LoadCheck {
    child: Option<(tokio::process::Child, tokio::process::ChildStdin)>,
    modules: Vec<PathBuf>,
    mark: String,
}

impl LoadCheck {
    /// Starts the child (a failure to start only means every binding is checked alone).
    pub fn start(host: &HostInfo, env: &Env) -> Self {
        let nonce = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_nanos())
            .unwrap_or_default();
        let mark = format!("{LOADED_MARK}{nonce:x}-{}:", std::process::id());
        // One JSON path per line on stdin; the report on stdout when stdin ends.
        let script = format!(
            "const r = []; let b = ''; process.stdin.setEncoding('utf8'); \
             process.stdin.on('data', (d) => {{ b += d; let i; while ((i = b.indexOf('\\n')) >= 0) {{ \
             const m = JSON.parse(b.slice(0, i)); b = b.slice(i + 1); \
             try {{ require(m); r.push(1); }} catch {{ r.push(0); }} }} }}); \
             process.stdin.on('end', () => require('fs').writeSync(1, '\\n{mark}' + r.join('') + '\\n'));"
        );
        let mut cmd = node_eval(&script, host, env);
        cmd.stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::null());
        let child = cmd.spawn().ok().and_then(|mut c| {
            let stdin = c.stdin.take()?;
            Some((c, stdin))
        });
        LoadCheck {
            child,
            modules: Vec::new(),
            mark,
        }
    }

    /// Has the child load `module` (in the order added).
    pub async fn add(&mut self, module: PathBuf) {
        use tokio::io::AsyncWriteExt;
        if let Some((_, stdin)) = self.child.as_mut() {
            let mut line = serde_json::to_string(&module.to_string_lossy().replace('\\', "/"))
                .expect("strings serialize");
            line.push('\n');
            // A child that is gone sends a short report (or none): the rest are checked alone.
            let _ = stdin.write_all(line.as_bytes()).await;
        }
        self.modules.push(module);
    }

    /// The result for each added binding, in order.
    pub async fn finish(mut self, host: &HostInfo, env: &Env) -> Vec<Result<()>> {
        use tokio::io::AsyncReadExt;
        let mut loaded = vec![false; self.modules.len()];
        if let Some((mut child, stdin)) = self.child.take() {
            drop(stdin);
            let mut stdout = child.stdout.take();
            let report = async {
                let mut out = Vec::new();
                if let Some(s) = stdout.as_mut() {
                    let _ = s.read_to_end(&mut out).await;
                }
                let _ = child.wait().await;
                out
            };
            if let Ok(out) = tokio::time::timeout(LOAD_TIMEOUT, report).await {
                let out = String::from_utf8_lossy(&out);
                if let Some(r) = out.lines().rev().find_map(|l| l.strip_prefix(&self.mark)) {
                    for (slot, c) in loaded.iter_mut().zip(r.chars()) {
                        *slot = c == '1';
                    }
                }
            }
        }
        let mut out = Vec::with_capacity(self.modules.len());
        for (m, ok) in self.modules.iter().zip(loaded) {
            out.push(if ok {
                Ok(())
            } else {
                can_load(m, host, env).await
            });
        }
        out
    }
}

/// [`can_load`] for each of `modules`, through one [`LoadCheck`] child.
pub async fn can_load_all(modules: &[PathBuf], host: &HostInfo, env: &Env) -> Vec<Result<()>> {
    if modules.len() < 2 {
        let mut out = Vec::new();
        for m in modules {
            out.push(can_load(m, host, env).await);
        }
        return out;
    }
    let mut check = LoadCheck::start(host, env);
    for m in modules {
        check.add(m.clone()).await;
    }
    check.finish(host, env).await
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_support::node;

    #[test]
    fn children_do_not_inherit_credentials() {
        let env = Env::from_pairs(&[
            ("PREGYP_AUTH", "//h/:_authToken=t"),
            ("prebuild-install_token", "t"),
            ("npm_config_//r/:_authToken", "t"),
            ("AWS_SECRET_ACCESS_KEY", "t"),
            ("PREGYP_MIRROR", "https://a/=https://b/"),
        ]);
        let names: Vec<String> = child_env(&env).into_iter().map(|(k, _)| k).collect();
        assert_eq!(names, ["PREGYP_MIRROR"]);
    }

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

    #[tokio::test]
    async fn loads_or_explains() {
        let host = node();
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

    #[tokio::test]
    async fn loads_many_in_one_child_with_lone_errors() {
        let host = node();
        let t = tempfile::tempdir().unwrap();
        let good = t.path().join("good.js");
        std::fs::write(&good, "module.exports = 1").unwrap();
        // Prints a line like a report, and must not fool the real one (nor stand in for it).
        let noisy = t.path().join("noisy.js");
        std::fs::write(&noisy, "console.log('pregyp-loaded-0-0:11111')").unwrap();
        let bad = t.path().join("bad.node");
        std::fs::write(&bad, "not an ELF file").unwrap();
        // Ends the shared child: those after it are checked alone.
        let exits = t.path().join("exits.js");
        std::fs::write(&exits, "process.exit(0)").unwrap();
        let modules = [good.clone(), noisy, bad, exits, good];
        let r = can_load_all(&modules, &host, &Env::from_process()).await;
        assert_eq!(r.len(), 5);
        assert!(r[0].is_ok() && r[1].is_ok() && r[3].is_ok() && r[4].is_ok());
        let e = r[2].as_ref().unwrap_err();
        assert_eq!(e.code(), "E_BINDING_LOAD");
        assert!(e.to_string().contains("bad.node"), "{e}");
    }

    #[tokio::test]
    async fn failures_name_the_command_without_secrets() {
        let sh = which("sh", &Env::from_process()).expect("sh on PATH");
        let cmd = CommandLine::new(
            sh,
            ["-c", "exit 3", "https://u:tok3n@h/x"].map(String::from),
        );
        let e = run(&cmd, Path::new("/"), &[], ChildOutput::Quiet)
            .await
            .unwrap_err();
        let shown = e.to_string();
        assert!(shown.starts_with("Failed to execute '"), "{shown}");
        assert!(shown.ends_with(" (3)"), "{shown}");
        assert!(!shown.contains("tok3n"), "{shown}");
    }
}
