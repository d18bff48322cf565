//! node-gyp / nw-gyp: where to find it, which arguments it gets, how it runs.
//!
//! Mirrors the reference's `util/compile.js` (discovery, spawn) and
//! `util/handle_gyp_opts.js` + `build.js` / `configure.js` (argument lists), with
//! two deliberate differences: a missing node-gyp is a clear `GypNotFound` error
//! instead of an `ENOENT` from spawning a bare `node-gyp`, and the child never sees
//! S3 secrets (it is a compiler driver; it has no business with publish keys).

use crate::building::process::{self, which, ChildOutput};
use crate::config::options::{Env, Options};
use crate::config::target::{HostInfo, Runtime};
use crate::config::versioning::Config;
use crate::error::{Error, Result};
use crate::redact::CommandLine;
use serde_json::Value;
use std::path::{Path, PathBuf};

/// The versioning values node-gyp receives as `--key=value` (reference's `share_with_node_gyp`).
pub const SHARED_WITH_NODE_GYP: &[&str] = &[
    "module",
    "module_name",
    "module_path",
    "napi_version",
    "node_abi_napi",
    "napi_build_version",
    "node_napi_label",
];

/// How to start node-gyp (or nw-gyp): a program and the arguments that precede
/// node-gyp's own (the script path when the program is node).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GypProgram {
    /// The executable to spawn.
    pub program: PathBuf,
    /// Arguments before node-gyp's command (e.g. the path of `node-gyp.js`).
    pub prefix: Vec<String>,
    /// Where it was found, for messages.
    pub source: &'static str,
}

impl GypProgram {
    fn node_script(host: &HostInfo, script: PathBuf, source: &'static str) -> Self {
        GypProgram {
            program: PathBuf::from(&host.exec_path),
            prefix: vec![script.to_string_lossy().into_owned()],
            source,
        }
    }

    /// `<program> <prefix...> <args...>`: what is spawned, shown redacted in logs and errors.
    pub fn command(&self, args: &[String]) -> CommandLine {
        CommandLine::new(&self.program, self.prefix.iter().chain(args).cloned())
    }
}

/// Program for a file that may be a JS script or an executable.
fn script_or_executable(host: &HostInfo, path: PathBuf, source: &'static str) -> GypProgram {
    if process::is_js_script(&path) {
        GypProgram::node_script(host, path, source)
    } else {
        GypProgram {
            program: path,
            prefix: Vec::new(),
            source,
        }
    }
}

/// node-gyp's script inside an npm installation directory.
fn npm_bundled(npm_dir: &Path) -> PathBuf {
    npm_dir
        .join("node_modules")
        .join("node-gyp")
        .join("bin")
        .join("node-gyp.js")
}

/// Where npm's bundled node-gyp lives relative to the running node: `<prefix>/lib/node_modules/npm`
/// on Unix (node in `<prefix>/bin`), `<dir of node.exe>/node_modules/npm` on Windows.
fn npm_dirs_near_node(exec_path: &Path) -> Vec<PathBuf> {
    let Some(bin) = exec_path.parent() else {
        return Vec::new();
    };
    let mut out = Vec::new();
    if let Some(prefix) = bin.parent() {
        out.push(prefix.join("lib").join("node_modules").join("npm"));
    }
    out.push(bin.join("node_modules").join("npm"));
    out
}

/// Finds node-gyp the way the reference does, in order:
/// 1. `npm_config_node_gyp` (npm and pnpm set it to their own copy) when the file exists;
/// 2. `node_modules/node-gyp` of the package or one of its ancestors (Node's resolution,
///    like the reference's `require.resolve('node-gyp')`);
/// 3. npm's bundled copy: next to the npm running us (`npm_execpath`), then next to node;
/// 4. `node-gyp` on `PATH`.
///
/// For the node-webkit runtime it is `nw-gyp` on `PATH` (the reference spawns `nw-gyp`).
pub fn discover(
    runtime: Runtime,
    package_dir: &Path,
    host: &HostInfo,
    env: &Env,
) -> Result<GypProgram> {
    if runtime == Runtime::NodeWebkit {
        return which("nw-gyp", env)
            .map(|p| GypProgram {
                program: p,
                prefix: Vec::new(),
                source: "PATH",
            })
            .ok_or_else(|| {
                Error::GypNotFound(
                    "nw-gyp not found on PATH: building for the node-webkit runtime needs it (npm install -g nw-gyp)".into(),
                )
            });
    }
    if let Some(p) = env.non_empty("npm_config_node_gyp") {
        let p = PathBuf::from(p);
        if p.is_file() {
            return Ok(script_or_executable(host, p, "npm_config_node_gyp"));
        }
        crate::log::verbose(format!(
            "npm_config_node_gyp={} does not exist, looking elsewhere",
            p.display()
        ));
    }
    for dir in package_dir.ancestors() {
        let script = dir
            .join("node_modules")
            .join("node-gyp")
            .join("bin")
            .join("node-gyp.js");
        if script.is_file() {
            return Ok(GypProgram::node_script(host, script, "node_modules"));
        }
    }
    let mut npm_dirs = Vec::new();
    if let Some(exec) = env.non_empty("npm_execpath") {
        // <npm>/bin/npm-cli.js -> <npm>
        if let Some(npm_dir) = Path::new(exec).parent().and_then(Path::parent) {
            npm_dirs.push(npm_dir.to_path_buf());
        }
    }
    npm_dirs.extend(npm_dirs_near_node(Path::new(&host.exec_path)));
    for npm_dir in npm_dirs {
        let script = npm_bundled(&npm_dir);
        if script.is_file() {
            return Ok(GypProgram::node_script(host, script, "npm"));
        }
    }
    if let Some(p) = which("node-gyp", env) {
        return Ok(script_or_executable(host, p, "PATH"));
    }
    Err(Error::GypNotFound(format!(
        "node-gyp not found: looked at npm_config_node_gyp, node_modules/node-gyp above {}, npm's bundled copy next to {} and PATH. Install it (npm install -g node-gyp, or add it to devDependencies) or set npm_config_node_gyp to its bin/node-gyp.js",
        package_dir.display(),
        host.exec_path
    )))
}

fn js_string(v: &Value) -> Option<String> {
    match v {
        Value::Null => None,
        Value::String(s) if s.is_empty() => None,
        Value::String(s) => Some(s.clone()),
        other => Some(other.to_string()),
    }
}

/// `--module=… --module_name=… …`: the reference's `share_with_node_gyp`, where an empty
/// `napi_build_version` is passed as `0` and an empty `napi_version` / `node_abi_napi` is left out.
pub fn pregyp_args(config: &Config) -> Vec<String> {
    let mut out = Vec::new();
    for key in SHARED_WITH_NODE_GYP {
        match config.values.get(*key).and_then(js_string) {
            Some(v) => out.push(format!("--{key}={v}")),
            None if *key == "napi_build_version" => out.push(format!("--{key}=0")),
            None => {}
        }
    }
    out
}

fn with_unparsed(mut args: Vec<String>, opts: &Options) -> Vec<String> {
    if !opts.gyp_args.is_empty() {
        args.push("--".into());
        args.extend(opts.gyp_args.iter().cloned());
    }
    args
}

/// The known configure options (`--dist-url`, `--python`, `--nodedir`, `--msvs_version`), also
/// when they come from `npm_config_*`, as the reference's configure.js adds them.
fn known_args(opts: &Options) -> Vec<String> {
    opts.gyp_known
        .iter()
        .map(|(k, v)| format!("--{k}={v}"))
        .collect()
}

/// `configure <cli flags> <pregyp values> <known options> [-- <unparsed>]`.
pub fn configure_args(opts: &Options, config: &Config) -> Vec<String> {
    let mut args = vec!["configure".to_string()];
    args.extend(opts.cli_flags.iter().cloned());
    args.extend(pregyp_args(config));
    args.extend(known_args(opts));
    with_unparsed(args, opts)
}

/// With `--ensure=false`: `<cli flags> <pregyp values> <known options> install --ensure=false`,
/// run before configure (node-gyp honours `--ensure` only in `install`).
pub fn ensure_install_args(opts: &Options, config: &Config) -> Vec<String> {
    let mut args = opts.cli_flags.clone();
    args.extend(pregyp_args(config));
    args.extend(known_args(opts));
    args.push("install".into());
    args.push("--ensure=false".into());
    args
}

/// `build <cli flags> <pregyp values> [-- <unparsed>]`.
///
/// node-gyp hands build's unparsed arguments to make, which has no `-D` option: a gyp
/// define (`-- -Dfoo=bar`, meant for configure) is left out here, where the reference
/// passes it on and make fails with "invalid option -- 'D'".
pub fn build_args(opts: &Options, config: &Config) -> Vec<String> {
    let mut args = vec!["build".to_string()];
    args.extend(opts.cli_flags.iter().cloned());
    args.extend(pregyp_args(config));
    let for_make: Vec<&String> = opts
        .gyp_args
        .iter()
        .filter(|a| !a.starts_with("-D"))
        .collect();
    if !for_make.is_empty() {
        args.push("--".into());
        args.extend(for_make.into_iter().cloned());
    }
    args
}

/// A located node-gyp ready to run in a package directory.
#[derive(Debug, Clone)]
pub struct Gyp {
    /// What to spawn.
    pub program: GypProgram,
    /// Working directory (the package directory).
    pub cwd: PathBuf,
    /// The child's environment (secrets removed).
    pub env: Vec<(String, String)>,
    /// Where node-gyp's output goes.
    pub output: ChildOutput,
}

impl Gyp {
    /// Locates node-gyp (or nw-gyp) for a package; its output goes as `output` says.
    pub fn locate(
        runtime: Runtime,
        package_dir: &Path,
        host: &HostInfo,
        env: &Env,
        output: ChildOutput,
    ) -> Result<Self> {
        let program = discover(runtime, package_dir, host, env)?;
        crate::log::verbose(format!(
            "using {} (from {})",
            program.command(&[]),
            program.source
        ));
        Ok(Gyp {
            program,
            cwd: package_dir.to_path_buf(),
            env: process::child_env(env),
            output,
        })
    }

    /// Runs node-gyp with `args`, its output streaming through; fails with the
    /// reference's `Failed to execute '<cmd> <args>' (<code>)`.
    pub async fn run(&self, args: &[String]) -> Result<()> {
        let cmd = self.program.command(args);
        crate::log::info(format!("running: {cmd}"));
        process::run(&cmd, &self.cwd, &self.env, self.output).await
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::manifest::Manifest;
    use crate::config::options::parse;
    use crate::config::versioning::{evaluate, EvalOptions};
    use crate::test_support::env;
    use serde_json::json;

    fn config(binary: Value, napi: Option<u32>) -> Config {
        let m = Manifest::parse(
            json!({"name":"pkg","version":"1.0.0","main":"index.js","binary":binary})
                .to_string()
                .as_bytes(),
            "/work/pkg/package.json".into(),
        )
        .unwrap();
        evaluate(&m, &EvalOptions::default(), &HostInfo::test(), napi).unwrap()
    }

    fn opts(argv: &[&str], e: &[(&str, &str)]) -> Options {
        let argv: Vec<String> = argv.iter().map(|s| s.to_string()).collect();
        parse(&argv, env(e)).unwrap().opts
    }

    const PLAIN_SHARED: &[&str] = &[
        "--module=/work/pkg/lib/binding/m.node",
        "--module_name=m",
        "--module_path=/work/pkg/lib/binding",
        "--napi_version=9",
        "--node_abi_napi=napi",
        "--napi_build_version=0",
        "--node_napi_label=node-v115",
    ];

    fn strs(v: &[&str]) -> Vec<String> {
        v.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn shared_values() {
        let plain = config(
            json!({"module_name":"m","module_path":"lib/binding","host":"https://h"}),
            None,
        );
        assert_eq!(pregyp_args(&plain), strs(PLAIN_SHARED));
        let napi = config(
            json!({"module_name":"m","module_path":"lib/{node_napi_label}","host":"https://h","napi_versions":[3,6],"remote_path":"{napi_build_version}"}),
            Some(6),
        );
        assert_eq!(
            pregyp_args(&napi),
            strs(&[
                "--module=/work/pkg/lib/napi-v6/m.node",
                "--module_name=m",
                "--module_path=/work/pkg/lib/napi-v6",
                "--napi_version=9",
                "--node_abi_napi=napi",
                "--napi_build_version=6",
                "--node_napi_label=napi-v6",
            ])
        );
    }

    #[test]
    fn argument_lists() {
        let c = config(
            json!({"module_name":"m","module_path":"lib/binding","host":"https://h"}),
            None,
        );
        let shared = strs(PLAIN_SHARED);
        type Case<'a> = (
            &'a [&'a str],
            &'a [(&'a str, &'a str)],
            Vec<String>,
            Vec<String>,
        );
        let cat = |a: &[&str], mid: &[String], b: &[&str]| -> Vec<String> {
            let mut v = strs(a);
            v.extend(mid.iter().cloned());
            v.extend(strs(b));
            v
        };
        let cases: Vec<Case> = vec![
            (
                &["build"],
                &[],
                cat(&["configure"], &shared, &[]),
                cat(&["build"], &shared, &[]),
            ),
            (
                &[
                    "build",
                    "--debug",
                    "-j",
                    "4",
                    "--target=20.0.0",
                    "--target_arch",
                    "x64",
                ],
                &[],
                cat(
                    &[
                        "configure",
                        "--debug",
                        "--jobs=4",
                        "--target=20.0.0",
                        "--target_arch=x64",
                    ],
                    &shared,
                    &[],
                ),
                cat(
                    &[
                        "build",
                        "--debug",
                        "--jobs=4",
                        "--target=20.0.0",
                        "--target_arch=x64",
                    ],
                    &shared,
                    &[],
                ),
            ),
            (
                &[
                    "configure",
                    "--custom-flag=x",
                    "--no-thing",
                    "--",
                    "-Dfoo=bar",
                    "--baz",
                ],
                &[("npm_config_nodedir", "/usr"), ("npm_config_python", "/py")],
                cat(
                    &["configure", "--custom-flag=x", "--no-thing"],
                    &shared,
                    &["--python=/py", "--nodedir=/usr", "--", "-Dfoo=bar", "--baz"],
                ),
                cat(
                    &["build", "--custom-flag=x", "--no-thing"],
                    &shared,
                    &["--", "--baz"],
                ),
            ),
            (
                &[
                    "configure",
                    "--dist-url=https://d",
                    "--msvs_version=2019",
                    "-C",
                    "x",
                ],
                &[],
                cat(
                    &["configure", "--dist-url=https://d", "--msvs_version=2019"],
                    &shared,
                    &["--dist-url=https://d", "--msvs_version=2019"],
                ),
                cat(
                    &["build", "--dist-url=https://d", "--msvs_version=2019"],
                    &shared,
                    &[],
                ),
            ),
            (
                &["build", "--", "-Dfoo=bar", "V=1"],
                &[],
                cat(&["configure"], &shared, &["--", "-Dfoo=bar", "V=1"]),
                cat(&["build"], &shared, &["--", "V=1"]),
            ),
            (
                &["build", "--", "-Dfoo=bar"],
                &[],
                cat(&["configure"], &shared, &["--", "-Dfoo=bar"]),
                cat(&["build"], &shared, &[]),
            ),
        ];
        for (argv, e, want_configure, want_build) in cases {
            let o = opts(argv, e);
            assert_eq!(configure_args(&o, &c), want_configure, "{argv:?}");
            assert_eq!(build_args(&o, &c), want_build, "{argv:?}");
        }
        let o = opts(&["configure", "--ensure=false"], &[]);
        assert_eq!(o.ensure, Some(false));
        assert_eq!(
            ensure_install_args(&o, &c),
            cat(&["--no-ensure"], &shared, &["install", "--ensure=false"])
        );
    }

    #[test]
    fn secrets_are_not_passed_on() {
        let e = env(&[
            ("AWS_SECRET_ACCESS_KEY", "s"),
            ("AWS_SESSION_TOKEN", "t"),
            ("node_pre_gyp_secretAccessKey", "s"),
            ("npm_config_node_pre_gyp_secretAccessKey", "s"),
            ("AWS_ACCESS_KEY_ID", "id"),
            ("PATH", "/bin"),
            ("npm_config_nodedir", "/usr"),
        ]);
        let kept: Vec<String> = process::child_env(&e).into_iter().map(|(k, _)| k).collect();
        assert_eq!(kept, ["AWS_ACCESS_KEY_ID", "PATH", "npm_config_nodedir"]);
    }

    fn touch(p: &Path, text: &str) {
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(p, text).unwrap();
    }

    #[cfg(unix)]
    fn make_exe(p: &Path) {
        use std::os::unix::fs::PermissionsExt;
        touch(p, "#!/bin/sh\n");
        std::fs::set_permissions(p, std::fs::Permissions::from_mode(0o755)).unwrap();
    }

    #[cfg(unix)]
    #[test]
    fn discovery_order() {
        let t = tempfile::tempdir().unwrap();
        let root = t.path();
        let host = HostInfo {
            exec_path: root.join("prefix/bin/node").to_string_lossy().into_owned(),
            ..HostInfo::test()
        };
        let pkg = root.join("app/node_modules/pkg");
        std::fs::create_dir_all(&pkg).unwrap();
        let path_dir = root.join("pathbin");
        make_exe(&path_dir.join("node-gyp"));
        let mut e = env(&[("PATH", &path_dir.to_string_lossy())]);

        let found = |e: &Env| discover(Runtime::Node, &pkg, &host, e).unwrap();
        // 4. PATH (a shell script: spawned directly).
        let p = found(&e);
        assert_eq!(
            (p.program.clone(), p.source),
            (path_dir.join("node-gyp"), "PATH")
        );
        assert!(p.prefix.is_empty());
        // 3b. npm next to node beats PATH.
        let near_node = npm_bundled(&root.join("prefix/lib/node_modules/npm"));
        touch(&near_node, "");
        let p = found(&e);
        assert_eq!(p.prefix, [near_node.to_string_lossy().to_string()]);
        assert_eq!(p.program, PathBuf::from(&host.exec_path));
        // 3a. npm from npm_execpath beats npm next to node.
        let npm_exec = root.join("othernpm/bin/npm-cli.js");
        touch(&npm_exec, "");
        let other = npm_bundled(&root.join("othernpm"));
        touch(&other, "");
        e.0.insert("npm_execpath".into(), npm_exec.to_string_lossy().into());
        assert_eq!(found(&e).prefix, [other.to_string_lossy().to_string()]);
        // 2. an ancestor's node_modules (hoisted), then the package's own.
        let hoisted = root.join("app/node_modules/node-gyp/bin/node-gyp.js");
        touch(&hoisted, "");
        assert_eq!(found(&e).prefix, [hoisted.to_string_lossy().to_string()]);
        let own = pkg.join("node_modules/node-gyp/bin/node-gyp.js");
        touch(&own, "");
        assert_eq!(found(&e).prefix, [own.to_string_lossy().to_string()]);
        assert_eq!(found(&e).source, "node_modules");
        // 1. npm_config_node_gyp, when it exists.
        e.0.insert(
            "npm_config_node_gyp".into(),
            root.join("missing.js").to_string_lossy().into(),
        );
        assert_eq!(found(&e).prefix, [own.to_string_lossy().to_string()]);
        let configured = root.join("custom/node-gyp.js");
        touch(&configured, "");
        e.0.insert(
            "npm_config_node_gyp".into(),
            configured.to_string_lossy().into(),
        );
        assert_eq!(found(&e).prefix, [configured.to_string_lossy().to_string()]);
        // A wrapper with a node shebang and no extension still runs under node.
        let shebang = root.join("custom/node-gyp-wrapper");
        touch(&shebang, "#!/usr/bin/env node\nrequire('x')\n");
        e.0.insert(
            "npm_config_node_gyp".into(),
            shebang.to_string_lossy().into(),
        );
        let p = found(&e);
        assert_eq!(p.program, PathBuf::from(&host.exec_path));
        assert_eq!(p.prefix, [shebang.to_string_lossy().to_string()]);

        // node-webkit: nw-gyp on PATH only.
        let err = discover(Runtime::NodeWebkit, &pkg, &host, &e).unwrap_err();
        assert_eq!(err.code(), "E_GYP_NOT_FOUND");
        make_exe(&path_dir.join("nw-gyp"));
        assert_eq!(
            discover(Runtime::NodeWebkit, &pkg, &host, &e)
                .unwrap()
                .program,
            path_dir.join("nw-gyp")
        );
    }

    #[test]
    fn not_found_is_clear() {
        let t = tempfile::tempdir().unwrap();
        let host = HostInfo {
            exec_path: t.path().join("bin/node").to_string_lossy().into_owned(),
            ..HostInfo::test()
        };
        let e = env(&[("PATH", &t.path().to_string_lossy())]);
        let err = discover(Runtime::Node, t.path(), &host, &e).unwrap_err();
        assert_eq!(err.code(), "E_GYP_NOT_FOUND");
        assert!(err.to_string().starts_with("node-gyp not found"), "{err}");
    }

    #[cfg(unix)]
    #[tokio::test]
    async fn failures_name_the_command_and_code() {
        let t = tempfile::tempdir().unwrap();
        let script = t.path().join("fake-gyp");
        touch(&script, "#!/bin/sh\nexit 3\n");
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&script, std::fs::Permissions::from_mode(0o755)).unwrap();
        let gyp = Gyp {
            program: GypProgram {
                program: script.clone(),
                prefix: Vec::new(),
                source: "test",
            },
            cwd: t.path().to_path_buf(),
            env: vec![],
            output: ChildOutput::Quiet,
        };
        let err = gyp.run(&strs(&["build", "--debug"])).await.unwrap_err();
        assert_eq!(
            err.to_string(),
            format!("Failed to execute '{} build --debug' (3)", script.display())
        );
        let missing = Gyp {
            program: GypProgram {
                program: t.path().join("nope"),
                prefix: Vec::new(),
                source: "test",
            },
            ..gyp
        };
        let err = missing.run(&strs(&["clean"])).await.unwrap_err();
        assert_eq!(err.code(), "E_COMMAND_FAILED");
        assert!(err.to_string().contains("nope clean' (Error: "), "{err}");
    }
}
