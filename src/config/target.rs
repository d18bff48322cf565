//! What the binary is for: runtime, Node ABI, Node-API version, platform, arch,
//! libc. Detection never spawns a process (find() runs inside `require`).

use crate::error::{Error, IoContext, Result};
use serde::Deserialize;
use std::collections::BTreeMap;
use std::path::Path;
use std::sync::OnceLock;

/// What a binding is built for when that is not the running Node: the reference's
/// target options, one struct for the CLI's options, find()'s options and evaluation.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TargetOptions {
    /// `--runtime`: node, electron or node-webkit.
    pub runtime: Option<Runtime>,
    /// `--target`: the runtime's version.
    pub version: Option<String>,
    /// `--target_arch`.
    pub arch: Option<String>,
    /// `--target_platform`.
    pub platform: Option<String>,
    /// `--target_libc`.
    pub libc: Option<String>,
    /// `--debug` (Some(false) for `--release`).
    pub debug: Option<bool>,
}

impl TargetOptions {
    /// Whether these options name a runtime, runtime version, platform, arch or libc other
    /// than the running one's (`libc_family`): a binary for that cannot be loaded here.
    /// `--debug` is no other target.
    pub fn is_other_than(&self, host: &HostInfo, libc_family: &str) -> bool {
        let runtime = self.runtime.unwrap_or_else(|| host.runtime());
        runtime != host.runtime()
            || self.platform.as_deref().is_some_and(|p| p != host.platform)
            || self.arch.as_deref().is_some_and(|a| a != host.arch)
            || (runtime == Runtime::Node
                && self
                    .version
                    .as_deref()
                    .is_some_and(|t| !t.is_empty() && t != host.node_version))
            || self.libc.as_deref().is_some_and(|l| l != libc_family)
    }
}

/// The JS runtime a binary is built for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Runtime {
    /// Node.js.
    Node,
    /// Electron.
    Electron,
    /// NW.js (node-webkit).
    NodeWebkit,
}

impl Runtime {
    /// Parses `--runtime`.
    pub fn parse(s: &str) -> Result<Self> {
        match s {
            "node" => Ok(Runtime::Node),
            "electron" => Ok(Runtime::Electron),
            "node-webkit" => Ok(Runtime::NodeWebkit),
            other => Err(Error::Usage(format!("Unknown Runtime: '{other}'"))),
        }
    }

    /// The name used in templates.
    pub fn as_str(self) -> &'static str {
        match self {
            Runtime::Node => "node",
            Runtime::Electron => "electron",
            Runtime::NodeWebkit => "node-webkit",
        }
    }
}

/// Facts about the running process, supplied by the JS shim from `process.versions`,
/// `process.platform` and `process.arch` (exact values, no guessing from Rust's target).
#[derive(Debug, Clone)]
pub struct HostInfo {
    /// `process.versions.node`, e.g. "20.20.2".
    pub node_version: String,
    /// `process.versions.modules`, the Node ABI.
    pub modules: Option<u32>,
    /// `process.versions.napi`.
    pub napi: Option<u32>,
    /// `process.versions.v8`.
    pub v8: String,
    /// `process.versions.electron`, when running inside Electron.
    pub electron: Option<String>,
    /// `process.versions['node-webkit']`, when running inside NW.js.
    pub node_webkit: Option<String>,
    /// `process.platform`.
    pub platform: String,
    /// `process.arch`.
    pub arch: String,
    /// `process.execPath`, used to run `node -e` and node-gyp.
    pub exec_path: String,
}

impl HostInfo {
    /// The runtime the process is running in (reference's `get_process_runtime`).
    pub fn runtime(&self) -> Runtime {
        if self.node_webkit.is_some() {
            Runtime::NodeWebkit
        } else if self.electron.is_some() {
            Runtime::Electron
        } else {
            Runtime::Node
        }
    }

    /// A fixed host (Node 20.20.2 on linux x64, Node-API 9) for reproducible tests
    /// (also the property tests and the fuzz targets).
    pub fn test() -> Self {
        HostInfo {
            node_version: "20.20.2".into(),
            modules: Some(115),
            napi: Some(9),
            v8: "11.3.244.8-node.33".into(),
            electron: None,
            node_webkit: None,
            platform: "linux".into(),
            arch: "x64".into(),
            exec_path: "/usr/bin/node".into(),
        }
    }
}

/// The C library of this machine.
#[derive(Debug)]
pub struct Libc {
    /// "glibc", "musl" or "unknown".
    pub family: &'static str,
    /// e.g. "2.36"; empty when unknown. Known at detection, except musl's: see [`Libc::version`].
    version: OnceLock<String>,
    /// musl's loader, which holds its version string.
    musl_loader: Option<std::path::PathBuf>,
}

impl Libc {
    fn known(family: &'static str, version: String) -> Self {
        Libc {
            family,
            version: OnceLock::from(version),
            musl_loader: None,
        }
    }

    /// The C library's version, e.g. "2.36"; empty when unknown. musl's is read on first
    /// use from its loader (750 kB, about 3 ms), so that find() pays it only for a package
    /// whose templates name `{libc_version}`.
    pub fn version(&self) -> &str {
        self.version.get_or_init(|| {
            self.musl_loader
                .as_ref()
                .and_then(|p| std::fs::read(p).ok())
                .map(|b| musl_version(&b))
                .unwrap_or_default()
        })
    }
}

/// Detects libc once per process: glibc by asking the loaded C library for
/// `gnu_get_libc_version` (no process spawned), musl by its dynamic loader.
pub fn libc() -> &'static Libc {
    static LIBC: OnceLock<Libc> = OnceLock::new();
    LIBC.get_or_init(detect_libc)
}

#[cfg(target_os = "linux")]
fn detect_libc() -> Libc {
    // SAFETY: dlsym with RTLD_DEFAULT and a NUL-terminated name only looks a symbol up.
    let sym = unsafe { libc::dlsym(libc::RTLD_DEFAULT, c"gnu_get_libc_version".as_ptr()) };
    if !sym.is_null() {
        // SAFETY: glibc documents `const char *gnu_get_libc_version(void)` returning a static string.
        let version = unsafe {
            let f: extern "C" fn() -> *const libc::c_char = std::mem::transmute(sym);
            std::ffi::CStr::from_ptr(f()).to_string_lossy().into_owned()
        };
        return Libc::known("glibc", version);
    }
    match musl_loader() {
        Some(loader) => Libc {
            family: "musl",
            version: OnceLock::new(),
            musl_loader: Some(loader),
        },
        None => Libc::known("unknown", String::new()),
    }
}

/// musl's dynamic loader (which is its libc): the program interpreter of this process's
/// executable (as detect-libc looks first; on Alpine /lib/ld-musl-<arch>.so.1, possibly a
/// link elsewhere), else one mapped into this process, else one in /lib.
#[cfg(target_os = "linux")]
fn musl_loader() -> Option<std::path::PathBuf> {
    let is_musl = |name: &str| name.starts_with("ld-musl-") || name.starts_with("libc.musl-");
    let interp = std::fs::File::open("/proc/self/exe")
        .ok()
        .and_then(|f| elf_interpreter(&f));
    if let Some(p) = interp.filter(|p| p.file_name().is_some_and(|n| is_musl(&n.to_string_lossy())))
    {
        return Some(p);
    }
    let maps = std::fs::read_to_string("/proc/self/maps").unwrap_or_default();
    let mapped = maps
        .lines()
        .filter_map(|l| l.find('/').map(|i| std::path::PathBuf::from(&l[i..])))
        .find(|p| p.file_name().is_some_and(|n| is_musl(&n.to_string_lossy())));
    mapped.or_else(|| {
        std::fs::read_dir("/lib")
            .ok()?
            .flatten()
            .find(|e| is_musl(&e.file_name().to_string_lossy()))
            .map(|e| e.path())
    })
}

/// The PT_INTERP path of a little-endian ELF file (every Linux target pregyp ships), read
/// piecewise: after patchelf the path may sit at the end of a 100 MB executable.
#[cfg(target_os = "linux")]
fn elf_interpreter(f: &std::fs::File) -> Option<std::path::PathBuf> {
    use std::os::unix::{ffi::OsStrExt, fs::FileExt};
    let read = |off: u64, len: usize| {
        let mut b = vec![0; len];
        f.read_exact_at(&mut b, off).ok().map(|_| b)
    };
    let num = |b: &[u8]| b.iter().rev().fold(0u64, |n, &x| n << 8 | u64::from(x));
    let head = read(0, 64)?;
    if &head[..4] != b"\x7fELF" || head[5] != 1 {
        return None;
    }
    // (class 2: 64-bit) offsets of e_phoff, e_phentsize, e_phnum; of p_offset, p_filesz.
    let (phoff, entsize, count, p_off, p_size, w) = match head[4] {
        2 => (
            num(&head[0x20..0x28]),
            num(&head[0x36..0x38]),
            num(&head[0x38..0x3a]),
            8,
            32,
            8,
        ),
        _ => (
            num(&head[0x1c..0x20]),
            num(&head[0x2a..0x2c]),
            num(&head[0x2c..0x2e]),
            4,
            16,
            4,
        ),
    };
    for i in 0..count.min(64) {
        let ph = read(phoff + i * entsize, entsize as usize)?;
        if num(ph.get(..4)?) == 3 {
            let (off, size) = (
                num(ph.get(p_off..p_off + w)?),
                num(ph.get(p_size..p_size + w)?),
            );
            let path = read(off, size.min(4096) as usize)?;
            let path = path.split(|&b| b == 0).next()?;
            return Some(std::ffi::OsStr::from_bytes(path).into());
        }
    }
    None
}

/// musl has no call that returns its version; `ldd --version` prints a string constant
/// of the loader ("1.2.5"), which is read here from the file instead of spawning ldd.
fn musl_version(loader: &[u8]) -> String {
    loader
        .split(|&b| b == 0)
        .filter_map(|s| std::str::from_utf8(s).ok())
        .find(|s| {
            let parts: Vec<&str> = s.split('.').collect();
            parts.len() == 3
                && parts
                    .iter()
                    .all(|p| !p.is_empty() && p.len() <= 3 && p.bytes().all(|b| b.is_ascii_digit()))
        })
        .unwrap_or_default()
        .to_string()
}

// The WebAssembly fallback: the JS host detects it (lib/wasm.js).
#[cfg(target_family = "wasm")]
fn detect_libc() -> Libc {
    let text = crate::config::hostfs::libc_text();
    let (family, version) = text.split_once(' ').unwrap_or((&text, ""));
    let family = match family {
        "glibc" => "glibc",
        "musl" => "musl",
        _ => "unknown",
    };
    Libc::known(family, version.to_string())
}

#[cfg(not(any(target_os = "linux", target_family = "wasm")))]
fn detect_libc() -> Libc {
    Libc::known("unknown", String::new())
}

/// One row of the ABI table (the reference's abi_crosswalk.json format).
#[derive(Debug, Clone, Deserialize)]
pub struct AbiEntry {
    /// NODE_MODULE_VERSION; null or 1 for releases that predate it.
    pub node_abi: Option<u32>,
    /// V8 "major.minor".
    #[serde(default)]
    pub v8: Option<String>,
}

/// Node version -> ABI, plus Electron major -> ABI (informational).
#[derive(Debug, Clone, Deserialize)]
pub struct AbiTable {
    /// Keyed by full Node version "X.Y.Z".
    pub node: BTreeMap<String, AbiEntry>,
    /// Keyed by Electron major.
    #[serde(default)]
    pub electron: BTreeMap<String, u32>,
}

/// The table bundled with pregyp (regenerate with scripts/gen-abi-table.js).
pub fn bundled_table() -> &'static AbiTable {
    static TABLE: OnceLock<AbiTable> = OnceLock::new();
    TABLE.get_or_init(|| {
        serde_json::from_str(include_str!("abi_table.json"))
            .expect("bundled ABI table is valid JSON")
    })
}

/// Loads a crosswalk file named by `NODE_PRE_GYP_ABI_CROSSWALK` (reference format).
pub fn load_crosswalk(path: &Path) -> Result<AbiTable> {
    let text = std::fs::read_to_string(path).at("read", path)?;
    let node: BTreeMap<String, AbiEntry> =
        serde_json::from_str(&text).map_err(|e| Error::InvalidField {
            path: path.to_path_buf(),
            field: "NODE_PRE_GYP_ABI_CROSSWALK".into(),
            reason: e.to_string(),
        })?;
    Ok(AbiTable {
        node,
        electron: BTreeMap::new(),
    })
}

fn parse3(v: &str) -> Option<(u64, u64, u64)> {
    let mut it = v.split('.');
    let (a, b, c) = (it.next()?, it.next()?, it.next()?);
    if it.next().is_some() {
        return None;
    }
    Some((a.parse().ok()?, b.parse().ok()?, c.parse().ok()?))
}

fn node_abi_label(node_version: &str, modules: Option<u32>, v8: &str) -> String {
    if let Some((0, minor, _)) = parse3(node_version) {
        if minor % 2 == 1 {
            return format!("node-v{node_version}");
        }
    }
    match modules {
        Some(m) => format!("node-v{m}"),
        None => {
            let mm: Vec<&str> = v8.split('.').take(2).collect();
            format!("v8-{}", mm.join("."))
        }
    }
}

/// The reference's `get_runtime_abi`: `node-v115`, `electron-v30.1`, `node-webkit-v0.90.0`.
/// Warnings (same-major fallback) are pushed to `warnings`. `table` replaces the
/// bundled table, which is parsed only when a Node `--target` needs it (find() stays cheap).
pub fn runtime_abi(
    runtime: Runtime,
    target: Option<&str>,
    host: &HostInfo,
    table: Option<&AbiTable>,
    warnings: &mut Vec<String>,
) -> Result<String> {
    let target = target.filter(|t| !t.is_empty());
    match runtime {
        Runtime::NodeWebkit => {
            let t = target.or(host.node_webkit.as_deref()).ok_or_else(|| {
                Error::Usage(
                    "Empty target version is not supported if node-webkit is the target.".into(),
                )
            })?;
            Ok(format!("node-webkit-v{t}"))
        }
        Runtime::Electron => {
            let t = target.or(host.electron.as_deref()).ok_or_else(|| {
                Error::Usage(
                    "Empty target version is not supported if electron is the target.".into(),
                )
            })?;
            let v = semver::Version::parse(t).map_err(|_| Error::UnknownTarget(t.to_string()))?;
            Ok(format!("electron-v{}.{}", v.major, v.minor))
        }
        Runtime::Node => {
            let Some(t) = target else {
                return Ok(node_abi_label(&host.node_version, host.modules, &host.v8));
            };
            let entry = lookup_node(t, table.unwrap_or_else(|| bundled_table()), warnings)?;
            let modules = entry.node_abi.filter(|&a| a > 1);
            let v8 = entry.v8.clone().unwrap_or_default();
            Ok(node_abi_label(t, modules, &v8))
        }
    }
}

fn lookup_node<'a>(
    target: &str,
    table: &'a AbiTable,
    warnings: &mut Vec<String>,
) -> Result<&'a AbiEntry> {
    if let Some(e) = table.node.get(target) {
        return Ok(e);
    }
    let Some((major, minor, patch)) = parse3(target) else {
        return Err(Error::UnknownTarget(target.to_string()));
    };
    let mut chosen: Option<String> = None;
    if major == 1 {
        // io.js: walk minor and patch down together, as the reference does. The
        // walk cannot meet an entry while it is above the table's highest 1.x minor
        // or patch, so it starts where it first gets there: `1.99999999999.0` counted
        // down for hours (a hang found by the package_json fuzz target).
        let (top_mi, top_pa) = table
            .node
            .keys()
            .filter_map(|k| parse3(k))
            .filter(|&(m, _, _)| m == 1)
            .fold((0, 0), |(a, b), (_, mi, pa)| (a.max(mi), b.max(pa)));
        let skip = minor
            .saturating_sub(top_mi)
            .max(patch.saturating_sub(top_pa))
            .saturating_sub(1);
        let (mut mi, mut pa) = (minor.saturating_sub(skip), patch.saturating_sub(skip));
        loop {
            mi = mi.saturating_sub(1);
            pa = pa.saturating_sub(1);
            let cand = format!("1.{mi}.{pa}");
            if table.node.contains_key(&cand) {
                chosen = Some(cand);
                break;
            }
            if mi == 0 && pa == 0 {
                break;
            }
        }
    } else if major >= 2 {
        // The earliest release of that major: same ABI within a major since Node 4.
        chosen = table
            .node
            .keys()
            .filter(|k| parse3(k).is_some_and(|(m, _, _)| m == major))
            .min_by_key(|k| parse3(k))
            .cloned();
    } else if minor % 2 == 0 {
        // Likewise, start at most one above the highest patch of this minor.
        let top_pa = table
            .node
            .keys()
            .filter_map(|k| parse3(k))
            .filter(|&(m, mi, _)| m == 0 && mi == minor)
            .map(|(_, _, pa)| pa)
            .max()
            .unwrap_or(0);
        let mut pa = patch.min(top_pa.saturating_add(1));
        while pa > 1 {
            pa -= 1;
            let cand = format!("0.{minor}.{pa}");
            if table.node.contains_key(&cand) {
                chosen = Some(cand);
                break;
            }
        }
    }
    match chosen {
        Some(c) => {
            // The reference's two lines (its "choose" included), under the running name.
            let program = crate::log::program();
            warnings.push(format!(
                "Warning: {program} could not find exact match for {target}\nWarning: but {program} successfully choose {c} as ABI compatible target"
            ));
            Ok(&table.node[&c])
        }
        None => Err(Error::UnsupportedTarget(target.to_string())),
    }
}

/// The Node majors a package built once per Node ABI ships builds for by default: the
/// release lines in maintenance or active support, and the current one.
pub const DEFAULT_NODE_MAJORS: &[u32] = &[20, 22, 24, 26];

/// The majors of [`DEFAULT_NODE_MAJORS`] that an `engines.node` range admits (npm's range
/// syntax: `||` alternatives, comparators separated by spaces, `x` wildcards). A major is
/// admitted when its first or a late release satisfies the range (`>=20.10` admits 20).
/// Without a range, or with one this cannot read or that admits none of them, all of them.
pub fn supported_node_majors(engines: Option<&str>) -> Vec<u32> {
    let Some(range) = engines.map(str::trim).filter(|r| !r.is_empty()) else {
        return DEFAULT_NODE_MAJORS.to_vec();
    };
    let alternatives: Option<Vec<semver::VersionReq>> = range
        .split("||")
        .map(|alt| {
            // npm writes `>=18 <23`; the semver crate wants `>=18, <23`.
            let mut parts: Vec<String> = Vec::new();
            for word in alt.split_whitespace() {
                match parts.last_mut() {
                    // `>= 18`: an operator standing alone joins the version after it.
                    Some(last) if last.chars().all(|c| "<>=~^".contains(c)) => last.push_str(word),
                    _ => parts.push(word.trim_start_matches('v').to_string()),
                }
            }
            let text = if parts.is_empty() {
                "*".to_string()
            } else {
                parts.join(", ")
            };
            semver::VersionReq::parse(&text).ok()
        })
        .collect();
    let Some(alternatives) = alternatives else {
        return DEFAULT_NODE_MAJORS.to_vec();
    };
    let admitted: Vec<u32> = DEFAULT_NODE_MAJORS
        .iter()
        .copied()
        .filter(|&m| {
            let first = semver::Version::new(m.into(), 0, 0);
            let late = semver::Version::new(m.into(), 999, 999);
            alternatives
                .iter()
                .any(|r| r.matches(&first) || r.matches(&late))
        })
        .collect();
    if admitted.is_empty() {
        DEFAULT_NODE_MAJORS.to_vec()
    } else {
        admitted
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn node_majors_follow_engines() {
        let m = |r: Option<&str>| super::supported_node_majors(r);
        assert_eq!(m(None), [20, 22, 24, 26]);
        assert_eq!(m(Some(">=18")), [20, 22, 24, 26]);
        assert_eq!(m(Some(">=22")), [22, 24, 26]);
        assert_eq!(m(Some(">= 20.10 < 25")), [20, 22, 24]);
        assert_eq!(m(Some("^20 || ^24.2.0")), [20, 24]);
        assert_eq!(m(Some("22.x || 26.x")), [22, 26]);
        // Unreadable, or admitting none of them: every default major.
        assert_eq!(m(Some("18 - 22 garbage")), [20, 22, 24, 26]);
        assert_eq!(m(Some("<18")), [20, 22, 24, 26]);
    }

    use super::*;

    fn abi(runtime: Runtime, target: Option<&str>) -> (Result<String>, Vec<String>) {
        let mut w = Vec::new();
        let r = runtime_abi(runtime, target, &HostInfo::test(), None, &mut w);
        (r, w)
    }

    #[test]
    fn node_targets() {
        let cases: &[(Option<&str>, &str, bool)] = &[
            (None, "node-v115", false),
            (Some("20.0.0"), "node-v115", false),
            (Some("18.17.1"), "node-v108", false),
            (Some("22.99.0"), "node-v127", true),
            (Some("24.0.0"), "node-v137", false),
            (Some("25.1.0"), "node-v141", true),
            (Some("26.0.0"), "node-v147", false),
            (Some("0.10.99"), "node-v11", true),
            (Some("0.11.5"), "node-v0.11.5", false),
            (Some("1.8.5"), "node-v43", true),
            (Some("1.8.99"), "node-v42", true),
        ];
        for (t, want, warned) in cases {
            let (r, w) = abi(Runtime::Node, *t);
            assert_eq!(r.unwrap(), *want, "{t:?}");
            assert_eq!(!w.is_empty(), *warned, "{t:?} warnings {w:?}");
        }
    }

    #[test]
    fn huge_old_targets_answer_at_once() {
        // Each of these walked down one version at a time: 2^64 steps, a hang.
        for (huge, same) in [
            ("1.18446744073709551615.0", "1.9.0"),
            ("1.99999999999.99999999999", "1.9.9"),
            ("1.3.18446744073709551615", "1.3.99"),
            ("0.10.18446744073709551615", "0.10.99"),
            ("0.12.99999999999", "0.12.999"),
        ] {
            let t = std::time::Instant::now();
            let (r, w) = abi(Runtime::Node, Some(huge));
            assert!(t.elapsed() < std::time::Duration::from_secs(1), "{huge}");
            let (want, ww) = abi(Runtime::Node, Some(same));
            assert_eq!(
                r.map_err(|e| e.to_string()),
                want.map_err(|e| e.to_string()),
                "{huge}"
            );
            assert_eq!(w.is_empty(), ww.is_empty(), "{huge}");
        }
    }

    #[test]
    fn unknown_and_unsupported_targets() {
        assert_eq!(
            abi(Runtime::Node, Some("20")).0.unwrap_err().to_string(),
            "Unknown target version: 20"
        );
        assert_eq!(
            abi(Runtime::Node, Some("x.y.z")).0.unwrap_err().to_string(),
            "Unknown target version: x.y.z"
        );
        assert_eq!(
            abi(Runtime::Node, Some("99.0.0"))
                .0
                .unwrap_err()
                .to_string(),
            "Unsupported target version: 99.0.0"
        );
        assert_eq!(
            abi(Runtime::Node, Some("99.0.0")).0.unwrap_err().code(),
            "E_UNSUPPORTED_TARGET"
        );
    }

    #[test]
    fn electron_and_node_webkit() {
        assert_eq!(
            abi(Runtime::Electron, Some("30.1.2")).0.unwrap(),
            "electron-v30.1"
        );
        assert_eq!(
            abi(Runtime::Electron, Some("nope")).0.unwrap_err().code(),
            "E_UNKNOWN_TARGET"
        );
        assert!(abi(Runtime::Electron, None)
            .0
            .unwrap_err()
            .to_string()
            .contains("Empty target version is not supported if electron"));
        assert_eq!(
            abi(Runtime::NodeWebkit, Some("0.90.0")).0.unwrap(),
            "node-webkit-v0.90.0"
        );
        let mut host = HostInfo::test();
        host.electron = Some("35.2.0".into());
        assert_eq!(host.runtime(), Runtime::Electron);
        let mut w = vec![];
        assert_eq!(
            runtime_abi(Runtime::Electron, None, &host, None, &mut w).unwrap(),
            "electron-v35.2"
        );
    }

    #[test]
    fn crosswalk_override() {
        let dir = tempfile::tempdir().unwrap();
        let f = dir.path().join("cw.json");
        std::fs::write(&f, r#"{"30.0.0":{"node_abi":999,"v8":"99.9"}}"#).unwrap();
        let t = load_crosswalk(&f).unwrap();
        let mut w = vec![];
        let host = HostInfo::test();
        assert_eq!(
            runtime_abi(Runtime::Node, Some("30.0.0"), &host, Some(&t), &mut w).unwrap(),
            "node-v999"
        );
        assert!(runtime_abi(Runtime::Node, Some("20.0.0"), &host, Some(&t), &mut w).is_err());
    }

    #[test]
    fn bundled_table_covers_todays_releases() {
        let t = bundled_table();
        assert!(t.node.contains_key("26.0.0"));
        assert!(t.electron.contains_key("39"));
    }

    #[test]
    fn libc_detected_without_spawning() {
        let l = libc();
        if cfg!(all(target_os = "linux", target_env = "gnu")) {
            assert_eq!(l.family, "glibc");
            assert!(l.version().starts_with("2."), "{l:?}");
        }
    }

    #[cfg(target_os = "linux")]
    #[test]
    fn the_interpreter_of_an_executable_is_read_from_its_program_headers() {
        // This test binary's own: glibc's loader here, musl's on Alpine.
        let exe = std::fs::File::open("/proc/self/exe").unwrap();
        let interp = elf_interpreter(&exe).expect("a dynamically linked test binary");
        let name = interp.file_name().unwrap().to_string_lossy().into_owned();
        assert!(name.starts_with("ld-"), "{interp:?}");
        // Not an ELF file.
        let text = std::fs::File::open("/proc/self/status").unwrap();
        assert_eq!(elf_interpreter(&text), None);
    }

    #[test]
    fn musl_version_is_the_loaders_version_string() {
        let loader =
            b"\x7fELF\0Version %s\0Dynamic Program Loader\0 1.2\0v1.2.5\x001.2.5\0GLIBC_2.2.5x\0";
        assert_eq!(musl_version(loader), "1.2.5");
        assert_eq!(musl_version(b"\0no version here\x001.2\0"), "");
        // Debian's musl package (1.2.3 on Debian 12), where installed.
        if let Ok(b) = std::fs::read("/lib/ld-musl-x86_64.so.1") {
            assert!(musl_version(&b).starts_with("1.2."), "{}", musl_version(&b));
        }
    }
}
