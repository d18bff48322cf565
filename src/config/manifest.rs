//! package.json and its `binary` block: reading, host selection and the
//! reference's validation messages (COMPATIBILITY.md, "package.json").

use crate::config::platform::{PlatformPackages, Target};
use crate::error::{Error, IoContext, Result};
use serde_json::Value;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// Where binaries live: a URL, or the object form `{endpoint, bucket, region, s3ForcePathStyle}`.
#[derive(Debug, Clone, PartialEq)]
pub enum HostSpec {
    /// The usual `"host": "https://..."`.
    Url(String),
    /// The S3 object form proposed upstream.
    S3 {
        endpoint: String,
        bucket: Option<String>,
        region: Option<String>,
        force_path_style: bool,
    },
}

/// The `binary` block, fields kept as written (templates unevaluated).
#[derive(Debug, Clone, Default)]
pub struct Binary {
    /// `binary.module_name`.
    pub module_name: Option<String>,
    /// `binary.module_path`.
    pub module_path: Option<String>,
    /// `binary.host` after staging/production selection.
    pub host: Option<HostSpec>,
    /// `binary.remote_path`.
    pub remote_path: Option<String>,
    /// `binary.package_name`.
    pub package_name: Option<String>,
    /// `binary.napi_versions`, as written.
    pub napi_versions: Option<Vec<Value>>,
    /// `binary.staging_host`.
    pub staging_host: Option<String>,
    /// `binary.production_host`.
    pub production_host: Option<String>,
    /// `binary.bucket`.
    pub bucket: Option<String>,
    /// `binary.region`.
    pub region: Option<String>,
    /// `binary.s3ForcePathStyle`.
    pub s3_force_path_style: bool,
    /// `binary.acl`.
    pub acl: Option<String>,
    /// `binary.checksums`: tarball file name -> lowercase hex sha256.
    pub checksums: BTreeMap<String, String>,
    /// `binary.platform_packages`: npm packages carrying the bindings per target.
    pub platform_packages: Option<PlatformPackages>,
}

/// A parsed package.json.
#[derive(Debug, Clone)]
pub struct Manifest {
    /// Absolute path of the package.json file.
    pub path: PathBuf,
    /// The package directory (the file's parent).
    pub root: PathBuf,
    /// The whole document, for the few consumers that need more (postinstall-build).
    pub raw: Value,
    /// `binary`, if present and an object.
    pub binary: Option<Binary>,
    host_selected: bool,
}

/// Which side of `staging_host` / `production_host` a command defaults to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum HostRole {
    /// publish and unpublish.
    Staging,
    /// everything else.
    Production,
}

fn truthy_str(v: Option<&Value>) -> Option<String> {
    match v {
        Some(Value::String(s)) if !s.is_empty() => Some(s.clone()),
        _ => None,
    }
}

fn is_truthy(v: Option<&Value>) -> bool {
    match v {
        None | Some(Value::Null) => false,
        Some(Value::Bool(b)) => *b,
        Some(Value::String(s)) => !s.is_empty(),
        Some(Value::Number(n)) => n.as_f64().is_some_and(|f| f != 0.0),
        Some(_) => true,
    }
}

impl Manifest {
    /// `binary.napi_versions`, validated (`None` when not declared).
    pub fn napi_versions(&self) -> Result<Option<Vec<u32>>> {
        match &self.binary {
            Some(b) => declared_napi_versions(b)
                .map_err(|e| self.napi_error(&e.to_string(), &["napi_versions"])),
            None => Ok(None),
        }
    }

    /// Warnings for keys of the binary block that look like typos of the fields node-pre-gyp
    /// and pregyp read (`remote_paht`, `napi_version`): such a key is ignored, so say so.
    pub fn binary_field_typos(&self) -> Vec<String> {
        let Some(Value::Object(b)) = self.raw.get("binary") else {
            return Vec::new();
        };
        b.keys()
            .filter(|k| !BINARY_FIELDS.contains(&k.as_str()))
            .filter_map(|k| {
                let near = crate::typo::nearest(k, BINARY_FIELDS.iter().copied())?;
                Some(format!(
                    "binary.{k} in {} is not a field pregyp reads (did you mean binary.{near}?); it is ignored",
                    self.path.display()
                ))
            })
            .collect()
    }

    /// A Node-API error: the reference's `words`, then the file and the binary fields it
    /// is about, as the other package.json errors name them.
    pub fn napi_error(&self, words: &str, fields: &[&str]) -> Error {
        napi_error(&self.path, self.raw.get("binary"), words, fields)
    }

    /// Reads and parses `path` (made absolute against `cwd`).
    pub fn load(path: &Path, cwd: &Path) -> Result<Self> {
        let abs = if path.is_absolute() {
            path.to_path_buf()
        } else {
            cwd.join(path)
        };
        let text = match crate::config::hostfs::read(&abs) {
            Ok(t) => t,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                return Err(Error::PackageJsonMissing {
                    path: path.to_path_buf(),
                })
            }
            // A package folder stands for its package.json, as in load().
            Err(_) if crate::config::hostfs::is_dir(&abs) => {
                return Self::load(&path.join("package.json"), cwd)
            }
            Err(e) => return Err(Error::io("read", &abs, e)),
        };
        // A drive-less absolute Windows path (`\dir\package.json`) is read on the current
        // drive but kept as given, as the reference's path.join keeps it: find() returns
        // `\dir\…`, not `C:\dir\…`. Elsewhere a rooted path is an absolute one.
        let named = if path.has_root() {
            path.to_path_buf()
        } else {
            abs
        };
        Self::parse(&text, named)
    }

    /// Parses package.json bytes; `path` is where they came from (for messages and the root).
    pub fn parse(text: &[u8], path: PathBuf) -> Result<Self> {
        let raw: Value = crate::config::hostfs::parse_json(text).map_err(|source| {
            Error::PackageJsonInvalid {
                path: path.clone(),
                source,
            }
        })?;
        let root = normalize(path.parent().unwrap_or(Path::new("/")));
        let binary = match raw.get("binary") {
            Some(Value::Object(b)) => Some(parse_binary(
                b,
                &path,
                raw.get("name").and_then(Value::as_str).unwrap_or(""),
            )?),
            _ => None,
        };
        Ok(Manifest {
            path,
            root,
            raw,
            binary,
            host_selected: false,
        })
    }

    /// `binary.module_name`, or empty.
    pub fn module_name(&self) -> &str {
        self.binary
            .as_ref()
            .and_then(|b| b.module_name.as_deref())
            .unwrap_or("")
    }

    /// `name`, or empty.
    pub fn name(&self) -> &str {
        self.raw.get("name").and_then(Value::as_str).unwrap_or("")
    }

    /// `version`, or empty.
    pub fn version(&self) -> &str {
        self.raw
            .get("version")
            .and_then(Value::as_str)
            .unwrap_or("")
    }

    /// `main`, or empty.
    pub fn main(&self) -> &str {
        self.raw.get("main").and_then(Value::as_str).unwrap_or("")
    }

    /// The reference's `setBinaryHostProperty`: when `host` is empty and both
    /// `staging_host` and `production_host` are set, pick one. The environment
    /// (`node_pre_gyp_s3_host`) wins over `--s3_host`.
    pub fn select_host(
        &mut self,
        role: HostRole,
        s3_host_opt: Option<&str>,
        s3_host_env: Option<&str>,
    ) -> Result<()> {
        if self.host_selected {
            return Ok(());
        }
        let Some(b) = self.binary.as_mut() else {
            return Ok(());
        };
        if b.host.is_some() {
            return Ok(());
        }
        let (Some(staging), Some(production)) = (b.staging_host.clone(), b.production_host.clone())
        else {
            return Ok(());
        };
        let env = s3_host_env.filter(|s| !s.is_empty());
        let opt = s3_host_opt.filter(|s| !s.is_empty());
        let chosen = match (env, opt) {
            (Some("staging"), _) => HostRole::Staging,
            (Some("production"), _) => HostRole::Production,
            (None, Some("staging")) => HostRole::Staging,
            (None, Some("production")) => HostRole::Production,
            (None, None) => role,
            // Reference precedence for the message: the option, then the env.
            (e, o) => {
                return Err(Error::InvalidS3Host(
                    o.or(e).unwrap_or_default().to_string(),
                ))
            }
        };
        b.host = Some(HostSpec::Url(match chosen {
            HostRole::Staging => staging,
            HostRole::Production => production,
        }));
        self.host_selected = true;
        Ok(())
    }

    /// The reference's `validate_config` (first part): required fields and the host protocol.
    /// Node-API checks live in `versioning`, which knows the running Node.
    pub fn validate_required(&self) -> Result<&Binary> {
        let mut missing = Vec::new();
        for key in ["main", "version", "name", "binary"] {
            if !is_truthy(self.raw.get(key)) {
                missing.push(key.to_string());
            }
        }
        if let Some(b) = &self.binary {
            // A field that is there but unusable says so, beside its name.
            let field = |key: &str, ok: bool| -> Option<String> {
                if ok {
                    return None;
                }
                let what = match self.raw.get("binary").and_then(|b| b.get(key)) {
                    None | Some(Value::Null) => String::new(),
                    Some(Value::String(_)) => " (empty)".into(),
                    Some(v) if key == "host" => {
                        format!(" (a URL string, or an object with an endpoint; not {v})")
                    }
                    Some(v) => format!(" (must be a string, not {v})"),
                };
                Some(format!("binary.{key}{what}"))
            };
            missing.extend(field("module_name", b.module_name.is_some()));
            missing.extend(field("module_path", b.module_path.is_some()));
            missing.extend(field("host", b.host.is_some()));
        }
        if !missing.is_empty() {
            let name = match self.raw.get("name").and_then(Value::as_str) {
                Some(n) if !n.is_empty() => n.to_string(),
                _ => self.path.display().to_string(),
            };
            return Err(Error::NotReady {
                name,
                path: self.path.clone(),
                missing,
            });
        }
        let b = self.binary.as_ref().expect("checked above");
        if let Some(HostSpec::Url(host)) = &b.host {
            // Templates ({name}, {version}) may stand anywhere but in the scheme.
            check_host_protocol(host, || format!("binary.host in {}", self.path.display()))?;
        }
        Ok(b)
    }
}

/// https only; http is accepted for loopback hosts (tests, local mirrors) and `file:`
/// for a local folder. `setting` says where the host came from, for the message.
/// `setting` names the setting for the error (built only then: this runs in every find()).
pub fn check_host_protocol(host: &str, setting: impl FnOnce() -> String) -> Result<()> {
    let lower = host.to_ascii_lowercase();
    let scheme = lower.split_once("://").map(|(s, _)| s).filter(|s| {
        s.chars().next().is_some_and(|c| c.is_ascii_alphabetic())
            && s.chars()
                .all(|c| c.is_ascii_alphanumeric() || "+.-".contains(c))
    });
    let ok = match scheme {
        Some("https") | Some("file") => true,
        Some("http") => is_loopback_url(&lower),
        _ => false,
    };
    if !ok {
        return Err(Error::InvalidHostProtocol {
            protocol: scheme.map_or_else(|| "none".to_string(), |s| format!("{s}:")),
            setting: format!("{} is \"{}\"", setting(), crate::redact::redact_url(host)),
        });
    }
    Ok(())
}

/// Whether a URL points at this machine (127.0.0.0/8, ::1, localhost).
pub fn is_loopback_url(url: &str) -> bool {
    crate::config::urls::is_loopback(url)
}

/// The reference's words for `napi_versions` that are not all positive integers.
const NAPI_NOT_POSITIVE: &str = "All values specified in napi_versions must be positive integers.";

/// See [`Manifest::napi_error`]; `binary` is the raw binary block.
fn napi_error(path: &Path, binary: Option<&Value>, words: &str, fields: &[&str]) -> Error {
    let fields: Vec<String> = fields
        .iter()
        .map(|k| {
            let v = binary.and_then(|b| b.get(*k));
            format!(
                "binary.{k} is {}",
                v.map_or_else(|| "absent".to_string(), Value::to_string)
            )
        })
        .collect();
    Error::Napi(format!(
        "{words} (in {}: {})",
        path.display(),
        fields.join(", ")
    ))
}

/// The fields of the binary block that node-pre-gyp or pregyp read.
const BINARY_FIELDS: &[&str] = &[
    "module_name",
    "module_path",
    "host",
    "remote_path",
    "package_name",
    "napi_versions",
    "staging_host",
    "production_host",
    "bucket",
    "region",
    "s3ForcePathStyle",
    "acl",
    "checksums",
    "platform_packages",
];

fn parse_binary(
    b: &serde_json::Map<String, Value>,
    path: &Path,
    root_name: &str,
) -> Result<Binary> {
    let host = match b.get("host") {
        Some(Value::String(s)) if !s.is_empty() => Some(HostSpec::Url(s.clone())),
        Some(Value::Object(o)) => truthy_str(o.get("endpoint")).map(|endpoint| HostSpec::S3 {
            endpoint,
            bucket: truthy_str(o.get("bucket")),
            region: truthy_str(o.get("region")),
            force_path_style: is_truthy(o.get("s3ForcePathStyle")),
        }),
        _ => None,
    };
    let napi_versions = match b.get("napi_versions") {
        None | Some(Value::Null) => None,
        Some(Value::Array(a)) => Some(a.clone()),
        Some(_) => {
            return Err(napi_error(
                path,
                Some(&Value::Object(b.clone())),
                NAPI_NOT_POSITIVE,
                &["napi_versions"],
            ))
        }
    };
    let mut checksums = BTreeMap::new();
    match b.get("checksums") {
        None | Some(Value::Null) => {}
        Some(Value::Object(map)) => {
            for (name, sum) in map {
                match sum.as_str().and_then(crate::digest::parse_sha256_hex) {
                    Some(s) => {
                        checksums.insert(name.clone(), s);
                    }
                    None => {
                        return Err(Error::InvalidField {
                            path: path.to_path_buf(),
                            field: format!("binary.checksums[\"{name}\"]"),
                            reason: "expected a 64-character hex sha256".into(),
                        })
                    }
                }
            }
        }
        Some(_) => {
            return Err(Error::InvalidField {
                path: path.to_path_buf(),
                field: "binary.checksums".into(),
                reason: "expected an object mapping tarball names to sha256 hex digests".into(),
            })
        }
    }
    let platform_packages = match b.get("platform_packages") {
        None | Some(Value::Null) => None,
        Some(v) => {
            let module_name = truthy_str(b.get("module_name")).unwrap_or_default();
            Some(parse_platform_packages(v, root_name, &module_name).map_err(
                |(field, reason)| Error::InvalidField {
                    path: path.to_path_buf(),
                    field,
                    reason,
                },
            )?)
        }
    };
    Ok(Binary {
        platform_packages,
        module_name: truthy_str(b.get("module_name")),
        module_path: truthy_str(b.get("module_path")),
        host,
        remote_path: truthy_str(b.get("remote_path")),
        package_name: truthy_str(b.get("package_name")),
        napi_versions,
        staging_host: truthy_str(b.get("staging_host")),
        production_host: truthy_str(b.get("production_host")),
        bucket: truthy_str(b.get("bucket")),
        region: truthy_str(b.get("region")),
        s3_force_path_style: is_truthy(b.get("s3ForcePathStyle")),
        acl: truthy_str(b.get("acl")),
        checksums,
    })
}

/// Parses and validates `binary.platform_packages`; `Err((field, reason))` names the field
/// at fault. `root_name` and `module_name` are the package's (for the name checks).
pub fn parse_platform_packages(
    v: &Value,
    root_name: &str,
    module_name: &str,
) -> Result<PlatformPackages, (String, String)> {
    let field = |f: &str| format!("binary.platform_packages{f}");
    let Value::Object(o) = v else {
        return Err((
            field(""),
            "expected an object such as { \"name\": \"@scope/{name}-{triple}\", \"targets\": [\"linux-x64-glibc\", \"darwin-arm64\"] }".into(),
        ));
    };
    for k in o.keys() {
        if k != "name" && k != "targets" {
            return Err((
                field(&format!(".{k}")),
                "unknown field (platform_packages takes `name` and `targets`)".into(),
            ));
        }
    }
    let name = match o.get("name") {
        None | Some(Value::Null) => crate::config::platform::DEFAULT_NAME.to_string(),
        Some(Value::String(s)) if !s.trim().is_empty() => s.clone(),
        Some(_) => {
            return Err((
                field(".name"),
                "expected a non-empty string, a package name template such as \"@scope/{name}-{triple}\"".into(),
            ))
        }
    };
    check_template_variables(&name).map_err(|r| (field(".name"), r))?;
    let list = match o.get("targets") {
        Some(Value::Array(a)) if !a.is_empty() => a,
        _ => {
            return Err((
                field(".targets"),
                "expected a non-empty array of <platform>-<arch>[-<libc>] strings, e.g. [\"linux-x64-glibc\", \"linux-x64-musl\", \"darwin-arm64\", \"win32-x64\"]".into(),
            ))
        }
    };
    let mut targets: Vec<Target> = Vec::new();
    for (i, t) in list.iter().enumerate() {
        let f = field(&format!(".targets[{i}]"));
        let s = t
            .as_str()
            .ok_or_else(|| (f.clone(), "expected a string".to_string()))?;
        let target = Target::parse(s).map_err(|r| (f.clone(), r))?;
        if targets.contains(&target) {
            return Err((f, format!("`{s}` is listed twice")));
        }
        targets.push(target);
    }
    let pp = PlatformPackages { name, targets };
    // Every target gets its own valid npm name, distinct from the root's.
    let mut seen: Vec<(String, String)> = Vec::new();
    for t in &pp.targets {
        let n = pp.package_name(root_name, module_name, t);
        if let Some(reason) = invalid_npm_name(&n) {
            return Err((
                field(".name"),
                format!(
                    "gives `{n}` for {}, not a valid npm package name: {reason}",
                    t.triple()
                ),
            ));
        }
        if n == root_name {
            return Err((
                field(".name"),
                format!("gives the package's own name `{n}` for {}", t.triple()),
            ));
        }
        if let Some((other, _)) = seen.iter().find(|(_, seen_name)| *seen_name == n) {
            return Err((
                field(".name"),
                format!(
                    "`{}` gives the same name `{n}` for {other} and {}: add the variables that tell them apart ({{triple}}, or {{platform}}, {{arch}} and {{libc}})",
                    pp.name,
                    t.triple()
                ),
            ));
        }
        seen.push((t.triple(), n));
    }
    Ok(pp)
}

fn check_template_variables(template: &str) -> Result<(), String> {
    let mut rest = template;
    while let Some(open) = rest.find('{') {
        let after = &rest[open + 1..];
        let Some(close) = after.find('}') else { break };
        let key = &after[..close];
        if !crate::config::platform::NAME_VARIABLES.contains(&key) {
            let hint = if matches!(
                key,
                "node_abi" | "napi_build_version" | "node_napi_label" | "napi_version" | "version"
            ) {
                " (one platform package holds the builds for every Node ABI and Node-API version of a release, side by side)"
            } else {
                ""
            };
            return Err(format!(
                "`{template}` uses {{{key}}}, which a platform package name cannot use{hint}; use {}",
                crate::config::platform::NAME_VARIABLES
                    .iter()
                    .map(|k| format!("{{{k}}}"))
                    .collect::<Vec<_>>()
                    .join(", ")
            ));
        }
        rest = &after[close + 1..];
    }
    Ok(())
}

/// Why `name` is not a valid npm package name (npm's validate-npm-package-name rules
/// for new packages), or None.
pub fn invalid_npm_name(name: &str) -> Option<&'static str> {
    if name.is_empty() {
        return Some("empty");
    }
    if name.len() > 214 {
        return Some("longer than 214 characters");
    }
    if name != name.to_ascii_lowercase() {
        return Some("npm names are lowercase");
    }
    let (scope, bare) = match name.strip_prefix('@') {
        Some(rest) => match rest.split_once('/') {
            Some((s, b)) if !s.is_empty() => (Some(s), b),
            _ => return Some("a scoped name is @scope/name"),
        },
        None => (None, name),
    };
    if bare.is_empty() || bare.starts_with('.') || bare.starts_with('_') {
        return Some("it must not start with `.` or `_`");
    }
    let ok = |s: &str| {
        s.bytes()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, b'-' | b'.' | b'_' | b'~'))
    };
    if !ok(bare) || !scope.is_none_or(ok) {
        return Some("only letters, digits, `-`, `.`, `_` and `~` (and one @scope/)");
    }
    None
}

/// Lexically normalizes a path (no file-system access): drops `.`, folds `..`.
pub fn normalize(p: &Path) -> PathBuf {
    use std::path::Component;
    let mut out = PathBuf::new();
    for c in p.components() {
        match c {
            Component::CurDir => {}
            // `..` cancels the last normal component only. At the root it stays at the
            // root (path.resolve); after nothing or after another `..` it is kept
            // (path.join). Popping blindly kept `/..` as text and made `../..`
            // cancel itself into nothing.
            Component::ParentDir => match out.components().next_back() {
                Some(Component::Normal(_)) => {
                    out.pop();
                }
                Some(Component::RootDir | Component::Prefix(_)) => {}
                _ => out.push(".."),
            },
            other => out.push(other.as_os_str()),
        }
    }
    out
}

/// Reads a file into a string, naming it on failure.
/// `binary.napi_versions` as distinct positive integers, in the order given (`None`
/// when absent or empty); anything else is the reference's napi error.
pub fn declared_napi_versions(binary: &Binary) -> Result<Option<Vec<u32>>> {
    let Some(raw) = &binary.napi_versions else {
        return Ok(None);
    };
    let mut out: Vec<u32> = Vec::new();
    for v in raw {
        let n = match v {
            Value::Number(n) => n.as_u64().filter(|&n| n > 0 && n <= u32::MAX as u64),
            _ => None,
        };
        let Some(n) = n else {
            return Err(Error::Napi(NAPI_NOT_POSITIVE.into()));
        };
        if !out.contains(&(n as u32)) {
            out.push(n as u32);
        }
    }
    Ok(if out.is_empty() { None } else { Some(out) })
}

pub fn read_to_string(path: &Path) -> Result<String> {
    crate::config::hostfs::read_to_string(path).at("read", path)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn m(v: Value) -> Manifest {
        Manifest::parse(v.to_string().as_bytes(), PathBuf::from("/pkg/package.json")).unwrap()
    }

    #[test]
    fn missing_fields_are_listed_in_reference_order() {
        let cases = [
            (
                json!({"name":"a","version":"1.0.0","main":"i.js","binary":{"module_path":"x"}}),
                vec!["binary.module_name", "binary.host"],
            ),
            (
                json!({"name":"a","binary":{"module_name":"m","module_path":"x","host":"https://h"}}),
                vec!["main", "version"],
            ),
            (
                json!({"name":"a","version":"1.0.0","main":"i.js"}),
                vec!["binary"],
            ),
            (
                json!({"name":"a","version":"1.0.0","main":"i.js","binary":{"module_name":7,"module_path":"","host":{"x":1}}}),
                vec![
                    "binary.module_name (must be a string, not 7)",
                    "binary.module_path (empty)",
                    "binary.host (a URL string, or an object with an endpoint; not {\"x\":1})",
                ],
            ),
        ];
        for (doc, want) in cases {
            match m(doc.clone()).validate_required() {
                Err(Error::NotReady { name, missing, .. }) => {
                    assert_eq!(name, "a");
                    assert_eq!(missing, want, "{doc}");
                }
                other => panic!("{doc}: {other:?}"),
            }
        }
    }

    #[test]
    fn nameless_package_is_named_by_path() {
        let e = m(json!({"version":"1.0.0"}))
            .validate_required()
            .unwrap_err();
        assert!(e
            .to_string()
            .starts_with("/pkg/package.json package.json is not node-pre-gyp ready:"));
        assert!(
            e.to_string()
                .ends_with("/pkg/package.json must declare these properties: main, name, binary"),
            "{e}"
        );
    }

    #[test]
    fn host_protocol() {
        let base = |h: &str| json!({"name":"a","version":"1.0.0","main":"i","binary":{"module_name":"m","module_path":"p","host":h}});
        assert_eq!(
            m(base("http://example.com/"))
                .validate_required()
                .unwrap_err()
                .to_string(),
            "'host' protocol (http:) is invalid - only 'https:' is accepted: binary.host in /pkg/package.json is \"http://example.com/\""
        );
        for bad in ["ftp://example.com/", "not a url", "example.com/x"] {
            let e = m(base(bad)).validate_required().unwrap_err();
            assert_eq!(e.code(), "E_INVALID_HOST", "{bad}");
            assert!(e.to_string().contains(bad), "{e}");
        }
        assert!(m(base("file:///srv/binaries")).validate_required().is_ok());
        assert!(m(base("http://127.0.0.1:8080/"))
            .validate_required()
            .is_ok());
        assert!(m(base("http://localhost/")).validate_required().is_ok());
        assert!(m(base("https://example.com/")).validate_required().is_ok());
        assert!(m(base("file:///tmp/mirror/")).validate_required().is_ok());
    }

    #[test]
    fn object_host_form() {
        let mm = m(
            json!({"name":"a","version":"1.0.0","main":"i","binary":{"module_name":"m","module_path":"p",
            "host":{"endpoint":"https://s3.example","bucket":"b","region":"r","s3ForcePathStyle":true}}}),
        );
        assert_eq!(
            mm.validate_required().unwrap().host,
            Some(HostSpec::S3 {
                endpoint: "https://s3.example".into(),
                bucket: Some("b".into()),
                region: Some("r".into()),
                force_path_style: true
            })
        );
    }

    #[test]
    fn staging_production_selection() {
        let doc = json!({"name":"a","version":"1.0.0","main":"i","binary":{"module_name":"m","module_path":"p",
            "staging_host":"https://staging","production_host":"https://prod"}});
        let host = |role, opt: Option<&str>, env: Option<&str>| {
            let mut mm = m(doc.clone());
            mm.select_host(role, opt, env)
                .map(|_| mm.binary.unwrap().host)
                .map_err(|e| e.to_string())
        };
        let url = |s: &str| Ok(Some(HostSpec::Url(s.into())));
        assert_eq!(host(HostRole::Production, None, None), url("https://prod"));
        assert_eq!(host(HostRole::Staging, None, None), url("https://staging"));
        assert_eq!(
            host(HostRole::Staging, Some("production"), None),
            url("https://prod")
        );
        assert_eq!(
            host(HostRole::Production, Some("staging"), None),
            url("https://staging")
        );
        assert_eq!(
            host(HostRole::Production, Some("staging"), Some("production")),
            url("https://prod")
        );
        assert_eq!(
            host(HostRole::Production, Some("bogus"), None).unwrap_err(),
            "invalid s3_host bogus"
        );
        assert_eq!(
            host(HostRole::Production, None, Some("nope")).unwrap_err(),
            "invalid s3_host nope"
        );
        // An explicit host is never replaced.
        let mut explicit = m(
            json!({"name":"a","binary":{"host":"https://h","staging_host":"https://s","production_host":"https://p"}}),
        );
        explicit.select_host(HostRole::Staging, None, None).unwrap();
        assert_eq!(
            explicit.binary.unwrap().host,
            Some(HostSpec::Url("https://h".into()))
        );
        // Only one of the pair: nothing selected, host stays missing.
        let mut half = m(json!({"name":"a","binary":{"staging_host":"https://s"}}));
        half.select_host(HostRole::Staging, None, None).unwrap();
        assert_eq!(half.binary.unwrap().host, None);
    }

    #[test]
    fn checksums_are_validated() {
        let good = "a".repeat(64);
        let mm = m(json!({"binary":{"checksums":{"x.tar.gz": good.to_uppercase()}}}));
        assert_eq!(mm.binary.unwrap().checksums["x.tar.gz"], good);
        let err = Manifest::parse(
            json!({"binary":{"checksums":{"x.tar.gz":"nothex"}}})
                .to_string()
                .as_bytes(),
            PathBuf::from("/p/package.json"),
        )
        .unwrap_err();
        assert_eq!(err.code(), "E_INVALID_FIELD");
        assert!(err.to_string().contains("binary.checksums[\"x.tar.gz\"]"));
    }

    #[test]
    fn platform_packages_validation_names_the_field_and_the_fix() {
        let cases: &[(Value, &str, &str)] = &[
            (json!("x"), "binary.platform_packages", "expected an object"),
            (
                json!({"targets": []}),
                "binary.platform_packages.targets",
                "non-empty array",
            ),
            (
                json!({"targets": ["linux-x64"]}),
                "binary.platform_packages.targets[0]",
                "`linux-x64-glibc` or `linux-x64-musl`",
            ),
            (
                json!({"targets": ["darwin-arm64-glibc"]}),
                "binary.platform_packages.targets[0]",
                "only linux targets name a libc",
            ),
            (
                json!({"targets": ["beos-x64"]}),
                "binary.platform_packages.targets[0]",
                "unknown platform `beos`",
            ),
            (
                json!({"targets": ["linux-x86-glibc"]}),
                "binary.platform_packages.targets[0]",
                "unknown arch `x86`",
            ),
            (
                json!({"targets": ["linux-x64-uclibc"]}),
                "binary.platform_packages.targets[0]",
                "unknown libc",
            ),
            (
                json!({"targets": ["win32-x64", "win32-x64"]}),
                "binary.platform_packages.targets[1]",
                "listed twice",
            ),
            (
                json!({"targets": [7]}),
                "binary.platform_packages.targets[0]",
                "expected a string",
            ),
            (
                json!({"name": "x-{platform}", "targets": ["linux-x64-glibc", "linux-x64-musl"]}),
                "binary.platform_packages.name",
                "same name `x-linux` for linux-x64-glibc and linux-x64-musl",
            ),
            (
                json!({"name": "{name}-{node_abi}", "targets": ["win32-x64"]}),
                "binary.platform_packages.name",
                "cannot use",
            ),
            (
                json!({"name": "Big-{triple}", "targets": ["win32-x64"]}),
                "binary.platform_packages.name",
                "lowercase",
            ),
            (
                json!({"name": "{name}", "targets": ["win32-x64"]}),
                "binary.platform_packages.name",
                "own name",
            ),
            (
                json!({"targets": ["win32-x64"], "os": []}),
                "binary.platform_packages.os",
                "unknown field",
            ),
        ];
        for (v, field, reason) in cases {
            let (f, r) = parse_platform_packages(v, "@bcrypt/bcrypt", "m").unwrap_err();
            assert_eq!(&f, field, "{v}");
            assert!(r.contains(reason), "{v}: {r}");
        }
    }

    #[test]
    fn platform_packages_are_validated_with_the_rest_of_binary() {
        let mm = m(
            json!({"name":"@b/b","binary":{"module_name":"m","platform_packages":{"targets":["darwin-arm64"]}}}),
        );
        let pp = mm.binary.unwrap().platform_packages.unwrap();
        assert_eq!(pp.name, crate::config::platform::DEFAULT_NAME);
        let err = Manifest::parse(
            json!({"name":"a","binary":{"platform_packages":{"targets":["linux-x64"]}}})
                .to_string()
                .as_bytes(),
            PathBuf::from("/p/package.json"),
        )
        .unwrap_err();
        assert_eq!(err.code(), "E_INVALID_FIELD");
        assert!(
            err.to_string()
                .starts_with("/p/package.json: invalid `binary.platform_packages.targets[0]`: `linux-x64`: a linux target names its libc"),
            "{err}"
        );
    }

    #[test]
    fn normalize_folds_dot_dot_like_path_resolve() {
        // `..` at the root stays at the root, and a relative path keeps every `..`
        // that has nothing left to cancel (it lost one of each pair before).
        for (p, want) in [
            ("/pkg/../../x", "/x"),
            ("/pkg/lib/../../../../x/./y", "/x/y"),
            ("a/../../../x", "../../x"),
            ("build/stage/../../../../x.tgz", "../../x.tgz"),
            ("../..", "../.."),
            ("a/b/../c", "a/c"),
            ("/", "/"),
        ] {
            assert_eq!(normalize(Path::new(p)), PathBuf::from(want), "{p}");
        }
    }

    #[test]
    fn missing_and_invalid_files() {
        let dir = tempfile::tempdir().unwrap();
        let e = Manifest::load(Path::new("nope/package.json"), dir.path()).unwrap_err();
        assert_eq!(e.to_string(), "nope/package.json does not exist");
        std::fs::write(dir.path().join("package.json"), "{oops").unwrap();
        let e = Manifest::load(Path::new("package.json"), dir.path()).unwrap_err();
        assert_eq!(e.code(), "E_BAD_PACKAGE_JSON");
        assert!(e.to_string().contains("package.json: invalid JSON"));
    }

    #[test]
    fn binary_field_typos_are_named() {
        let m = Manifest::parse(
            br#"{"binary":{"module_name":"m","module_path":"lib","host":"https://h","remote_paht":"x","napi_version":[3],"prebuild_opts":1}}"#,
            "/p/package.json".into(),
        )
        .unwrap();
        assert_eq!(
            m.binary_field_typos(),
            [
                "binary.remote_paht in /p/package.json is not a field pregyp reads (did you mean binary.remote_path?); it is ignored",
                "binary.napi_version in /p/package.json is not a field pregyp reads (did you mean binary.napi_versions?); it is ignored",
            ]
        );
    }
}
