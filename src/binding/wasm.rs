//! The WebAssembly fallback's surface: the lean find() core (the same `crate::find`
//! the native find() binary runs) for platforms pregyp ships no native binary for.
//! lib/wasm.js instantiates it. wasm32-unknown-unknown has no file system, process or
//! environment, so the JS host answers the few questions find() asks (imports of the
//! module "pregyp", in `config::hostfs`); it sends the process facts once, with `init`.
//!
//! One export does the work: `pregyp_call(ptr, len)` takes a JSON request
//! `{op, path, opts, detail, cwd, info}` (the operations of `super::ops`, answered by
//! the same `ops::answer` as the native core) and leaves `{"ok": string}` or
//! `{"code", "message"}` at `pregyp_result()`; the arguments are read as the native entry
//! reads them (`super::request`); `{op: 0, info}` is `init`, as in the native core.

use super::request::{self, Args};
use super::throw::{expected, Throw, R};
use crate::config::hostfs::env_var;
use crate::config::target::HostInfo;
use serde_json::{json, Map, Value};
use std::cell::RefCell;
use std::path::PathBuf;

thread_local! {
    static RESULT: RefCell<Vec<u8>> = const { RefCell::new(Vec::new()) };
    /// The process facts `init` was given.
    static HOST: RefCell<Option<HostInfo>> = const { RefCell::new(None) };
}

/// The request's arguments, by name.
struct Request<'a>(&'a Map<String, Value>);

impl Args for Request<'_> {
    type Object = Map<String, Value>;

    fn first(&self, name: &str) -> R<String> {
        self.string("path", name)
    }

    fn opts(&self) -> R<Option<Self::Object>> {
        match self.0.get("opts") {
            None | Some(Value::Null) => Ok(None),
            Some(Value::Object(o)) => Ok(Some(o.clone())),
            Some(_) => Err(expected("object", "opts")),
        }
    }

    fn detail(&self) -> R<String> {
        self.string("detail", "detail")
    }
}

impl Request<'_> {
    fn string(&self, key: &str, name: &str) -> R<String> {
        self.0
            .get(key)
            .and_then(Value::as_str)
            .map(String::from)
            .ok_or_else(|| expected("string", name))
    }
}

fn call(req: &Value) -> R<String> {
    let req = req
        .as_object()
        .ok_or_else(|| expected("object", "request"))?;
    let op = req
        .get("op")
        .and_then(Value::as_u64)
        .and_then(|n| u32::try_from(n).ok())
        .unwrap_or(u32::MAX);
    if op == super::ops::INIT {
        let info = match req.get("info") {
            Some(Value::Object(o)) => o,
            _ => return Err(expected("object", "info")),
        };
        let host = request::host_info(info)?;
        HOST.with(|h| *h.borrow_mut() = Some(host));
        return Ok(env!("CARGO_PKG_VERSION").into());
    }
    let cwd = PathBuf::from(req.get("cwd").and_then(Value::as_str).unwrap_or("/"));
    HOST.with(|h| {
        let host = h.borrow();
        let host = host.as_ref().ok_or_else(request::not_initialized)?;
        request::answer(op, &Request(req), host, &|k: &str| env_var(k), &cwd)
    })
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
