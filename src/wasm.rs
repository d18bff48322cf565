//! The WebAssembly fallback's surface: the lean find() core (the same `crate::find`
//! the native find() binary runs) for platforms pregyp ships no native binary for.
//! lib/wasm.js instantiates it. wasm32-unknown-unknown has no file system, process or
//! environment, so the JS host answers the few questions find() asks (imports of the
//! module "pregyp", see `crate::hostfs`) and passes the process facts with each call.
//!
//! One export does the work: `pregyp_call(ptr, len)` takes a JSON request
//! `{op, path, opts, detail, cwd, info}` (op 1 find, 2 check, 3 loadError, 4 evaluate) and
//! leaves `{"ok": string}` or `{"code", "message"}` at `pregyp_result()`; the
//! conversions and error codes mirror src/napi_find.rs.

use crate::error::Error;
use crate::find::FindOptions;
use crate::target::{HostInfo, Libc, Runtime, TargetOptions};
use serde_json::{json, Map, Value};
use std::cell::RefCell;
use std::io;
use std::path::{Path, PathBuf};

#[link(wasm_import_module = "pregyp")]
extern "C" {
    /// Reads the file; 0 ok (bytes pending), 1 not found, 2 other error (message pending).
    fn read(ptr: *const u8, len: usize) -> i32;
    /// Resolves the real path; statuses as `read` (path pending).
    fn realpath(ptr: *const u8, len: usize) -> i32;
    /// 0 nothing there, 1 a file, 2 anything else (following links).
    fn stat(ptr: *const u8, len: usize) -> i32;
    /// 1 when the folder holds at least one entry.
    fn has_entries(ptr: *const u8, len: usize) -> i32;
    /// 1 when the variable is set (value pending), else 0.
    fn env(ptr: *const u8, len: usize) -> i32;
    /// The C library: "<family> <version>" pending (asked once, when first needed).
    #[link_name = "libc"]
    fn libc_family() -> i32;
    /// The length of the pending bytes.
    fn pending_len() -> usize;
    /// Copies the pending bytes to `dst`.
    fn take(dst: *mut u8);
}

thread_local! {
    static RESULT: RefCell<Vec<u8>> = const { RefCell::new(Vec::new()) };
}

fn pending() -> Vec<u8> {
    // SAFETY: the host copies exactly pending_len() bytes into the buffer.
    unsafe {
        let mut buf = vec![0u8; pending_len()];
        take(buf.as_mut_ptr());
        buf
    }
}

fn path_str(path: &Path) -> &str {
    // Paths here are built from the JS strings (UTF-8) and ASCII joins.
    path.to_str().unwrap_or_default()
}

fn io_result(status: i32) -> io::Result<Vec<u8>> {
    match status {
        0 => Ok(pending()),
        1 => Err(io::Error::new(
            io::ErrorKind::NotFound,
            "No such file or directory (os error 2)",
        )),
        _ => Err(io::Error::other(
            String::from_utf8_lossy(&pending()).into_owned(),
        )),
    }
}

pub(crate) fn host_read(path: &Path) -> io::Result<Vec<u8>> {
    let p = path_str(path);
    // SAFETY: the import reads `len` bytes at `ptr`.
    io_result(unsafe { read(p.as_ptr(), p.len()) })
}

pub(crate) fn host_realpath(path: &Path) -> io::Result<PathBuf> {
    let p = path_str(path);
    // SAFETY: as above.
    let bytes = io_result(unsafe { realpath(p.as_ptr(), p.len()) })?;
    Ok(PathBuf::from(String::from_utf8_lossy(&bytes).into_owned()))
}

pub(crate) fn host_stat(path: &Path) -> i32 {
    let p = path_str(path);
    // SAFETY: as above.
    unsafe { stat(p.as_ptr(), p.len()) }
}

pub(crate) fn host_has_entries(path: &Path) -> bool {
    let p = path_str(path);
    // SAFETY: as above.
    unsafe { has_entries(p.as_ptr(), p.len()) == 1 }
}

fn host_env(k: &str) -> Option<String> {
    // SAFETY: as above.
    (unsafe { env(k.as_ptr(), k.len()) } == 1)
        .then(|| String::from_utf8_lossy(&pending()).into_owned())
}

/// The C library the JS host detected (there is no `dlsym` to ask here).
pub(crate) fn host_libc() -> Libc {
    // SAFETY: a call without arguments; the answer is pending.
    unsafe { libc_family() };
    let text = String::from_utf8_lossy(&pending()).into_owned();
    let (family, version) = text.split_once(' ').unwrap_or((&text, ""));
    Libc {
        family: match family {
            "glibc" => "glibc",
            "musl" => "musl",
            _ => "unknown",
        },
        version: version.to_string(),
    }
}

/// A JS exception to throw: `err.code` and `err.message`.
struct Throw(String, String);

impl From<Error> for Throw {
    fn from(e: Error) -> Self {
        Throw(e.code().to_string(), e.to_string())
    }
}

type R<T> = Result<T, Throw>;

fn expected(what: &str, name: &str) -> Throw {
    let code = match what {
        "string" => "StringExpected",
        "boolean" => "BooleanExpected",
        "number" => "NumberExpected",
        _ => "ObjectExpected",
    };
    Throw(
        code.into(),
        format!("Failed to convert JavaScript value `{name}` into rust type: expected {what}"),
    )
}

/// `obj[name]`, with absent and `null` read as absent (napi-rs's `Option` fields).
fn field<'a>(o: &'a Map<String, Value>, name: &str) -> Option<&'a Value> {
    o.get(name).filter(|v| !v.is_null())
}

fn opt_string(o: &Map<String, Value>, name: &str) -> R<Option<String>> {
    field(o, name)
        .map(|v| {
            v.as_str()
                .map(String::from)
                .ok_or_else(|| expected("string", name))
        })
        .transpose()
}

fn req_string(o: &Map<String, Value>, name: &str) -> R<String> {
    opt_string(o, name)?
        .ok_or_else(|| Throw("InvalidArg".into(), format!("Missing field `{name}`")))
}

fn opt_bool(o: &Map<String, Value>, name: &str) -> R<Option<bool>> {
    field(o, name)
        .map(|v| v.as_bool().ok_or_else(|| expected("boolean", name)))
        .transpose()
}

fn opt_u32(o: &Map<String, Value>, name: &str) -> R<Option<u32>> {
    field(o, name)
        .map(|v| {
            v.as_f64()
                .map(|n| n as u32)
                .ok_or_else(|| expected("number", name))
        })
        .transpose()
}

fn object<'a>(v: Option<&'a Value>, name: &str) -> R<&'a Map<String, Value>> {
    v.and_then(Value::as_object)
        .ok_or_else(|| expected("object", name))
}

fn host_info(v: Option<&Value>) -> R<HostInfo> {
    let o = object(v, "info")?;
    Ok(HostInfo {
        node_version: req_string(o, "node")?,
        modules: opt_u32(o, "modules")?,
        napi: opt_u32(o, "napi")?,
        v8: req_string(o, "v8")?,
        electron: opt_string(o, "electron")?,
        node_webkit: opt_string(o, "nodeWebkit")?,
        platform: req_string(o, "platform")?,
        arch: req_string(o, "arch")?,
        exec_path: req_string(o, "execPath")?,
    })
}

fn find_options(v: Option<&Value>) -> R<FindOptions> {
    if v.is_none_or(Value::is_null) {
        return Ok(Default::default());
    }
    let o = object(v, "opts")?;
    let runtime = opt_string(o, "runtime")?;
    Ok(FindOptions {
        target: TargetOptions {
            runtime: runtime.as_deref().map(Runtime::parse).transpose()?,
            version: opt_string(o, "target")?,
            arch: opt_string(o, "targetArch")?,
            platform: opt_string(o, "targetPlatform")?,
            libc: opt_string(o, "targetLibc")?,
            debug: opt_bool(o, "debug")?,
        },
        module_root: opt_string(o, "moduleRoot")?,
    })
}

fn call(req: &Value) -> R<String> {
    let op = req.get("op").and_then(Value::as_u64).unwrap_or(u64::MAX);
    let host = host_info(req.get("info"))?;
    let package_json = req
        .get("path")
        .and_then(Value::as_str)
        .ok_or_else(|| expected("string", "packageJsonPath"))?;
    let opts = find_options(req.get("opts"))?;
    let cwd = PathBuf::from(req.get("cwd").and_then(Value::as_str).unwrap_or("/"));
    let pj = Path::new(package_json);
    let env = |k: &str| host_env(k);
    let path = |p: PathBuf| p.to_string_lossy().into_owned();
    match op {
        1 => Ok(path(crate::find::find(pj, &opts, &host, &env, &cwd)?)),
        2 => Ok(path(crate::find::check(pj, &opts, &host, &env, &cwd)?)),
        3 => {
            let detail = req
                .get("detail")
                .and_then(Value::as_str)
                .ok_or_else(|| expected("string", "detail"))?;
            let located = crate::find::locate(pj, &opts, &host, &env, &cwd)?;
            Ok(crate::find::load_error(&located, detail).to_string())
        }
        // The evaluated values (module_path, napi_build_version, ...): what the CLI needs
        // to run node-gyp where there is no full binary (lib/no-binary.js).
        4 => {
            let config = crate::find::evaluate(pj, &opts, &host, &env, &cwd)?;
            Ok(Value::Object(config.values).to_string())
        }
        _ => Err(Throw(
            "InvalidArg".into(),
            format!("unknown operation {op}"),
        )),
    }
}

/// A buffer of `len` bytes for the host to write a request into.
#[no_mangle]
pub extern "C" fn pregyp_alloc(len: usize) -> *mut u8 {
    let mut v = Vec::<u8>::with_capacity(len);
    let p = v.as_mut_ptr();
    std::mem::forget(v);
    p
}

/// Runs the JSON request at `ptr` (a buffer from `pregyp_alloc`, freed here); returns
/// the length of the JSON answer at `pregyp_result()`.
///
/// # Safety
/// `ptr` must come from `pregyp_alloc(len)` with `len` bytes written.
#[no_mangle]
pub unsafe extern "C" fn pregyp_call(ptr: *mut u8, len: usize) -> usize {
    let bytes = Vec::from_raw_parts(ptr, len, len);
    let out = match serde_json::from_slice::<Value>(&bytes) {
        Ok(req) => call(&req),
        Err(e) => Err(Throw("InvalidArg".into(), e.to_string())),
    };
    let answer = match out {
        Ok(s) => json!({ "ok": s }),
        Err(Throw(code, message)) => json!({ "code": code, "message": message }),
    };
    RESULT.with(|r| {
        let mut r = r.borrow_mut();
        *r = serde_json::to_vec(&answer).unwrap_or_default();
        r.len()
    })
}

/// Where the last answer is.
#[no_mangle]
pub extern "C" fn pregyp_result() -> *const u8 {
    RESULT.with(|r| r.borrow().as_ptr())
}
