//! What both lean entries read from JS, written once over each entry's view of a JS
//! value: napi values in the native find() binary (`napi_find`), parsed JSON in the
//! WebAssembly core (`wasm`). The conversions and errors are napi-rs's, so that both cores
//! throw the same `err.code` and message for the same wrong argument.

#[cfg(any(test, target_family = "wasm"))]
use super::throw::expected;
use super::throw::{Throw, R};
use crate::config::find::{EnvLookup, FindOptions};
use crate::config::target::{HostInfo, Runtime, TargetOptions};
use std::ffi::CStr;
use std::path::Path;

/// A JS object's fields, with `undefined` and `null` read as absent (napi-rs's `Option`
/// fields).
pub(super) trait Fields {
    fn opt_string(&self, name: &CStr) -> R<Option<String>>;
    fn opt_bool(&self, name: &CStr) -> R<Option<bool>>;
    fn opt_u32(&self, name: &CStr) -> R<Option<u32>>;

    fn req_string(&self, name: &CStr) -> R<String> {
        self.opt_string(name)?.ok_or_else(|| {
            Throw(
                "InvalidArg".into(),
                format!("Missing field `{}`", name.to_string_lossy()),
            )
        })
    }
}

/// An operation's arguments, each read only when the operation takes it.
pub(super) trait Args {
    type Object: Fields;
    /// The first argument (a package.json path, or `plan`'s request), named `name`.
    fn first(&self, name: &str) -> R<String>;
    /// `opts`: `None` when undefined or null, an error when it is not an object.
    fn opts(&self) -> R<Option<Self::Object>>;
    /// `detail`, a string.
    fn detail(&self) -> R<String>;
}

/// The refusal of any operation before `init`: the core was opened by something other
/// than pregyp's shim. (Used by the entries only, which the test build leaves out.)
#[cfg_attr(test, allow(dead_code))]
pub(super) fn not_initialized() -> Throw {
    Throw(
        "E_NOT_INITIALIZED".into(),
        "pregyp's find() core was loaded without its JS shim: require('pregyp') instead".into(),
    )
}

/// `init`'s `info`: the facts of the process, from `process.versions`, platform and arch.
pub(super) fn host_info(o: &impl Fields) -> R<HostInfo> {
    Ok(HostInfo {
        node_version: o.req_string(c"node")?,
        modules: o.opt_u32(c"modules")?,
        napi: o.opt_u32(c"napi")?,
        v8: o.req_string(c"v8")?,
        electron: o.opt_string(c"electron")?,
        node_webkit: o.opt_string(c"nodeWebkit")?,
        platform: o.req_string(c"platform")?,
        arch: o.req_string(c"arch")?,
        exec_path: o.req_string(c"execPath")?,
    })
}

/// find()'s options (index.d.ts `FindOptions`); the defaults when there are none.
fn find_options(o: Option<&impl Fields>) -> R<FindOptions> {
    let Some(o) = o else {
        return Ok(Default::default());
    };
    let runtime = o.opt_string(c"runtime")?;
    Ok(FindOptions {
        target: TargetOptions {
            runtime: runtime.as_deref().map(Runtime::parse).transpose()?,
            version: o.opt_string(c"target")?,
            arch: o.opt_string(c"targetArch")?,
            platform: o.opt_string(c"targetPlatform")?,
            libc: o.opt_string(c"targetLibc")?,
            debug: o.opt_bool(c"debug")?,
        },
        module_root: o.opt_string(c"moduleRoot")?,
        platform_package_dir: o.opt_string(c"platformPackageDir")?,
    })
}

/// Answers operation `op` of `super::ops` (any but `init`, which each entry keeps as
/// state) with the arguments it takes, read from `args`.
pub(super) fn answer(
    op: u32,
    args: &impl Args,
    host: &HostInfo,
    env: EnvLookup,
    cwd: &Path,
) -> R<String> {
    let unknown = || Throw("InvalidArg".into(), format!("unknown operation {op}"));
    let spec = super::ops::op(op)
        .filter(|o| o.id != super::ops::INIT)
        .ok_or_else(unknown)?;
    let takes = |arg: &str| spec.args.contains(&arg);
    let first = args.first(spec.args.first().copied().unwrap_or_default())?;
    let opts = if takes("opts") {
        find_options(args.opts()?.as_ref())?
    } else {
        FindOptions::default()
    };
    let detail = if takes("detail") {
        args.detail()?
    } else {
        String::new()
    };
    super::ops::answer(op, &first, &opts, host, env, cwd, &detail)?.ok_or_else(unknown)
}

/// The WebAssembly entry's view: the request's JSON.
#[cfg(any(test, target_family = "wasm"))]
impl Fields for serde_json::Map<String, serde_json::Value> {
    fn opt_string(&self, name: &CStr) -> R<Option<String>> {
        json_field(self, name, "string", |v| v.as_str().map(String::from))
    }

    fn opt_bool(&self, name: &CStr) -> R<Option<bool>> {
        json_field(self, name, "boolean", serde_json::Value::as_bool)
    }

    fn opt_u32(&self, name: &CStr) -> R<Option<u32>> {
        json_field(self, name, "number", |v| v.as_f64().map(|x| x as u32))
    }
}

/// `o[name]` as a `what` (by `get`), with null read as absent, as napi-rs reads fields.
#[cfg(any(test, target_family = "wasm"))]
fn json_field<T>(
    o: &serde_json::Map<String, serde_json::Value>,
    name: &CStr,
    what: &str,
    get: impl Fn(&serde_json::Value) -> Option<T>,
) -> R<Option<T>> {
    let n = name.to_string_lossy();
    match o.get(n.as_ref()).filter(|v| !v.is_null()) {
        None => Ok(None),
        Some(v) => get(v).map(Some).ok_or_else(|| expected(what, &n)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::{json, Map, Value};

    fn object(v: Value) -> Map<String, Value> {
        v.as_object().unwrap().clone()
    }

    // The arguments of one call, as the wasm entry has them.
    struct Call(Option<Map<String, Value>>);
    impl Args for Call {
        type Object = Map<String, Value>;
        fn first(&self, _: &str) -> R<String> {
            Ok("/nowhere/package.json".into())
        }
        fn opts(&self) -> R<Option<Self::Object>> {
            Ok(self.0.clone())
        }
        fn detail(&self) -> R<String> {
            Ok(String::new())
        }
    }

    fn refusal(op: u32, opts: Option<Value>) -> (String, String) {
        let host = crate::test_support::node();
        match answer(
            op,
            &Call(opts.map(object)),
            &host,
            &|_| None,
            Path::new("/"),
        ) {
            Err(Throw(code, message)) => (code, message),
            Ok(s) => panic!("operation {op} answered {s}"),
        }
    }

    #[test]
    fn unknown_operations_and_init_are_refused_by_number() {
        for op in [super::super::ops::INIT, 99] {
            assert_eq!(
                refusal(op, None),
                ("InvalidArg".into(), format!("unknown operation {op}"))
            );
        }
    }

    #[test]
    fn wrong_option_types_are_napi_rs_errors() {
        for (opts, code, field) in [
            (json!({"target": 20}), "StringExpected", "target"),
            (json!({"debug": "yes"}), "BooleanExpected", "debug"),
        ] {
            let (c, message) = refusal(1, Some(opts));
            assert_eq!(c, code);
            assert!(message.contains(&format!("`{field}`")), "{message}");
        }
    }

    #[test]
    fn absent_options_are_the_defaults_and_a_missing_package_is_named() {
        // null fields are absent: the lookup gets as far as reading the package.json.
        let (code, message) = refusal(1, Some(json!({"target": null, "debug": null})));
        assert_eq!(code, "E_NO_PACKAGE_JSON", "{message}");
        assert!(message.contains("/nowhere/package.json"), "{message}");
    }

    #[test]
    fn facts_are_read_and_missing_ones_named() {
        let info = object(
            json!({"node": "20.0.0", "modules": 115, "v8": "11.3", "platform": "linux", "arch": "x64", "execPath": "/n"}),
        );
        let h = host_info(&info).unwrap_or_else(|_| panic!("complete facts refused"));
        assert_eq!(
            (h.node_version.as_str(), h.modules, h.napi),
            ("20.0.0", Some(115), None)
        );
        let Err(Throw(code, message)) = host_info(&object(json!({"node": "20.0.0"}))) else {
            panic!("facts without v8 were taken");
        };
        assert_eq!(
            (code.as_str(), message.as_str()),
            ("InvalidArg", "Missing field `v8`")
        );
    }
}
