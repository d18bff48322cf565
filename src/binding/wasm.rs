//! The WebAssembly fallback's surface: the lean find() core (the same `crate::find`
//! the native find() binary runs) for platforms pregyp ships no native binary for.
//! lib/wasm.js instantiates it. wasm32-unknown-unknown has no file system, process or
//! environment, so the JS host answers the few questions find() asks (imports of the
//! module "pregyp", in `config::hostfs`) and passes the process facts with each call.
//!
//! One export does the work: `pregyp_call(ptr, len)` takes a JSON request
//! `{op, path, opts, detail, cwd, info}` (the operations of `super::ops`, answered by
//! the same `ops::answer` as the native core) and leaves `{"ok": string}` or
//! `{"code", "message"}` at `pregyp_result()`; the conversions and error codes mirror
//! `napi_find`'s. The host facts come with each call, so `init` is the JS side's alone.

use crate::config::find::FindOptions;
use crate::config::hostfs::env_var;
use crate::config::target::{HostInfo, Runtime, TargetOptions};
use serde_json::{json, Map, Value};
use std::cell::RefCell;
use std::path::PathBuf;

thread_local! {
    static RESULT: RefCell<Vec<u8>> = const { RefCell::new(Vec::new()) };
}

use super::throw::{expected, Throw, R};

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
        platform_package_dir: opt_string(o, "platformPackageDir")?,
    })
}

fn call(req: &Value) -> R<String> {
    let op = req
        .get("op")
        .and_then(Value::as_u64)
        .and_then(|n| u32::try_from(n).ok())
        .unwrap_or(u32::MAX);
    if op == super::ops::INIT || super::ops::op(op).is_none() {
        return Err(Throw(
            "InvalidArg".into(),
            format!("unknown operation {op}"),
        ));
    }
    let host = host_info(req.get("info"))?;
    let args = super::ops::op(op).map(|o| o.args).unwrap_or_default();
    let first = req
        .get("path")
        .and_then(Value::as_str)
        .ok_or_else(|| expected("string", args.first().copied().unwrap_or_default()))?;
    let opts = if args.contains(&"opts") {
        find_options(req.get("opts"))?
    } else {
        FindOptions::default()
    };
    let cwd = PathBuf::from(req.get("cwd").and_then(Value::as_str).unwrap_or("/"));
    let detail = if super::ops::takes_detail(op) {
        req.get("detail")
            .and_then(Value::as_str)
            .ok_or_else(|| expected("string", "detail"))?
    } else {
        ""
    };
    let env = |k: &str| env_var(k);
    super::ops::answer(op, first, &opts, &host, &env, &cwd, detail)?
        .ok_or_else(|| Throw("InvalidArg".into(), format!("unknown operation {op}")))
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
