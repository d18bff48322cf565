//! The lean binary's JS surface (the operations of `super::ops`), written against the raw
//! Node-API C functions instead of napi-rs.
//!
//! Why: this binary is opened by every `require` of every addon that uses pregyp, and
//! napi-rs's module registration (a custom-GC threadsafe function, a `Reflect` lookup,
//! registries behind locks, an env cleanup hook) cost ~0.25 ms per load against ~0.1 ms
//! for the whole load of an empty C addon (bench/find.js). Two functions converting
//! strings and booleans do not need the framework. The full binary keeps napi-rs
//! (`src/binding/napi.rs`); this file converts arguments as napi-rs does (same
//! `err.code`s for a wrong type), and the WebAssembly core (`wasm.rs`) answers the same
//! operations through the same `super::ops::answer`.
#![cfg_attr(test, allow(dead_code))]

use super::request::{self, Args, Fields};
use crate::config::target::HostInfo;
use crate::error::Error;
use napi_sys as sys;
use std::ffi::{c_char, CStr};
use std::ptr;
use std::sync::OnceLock;
use sys::{napi_callback_info, napi_env, napi_value, Status, ValueType};

static HOST: OnceLock<HostInfo> = OnceLock::new();

use super::throw::{expected, Throw, R};

/// Throws `new Error(message)` with `code`, as napi-rs does for `napi::Error<String>`.
unsafe fn throw(env: napi_env, Throw(code, message): Throw) -> napi_value {
    let (c, m) = (create_string(env, &code), create_string(env, &message));
    let mut e = ptr::null_mut();
    if sys::napi_create_error(env, c, m, &mut e) == Status::napi_ok {
        sys::napi_throw(env, e);
    }
    ptr::null_mut()
}

unsafe fn type_of(env: napi_env, v: napi_value) -> sys::napi_valuetype {
    let mut t = ValueType::napi_undefined;
    if v.is_null() || sys::napi_typeof(env, v, &mut t) != Status::napi_ok {
        return ValueType::napi_undefined;
    }
    t
}

unsafe fn string(env: napi_env, v: napi_value, name: &str) -> R<String> {
    let mut len = 0usize;
    if sys::napi_get_value_string_utf8(env, v, ptr::null_mut(), 0, &mut len) != Status::napi_ok {
        return Err(expected("string", name));
    }
    let mut buf = vec![0u8; len + 1];
    let mut written = 0usize;
    sys::napi_get_value_string_utf8(
        env,
        v,
        buf.as_mut_ptr().cast::<c_char>(),
        buf.len(),
        &mut written,
    );
    buf.truncate(written);
    // Node-API writes valid UTF-8 (lone surrogates become U+FFFD).
    Ok(String::from_utf8(buf).unwrap_or_else(|e| String::from_utf8_lossy(e.as_bytes()).into()))
}

/// `obj[name]`, with `undefined` and `null` read as absent (napi-rs's `Option` fields).
unsafe fn field(env: napi_env, obj: napi_value, name: &CStr) -> Option<napi_value> {
    let mut v = ptr::null_mut();
    if sys::napi_get_named_property(env, obj, name.as_ptr(), &mut v) != Status::napi_ok {
        return None;
    }
    match type_of(env, v) {
        ValueType::napi_undefined | ValueType::napi_null => None,
        _ => Some(v),
    }
}

/// A JS object, during the call that handed it over.
struct Object {
    env: napi_env,
    value: napi_value,
}

impl Object {
    /// `v` as an object named `name`, or napi-rs's error.
    ///
    /// # Safety
    /// `env` and `v` must be live (inside the Node-API call that received them) for as
    /// long as the object is used.
    unsafe fn new(env: napi_env, v: napi_value, name: &str) -> R<Object> {
        if type_of(env, v) != ValueType::napi_object {
            return Err(expected("object", name));
        }
        Ok(Object { env, value: v })
    }

    /// The field `name`, read by `get`, a Node-API getter of a `T`. (A closure rather
    /// than the function itself: with MSVC, napi-sys's functions are Rust wrappers of
    /// symbols it looks up, not `extern "C"` ones.)
    fn get<T: Default>(
        &self,
        name: &CStr,
        what: &str,
        get: impl Fn(napi_env, napi_value, *mut T) -> sys::napi_status,
    ) -> R<Option<T>> {
        // SAFETY: `new`'s contract: env and value are live while the object is used.
        unsafe {
            let Some(v) = field(self.env, self.value, name) else {
                return Ok(None);
            };
            let mut out = T::default();
            if get(self.env, v, &mut out) != Status::napi_ok {
                return Err(expected(what, &name.to_string_lossy()));
            }
            Ok(Some(out))
        }
    }
}

impl Fields for Object {
    fn opt_string(&self, name: &CStr) -> R<Option<String>> {
        // SAFETY: as in `get`.
        unsafe {
            field(self.env, self.value, name)
                .map(|v| string(self.env, v, &name.to_string_lossy()))
                .transpose()
        }
    }

    fn opt_bool(&self, name: &CStr) -> R<Option<bool>> {
        // SAFETY: as in `get`: a live env and value, and a place for the answer.
        self.get(name, "boolean", |e, v, out| unsafe {
            sys::napi_get_value_bool(e, v, out)
        })
    }

    fn opt_u32(&self, name: &CStr) -> R<Option<u32>> {
        // SAFETY: as above.
        self.get(name, "number", |e, v, out| unsafe {
            sys::napi_get_value_uint32(e, v, out)
        })
    }
}

/// Up to N arguments; missing ones are null handles.
unsafe fn args<const N: usize>(env: napi_env, info: napi_callback_info) -> [napi_value; N] {
    let mut argc = N;
    let mut argv = [ptr::null_mut(); N];
    sys::napi_get_cb_info(
        env,
        info,
        &mut argc,
        argv.as_mut_ptr(),
        ptr::null_mut(),
        ptr::null_mut(),
    );
    for a in argv.iter_mut().skip(argc) {
        *a = ptr::null_mut();
    }
    argv
}

/// `init(info)`: called once by the shim with facts from `process`; answers the binary's
/// version.
unsafe fn init(env: napi_env, argv: &[napi_value]) -> napi_value {
    match Object::new(env, argv[0], "info").and_then(|o| request::host_info(&o)) {
        Ok(h) => {
            let _ = HOST.set(h);
            // The binary's release: the shim checks it against its own, so that a platform
            // package left behind by a partial upgrade is refused without a file read.
            create_string(env, env!("CARGO_PKG_VERSION"))
        }
        Err(t) => throw(env, t),
    }
}

unsafe fn create_string(env: napi_env, s: &str) -> napi_value {
    let mut v = ptr::null_mut();
    sys::napi_create_string_utf8(env, s.as_ptr().cast(), s.len() as isize, &mut v);
    v
}

/// An operation's arguments, by position: the first, then `opts`, then `detail`.
struct Positional<'a> {
    env: napi_env,
    argv: &'a [napi_value],
}

impl Args for Positional<'_> {
    type Object = Object;

    fn first(&self, name: &str) -> R<String> {
        // SAFETY: the values of the call in progress.
        unsafe { string(self.env, self.argv[0], name) }
    }

    fn opts(&self) -> R<Option<Object>> {
        // SAFETY: as above.
        unsafe {
            match type_of(self.env, self.argv[1]) {
                ValueType::napi_undefined | ValueType::napi_null => Ok(None),
                _ => Object::new(self.env, self.argv[1], "opts").map(Some),
            }
        }
    }

    fn detail(&self) -> R<String> {
        // SAFETY: as above.
        unsafe { string(self.env, self.argv[2], "detail") }
    }
}

/// Operation `op` of `super::ops` (any but init), answered through `request::answer`:
/// its string, or a thrown error.
unsafe fn call(env: napi_env, op: u32, argv: &[napi_value]) -> napi_value {
    let out = (|| -> R<String> {
        let host = HOST.get().ok_or_else(request::not_initialized)?;
        let cwd = std::env::current_dir()
            .map_err(|e| Throw::from(Error::io("read current directory", ".", e)))?;
        let env_var = |k: &str| std::env::var(k).ok();
        request::answer(op, &Positional { env, argv }, host, &env_var, &cwd)
    })();
    match out {
        Ok(s) => create_string(env, &s),
        Err(t) => throw(env, t),
    }
}

/// The binary's one export, `pregyp(op, ...args)`: `op` 0 is `init(info)`, the others
/// are `super::ops::OPS` (find, check, loadError, platformPackage, evaluate; index.js
/// names them, from the same list). One function rather than one per operation: V8
/// instantiating the first API function is most of what opening this binary costs
/// beyond an empty addon's, and the others added little (BENCHMARKS.md, "Where `find()`'s time goes").
unsafe extern "C" fn entry(env: napi_env, info: napi_callback_info) -> napi_value {
    let argv = args::<4>(env, info);
    let mut op = u32::MAX;
    sys::napi_get_value_uint32(env, argv[0], &mut op);
    let rest = &argv[1..];
    match op {
        super::ops::INIT => init(env, rest),
        _ => call(env, op, rest),
    }
}

/// Node calls this when the `.node` file is opened.
///
/// # Safety
/// Only Node (or another Node-API host) may call it, with a live `env` and `exports`.
#[no_mangle]
pub unsafe extern "C" fn napi_register_module_v1(env: napi_env, exports: napi_value) -> napi_value {
    // Windows has no lazy binding to the host's symbols: napi-sys looks them up once.
    #[cfg(target_env = "msvc")]
    std::mem::forget(sys::setup());
    // The function becomes `module.exports` itself (no property to set either).
    let mut f = ptr::null_mut();
    if sys::napi_create_function(
        env,
        c"pregyp".as_ptr(),
        6,
        Some(entry),
        ptr::null_mut(),
        &mut f,
    ) != Status::napi_ok
    {
        return exports;
    }
    f
}
