//! Template evaluation: from package.json + options + target to the evaluated
//! configuration of COMPATIBILITY.md (module_path, hosted_tarball, ...), in the
//! reference's key order so `reveal` prints the same JSON.

use crate::config::manifest::{check_host_protocol, normalize, HostSpec, Manifest};
use crate::config::node_api;
use crate::config::node_api::NAPI_VARIABLES;
use crate::config::target::{self, AbiTable, HostInfo, Runtime, TargetOptions};
use crate::config::template::{eval_template, js_string, mentions};
use crate::error::{Error, Result};
use serde_json::{Map, Value};
use std::path::{Path, PathBuf};

/// The option subset evaluation needs (filled from `Options` or from find()'s opts).
#[derive(Debug, Clone, Default)]
pub struct EvalOptions {
    /// Runtime, version, platform, arch, libc and debug, when not this Node's.
    pub target: TargetOptions,
    /// `--toolset`.
    pub toolset: Option<String>,
    /// `--acl`.
    pub acl: Option<String>,
    /// Resolve module_path against this instead of the package root.
    pub module_root: Option<PathBuf>,
    /// A host mirror that replaces `binary.host` (already looked up in the environment).
    pub mirror: Option<String>,
    /// The crosswalk from `NODE_PRE_GYP_ABI_CROSSWALK`, replacing the bundled table.
    pub abi_table: Option<AbiTable>,
}

/// Where the S3 objects of a package live, when the host is S3-like.
#[derive(Debug, Clone, PartialEq)]
pub struct S3Location {
    /// Endpoint URL for S3-compatible servers (None: AWS, derived from region).
    pub endpoint: Option<String>,
    /// Bucket name.
    pub bucket: String,
    /// Region.
    pub region: String,
    /// Bucket in the path rather than the host name.
    pub force_path_style: bool,
    /// Key prefix (remote_path), without a leading `/`.
    pub prefix: String,
}

/// The evaluated configuration of one package for one target.
#[derive(Debug, Clone)]
pub struct Config {
    /// Every key in the reference's order, for templates and `reveal`.
    pub values: Map<String, Value>,
    /// `name`.
    pub name: String,
    /// `version`.
    pub version: String,
    /// `module_name`.
    pub module_name: String,
    /// Absolute directory holding the binding.
    pub module_path: PathBuf,
    /// module_path's template filled in, before it is resolved (node-pre-gyp's `evaluate`
    /// joins it to a module_root as written: lib/util/versioning.js).
    pub module_path_filled: String,
    /// Absolute path of `<module_name>.node`.
    pub module: PathBuf,
    /// Host URL, with a trailing `/`.
    pub host: String,
    /// `package_name`, the tarball's file name.
    pub package_name: String,
    /// `remote_path`.
    pub remote_path: String,
    /// Absolute path of the staged tarball.
    pub staged_tarball: PathBuf,
    /// URL of the folder holding the tarball.
    pub hosted_path: String,
    /// URL of the tarball.
    pub hosted_tarball: String,
    /// The Node-API version this evaluation is for, if any.
    pub napi_build_version: Option<u32>,
    /// Runtime.
    pub runtime: Runtime,
    /// `platform`.
    pub platform: String,
    /// `arch`.
    pub arch: String,
    /// `libc`.
    pub libc: String,
    /// Whether the target differs from the running process (no test-loading then).
    pub cross_compiling: bool,
    /// The expected sha256 of the tarball from `binary.checksums`.
    pub checksum: Option<String>,
    /// The tarball's key in `binary.checksums`: `package_name`, or `remote_path` +
    /// `package_name` when only remote_path tells Node-API builds apart.
    pub checksum_key: String,
    /// S3 details, when the host is (or declares) an S3 bucket.
    pub s3_hint: S3Hint,
    /// Warnings met during evaluation (ABI fallback).
    pub warnings: Vec<String>,
}

/// S3 fields from package.json, before URL parsing (see `Config::s3_location`).
#[derive(Debug, Clone, Default)]
pub struct S3Hint {
    /// `binary.bucket` or the object host's bucket.
    pub bucket: Option<String>,
    /// `binary.region` or the object host's region.
    pub region: Option<String>,
    /// `s3ForcePathStyle`.
    pub force_path_style: bool,
    /// Object host's endpoint.
    pub endpoint: Option<String>,
}

fn fix_slashes(s: &str) -> String {
    if s.ends_with('/') {
        s.to_string()
    } else {
        format!("{s}/")
    }
}

fn drop_double_slashes(s: &str) -> String {
    let mut out = s.to_string();
    while out.contains("//") {
        out = out.replace("//", "/");
    }
    out
}

/// Node's legacy `url.resolve(base, rel)` for the shapes node-pre-gyp produces.
pub fn url_resolve(base: &str, rel: &str) -> String {
    crate::config::urls::resolve(base, rel)
}

/// Validates package.json against the reference's rules (required fields, host, Node-API).
pub fn validate(manifest: &Manifest, host: &HostInfo) -> Result<()> {
    let binary = manifest.validate_required()?;
    node_api::validate(manifest, binary, host.napi)
}

/// The Node-API versions build-type commands run for (empty: not a Node-API package).
pub fn napi_build_versions(
    manifest: &Manifest,
    host: &HostInfo,
    latest_only: bool,
) -> Result<Vec<u32>> {
    Ok(manifest
        .napi_versions()?
        .map(|d| node_api::buildable(&d, host.napi, latest_only))
        .unwrap_or_default())
}

/// The Node-API version install and find() use, if the package declares any this Node runs.
pub fn best_napi_build_version(manifest: &Manifest, host: &HostInfo) -> Result<Option<u32>> {
    Ok(manifest
        .napi_versions()?
        .and_then(|d| node_api::best(&d, host.napi)))
}

/// The reference's `versioning.evaluate`. `manifest` must have had its host selected.
pub fn evaluate(
    manifest: &Manifest,
    opts: &EvalOptions,
    host: &HostInfo,
    napi_build_version: Option<u32>,
) -> Result<Config> {
    validate(manifest, host)?;
    let binary = manifest.binary.as_ref().expect("validated");
    let version_str = manifest.version();
    let version = semver::Version::parse(version_str).map_err(|e| Error::InvalidField {
        path: manifest.path.clone(),
        field: "version".into(),
        reason: format!("`{version_str}` is not a semver version ({e})"),
    })?;
    let runtime = opts.target.runtime.unwrap_or_else(|| host.runtime());
    let mut warnings = Vec::new();
    let node_abi = target::runtime_abi(
        runtime,
        opts.target.version.as_deref(),
        host,
        opts.abi_table.as_ref(),
        &mut warnings,
    )?;
    let libc = target::libc();
    let platform = opts
        .target
        .platform
        .clone()
        .unwrap_or_else(|| host.platform.clone());
    let arch = opts
        .target
        .arch
        .clone()
        .unwrap_or_else(|| host.arch.clone());
    let libc_family = opts
        .target
        .libc
        .clone()
        .unwrap_or_else(|| libc.family.to_string());
    let mut s3_hint = S3Hint {
        bucket: binary.bucket.clone(),
        region: binary.region.clone(),
        force_path_style: binary.s3_force_path_style,
        endpoint: None,
    };
    let host_template = match binary.host.as_ref().expect("validated") {
        HostSpec::Url(u) => u.clone(),
        HostSpec::S3 {
            endpoint,
            bucket,
            region,
            force_path_style,
        } => {
            s3_hint = S3Hint {
                bucket: bucket.clone().or(s3_hint.bucket),
                region: region.clone().or(s3_hint.region),
                force_path_style: *force_path_style,
                endpoint: Some(endpoint.clone()),
            };
            endpoint.clone()
        }
    };

    let raw_host = opts.mirror.clone().unwrap_or(host_template);
    // The full tool shows `{libc_version}` (reveal, explain); the find() core works it out
    // only when one of the templates evaluated below names it (musl's costs a read of its
    // loader).
    let wanted = cfg!(feature = "full")
        || [
            Some(raw_host.as_str()),
            binary.module_path.as_deref(),
            binary.remote_path.as_deref(),
            binary.package_name.as_deref(),
        ]
        .into_iter()
        .any(|t| mentions(t, &["{libc_version}"]));
    let libc_version = if opts.target.libc.is_none() && wanted {
        libc.version()
    } else {
        ""
    };
    let mut v = Map::new();
    let s = |x: &str| Value::String(x.to_string());
    let opt_s = |x: &Option<String>| x.as_ref().map(|x| s(x)).unwrap_or(Value::Null);
    v.insert("name".into(), s(manifest.name()));
    v.insert(
        "configuration".into(),
        s(if opts.target.debug == Some(true) {
            "Debug"
        } else {
            "Release"
        }),
    );
    v.insert(
        "debug".into(),
        opts.target.debug.map(Value::Bool).unwrap_or(Value::Null),
    );
    v.insert(
        "module_name".into(),
        s(binary.module_name.as_deref().unwrap_or("")),
    );
    let mut plain = version.clone();
    plain.build = semver::BuildMetadata::EMPTY;
    v.insert("version".into(), s(&plain.to_string()));
    v.insert("prerelease".into(), s(version.pre.as_str()));
    v.insert("build".into(), s(version.build.as_str()));
    v.insert("major".into(), Value::from(version.major));
    v.insert("minor".into(), Value::from(version.minor));
    v.insert("patch".into(), Value::from(version.patch));
    v.insert("runtime".into(), s(runtime.as_str()));
    v.insert("node_abi".into(), s(&node_abi));
    v.insert(
        "node_abi_napi".into(),
        s(if host.napi.is_some() {
            "napi"
        } else {
            &node_abi
        }),
    );
    v.insert(
        "napi_version".into(),
        host.napi.map(|n| s(&n.to_string())).unwrap_or(Value::Null),
    );
    v.insert(
        "napi_build_version".into(),
        napi_build_version.map(Value::from).unwrap_or_else(|| s("")),
    );
    v.insert(
        "node_napi_label".into(),
        s(&napi_build_version
            .map(|n| format!("napi-v{n}"))
            .unwrap_or_else(|| node_abi.clone())),
    );
    v.insert(
        "target".into(),
        s(opts.target.version.as_deref().unwrap_or("")),
    );
    v.insert("platform".into(), s(&platform));
    v.insert("target_platform".into(), s(&platform));
    v.insert("arch".into(), s(&arch));
    v.insert("target_arch".into(), s(&arch));
    v.insert("libc".into(), s(&libc_family));
    v.insert("libc_version".into(), s(libc_version));
    v.insert("module_main".into(), s(manifest.main()));
    v.insert("toolset".into(), s(opts.toolset.as_deref().unwrap_or("")));
    v.insert("bucket".into(), opt_s(&s3_hint.bucket));
    v.insert("region".into(), opt_s(&s3_hint.region));
    v.insert(
        "s3ForcePathStyle".into(),
        Value::Bool(s3_hint.force_path_style),
    );
    let acl = opts
        .acl
        .clone()
        .or_else(|| binary.acl.clone())
        .unwrap_or_else(|| "public-read".into());
    v.insert("acl".into(), s(&acl));

    // Derived values, each evaluated against everything before it (reference order).
    let host_url = fix_slashes(&eval_template(&raw_host, &v));
    if opts.mirror.is_some() {
        check_host_protocol(&host_url, || "the binary host mirror".into())?;
    }
    v.insert("host".into(), s(&host_url));

    let module_path_rel = eval_template(binary.module_path.as_deref().unwrap_or(""), &v);
    let root = opts
        .module_root
        .clone()
        .unwrap_or_else(|| manifest.root.clone());
    let module_path = normalize(&root.join(&module_path_rel));
    let module_path_str = module_path.to_string_lossy().into_owned();
    v.insert("module_path".into(), s(&module_path_str));
    let module_name = binary.module_name.clone().unwrap_or_default();
    let module = module_path.join(format!("{module_name}.node"));
    v.insert("module".into(), s(&module.to_string_lossy()));

    let remote_path = match &binary.remote_path {
        Some(r) => drop_double_slashes(&fix_slashes(&eval_template(r, &v))),
        None => String::new(),
    };
    v.insert("remote_path".into(), s(&remote_path));
    let package_name = eval_template(
        binary
            .package_name
            .as_deref()
            .unwrap_or("{module_name}-v{version}-{node_abi}-{platform}-{arch}.tar.gz"),
        &v,
    );
    v.insert("package_name".into(), s(&package_name));
    let staged_rel = normalize(
        &Path::new("build/stage")
            .join(&remote_path)
            .join(&package_name),
    );
    v.insert("staged_tarball".into(), s(&staged_rel.to_string_lossy()));
    let hosted_path = if s3_hint.force_path_style {
        let bucket = s3_hint.bucket.clone().unwrap_or_else(|| "undefined".into());
        url_resolve(
            &host_url,
            &drop_double_slashes(&format!("{bucket}/{remote_path}")),
        )
    } else {
        url_resolve(&host_url, &remote_path)
    };
    v.insert("hosted_path".into(), s(&hosted_path));
    let hosted_tarball = url_resolve(&hosted_path, &package_name);
    v.insert("hosted_tarball".into(), s(&hosted_tarball));

    let name_varies = mentions(binary.package_name.as_deref(), NAPI_VARIABLES);
    let checksum_key = if napi_build_version.is_some() && !name_varies && !remote_path.is_empty() {
        format!("{}{package_name}", remote_path.trim_start_matches("./"))
    } else {
        package_name.clone()
    };
    // Anything but this very runtime: such a binary cannot be test-loaded here.
    let cross_compiling = opts.target.is_other_than(host, libc.family);
    Ok(Config {
        name: manifest.name().to_string(),
        version: plain.to_string(),
        module_name,
        staged_tarball: manifest.root.join(&staged_rel),
        checksum: binary.checksums.get(&checksum_key).cloned(),
        checksum_key,
        module_path,
        module_path_filled: module_path_rel,
        module,
        host: host_url,
        package_name,
        remote_path,
        hosted_path,
        hosted_tarball,
        napi_build_version,
        runtime,
        platform,
        arch,
        libc: libc_family,
        cross_compiling,
        s3_hint,
        warnings,
        values: v,
    })
}

impl Config {
    /// The config as the reference's `reveal` prints it: undefined values dropped,
    /// backslashes turned into slashes.
    pub fn reveal_json(&self) -> Value {
        let mut out = Map::new();
        for (k, v) in &self.values {
            match v {
                Value::Null => {}
                Value::String(s) => {
                    out.insert(k.clone(), Value::String(s.replace('\\', "/")));
                }
                other => {
                    out.insert(k.clone(), other.clone());
                }
            }
        }
        Value::Object(out)
    }

    /// One value for `reveal <key>`.
    pub fn reveal_key(&self, key: &str) -> Option<String> {
        match self.values.get(key)? {
            Value::Null => None,
            v => Some(js_string(v).replace('\\', "/")),
        }
    }

    /// Where the package's objects live in S3 (the reference's `s3_setup.detect`).
    pub fn s3_location(&self) -> Result<S3Location> {
        let hint = &self.s3_hint;
        let unparsable = || Error::S3HostParse {
            host: crate::redact::redact_url(&self.host),
        };
        let url = crate::config::urls::split(&self.hosted_path).ok_or_else(unparsable)?;
        if let (Some(bucket), Some(region)) = (&hint.bucket, &hint.region) {
            let bucket_path = if hint.force_path_style {
                format!("/{bucket}/")
            } else {
                "/".into()
            };
            let path = url.path;
            let prefix = if path.is_empty() || path == bucket_path {
                String::new()
            } else {
                path.replacen(&bucket_path, "", 1)
            };
            return Ok(S3Location {
                endpoint: Some(
                    hint.endpoint
                        .clone()
                        .unwrap_or_else(|| origin_of(&self.host)),
                ),
                bucket: bucket.clone(),
                region: region.clone(),
                force_path_style: hint.force_path_style,
                prefix,
            });
        }
        let hostname = url.host;
        let Some((bucket, rest)) = hostname.split_once(".s3") else {
            return Err(unparsable());
        };
        let region = rest
            .trim_start_matches(['.', '-'])
            .split('.')
            .next()
            .unwrap_or("");
        let region = if region == "amazonaws" || region.is_empty() {
            "us-east-1".to_string()
        } else {
            region.to_string()
        };
        let path = url.path;
        let prefix = if path.is_empty() || path == "/" {
            String::new()
        } else {
            path.replacen('/', "", 1)
        };
        Ok(S3Location {
            endpoint: hint.endpoint.clone(),
            bucket: bucket.to_string(),
            region,
            force_path_style: false,
            prefix,
        })
    }
}

fn origin_of(url: &str) -> String {
    crate::config::urls::origin(url).unwrap_or_else(|| url.trim_end_matches('/').to_string())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn manifest(binary: Value) -> Manifest {
        Manifest::parse(
            json!({"name":"pkg","version":"1.2.3-beta.1+build.5","main":"index.js","binary":binary})
                .to_string()
                .as_bytes(),
            "/work/pkg/package.json".into(),
        )
        .unwrap()
    }

    fn eval(binary: Value, opts: EvalOptions, napi: Option<u32>) -> Config {
        evaluate(&manifest(binary), &opts, &HostInfo::test(), napi).unwrap()
    }

    #[test]
    fn every_variable() {
        let c = eval(
            json!({"module_name":"m","module_path":"./lib/{name}/{module_name}/{version}/{major}.{minor}.{patch}/{prerelease}/{build}/{configuration}/{node_abi}/{napi_version}/{node_abi_napi}/{platform}-{arch}-{libc}/{runtime}/{target}/{toolset}/{module_main}/{acl}/{bucket}/{unknown}",
                   "host":"https://h.example/{name}"}),
            EvalOptions {
                toolset: Some("v140".into()),
                ..Default::default()
            },
            None,
        );
        let libc = target::libc().family;
        let want = format!("/work/pkg/lib/pkg/m/1.2.3-beta.1/1.2.3/beta.1/build.5/Release/node-v115/9/napi/linux-x64-{libc}/node/v140/index.js/public-read/undefined/{{unknown}}");
        assert_eq!(c.module_path, PathBuf::from(want));
        assert_eq!(c.host, "https://h.example/pkg/");
        assert_eq!(c.package_name, "m-v1.2.3-beta.1-node-v115-linux-x64.tar.gz");
        assert_eq!(
            c.hosted_tarball,
            "https://h.example/pkg/m-v1.2.3-beta.1-node-v115-linux-x64.tar.gz"
        );
        assert_eq!(c.module, c.module_path.join("m.node"));
    }

    #[test]
    fn derived_values() {
        let c = eval(
            json!({"module_name":"m","module_path":"lib/binding","host":"https://h.example","remote_path":"./{name}//v{version}","package_name":"{module_name}-{platform}.tgz"}),
            EvalOptions::default(),
            None,
        );
        assert_eq!(c.remote_path, "./pkg/v1.2.3-beta.1/");
        assert_eq!(c.hosted_path, "https://h.example/pkg/v1.2.3-beta.1/");
        assert_eq!(
            c.hosted_tarball,
            "https://h.example/pkg/v1.2.3-beta.1/m-linux.tgz"
        );
        assert_eq!(
            c.reveal_key("staged_tarball").unwrap(),
            "build/stage/pkg/v1.2.3-beta.1/m-linux.tgz"
        );
        assert_eq!(
            c.staged_tarball,
            PathBuf::from("/work/pkg/build/stage/pkg/v1.2.3-beta.1/m-linux.tgz")
        );
        assert_eq!(c.module, PathBuf::from("/work/pkg/lib/binding/m.node"));
    }

    #[test]
    fn path_style_bucket_in_hosted_path() {
        let c = eval(
            json!({"module_name":"m","module_path":"lib","host":"http://127.0.0.1:9000","bucket":"bins","region":"us-east-1","s3ForcePathStyle":true,"remote_path":"{name}/v{version}"}),
            EvalOptions::default(),
            None,
        );
        assert_eq!(
            c.hosted_path,
            "http://127.0.0.1:9000/bins/pkg/v1.2.3-beta.1/"
        );
        let loc = c.s3_location().unwrap();
        assert_eq!(loc.bucket, "bins");
        assert_eq!(loc.prefix, "pkg/v1.2.3-beta.1/");
        assert_eq!(loc.endpoint.as_deref(), Some("http://127.0.0.1:9000"));
        assert!(loc.force_path_style);
    }

    #[test]
    fn virtual_host_s3_url() {
        let c = eval(
            json!({"module_name":"m","module_path":"lib","host":"https://my-bucket.s3.eu-west-1.amazonaws.com","remote_path":"v{version}"}),
            EvalOptions::default(),
            None,
        );
        let loc = c.s3_location().unwrap();
        assert_eq!(
            (
                loc.bucket.as_str(),
                loc.region.as_str(),
                loc.prefix.as_str()
            ),
            ("my-bucket", "eu-west-1", "v1.2.3-beta.1/")
        );
        let c = eval(
            json!({"module_name":"m","module_path":"lib","host":"https://b.s3.amazonaws.com"}),
            EvalOptions::default(),
            None,
        );
        assert_eq!(c.s3_location().unwrap().region, "us-east-1");
        let c = eval(
            json!({"module_name":"m","module_path":"lib","host":"https://example.com"}),
            EvalOptions::default(),
            None,
        );
        assert_eq!(
            c.s3_location().unwrap_err().to_string(),
            "Could not parse s3 bucket name from virtual host url. (the host is \"https://example.com/\": the S3 commands need https://<bucket>.s3[.<region>].amazonaws.com/..., binary.bucket and binary.region beside the host, or a host object { \"endpoint\", \"bucket\", \"region\" })"
        );
    }

    #[test]
    fn object_host_form_is_an_s3_endpoint() {
        let c = eval(
            json!({"module_name":"m","module_path":"lib","host":{"endpoint":"https://s3.local:9000","bucket":"b","region":"r","s3ForcePathStyle":true}}),
            EvalOptions::default(),
            None,
        );
        assert_eq!(
            c.hosted_tarball,
            "https://s3.local:9000/b/m-v1.2.3-beta.1-node-v115-linux-x64.tar.gz"
        );
        let loc = c.s3_location().unwrap();
        assert_eq!(loc.endpoint.as_deref(), Some("https://s3.local:9000"));
    }

    #[test]
    fn options_change_the_target() {
        let c = eval(
            json!({"module_name":"m","module_path":"lib/{configuration}/{node_abi}-{platform}-{arch}-{libc}","host":"https://h"}),
            EvalOptions {
                target: TargetOptions {
                    debug: Some(true),
                    version: Some("18.0.0".into()),
                    arch: Some("arm64".into()),
                    platform: Some("darwin".into()),
                    libc: Some("musl".into()),
                    ..Default::default()
                },
                module_root: Some("/elsewhere".into()),
                ..Default::default()
            },
            None,
        );
        assert_eq!(
            c.module_path,
            PathBuf::from("/elsewhere/lib/Debug/node-v108-darwin-arm64-musl")
        );
        assert!(c.cross_compiling);
        let electron = eval(
            json!({"module_name":"m","module_path":"lib/{node_abi}","host":"https://h"}),
            EvalOptions {
                target: TargetOptions {
                    runtime: Some(Runtime::Electron),
                    version: Some("31.2.0".into()),
                    ..Default::default()
                },
                ..Default::default()
            },
            None,
        );
        assert_eq!(
            electron.module_path,
            PathBuf::from("/work/pkg/lib/electron-v31.2")
        );
    }

    #[test]
    fn napi_labels() {
        let b = json!({"module_name":"m","module_path":"lib/{node_napi_label}","host":"https://h","napi_versions":[3,6],"package_name":"{module_name}-{napi_build_version}-{node_napi_label}.tgz"});
        let c = eval(b.clone(), EvalOptions::default(), Some(6));
        assert_eq!(c.package_name, "m-6-napi-v6.tgz");
        assert_eq!(c.module_path, PathBuf::from("/work/pkg/lib/napi-v6"));
        let m = manifest(b);
        let host = HostInfo::test();
        assert_eq!(best_napi_build_version(&m, &host).unwrap(), Some(6));
        assert_eq!(napi_build_versions(&m, &host, false).unwrap(), vec![3, 6]);
        assert_eq!(napi_build_versions(&m, &host, true).unwrap(), vec![6]);
    }

    #[test]
    fn checksum_keys_tell_node_api_builds_apart() {
        // Only remote_path varies: the key includes it.
        let b = json!({"module_name":"m","module_path":"lib/{napi_build_version}","host":"https://h",
            "napi_versions":[3,6],"remote_path":"./v{napi_build_version}/","package_name":"m.tgz",
            "checksums":{"v6/m.tgz":"a".repeat(64),"m.tgz":"b".repeat(64)}});
        let c = eval(b, EvalOptions::default(), Some(6));
        assert_eq!(c.checksum_key, "v6/m.tgz");
        assert_eq!(c.checksum, Some("a".repeat(64)));
        // package_name varies (or no Node-API): the name alone.
        let c = eval(
            json!({"module_name":"m","module_path":"lib","host":"https://h","package_name":"m.tgz","checksums":{"m.tgz":"c".repeat(64)}}),
            EvalOptions::default(),
            None,
        );
        assert_eq!(
            (c.checksum_key.as_str(), c.checksum),
            ("m.tgz", Some("c".repeat(64)))
        );
    }

    #[test]
    fn mirror_replaces_host_and_is_validated() {
        let b = json!({"module_name":"m","module_path":"lib","host":"https://h"});
        let c = eval(
            b.clone(),
            EvalOptions {
                mirror: Some("https://mirror.example/{name}".into()),
                ..Default::default()
            },
            None,
        );
        assert_eq!(c.host, "https://mirror.example/pkg/");
        let err = evaluate(
            &manifest(b),
            &EvalOptions {
                mirror: Some("http://mirror.example/".into()),
                ..Default::default()
            },
            &HostInfo::test(),
            None,
        )
        .unwrap_err();
        assert_eq!(err.code(), "E_INVALID_HOST");
    }

    #[test]
    fn reveal_drops_undefined_values() {
        let c = eval(
            json!({"module_name":"m","module_path":"lib","host":"https://h"}),
            EvalOptions::default(),
            None,
        );
        let j = c.reveal_json();
        assert!(j.get("bucket").is_none());
        assert!(j.get("debug").is_none());
        assert_eq!(j["major"], json!(1));
        assert_eq!(j["napi_build_version"], json!(""));
        let keys: Vec<&String> = j.as_object().unwrap().keys().collect();
        assert_eq!(keys.first().unwrap().as_str(), "name");
        assert_eq!(keys.last().unwrap().as_str(), "hosted_tarball");
        assert_eq!(c.reveal_key("major").as_deref(), Some("1"));
    }

    #[test]
    fn a_closing_brace_in_a_value_completes_a_later_key() {
        // Found while writing the reference model for the fuzz targets: the one-pass
        // path printed `{version}` here, the reference prints the version.
        let mut values = Map::new();
        values.insert("name".into(), Value::String("}".into()));
        values.insert("version".into(), Value::String("1.0.0".into()));
        assert_eq!(eval_template("{version{name}", &values), "1.0.0");
        assert_eq!(eval_template("{name}{version}", &values), "}1.0.0");
    }

    #[test]
    fn invalid_version_names_the_field() {
        let m = Manifest::parse(
            json!({"name":"p","version":"one","main":"i","binary":{"module_name":"m","module_path":"l","host":"https://h"}})
                .to_string()
                .as_bytes(),
            "/x/package.json".into(),
        )
        .unwrap();
        let e = evaluate(&m, &EvalOptions::default(), &HostInfo::test(), None).unwrap_err();
        assert!(
            e.to_string().contains("/x/package.json: invalid `version`"),
            "{e}"
        );
    }
}
