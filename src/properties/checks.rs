//! The properties every parser of untrusted input must keep, written once and
//! used twice: by the short property-based tests of `properties/mod.rs` (normal
//! test suite) and by the fuzz targets of `fuzz/` (included there by path, so the
//! normal build never sees the fuzz crate). Each check panics on a violation; a
//! panic inside pregyp is a violation too. Paths name the crate `pregyp`, as the
//! fuzz crate sees it (lib.rs aliases the crate to that name in test builds).
//!
//! Only what the `archive` feature reaches is used here, so the fuzz crate can
//! depend on pregyp without `full`.

use pregyp::config::manifest::{HostRole, Manifest};
use pregyp::config::options::{self, Env};
use pregyp::config::target::{HostInfo, Runtime, TargetOptions};
use pregyp::config::versioning::{self, EvalOptions};
use pregyp::digest;
use pregyp::error::Error;
use pregyp::place::archive::{self, Limits};
use serde_json::{json, Map, Value};
use std::collections::{BTreeMap, HashMap};
use std::fs;
use std::path::{Component, Path, PathBuf};

/// Every variable a template can name, in evaluation order, plus one unknown name.
pub const TEMPLATE_KEYS: &[&str] = &[
    "name",
    "configuration",
    "debug",
    "module_name",
    "version",
    "prerelease",
    "build",
    "major",
    "minor",
    "patch",
    "runtime",
    "node_abi",
    "node_abi_napi",
    "napi_version",
    "napi_build_version",
    "node_napi_label",
    "target",
    "platform",
    "target_platform",
    "arch",
    "target_arch",
    "libc",
    "libc_version",
    "module_main",
    "toolset",
    "bucket",
    "region",
    "s3ForcePathStyle",
    "acl",
    "host",
    "module_path",
    "module",
    "remote_path",
    "package_name",
    "staged_tarball",
    "hosted_path",
    "hosted_tarball",
    "unknown",
];

/// Bits of text the parsers give meaning to, so that random strings hit them often.
pub const PIECES: &[&str] = &[
    "{",
    "}",
    "/",
    "//",
    ".",
    "..",
    "./",
    "../",
    "\\",
    ":",
    "://",
    "https://",
    "http://",
    "http://127.0.0.1:9/",
    "file:///",
    "s3",
    ".s3.",
    ".amazonaws.com",
    "@",
    "?",
    "#",
    "-",
    "_",
    "=",
    ",",
    " ",
    "\n",
    "\u{0}",
    "é",
    "1.2.3",
    "0.10.0",
    "1.8.5",
    "20.0.0",
    "-beta.1",
    "+build",
    "napi",
    "node",
    "electron",
    "true",
    "false",
    "0",
];

/// A fixed host (Node 20 on linux x64, Node-API 9), so runs are reproducible.
pub fn host() -> HostInfo {
    HostInfo::test()
}

/// An error is a typed value with a stable code and a message; never a panic.
pub fn assert_error(e: &Error, allowed: &[&str]) {
    let code = e.code();
    assert!(code.starts_with("E_"), "bad code {code} for {e:?}");
    assert!(
        allowed.is_empty() || allowed.contains(&code),
        "unexpected {code}: {e}"
    );
    assert!(!e.to_string().is_empty(), "empty message for {e:?}");
}

fn is_lower_hex_sha256(s: &str) -> bool {
    s.len() == 64 && s.bytes().all(|c| matches!(c, b'0'..=b'9' | b'a'..=b'f'))
}

// ---------------------------------------------------------------- package.json

/// Errors that package.json content and evaluation options may lead to.
const MANIFEST_CODES: &[&str] = &[
    "E_BAD_PACKAGE_JSON",
    "E_INVALID_FIELD",
    "E_NOT_READY",
    "E_INVALID_HOST",
    "E_NAPI_VERSION",
    "E_INVALID_S3_HOST",
    "E_UNKNOWN_TARGET",
    "E_UNSUPPORTED_TARGET",
    "E_USAGE",
];

/// package.json bytes as found on disk: parse, then everything find() and the
/// commands do with them.
pub fn manifest_bytes(bytes: &[u8]) {
    match Manifest::parse(bytes, PathBuf::from("/pkg/package.json")) {
        Ok(m) => evaluate_all(&m, &EvalOptions::default(), None),
        Err(e) => assert_error(&e, MANIFEST_CODES),
    }
}

/// Host selection, validation, Node-API versions and evaluation for every version
/// this host could build, with invariants on each evaluated config.
pub fn evaluate_all(m: &Manifest, opts: &EvalOptions, s3_host: Option<&str>) {
    let host = host();
    // Accepted platform packages: one valid npm name per target, none the root's, no two alike.
    if let Some(pp) = m.binary.as_ref().and_then(|b| b.platform_packages.as_ref()) {
        let mut names = std::collections::HashSet::new();
        for t in &pp.targets {
            let n = pp.package_name(m.name(), m.module_name(), t);
            assert!(
                pregyp::config::manifest::invalid_npm_name(&n).is_none(),
                "{n:?} for {}",
                t.triple()
            );
            assert_ne!(n, m.name());
            assert!(names.insert(n.clone()), "{n:?} twice");
        }
    }
    for role in [HostRole::Production, HostRole::Staging] {
        let mut m = m.clone();
        if let Err(e) = m.select_host(role, s3_host, None) {
            assert_error(&e, &["E_INVALID_S3_HOST"]);
            continue;
        }
        if let Err(e) = versioning::validate(&m, &host) {
            assert_error(&e, MANIFEST_CODES);
        }
        let mut napis = vec![None];
        match versioning::napi_build_versions(&m, &host, false) {
            Ok(v) => {
                assert!(v.iter().all(|&n| n > 0 && Some(n) <= host.napi), "{v:?}");
                napis.extend(v.into_iter().map(Some));
            }
            Err(e) => assert_error(&e, MANIFEST_CODES),
        }
        if let Err(e) = versioning::best_napi_build_version(&m, &host) {
            assert_error(&e, MANIFEST_CODES);
        }
        for napi in napis {
            match versioning::evaluate(&m, opts, &host, napi) {
                Ok(c) => {
                    assert!(c.host.ends_with('/'), "host {:?}", c.host);
                    assert!(c.module_path.is_absolute(), "{:?}", c.module_path);
                    // Resolved like path.resolve: no `..` left in an absolute path.
                    for p in [&c.module_path, &c.staged_tarball] {
                        assert!(!p.components().any(|c| c == Component::ParentDir), "{p:?}");
                    }
                    assert_eq!(
                        c.module,
                        c.module_path.join(format!("{}.node", c.module_name))
                    );
                    assert!(c.staged_tarball.is_absolute());
                    assert_eq!(c.napi_build_version, napi);
                    if let Some(sum) = &c.checksum {
                        assert!(is_lower_hex_sha256(sum), "{sum}");
                    }
                    let _ = pregyp::config::find::lookup_platform_package(&m, &c);
                    let j = c.reveal_json();
                    let obj = j.as_object().expect("reveal prints an object");
                    for k in obj.keys() {
                        assert!(c.reveal_key(k).is_some(), "{k}");
                    }
                    if let Err(e) = c.s3_location() {
                        assert_error(&e, &["E_S3_HOST"]);
                    }
                }
                Err(e) => assert_error(&e, MANIFEST_CODES),
            }
        }
    }
}

/// A package.json assembled field by field (templates in every field), plus the
/// options evaluation reads: reaches much deeper than random bytes.
#[derive(Debug, Clone, Default)]
pub struct EvalCase {
    /// Top-level `name`, `version`, `main`.
    pub name: Option<String>,
    pub version: Option<String>,
    pub main: Option<String>,
    /// `binary.*` string fields, in this order: module_name, module_path, host,
    /// remote_path, package_name, staging_host, production_host, bucket, region, acl.
    pub fields: [Option<String>; 10],
    /// `binary.host` in the object form `{endpoint, bucket, region, s3ForcePathStyle}`.
    pub object_host: bool,
    /// `binary.s3ForcePathStyle`.
    pub force_path_style: bool,
    /// `binary.napi_versions`, as JSON numbers.
    pub napi_versions: Option<Vec<i64>>,
    /// `binary.checksums` entries.
    pub checksums: Vec<(String, String)>,
    /// `binary.platform_packages`: the name template (None: the default) and the targets.
    pub platform_packages: Option<(Option<String>, Vec<String>)>,
    /// Options: target, target_arch, target_platform, target_libc, toolset, acl, mirror.
    pub opts: [Option<String>; 7],
    /// `--debug` / `--release`.
    pub debug: Option<bool>,
    /// 0 node, 1 electron, 2 node-webkit, else unset.
    pub runtime: u8,
    /// `--s3_host`.
    pub s3_host: Option<String>,
}

const BINARY_FIELDS: [&str; 10] = [
    "module_name",
    "module_path",
    "host",
    "remote_path",
    "package_name",
    "staging_host",
    "production_host",
    "bucket",
    "region",
    "acl",
];

/// Builds the package.json of `case` and evaluates it.
pub fn eval_case(case: &EvalCase) {
    let mut binary = Map::new();
    for (k, v) in BINARY_FIELDS.iter().zip(&case.fields) {
        if let Some(v) = v {
            binary.insert(k.to_string(), json!(v));
        }
    }
    if case.object_host {
        let endpoint = binary.remove("host").unwrap_or(json!("https://s3.example"));
        binary.insert(
            "host".into(),
            json!({"endpoint": endpoint, "bucket": binary.get("bucket"), "region": binary.get("region"),
                   "s3ForcePathStyle": case.force_path_style}),
        );
    }
    binary.insert("s3ForcePathStyle".into(), json!(case.force_path_style));
    if let Some(n) = &case.napi_versions {
        binary.insert("napi_versions".into(), json!(n));
    }
    if !case.checksums.is_empty() {
        let sums: Map<String, Value> = case
            .checksums
            .iter()
            .map(|(k, v)| (k.clone(), json!(v)))
            .collect();
        binary.insert("checksums".into(), Value::Object(sums));
    }
    if let Some((name, targets)) = &case.platform_packages {
        let mut pp = Map::new();
        if let Some(n) = name {
            pp.insert("name".into(), json!(n));
        }
        pp.insert("targets".into(), json!(targets));
        binary.insert("platform_packages".into(), Value::Object(pp));
    }
    let mut doc = Map::new();
    for (k, v) in [
        ("name", &case.name),
        ("version", &case.version),
        ("main", &case.main),
    ] {
        if let Some(v) = v {
            doc.insert(k.into(), json!(v));
        }
    }
    doc.insert("binary".into(), Value::Object(binary));
    let text = serde_json::to_vec(&Value::Object(doc)).expect("serializable");
    let m = match Manifest::parse(&text, PathBuf::from("/pkg/package.json")) {
        Ok(m) => m,
        Err(e) => return assert_error(&e, MANIFEST_CODES),
    };
    let [target, target_arch, target_platform, target_libc, toolset, acl, mirror] =
        case.opts.clone();
    let opts = EvalOptions {
        target: TargetOptions {
            runtime: match case.runtime {
                0 => Some(Runtime::Node),
                1 => Some(Runtime::Electron),
                2 => Some(Runtime::NodeWebkit),
                _ => None,
            },
            version: target,
            arch: target_arch,
            platform: target_platform,
            libc: target_libc,
            debug: case.debug,
        },
        toolset,
        acl,
        module_root: None,
        mirror,
        abi_table: None,
    };
    evaluate_all(&m, &opts, case.s3_host.as_deref());
}

/// The reference's `eval_template` as a model: every key in order, each replacing
/// all of its `{key}` in the text so far.
pub fn eval_template_model(template: &str, values: &Map<String, Value>) -> String {
    let mut out = template.to_string();
    for (k, v) in values {
        let text = match v {
            Value::String(s) => s.clone(),
            Value::Null => "undefined".into(),
            other => other.to_string(),
        };
        out = out.replace(&format!("{{{k}}}"), &text);
    }
    out
}

/// `eval_template` (with its one-pass fast path) agrees with the model.
pub fn template(template: &str, values: &[(String, Value)]) {
    let map: Map<String, Value> = values.iter().cloned().collect();
    assert_eq!(
        pregyp::config::template::eval_template(template, &map),
        eval_template_model(template, &map),
        "template {template:?} values {map:?}"
    );
}

// ---------------------------------------------------------------- argv

/// The command line and environment a script gets: parse, then the lookups the
/// commands make, with invariants on the typed result.
pub fn argv(args: &[String], env: &[(String, String)]) {
    // The crosswalk variable names a file to read; the file reader is not under test.
    let env: HashMap<String, String> = env
        .iter()
        .filter(|(k, _)| k != "NODE_PRE_GYP_ABI_CROSSWALK")
        .cloned()
        .collect();
    let inv = match options::parse(
        args,
        Env {
            vars: env,
            windows: false,
        },
    ) {
        Ok(inv) => inv,
        Err(e) => return assert_error(&e, &["E_INVALID_OPTION", "E_UNKNOWN_OPTION", "E_USAGE"]),
    };
    for c in &inv.commands {
        assert!(pregyp::config::spec::command(&c.name).is_some(), "{c:?}");
    }
    let o = &inv.opts;
    match args.iter().position(|a| a == "--") {
        Some(i) => assert_eq!(o.gyp_args, args[i + 1..]),
        None => assert!(o.gyp_args.is_empty()),
    }
    assert!(
        o.cli_flags.iter().all(|f| f.starts_with("--")),
        "{:?}",
        o.cli_flags
    );
    assert!(o.retries <= 20);
    assert!((1..=64).contains(&o.concurrency));
    let name = inv
        .commands
        .first()
        .and_then(|c| c.args.first())
        .cloned()
        .unwrap_or_default();
    let e = o.eval_options(&name).expect("no crosswalk file to read");
    assert_eq!(e.target, o.target);
    let _ = o.mirror_for(&name);
    let _ = (o.get_str(&name), o.get_bool(&name));
    assert!(!o.build_from_source.matches("") || o.build_from_source == options::Selector::All);
}

// ---------------------------------------------------------------- digests

/// A `.sha256` sidecar body (any bytes, read as the installer reads them).
pub fn sidecar(bytes: &[u8]) {
    let text = String::from_utf8_lossy(bytes);
    match digest::parse_sidecar(&text) {
        Some(h) => {
            assert!(is_lower_hex_sha256(&h), "{h}");
            let first = text.split_whitespace().next().expect("a token was read");
            assert!(first.eq_ignore_ascii_case(&h));
        }
        None => {
            if let Some(first) = text.split_whitespace().next() {
                assert!(digest::parse_sha256_hex(first).is_none());
            }
        }
    }
    if let Some(h) = digest::parse_sha256_hex(&text) {
        assert!(is_lower_hex_sha256(&h));
        assert_eq!(digest::parse_sidecar(&text), Some(h));
    }
}

/// `binary.checksums` holding any JSON value: accepted entries are kept, lowercase;
/// anything else is `E_INVALID_FIELD` naming the field. A valid table is then
/// looked up by evaluation under the right key.
pub fn checksums(value: &Value, package_name: &str, remote_path: &str, napi: bool) {
    let mut binary = json!({
        "module_name": "m",
        "module_path": if napi { "lib/{napi_build_version}" } else { "lib" },
        "host": "https://h.example/",
        "package_name": package_name,
        "remote_path": remote_path,
        "checksums": value,
    });
    if napi {
        binary["napi_versions"] = json!([3, 6]);
    }
    let doc = json!({"name": "p", "version": "1.0.0", "main": "i.js", "binary": binary});
    let text = serde_json::to_vec(&doc).expect("serializable");
    let m = match Manifest::parse(&text, PathBuf::from("/pkg/package.json")) {
        Ok(m) => m,
        Err(e) => {
            assert_error(&e, &["E_INVALID_FIELD"]);
            assert!(e.to_string().contains("binary.checksums"), "{e}");
            let ok = match value {
                Value::Null => true,
                Value::Object(o) => o
                    .values()
                    .all(|v| v.as_str().and_then(digest::parse_sha256_hex).is_some()),
                _ => false,
            };
            assert!(!ok, "valid checksums refused: {e}");
            return;
        }
    };
    let table = &m.binary.as_ref().expect("binary").checksums;
    let input: BTreeMap<String, String> = match value {
        Value::Object(o) => o
            .iter()
            .map(|(k, v)| {
                (
                    k.clone(),
                    v.as_str().expect("accepted").to_ascii_lowercase(),
                )
            })
            .collect(),
        _ => BTreeMap::new(),
    };
    assert_eq!(table, &input);
    for napi_version in [None, Some(6)] {
        if let Ok(c) = versioning::evaluate(&m, &EvalOptions::default(), &host(), napi_version) {
            assert_eq!(c.checksum.as_ref(), table.get(&c.checksum_key));
            assert!(c.checksum_key.ends_with(&c.package_name));
        }
    }
}

// ---------------------------------------------------------------- archives

/// The entry path with its first component dropped, as the unpacker places it.
fn placed(dest: &Path, raw: &Path) -> PathBuf {
    let mut comps = raw.components();
    while comps.clone().next() == Some(Component::CurDir) {
        comps.next();
    }
    comps.next();
    dest.join(comps.as_path())
}

/// `p` with `.` dropped and `..` folded, without looking at the file system
/// (`dest/../dest/x` is inside dest).
fn lexical(p: &Path) -> PathBuf {
    let mut out = PathBuf::new();
    for c in p.components() {
        match c {
            Component::CurDir => {}
            Component::ParentDir => {
                out.pop();
            }
            c => out.push(c),
        }
    }
    out
}

/// Entry paths of a tar stream, as far as it parses.
fn entry_paths(bytes: &[u8], gzip: bool) -> Vec<PathBuf> {
    let reader: Box<dyn std::io::Read + '_> = if gzip {
        Box::new(flate2::read::GzDecoder::new(bytes))
    } else {
        Box::new(bytes)
    };
    let mut out = Vec::new();
    let mut a = tar::Archive::new(reader);
    let Ok(entries) = a.entries() else {
        return out;
    };
    for e in entries.take(10_000) {
        let Ok(e) = e else { break };
        if let Ok(p) = e.path() {
            out.push(p.into_owned());
        }
        if let Ok(Some(l)) = e.link_name() {
            out.push(l.into_owned());
        }
    }
    out
}

/// Every path below `dir`, without following symlinks.
fn walk(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(rd) = fs::read_dir(dir) else { return };
    for e in rd.flatten() {
        let p = e.path();
        let is_dir = fs::symlink_metadata(&p).is_ok_and(|m| m.is_dir());
        out.push(p.clone());
        if is_dir {
            walk(&p, out);
        }
    }
}

/// Arbitrary bytes as a `.tar.gz` (`gzip`) or a plain tar: whatever happens, nothing
/// is written outside the target folder (checked on the file system after the
/// call), and an unpack that succeeds leaves only files, folders and symlinks that
/// stay inside, without setuid/setgid/sticky bits and without hard links to
/// anything outside.
pub fn unpack(bytes: &[u8], gzip: bool) {
    let sandbox = tempfile::tempdir().expect("temp dir");
    let dest = sandbox.path().join("dest");
    let beside = sandbox.path().join("beside");
    fs::create_dir(&dest).expect("dest");
    fs::create_dir(&beside).expect("beside");
    fs::write(beside.join("keep"), b"keep").expect("keep");
    // Paths that entries would reach if the unpacker joined them naively: any that
    // lies outside dest and does not exist yet must still not exist afterwards.
    let watched: Vec<PathBuf> = entry_paths(bytes, gzip)
        .iter()
        .flat_map(|raw| [placed(&dest, raw), dest.join(raw)])
        .map(|p| lexical(&p))
        .filter(|p| !p.starts_with(&dest) && fs::symlink_metadata(p).is_err())
        .collect();
    let limits = Limits::default();
    let r = if gzip {
        archive::unpack_tar_gz(bytes, &dest, "fuzz.tgz", &limits)
    } else {
        archive::unpack_tar(bytes, &dest, "fuzz.tar", &limits)
    };
    // Nothing beside dest changed.
    let mut top: Vec<String> = fs::read_dir(sandbox.path())
        .expect("sandbox")
        .flatten()
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .collect();
    top.sort();
    assert_eq!(top, ["beside", "dest"], "something was written beside dest");
    let mut b = Vec::new();
    walk(&beside, &mut b);
    assert_eq!(b, [beside.join("keep")]);
    assert_eq!(fs::read(beside.join("keep")).expect("keep"), b"keep");
    for p in &watched {
        assert!(
            fs::symlink_metadata(p).is_err(),
            "{} was created outside the target",
            p.display()
        );
    }
    match r {
        Ok(stats) => {
            let root = fs::canonicalize(&dest).expect("dest");
            let mut all = Vec::new();
            walk(&dest, &mut all);
            // (dev, inode) of regular files -> how many of the listed paths name it.
            let mut inodes: HashMap<(u64, u64), u64> = HashMap::new();
            for p in &all {
                let m = fs::symlink_metadata(p).expect("listed");
                let ft = m.file_type();
                assert!(
                    ft.is_file() || ft.is_dir() || ft.is_symlink(),
                    "{} is a special file",
                    p.display()
                );
                if ft.is_symlink() {
                    let real = fs::canonicalize(p).expect("a symlink that resolves");
                    assert!(
                        real.starts_with(&root),
                        "{} -> {}",
                        p.display(),
                        real.display()
                    );
                }
                #[cfg(unix)]
                {
                    use std::os::unix::fs::MetadataExt;
                    assert_eq!(m.mode() & 0o7000, 0, "{} keeps special bits", p.display());
                    if ft.is_file() {
                        *inodes.entry((m.dev(), m.ino())).or_default() += 1;
                    }
                }
            }
            // Hard links: every link of every file is one of the paths listed above.
            #[cfg(unix)]
            {
                use std::os::unix::fs::MetadataExt;
                for p in &all {
                    let m = fs::symlink_metadata(p).expect("listed");
                    if m.file_type().is_file() {
                        assert_eq!(
                            m.nlink(),
                            inodes[&(m.dev(), m.ino())],
                            "{} is linked from outside",
                            p.display()
                        );
                    }
                }
            }
            assert!(stats.files >= inodes.len() as u64, "{stats:?} {inodes:?}");
        }
        Err(e) => assert_error(&e, &["E_UNSAFE_ARCHIVE", "E_BAD_ARCHIVE", "E_IO"]),
    }
}
