//! The find() core's protocol: the one list of operations that both cores answer, the
//! native find() binary (`napi_find`, one function `pregyp(op, ...args)`) and the
//! WebAssembly fallback (`wasm`, one JSON call `{op, path, opts, detail, ...}`), and
//! the one function that answers them. `scripts/gen-types.js` writes the JS side (the
//! shim's `open()` in lib/loader.js and lib/wasm.js's table) from [`OPS`], through the
//! full binary's `spec()`, so the numbers cannot drift between the three.

use crate::config::find::{self, EnvLookup, FindOptions};
use crate::config::target::HostInfo;
use crate::error::Error;
use serde::Serialize;
use std::path::Path;

/// How the JS side treats an operation's string answer (the wasm core's paths are POSIX
/// paths that lib/wasm.js converts on Windows).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub enum Answer {
    /// Nothing (`undefined`).
    None,
    /// A file system path.
    Path,
    /// A message that may name paths.
    Message,
    /// A package name, or "".
    Name,
    /// JSON text of the evaluated values (some of them paths).
    Json,
}

/// One operation of the find() core.
#[derive(Debug, Serialize)]
pub struct Op {
    /// Its number on the wire.
    pub id: u32,
    /// Its JS name on the core object (`core.find(...)`).
    pub name: &'static str,
    /// Its arguments, in order.
    pub args: &'static [&'static str],
    /// What it answers.
    pub answer: Answer,
    /// Whether the native find() core answers it too (the WebAssembly core answers all).
    pub native: bool,
    /// What it does.
    pub doc: &'static str,
}

/// `init(info)`: the facts of the process (`process.versions`, platform, arch), once.
pub const INIT: u32 = 0;
const FIND: u32 = 1;
const CHECK: u32 = 2;
const LOAD_ERROR: u32 = 3;
const PLATFORM_PACKAGE: u32 = 4;
const EVALUATE: u32 = 5;
const PLAN: u32 = 6;
const VERSIONING: u32 = 7;

/// Every operation, by number.
pub const OPS: &[Op] = &[
    Op {
        id: INIT,
        name: "init",
        args: &["info"],
        answer: Answer::Name,
        native: true,
        doc: "the facts of this process, once, before any other operation; answers the core's version",
    },
    Op {
        id: FIND,
        name: "find",
        args: &["packageJsonPath", "opts"],
        answer: Answer::Path,
        native: true,
        doc: "the binding to require: in module_path, else in the platform package; never an error for a missing one",
    },
    Op {
        id: CHECK,
        name: "check",
        args: &["packageJsonPath", "opts"],
        answer: Answer::Path,
        native: true,
        doc: "load()'s lookup: the binding's path, or E_BINDING_MISSING with the explanation",
    },
    Op {
        id: LOAD_ERROR,
        name: "loadError",
        args: &["packageJsonPath", "opts", "detail"],
        answer: Answer::Message,
        native: true,
        doc: "load()'s explanation of a binding that is there but does not load (detail: the loader's message)",
    },
    Op {
        id: PLATFORM_PACKAGE,
        name: "platformPackage",
        args: &["packageJsonPath", "opts"],
        answer: Answer::Name,
        native: true,
        doc: "the platform package the binding would come from when no node_modules holds it, else \"\" (for Yarn Plug'n'Play)",
    },
    Op {
        id: EVALUATE,
        name: "evaluate",
        args: &["packageJsonPath", "opts"],
        answer: Answer::Json,
        native: true,
        doc: "the evaluated values (module_path, napi_build_version, ...) as JSON",
    },
    Op {
        id: PLAN,
        name: "plan",
        args: &["request"],
        answer: Answer::Json,
        // The CLI's parser is a seventh of the native core (about 100 kB), which every
        // addon's `require` would load for a path that runs only where the full tool is
        // missing: the shim asks the WebAssembly core then.
        native: false,
        doc: "a command line for the CLI without the full tool (lib/no-binary.js), request {argv, env, windows}: parsed as the full CLI parses it (flags, npm_config_* and PREGYP_* variables), with the package's evaluated values when the first command is install, build or rebuild",
    },
    Op {
        id: VERSIONING,
        name: "versioning",
        args: &["request", "opts"],
        answer: Answer::Json,
        // For authors' scripts (node-pre-gyp's lib/util/versioning), never in a `require`.
        native: false,
        doc: "node-pre-gyp's versioning.evaluate(package_json, options, napi_build_version) (lib/util/versioning.js), request {package_json, napi_build_version, toolset, acl}, opts as find()'s: {values, filled_module_path}, the evaluated values (module_path resolved against opts.moduleRoot, else the current folder) and module_path as filled in",
    },
];

/// The operation `id`, if there is one.
pub fn op(id: u32) -> Option<&'static Op> {
    OPS.iter().find(|o| o.id == id)
}

/// Whether operation `id` takes the `detail` argument.
pub fn takes_detail(id: u32) -> bool {
    op(id).is_some_and(|o| o.args.contains(&"detail"))
}

/// Answers operation `id` (any but [`INIT`], which each core handles as it keeps state).
/// `first` is the first argument (a package.json path, or [`PLAN`]'s request); `detail`
/// the `detail` argument of the operations that take one. `Ok(None)`: no such operation.
pub fn answer(
    id: u32,
    first: &str,
    opts: &FindOptions,
    host: &HostInfo,
    env: EnvLookup,
    cwd: &Path,
    detail: &str,
) -> Result<Option<String>, Error> {
    // find() names a missing package.json as it was given, as the reference does; pregyp's
    // own operations (load()'s) name it folded, as path.join would (load() puts a folder's
    // package.json path together without it). `plan` and `versioning` take a request.
    let folded = || crate::config::manifest::normalize(Path::new(first));
    let path = |p: std::path::PathBuf| p.to_string_lossy().into_owned();
    Ok(Some(match id {
        FIND => path(find::find(Path::new(first), opts, host, env, cwd)?),
        CHECK => path(find::check(&folded(), opts, host, env, cwd)?),
        LOAD_ERROR => {
            let located = find::locate(&folded(), opts, host, env, cwd)?;
            find::load_error(&located, detail).to_string()
        }
        PLATFORM_PACKAGE => {
            let located = find::locate(&folded(), opts, host, env, cwd)?;
            match located.lookup {
                crate::config::platform::Lookup::NotInstalled { name } if !located.exists => name,
                _ => String::new(),
            }
        }
        EVALUATE => {
            let config = find::evaluate(&folded(), opts, host, env, cwd)?;
            serde_json::Value::Object(config.values).to_string()
        }
        #[cfg(any(target_family = "wasm", test))]
        PLAN => plan(first, host, cwd)?.to_string(),
        #[cfg(any(target_family = "wasm", test))]
        VERSIONING => versioning(first, opts, host, env, cwd)?.to_string(),
        _ => return Ok(None),
    }))
}

/// [`PLAN`]'s request.
#[cfg(any(target_family = "wasm", test))]
#[derive(serde::Deserialize)]
struct PlanRequest {
    argv: Vec<String>,
    #[serde(default)]
    env: std::collections::BTreeMap<String, String>,
    #[serde(default)]
    windows: bool,
    /// Read the command line only: no package.json is evaluated (node-pre-gyp's
    /// `Run.parseArgv`, lib/run.js).
    #[serde(default)]
    parse_only: bool,
}

/// The commands where no full tool is (install with a build, build, rebuild): the command
/// line parsed by the CLI's own parser, the selectors decided for this package, and the
/// values node-gyp is given, evaluated as find() evaluates them.
// Not inlined into `answer`: in the WebAssembly core each function is compiled on its first
// call, and find()'s first call compiles `answer` whole.
#[cfg(any(target_family = "wasm", test))]
#[inline(never)]
fn plan(request: &str, host: &HostInfo, cwd: &Path) -> Result<serde_json::Value, Error> {
    use crate::config::options::{self, Env};
    let req: PlanRequest = serde_json::from_str(request)
        .map_err(|e| Error::Usage(format!("plan: invalid request: {e}")))?;
    let pairs: Vec<(&str, &str)> = req
        .env
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect();
    let inv = options::parse(&req.argv, Env::from_pairs_on(&pairs, req.windows))?;
    let o = &inv.opts;
    let dir = match &o.directory {
        Some(d) => cwd.join(d),
        None => cwd.to_path_buf(),
    };
    let commands: Vec<serde_json::Value> = inv
        .commands
        .iter()
        .map(|c| serde_json::json!({ "name": c.name, "args": c.args }))
        .collect();
    let mut out = serde_json::json!({
        "commands": commands,
        "help": inv.help,
        "version": inv.version,
        "directory": dir.to_string_lossy(),
        "cliFlags": o.cli_flags,
        "gypArgs": o.gyp_args,
        "gypKnown": o.gyp_known,
    });
    if req.parse_only {
        out["directory"] = o
            .directory
            .as_ref()
            .map(|d| d.to_string_lossy().into_owned())
            .into();
        return Ok(out);
    }
    let first = inv.commands.first().map(|c| c.name.as_str());
    if !matches!(first, Some("install" | "build" | "rebuild")) {
        return Ok(out);
    }
    let package_json = dir.join("package.json");
    let fo = FindOptions {
        target: o.target.clone(),
        module_root: None,
        platform_package_dir: None,
    };
    let env = |k: &str| o.env.get(k).map(String::from);
    let config = find::evaluate(&package_json, &fo, host, &env, cwd)?;
    let name = config
        .values
        .get("name")
        .and_then(serde_json::Value::as_str)
        .unwrap_or_default()
        .to_string();
    let installed = match find::check(&package_json, &fo, host, &env, cwd) {
        Ok(p) => Some(p.to_string_lossy().into_owned()),
        Err(Error::BindingMissing { .. }) => None,
        Err(e) => return Err(e),
    };
    out["name"] = name.clone().into();
    out["updateBinary"] = o.update_binary.into();
    out["buildFromSource"] = o.build_from_source.matches(&name).into();
    out["fallbackToBuild"] = o.fallback_to_build.matches(&name).into();
    out["installed"] = installed.into();
    out["values"] = serde_json::Value::Object(config.values);
    Ok(out)
}

/// [`VERSIONING`]'s request: node-pre-gyp's `evaluate` arguments besides the target.
#[cfg(any(target_family = "wasm", test))]
#[derive(serde::Deserialize)]
struct VersioningRequest {
    package_json: serde_json::Value,
    #[serde(default)]
    napi_build_version: Option<u32>,
    #[serde(default)]
    toolset: Option<String>,
    #[serde(default)]
    acl: Option<String>,
}

/// node-pre-gyp's `versioning.evaluate(package_json, options, napi_build_version)`: the
/// package.json object as given (no host chosen among staging and production: node-pre-gyp's
/// `Run` does that before), module_path resolved against `module_root` or the current folder.
#[cfg(any(target_family = "wasm", test))]
#[inline(never)]
fn versioning(
    request: &str,
    opts: &FindOptions,
    host: &HostInfo,
    env: EnvLookup,
    cwd: &Path,
) -> Result<serde_json::Value, Error> {
    use crate::config::{manifest::Manifest, versioning};
    let req: VersioningRequest = serde_json::from_str(request)
        .map_err(|e| Error::Usage(format!("versioning: invalid request: {e}")))?;
    let text = serde_json::to_vec(&req.package_json).unwrap_or_default();
    // No file: messages name "package.json", as node-pre-gyp's do.
    let manifest = Manifest::parse(&text, "package.json".into())?;
    let eval = versioning::EvalOptions {
        toolset: req.toolset,
        acl: req.acl,
        ..find::eval_options(&manifest, opts, env, cwd, cwd.to_path_buf())?
    };
    let napi = req.napi_build_version.filter(|v| *v > 0);
    let config = versioning::evaluate(&manifest, &eval, host, napi)?;
    // module_path as filled in too: node-pre-gyp joins it to a module_root as written.
    Ok(
        serde_json::json!({ "values": config.values, "filled_module_path": config.module_path_filled }),
    )
}

/// The operations as JSON, for `scripts/gen-types.js`.
pub fn to_json() -> serde_json::Value {
    serde_json::to_value(OPS).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_and_names_are_unique_and_dense() {
        for (i, o) in OPS.iter().enumerate() {
            assert_eq!(o.id as usize, i, "{} is not at its number", o.name);
            assert_eq!(
                OPS.iter().filter(|p| p.name == o.name).count(),
                1,
                "{}",
                o.name
            );
        }
        assert!(takes_detail(LOAD_ERROR) && !takes_detail(FIND));
    }

    #[test]
    fn a_missing_package_json_is_named_as_given_by_find_and_folded_by_load() {
        let host = HostInfo::test();
        let ask = |id| {
            answer(
                id,
                "/a/b/../c/./package.json",
                &FindOptions::default(),
                &host,
                &|_| None,
                Path::new("/"),
                "",
            )
            .unwrap_err()
            .to_string()
        };
        assert_eq!(ask(FIND), "/a/b/../c/./package.json does not exist");
        assert_eq!(ask(CHECK), "/a/c/package.json does not exist");
        assert_eq!(ask(LOAD_ERROR), "/a/c/package.json does not exist");
    }

    #[test]
    fn plan_reads_the_command_line_as_the_cli_does() {
        let tmp = tempfile::tempdir().unwrap();
        let dir = tmp.path().join("addon");
        std::fs::create_dir(&dir).unwrap();
        let binary =
            r#"{"module_name":"m","module_path":"lib/{node_abi}","host":"https://h.example/"}"#;
        std::fs::write(
            dir.join("package.json"),
            format!(r#"{{"name":"a","version":"1.0.0","main":"i.js","binary":{binary}}}"#),
        )
        .unwrap();
        let host = HostInfo::test();
        let ask = |argv: &[&str], env: &[(&str, &str)]| {
            let req = serde_json::json!({
                "argv": argv,
                "env": env.iter().copied().collect::<std::collections::BTreeMap<_, _>>(),
            });
            plan(&req.to_string(), &host, tmp.path())
        };
        // Space-form values and -C/--directory, as the full CLI reads them.
        let p = ask(
            &["rebuild", "--directory", "addon", "--target", "20.0.0"],
            &[],
        )
        .unwrap();
        assert_eq!(p["commands"][0]["name"], "rebuild");
        assert_eq!(p["directory"], dir.to_string_lossy().as_ref());
        assert_eq!(p["values"]["node_abi"], "node-v115");
        let p = ask(
            &["install", "-C", "addon"],
            &[("PREGYP_FALLBACK_TO_BUILD", "true")],
        )
        .unwrap();
        assert_eq!(p["fallbackToBuild"], true);
        assert_eq!(p["installed"], serde_json::Value::Null);
        // Other commands are parsed, not evaluated.
        let p = ask(&["package", "-C", "nowhere"], &[]).unwrap();
        assert!(p.get("values").is_none());
        assert!(ask(&["rebuild", "--loglevel=nope"], &[]).is_err());
        // Parse only: the directory as given, and nothing evaluated even for install.
        let req = serde_json::json!({ "argv": ["install", "-C", "nowhere", "--target=20.0.0"], "parse_only": true });
        let p = plan(&req.to_string(), &host, tmp.path()).unwrap();
        assert_eq!(p["directory"], "nowhere");
        assert_eq!(p["cliFlags"], serde_json::json!(["--target=20.0.0"]));
        assert!(p.get("values").is_none());
        let req = serde_json::json!({ "argv": ["install"], "parse_only": true });
        assert_eq!(
            plan(&req.to_string(), &host, tmp.path()).unwrap()["directory"],
            serde_json::Value::Null
        );
    }

    #[test]
    fn versioning_evaluates_a_package_json_object_against_the_current_folder() {
        let host = HostInfo::test();
        let ask = |req: serde_json::Value, opts: FindOptions| {
            versioning(
                &req.to_string(),
                &opts,
                &host,
                &|_| None,
                Path::new("/work"),
            )
        };
        let pkg = serde_json::json!({
            "name": "a", "version": "1.2.3", "main": "i.js",
            "binary": { "module_name": "m", "module_path": "lib/{node_abi}-{platform}-{arch}-{napi_build_version}", "package_name": "{napi_build_version}.tgz", "host": "https://h.example/", "napi_versions": [3] },
        });
        let mut opts = FindOptions::default();
        opts.target.arch = Some("arm64".into());
        opts.target.version = Some("20.0.0".into());
        let answer = ask(
            serde_json::json!({ "package_json": pkg, "napi_build_version": 3 }),
            opts,
        )
        .unwrap();
        let v = &answer["values"];
        assert_eq!(
            v["module_path"],
            format!("/work/lib/node-v115-{}-arm64-3", host.platform)
        );
        // module_path as filled in, before the current folder resolves it.
        assert_eq!(
            answer["filled_module_path"],
            format!("lib/node-v115-{}-arm64-3", host.platform)
        );
        assert_eq!(v["node_napi_label"], "napi-v3");
        assert_eq!(v["napi_build_version"], 3);
        // module_root replaces the current folder; without a napi_build_version it is ''.
        let opts = FindOptions {
            module_root: Some("/pkg".into()),
            ..Default::default()
        };
        let v = &ask(serde_json::json!({ "package_json": pkg }), opts).unwrap()["values"];
        assert!(
            v["module_path"].as_str().unwrap().starts_with("/pkg/lib/"),
            "{v}"
        );
        assert_eq!(v["napi_build_version"], "");
        // node-pre-gyp's validation, with its message.
        let bad = serde_json::json!({ "package_json": { "name": "a", "version": "1.0.0", "main": "i.js", "binary": {} } });
        let e = ask(bad, FindOptions::default()).unwrap_err().to_string();
        assert!(
            e.contains("package.json must declare these properties"),
            "{e}"
        );
    }
}
