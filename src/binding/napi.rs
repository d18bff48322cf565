//! The only file that touches napi types: converts JS values to Rust structs,
//! delegates, and turns `Error`s into JS errors whose `code` is `Error::code()`.
// Under `cargo test` napi-derive registers nothing, so every item here looks unused.
#![cfg_attr(test, allow(dead_code))]

#[cfg(feature = "full")]
use crate::config::options::Env;
use crate::config::target::HostInfo;
use crate::error::Error;
use napi_derive::napi;
use std::path::PathBuf;
use std::sync::OnceLock;

type JsResult<T> = napi::Result<T, String>;

static HOST: OnceLock<HostInfo> = OnceLock::new();

fn to_js(e: Error) -> napi::Error<String> {
    napi::Error::new(e.code().to_string(), e.to_string())
}

/// Async functions cannot carry a custom status, so their errors travel as
/// `<code>\u{1}<message>`; the shim splits them back into `err.code` and `err.message`.
#[cfg(feature = "full")]
fn to_js_async(e: Error) -> napi::Error {
    napi::Error::new(
        napi::Status::GenericFailure,
        format!("{}\u{1}{}", e.code(), e),
    )
}

fn host() -> JsResult<&'static HostInfo> {
    HOST.get().ok_or_else(|| {
        napi::Error::new(
            "E_NOT_INITIALIZED".to_string(),
            "pregyp's native binding was loaded without its JS shim: require('pregyp') instead"
                .to_string(),
        )
    })
}

fn cwd() -> JsResult<PathBuf> {
    std::env::current_dir().map_err(|e| to_js(Error::io("read current directory", ".", e)))
}

/// Facts about the running process, from `process.versions`, `process.platform`, `process.arch`.
#[napi(object)]
pub struct ProcessInfo {
    pub node: String,
    pub modules: Option<u32>,
    pub napi: Option<u32>,
    pub v8: String,
    pub electron: Option<String>,
    pub node_webkit: Option<String>,
    pub platform: String,
    pub arch: String,
    pub exec_path: String,
}

/// Called once by the shim when it loads.
#[napi]
pub fn init(info: ProcessInfo) {
    let _ = HOST.set(HostInfo {
        node_version: info.node,
        modules: info.modules,
        napi: info.napi,
        v8: info.v8,
        electron: info.electron,
        node_webkit: info.node_webkit,
        platform: info.platform,
        arch: info.arch,
        exec_path: info.exec_path,
    });
}

/// Runs a CLI command line; resolves to the exit code. `program` is the name it runs
/// under (`node-pre-gyp` gives the reference's log shape), default `pregyp`. With
/// `library`, it runs as one command of node-pre-gyp's `Run` (lib/run.js): without the
/// bin's opening and closing log lines, and a failure (reported as the CLI reports it)
/// rejects with its error, which `Run` calls back with.
#[cfg(feature = "full")]
#[napi]
pub async fn run(
    argv: Vec<String>,
    program: Option<String>,
    library: Option<bool>,
) -> napi::Result<i32> {
    let library = library == Some(true);
    let host = host()
        .map_err(|e| napi::Error::from_reason(e.reason))?
        .clone();
    let cwd = std::env::current_dir()
        .map_err(|e| to_js_async(Error::io("read current directory", ".", e)))?;
    let program = program.unwrap_or_else(|| "pregyp".into());
    match crate::binding::cli::run(argv, host, &cwd, Env::from_process(), &program, library).await {
        (_, Some(e)) if library => Err(to_js_async(e)),
        (code, _) => Ok(code),
    }
}

/// `reveal`: the evaluated configuration as a JSON string (one per Node-API version).
#[cfg(feature = "full")]
#[napi]
pub fn reveal(argv: Vec<String>) -> napi::Result<Vec<String>, String> {
    crate::binding::api::reveal(&argv, host()?.clone(), &cwd()?).map_err(to_js)
}

/// Runs the command `name` (any of `crate::config::spec::COMMANDS`) with command-line style
/// flags; resolves to the JSON of its results, one per step. The JS API makes one
/// function per declared command on top of this.
#[cfg(feature = "full")]
#[napi]
pub async fn command(name: String, argv: Vec<String>) -> napi::Result<String> {
    if crate::config::spec::command(&name).is_none() {
        return Err(to_js_async(Error::Usage(format!(
            "Unknown command: {name}"
        ))));
    }
    let host = host()
        .map_err(|e| napi::Error::from_reason(e.reason))?
        .clone();
    let cwd = std::env::current_dir()
        .map_err(|e| to_js_async(Error::io("read current directory", ".", e)))?;
    let v = crate::binding::api::run_command(&name, argv, host, &cwd)
        .await
        .map_err(to_js_async)?;
    Ok(serde_json::to_string(&v).expect("results serialize"))
}

/// The declared commands, options and error codes (`crate::config::spec::to_json`) and the
/// TypeScript declarations of the command results (`crate::results`), as JSON.
#[cfg(feature = "full")]
#[napi]
pub fn spec() -> String {
    let mut spec = crate::config::spec::to_json();
    spec["resultTypes"] = crate::results::declarations().into();
    spec["findOps"] = crate::binding::ops::to_json();
    spec["results"] = crate::config::spec::COMMANDS
        .iter()
        .map(|c| {
            (
                c.name.to_string(),
                crate::commands::result_type(c.name).into(),
            )
        })
        .collect::<serde_json::Map<_, _>>()
        .into();
    spec.to_string()
}

/// Synchronous `install` for `find(pkg, { install: true })`: blocks the calling
/// thread until the binding is in place (opt-in; see docs/api.md, "Install on first use").
#[cfg(feature = "full")]
#[napi]
pub fn install_sync(argv: Vec<String>) -> napi::Result<String, String> {
    let host = host()?.clone();
    let cwd = cwd()?;
    let v = napi::bindgen_prelude::block_on(crate::binding::api::run_command(
        "install", argv, host, &cwd,
    ))
    .map_err(to_js)?;
    Ok(serde_json::to_string(&v).expect("results serialize"))
}
