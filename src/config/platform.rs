//! Platform packages (`binary.platform_packages`): npm packages that carry the prebuilt
//! bindings of one `<platform>-<arch>[-<libc>]` target each, installed by the package
//! manager as `optionalDependencies` (picked by their `os`/`cpu`/`libc` fields), so that
//! a binary arrives with no install script at all.
//!
//! This module is part of the lean find() binary: it holds the block's types (validated
//! in `manifest.rs` with the rest of `binary`), names the package for a target, and
//! finds an installed one the way Node resolves a dependency
//! (walking up `node_modules` folders from the addon package's real folder). It never
//! spawns, never reads more than one small package.json, and needs no runtime.

use serde_json::{Map, Value};

use std::path::{Path, PathBuf};

/// The platform package name template used when `binary.platform_packages.name` is absent:
/// `sqlite3` -> `sqlite3-linux-x64-glibc`, `@bcrypt/bcrypt` -> `@bcrypt/bcrypt-darwin-arm64`.
pub const DEFAULT_NAME: &str = "{name}-{triple}";

/// Variables a platform package name may use.
pub const NAME_VARIABLES: &[&str] = &["name", "module_name", "platform", "arch", "libc", "triple"];

/// Platforms npm's `os` field knows (Node's `process.platform` values).
const PLATFORMS: &[&str] = &[
    "aix", "android", "darwin", "freebsd", "linux", "netbsd", "openbsd", "sunos", "win32",
];

/// Architectures npm's `cpu` field knows (Node's `process.arch` values).
const ARCHES: &[&str] = &[
    "arm", "arm64", "ia32", "loong64", "mips", "mipsel", "ppc", "ppc64", "riscv64", "s390",
    "s390x", "x64",
];

/// One shipped target: `linux-x64-glibc`, `linux-arm64-musl`, `darwin-arm64`, `win32-x64`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Target {
    /// `process.platform`.
    pub platform: String,
    /// `process.arch`.
    pub arch: String,
    /// `glibc` or `musl` (linux only; npm's `libc` field values).
    pub libc: Option<String>,
}

impl Target {
    /// Parses `<platform>-<arch>[-<libc>]`; the error says what is wrong with it.
    pub fn parse(s: &str) -> Result<Self, String> {
        let parts: Vec<&str> = s.split('-').collect();
        let (platform, arch, libc) = match parts.as_slice() {
            [p, a] => (*p, *a, None),
            [p, a, l] => (*p, *a, Some(*l)),
            _ => return Err(format!("`{s}` is not <platform>-<arch>[-<libc>] (e.g. linux-x64-glibc, darwin-arm64, win32-x64)")),
        };
        if !PLATFORMS.contains(&platform) {
            return Err(format!(
                "`{s}`: unknown platform `{platform}` (one of {})",
                PLATFORMS.join(", ")
            ));
        }
        if !ARCHES.contains(&arch) {
            return Err(format!(
                "`{s}`: unknown arch `{arch}` (one of {})",
                ARCHES.join(", ")
            ));
        }
        match (platform, libc) {
            ("linux", None) => {
                return Err(format!(
                "`{s}`: a linux target names its libc, because glibc and musl binaries do not load on each other: `{s}-glibc` or `{s}-musl`"
            ))
            }
            ("linux", Some(l)) if l != "glibc" && l != "musl" => {
                return Err(format!("`{s}`: unknown libc `{l}` (glibc or musl)"))
            }
            (p, Some(_)) if p != "linux" => {
                return Err(format!(
                    "`{s}`: only linux targets name a libc (write `{platform}-{arch}`)"
                ))
            }
            _ => {}
        }
        Ok(Target {
            platform: platform.into(),
            arch: arch.into(),
            libc: libc.map(Into::into),
        })
    }

    /// The target a process (or a `--target_*` evaluation) runs: `libc` is the detected
    /// family (`glibc`, `musl`, `unknown`), kept only on linux.
    pub fn of(platform: &str, arch: &str, libc: &str) -> Self {
        Target {
            platform: platform.into(),
            arch: arch.into(),
            libc: (platform == "linux").then(|| libc.to_string()),
        }
    }

    /// `linux-x64-glibc`, `darwin-arm64`.
    pub fn triple(&self) -> String {
        match &self.libc {
            Some(l) => format!("{}-{}-{l}", self.platform, self.arch),
            None => format!("{}-{}", self.platform, self.arch),
        }
    }
}

/// `binary.platform_packages`, validated.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PlatformPackages {
    /// The name template (default [`DEFAULT_NAME`]).
    pub name: String,
    /// The targets the author ships, in the order written.
    pub targets: Vec<Target>,
}

impl PlatformPackages {
    /// The platform package's name for `target`. An empty `{libc}` (non-linux targets)
    /// takes the dash before it along, so `x-{platform}-{arch}-{libc}` gives `x-darwin-arm64`.
    pub fn package_name(&self, root_name: &str, module_name: &str, target: &Target) -> String {
        let mut template = self.name.clone();
        if target.libc.is_none() {
            template = template.replace("-{libc}", "").replace("{libc}", "");
        }
        let mut v = Map::new();
        let s = |x: &str| Value::String(x.to_string());
        v.insert("name".into(), s(root_name));
        v.insert("module_name".into(), s(module_name));
        v.insert("platform".into(), s(&target.platform));
        v.insert("arch".into(), s(&target.arch));
        v.insert("libc".into(), s(target.libc.as_deref().unwrap_or("")));
        v.insert("triple".into(), s(&target.triple()));
        crate::config::template::eval_template(&template, &v)
    }

    /// The declared target equal to `target`, if the author ships it.
    pub fn shipped(&self, target: &Target) -> Option<&Target> {
        self.targets.iter().find(|t| *t == target)
    }
}

/// An installed platform package, found by Node's resolution.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Installed {
    /// Its name.
    pub name: String,
    /// Its folder (as found under a `node_modules`).
    pub dir: PathBuf,
    /// Its `version`.
    pub version: String,
    /// The Node ABIs it holds builds for (`pregyp.abis` in its package.json, e.g.
    /// `["node-v115", "node-v127"]`), each under [`ABI_DIR`]`/<abi>/`; `None` for a package
    /// that holds its bindings at module_path (Node-API builds, and packages made before
    /// several ABIs could share one).
    pub abis: Option<Vec<String>>,
}

/// The folder of a platform package under which each Node ABI's build sits, at
/// `abi/<node_abi>/<module_path relative to the package root>/<module_name>.node`, so
/// that builds for several ABIs share one package whatever module_path says.
pub const ABI_DIR: &str = "abi";

impl Installed {
    /// Where the build for `node_abi` sits in this package (`rel`: the binding's path
    /// relative to the addon package's root), when the package lists that ABI; `None`
    /// when the package does not sort its builds by ABI.
    /// Electron keeps one ABI across a major, while its `node_abi` names the minor too
    /// (`electron-v31.1`): a build for another minor of the same major serves.
    pub fn abi_binding(&self, node_abi: &str, rel: &Path) -> Option<Option<PathBuf>> {
        let abis = self.abis.as_ref()?;
        let same_major = |a: &str| match (
            node_abi.strip_prefix("electron-v"),
            a.strip_prefix("electron-v"),
        ) {
            (Some(want), Some(have)) => want.split('.').next() == have.split('.').next(),
            _ => false,
        };
        let held = abis
            .iter()
            .find(|a| *a == node_abi)
            .or_else(|| abis.iter().find(|a| same_major(a)));
        Some(held.map(|a| self.dir.join(ABI_DIR).join(a).join(rel)))
    }
}

/// Finds the package `name` the way `require.resolve` does from a file in `from`:
/// `<dir>/node_modules/<name>` for `from` and each of its ancestors, skipping folders
/// that are themselves named `node_modules`. `from` should be a real path: pnpm links
/// each package from its store, and only from the store folder are its dependencies
/// (the platform packages, siblings in `.pnpm/<id>/node_modules`) reachable.
pub fn resolve_package(name: &str, from: &Path) -> Option<PathBuf> {
    for dir in from.ancestors() {
        if dir.file_name().is_some_and(|n| n == "node_modules") {
            continue;
        }
        let candidate = dir.join("node_modules").join(name);
        if crate::config::hostfs::is_file(&candidate.join("package.json")) {
            return Some(candidate);
        }
    }
    None
}

/// What a lookup of the platform package found, for explanations.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Lookup {
    /// The package does not declare `binary.platform_packages`.
    NotDeclared,
    /// This target is not among the declared ones.
    NotShipped {
        /// The running (or requested) target.
        triple: String,
    },
    /// Declared for this target, but no such package is installed.
    NotInstalled {
        /// The package that was looked for.
        name: String,
    },
    /// Installed, but for another release of the root package.
    WrongVersion {
        /// What was found.
        found: Installed,
        /// The root's version.
        expected: String,
    },
    /// Installed; the binding at `module` may or may not be there.
    Found {
        /// The package.
        package: Installed,
    },
}

/// Looks for the platform package of `root_name@version` for `target`, resolving from
/// the package folder `root` (made real first, for pnpm).
pub fn lookup(
    pp: Option<&PlatformPackages>,
    root_name: &str,
    module_name: &str,
    version: &str,
    target: &Target,
    root: &Path,
) -> Lookup {
    let Some(pp) = pp else {
        return Lookup::NotDeclared;
    };
    let Some(t) = pp.shipped(target) else {
        return Lookup::NotShipped {
            triple: target.triple(),
        };
    };
    let name = pp.package_name(root_name, module_name, t);
    let real = crate::config::hostfs::canonicalize(root).unwrap_or_else(|_| root.to_path_buf());
    let Some(dir) = resolve_package(&name, &real) else {
        return Lookup::NotInstalled { name };
    };
    installed_at(name, &dir, version)
}

/// The platform package `name` installed in `dir`: `Found` when it is of `version`.
pub fn installed_at(name: String, dir: &Path, version: &str) -> Lookup {
    let dir = dir.to_path_buf();
    // The one read: the version and, for builds sorted by Node ABI, the ABIs held.
    let doc = crate::config::hostfs::read(&dir.join("package.json"))
        .ok()
        .and_then(|b| crate::config::hostfs::parse_json::<Value>(&b).ok());
    let found_version = doc
        .as_ref()
        .and_then(|v| v.get("version").and_then(Value::as_str).map(String::from))
        .unwrap_or_default();
    let abis = doc
        .as_ref()
        .and_then(|v| v.pointer("/pregyp/abis"))
        .and_then(Value::as_array)
        .map(|a| {
            a.iter()
                .filter_map(Value::as_str)
                // A name that could leave the package's folder is not an ABI.
                .filter(|s| !s.is_empty() && !s.contains(['/', '\\']) && !s.starts_with('.'))
                .map(String::from)
                .collect()
        });
    let package = Installed {
        name,
        dir,
        version: found_version,
        abis,
    };
    if package.version != version {
        return Lookup::WrongVersion {
            found: package,
            expected: version.to_string(),
        };
    }
    Lookup::Found { package }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn parse(v: Value) -> Result<PlatformPackages, (String, String)> {
        crate::config::manifest::parse_platform_packages(&v, "@bcrypt/bcrypt", "bcrypt_lib")
    }

    #[test]
    fn targets_parse_and_name() {
        let pp = parse(
            json!({"targets": ["linux-x64-glibc", "linux-x64-musl", "darwin-arm64", "win32-x64"]}),
        )
        .unwrap();
        let names: Vec<String> = pp
            .targets
            .iter()
            .map(|t| pp.package_name("@bcrypt/bcrypt", "m", t))
            .collect();
        assert_eq!(
            names,
            [
                "@bcrypt/bcrypt-linux-x64-glibc",
                "@bcrypt/bcrypt-linux-x64-musl",
                "@bcrypt/bcrypt-darwin-arm64",
                "@bcrypt/bcrypt-win32-x64"
            ]
        );
        let pp = parse(json!({"name": "@bcrypt/bcrypt-{platform}-{arch}-{libc}", "targets": ["linux-arm64-musl", "darwin-x64"]})).unwrap();
        assert_eq!(
            pp.package_name("@bcrypt/bcrypt", "m", &pp.targets[1]),
            "@bcrypt/bcrypt-darwin-x64"
        );
        assert_eq!(
            pp.package_name("@bcrypt/bcrypt", "m", &pp.targets[0]),
            "@bcrypt/bcrypt-linux-arm64-musl"
        );
    }

    #[test]
    fn node_resolution_walks_up_and_skips_node_modules_folders() {
        let d = tempfile::tempdir().unwrap();
        let root = d.path().join("app/node_modules/addon");
        std::fs::create_dir_all(&root).unwrap();
        let write = |p: PathBuf, v: &str| {
            std::fs::create_dir_all(&p).unwrap();
            std::fs::write(p.join("package.json"), format!("{{\"version\":\"{v}\"}}")).unwrap();
        };
        assert_eq!(resolve_package("@s/p", &root), None);
        // Hoisted (npm, yarn): a sibling of the addon.
        write(d.path().join("app/node_modules/@s/p"), "1.0.0");
        assert_eq!(
            resolve_package("@s/p", &root),
            Some(d.path().join("app/node_modules/@s/p"))
        );
        // Nested under the addon wins (another version hoisted above).
        write(root.join("node_modules/@s/p"), "2.0.0");
        assert_eq!(
            resolve_package("@s/p", &root),
            Some(root.join("node_modules/@s/p"))
        );
        let pp = parse(json!({"name": "@s/p", "targets": ["linux-x64-glibc"]})).unwrap();
        let t = Target::of("linux", "x64", "glibc");
        match lookup(Some(&pp), "@bcrypt/bcrypt", "m", "2.0.0", &t, &root) {
            Lookup::Found { package } => assert_eq!(package.version, "2.0.0"),
            other => panic!("{other:?}"),
        }
        assert!(matches!(
            lookup(Some(&pp), "@bcrypt/bcrypt", "m", "3.0.0", &t, &root),
            Lookup::WrongVersion { .. }
        ));
        assert!(matches!(
            lookup(
                Some(&pp),
                "@bcrypt/bcrypt",
                "m",
                "2.0.0",
                &Target::of("linux", "x64", "musl"),
                &root
            ),
            Lookup::NotShipped { .. }
        ));
    }

    #[test]
    fn builds_sorted_by_node_abi_are_read_with_the_version() {
        let d = tempfile::tempdir().unwrap();
        std::fs::write(
            d.path().join("package.json"),
            r#"{"version":"1.0.0","pregyp":{"abis":["node-v127","electron-v31.1","../x","a/b",""]}}"#,
        )
        .unwrap();
        let Lookup::Found { package } = installed_at("p".into(), d.path(), "1.0.0") else {
            panic!("not found")
        };
        // Names that could leave the package's folder are not ABIs.
        assert_eq!(
            package.abis.as_deref(),
            Some(&["node-v127".to_string(), "electron-v31.1".to_string()][..])
        );
        let rel = Path::new("build/Release/x.node");
        let at = |abi: &str| d.path().join("abi").join(abi).join(rel);
        assert_eq!(
            package.abi_binding("node-v127", rel),
            Some(Some(at("node-v127")))
        );
        assert_eq!(package.abi_binding("node-v137", rel), Some(None));
        // Electron: one ABI per major, whatever the minor.
        assert_eq!(
            package.abi_binding("electron-v31.4", rel),
            Some(Some(at("electron-v31.1")))
        );
        assert_eq!(package.abi_binding("electron-v32.0", rel), Some(None));
        // A package without the list keeps its bindings at module_path.
        std::fs::write(d.path().join("package.json"), r#"{"version":"1.0.0"}"#).unwrap();
        let Lookup::Found { package } = installed_at("p".into(), d.path(), "1.0.0") else {
            panic!("not found")
        };
        assert_eq!(package.abi_binding("node-v127", rel), None);
    }

    #[cfg(unix)]
    #[test]
    fn pnpm_layout_resolves_from_the_store_folder() {
        let d = tempfile::tempdir().unwrap();
        let store = d
            .path()
            .join("app/node_modules/.pnpm/addon@1.0.0/node_modules");
        std::fs::create_dir_all(store.join("addon")).unwrap();
        std::fs::create_dir_all(store.join("@s/p")).unwrap();
        std::fs::write(store.join("@s/p/package.json"), r#"{"version":"1.0.0"}"#).unwrap();
        std::os::unix::fs::symlink(store.join("addon"), d.path().join("app/node_modules/addon"))
            .unwrap();
        let pp = parse(json!({"name": "@s/p", "targets": ["linux-x64-glibc"]})).unwrap();
        let t = Target::of("linux", "x64", "glibc");
        let linked = d.path().join("app/node_modules/addon");
        match lookup(Some(&pp), "@bcrypt/bcrypt", "m", "1.0.0", &t, &linked) {
            Lookup::Found { package } => {
                assert_eq!(
                    package.dir,
                    std::fs::canonicalize(store.join("@s/p")).unwrap()
                )
            }
            other => panic!("{other:?}"),
        }
    }
}
