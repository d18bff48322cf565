//! What the Rust tests share: an environment from pairs, the running node, and a real
//! S3 server (moto) on loopback. A test that needs a tool gets it installed when it
//! can be (moto through pip, as the JS tests do) and fails in CI when it cannot,
//! rather than passing silently; on a developer's machine it says why it skipped.

use crate::config::options::Env;
use crate::config::target::HostInfo;
use std::time::Duration;

/// An environment made of exactly these pairs.
pub fn env(pairs: &[(&str, &str)]) -> Env {
    Env::from_pairs(pairs)
}

/// The node on `PATH` as the running runtime (pregyp's JS side needs it anyway).
pub fn node() -> HostInfo {
    let exec = crate::building::process::which("node", &Env::from_process())
        .expect("node must be on PATH to run the tests");
    HostInfo {
        exec_path: exec.to_string_lossy().into_owned(),
        ..HostInfo::test()
    }
}

/// Whether a missing tool must fail the test run (CI) rather than skip the test.
fn required() -> bool {
    std::env::var_os("CI").is_some_and(|v| !v.is_empty() && v != "false")
}

/// Skips (returns `None`) or, in CI, fails with `why`.
pub fn missing<T>(why: &str) -> Option<T> {
    assert!(!required(), "{why} (CI must run every test)");
    eprintln!("skipped: {why}");
    None
}

/// A moto server on a free loopback port, killed on drop (by its own PID).
pub struct Moto {
    child: std::process::Child,
    /// `http://127.0.0.1:<port>`.
    pub endpoint: String,
}

impl Drop for Moto {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn try_moto() -> Option<Moto> {
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .ok()?
        .local_addr()
        .ok()?
        .port();
    // The launcher the JS tests use too: moto's server, one request at a time.
    let server = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/__test__/helpers/moto-server.py"
    );
    let child = std::process::Command::new("python3")
        .args([server, "-H", "127.0.0.1", "-p", &port.to_string()])
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .ok()?;
    let mut moto = Moto {
        child,
        endpoint: format!("http://127.0.0.1:{port}"),
    };
    for _ in 0..300 {
        if std::net::TcpStream::connect(("127.0.0.1", port)).is_ok() {
            return Some(moto);
        }
        if let Ok(Some(_)) = moto.child.try_wait() {
            return None;
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    None
}

/// A running moto, installing `moto[server]` with pip first if needed.
pub fn moto() -> Option<Moto> {
    if let Some(m) = try_moto() {
        return Some(m);
    }
    let pip = std::process::Command::new("python3")
        .args(["-m", "pip", "install", "--quiet", "moto[server]"])
        .status();
    if pip.is_ok_and(|s| s.success()) {
        if let Some(m) = try_moto() {
            return Some(m);
        }
    }
    missing("moto could not be started (pip install 'moto[server]')")
}
