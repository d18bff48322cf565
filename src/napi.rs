//! The only file that touches napi types: converts JS values to Rust structs,
//! delegates, and turns `Error`s into JS errors whose `code` is `Error::code()`.
// Under `cargo test` napi-derive registers nothing, so every item here looks unused.
#![cfg_attr(test, allow(dead_code))]

use crate::error::Error;
#[cfg(feature = "full")]
use crate::options::Env;
use crate::target::HostInfo;
use napi_derive::napi;
use std::path::{Path, PathBuf};
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

/// Options of `find()` and `load()`.
#[napi(object)]
pub struct FindOptions {
    pub debug: Option<bool>,
    pub runtime: Option<String>,
    pub target: Option<String>,
    pub target_arch: Option<String>,
    pub target_platform: Option<String>,
    pub target_libc: Option<String>,
    pub module_root: Option<String>,
}

fn find_options(opts: Option<FindOptions>) -> crate::find::FindOptions {
    opts.map(|o| crate::find::FindOptions {
        debug: o.debug,
        runtime: o.runtime,
        target: o.target,
        target_arch: o.target_arch,
        target_platform: o.target_platform,
        target_libc: o.target_libc,
        module_root: o.module_root,
    })
    .unwrap_or_default()
}

fn env_var(k: &str) -> Option<String> {
    std::env::var(k).ok()
}

/// `find(packageJsonPath, opts?)`: absolute path of the binding to `require` (in
/// module_path, else in the platform package); never an error for a missing binding.
#[napi]
pub fn find(package_json_path: String, opts: Option<FindOptions>) -> napi::Result<String, String> {
    let path = crate::find::find(
        Path::new(&package_json_path),
        &find_options(opts),
        host()?,
        &env_var,
        &cwd()?,
    )
    .map_err(to_js)?;
    Ok(path.to_string_lossy().into_owned())
}

/// `load()`'s lookup: the binding's path, or `E_BINDING_MISSING` with the explanation.
#[napi]
pub fn check(package_json_path: String, opts: Option<FindOptions>) -> napi::Result<String, String> {
    let path = crate::find::check(
        Path::new(&package_json_path),
        &find_options(opts),
        host()?,
        &env_var,
        &cwd()?,
    )
    .map_err(to_js)?;
    Ok(path.to_string_lossy().into_owned())
}

/// `load()`'s explanation of a binding that is there but fails to load (`detail` is the
/// loader's message); returned as the message of an `E_BINDING_LOAD` error.
#[napi]
pub fn load_error(
    package_json_path: String,
    opts: Option<FindOptions>,
    detail: String,
) -> napi::Result<String, String> {
    let located = crate::find::locate(
        Path::new(&package_json_path),
        &find_options(opts),
        host()?,
        &env_var,
        &cwd()?,
    )
    .map_err(to_js)?;
    Ok(crate::find::load_error(&located, &detail).to_string())
}

/// Runs a CLI command line; resolves to the exit code.
#[cfg(feature = "full")]
#[napi]
pub async fn run(argv: Vec<String>) -> napi::Result<i32> {
    let host = host()
        .map_err(|e| napi::Error::from_reason(e.reason))?
        .clone();
    let cwd = std::env::current_dir()
        .map_err(|e| to_js_async(Error::io("read current directory", ".", e)))?;
    Ok(crate::cli::run(argv, host, &cwd, Env::from_process()).await)
}

/// `reveal`: the evaluated configuration as a JSON string (one per Node-API version).
#[cfg(feature = "full")]
#[napi]
pub fn reveal(argv: Vec<String>) -> napi::Result<Vec<String>, String> {
    crate::api::reveal(&argv, host()?.clone(), &cwd()?).map_err(to_js)
}

/// Runs the command `name` (any of `crate::spec::COMMANDS`) with command-line style
/// flags; resolves to the JSON of its results, one per step. The JS API makes one
/// function per declared command on top of this.
#[cfg(feature = "full")]
#[napi]
pub async fn command(name: String, argv: Vec<String>) -> napi::Result<String> {
    if crate::spec::command(&name).is_none() {
        return Err(to_js_async(Error::Usage(format!(
            "Unknown command: {name}"
        ))));
    }
    let host = host()
        .map_err(|e| napi::Error::from_reason(e.reason))?
        .clone();
    let cwd = std::env::current_dir()
        .map_err(|e| to_js_async(Error::io("read current directory", ".", e)))?;
    let v = crate::api::run_command(&name, argv, host, &cwd)
        .await
        .map_err(to_js_async)?;
    Ok(v.to_string())
}

/// The declared commands, options and error codes as JSON (`crate::spec::to_json`).
#[cfg(feature = "full")]
#[napi]
pub fn spec() -> String {
    crate::spec::to_json().to_string()
}

/// Synchronous `install` for `find(pkg, { install: true })`: blocks the calling
/// thread until the binding is in place (opt-in; see README, "Install on first use").
#[cfg(feature = "full")]
#[napi]
pub fn install_sync(argv: Vec<String>) -> napi::Result<String, String> {
    let host = host()?.clone();
    let cwd = cwd()?;
    let v = napi::bindgen_prelude::block_on(crate::api::run_command("install", argv, host, &cwd))
        .map_err(to_js)?;
    Ok(v.to_string())
}
