//! What each command returns: one typed struct per command. Serialized, they are the
//! lines `--json` prints and the values the JS API resolves to; `index.d.ts` declares
//! them from here (ts-rs, through `declarations()` and `scripts/gen-types.js`), so the
//! types cannot drift from what the commands return.

use serde::Serialize;
use serde_json::{Map, Value};
use ts_rs::TS;

/// How the binding got into place.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "kebab-case")]
#[ts(rename = "InstallSource")]
pub enum Source {
    /// Downloaded from the host (or a mirror).
    Remote,
    /// Taken from the local cache.
    Cache,
    /// Unpacked from a `file://` host.
    File,
    /// Downloaded from S3 with credentials after a 403.
    S3,
    /// Already installed; nothing done.
    Existing,
    /// Compiled from source.
    Build,
    /// Provided by the installed platform package; nothing downloaded.
    PlatformPackage,
}

impl Source {
    /// The name `--json` and the API use.
    pub fn as_str(self) -> &'static str {
        match self {
            Source::Remote => "remote",
            Source::Cache => "cache",
            Source::File => "file",
            Source::S3 => "s3",
            Source::Existing => "existing",
            Source::Build => "build",
            Source::PlatformPackage => "platform-package",
        }
    }
}

/// `install`: where the binding is and how it got there.
#[derive(Debug, Clone, Serialize, TS)]
pub struct InstallResult {
    /// Absolute path of the installed binding.
    pub path: String,
    /// How it got there.
    pub source: Source,
    /// The tarball URL (credentials removed); null when a platform package provides the binding.
    pub url: Option<String>,
    /// sha256 of the tarball, when one was unpacked.
    pub sha256: Option<String>,
    /// The platform package holding the binding (source 'platform-package'), else null.
    pub package: Option<String>,
    /// `--dry-run`: nothing was downloaded, built or written; `source` is what would be used.
    pub dry_run: bool,
}

/// `clean`: the folder removed.
#[derive(Debug, Clone, Serialize, TS)]
pub struct CleanResult {
    /// The folder clean removes (module_path, or the binding's folder).
    pub module_path: String,
    /// Whether it existed and was removed.
    pub removed: bool,
    /// The Node-API version of this step, for Node-API packages.
    pub napi_build_version: Option<u32>,
    /// `--dry-run`: nothing was removed.
    pub dry_run: bool,
}

/// `build` and `configure`: the binding node-gyp builds.
#[derive(Debug, Clone, Serialize, TS)]
pub struct BuildResult {
    /// Absolute path of the binding.
    pub module: String,
    /// The folder holding it.
    pub module_path: String,
    /// The Node-API version of this step, for Node-API packages.
    pub napi_build_version: Option<u32>,
    /// `--dry-run`: node-gyp was not run.
    pub dry_run: bool,
}

/// `package`: the staged tarball.
#[derive(Debug, Clone, Serialize, TS)]
pub struct PackageResult {
    /// Absolute path of the tarball.
    pub tarball: String,
    /// Its sha256 (hex).
    pub sha256: String,
    /// Its size in bytes.
    #[ts(type = "number")]
    pub size: u64,
    /// `--dry-run`: nothing was packed (sha256 empty, size 0).
    pub dry_run: bool,
}

/// `checksums`: one staged tarball's entry of `binary.checksums`.
#[derive(Debug, Clone, Serialize, TS)]
pub struct ChecksumResult {
    /// The key in `binary.checksums` (the target).
    pub key: String,
    /// The tarball's file name.
    pub package_name: String,
    /// Its sha256 (hex).
    pub sha256: String,
    /// Its size in bytes.
    #[ts(type = "number")]
    pub size: u64,
    /// Absolute path of the tarball.
    pub tarball: String,
}

/// `testpackage`: the staged tarball checked.
#[derive(Debug, Clone, Serialize, TS)]
pub struct TestpackageResult {
    /// Absolute path of the tarball.
    pub tarball: String,
    /// Whether its binding was test-loaded (not when cross-compiling).
    pub tested: bool,
    /// Regular files in it.
    #[ts(type = "number")]
    pub files: u64,
}

/// `testbinary`: the binding test-loaded.
#[derive(Debug, Clone, Serialize, TS)]
pub struct TestbinaryResult {
    /// Absolute path of the binding.
    pub module: String,
    /// The Node-API version of this step, for Node-API packages.
    pub napi_build_version: Option<u32>,
    /// Whether it was loaded (not for other runtimes or targets).
    pub tested: bool,
}

/// `publish`: the object written (or, with `--dry-run`, that would be).
#[derive(Debug, Clone, Serialize, TS)]
pub struct PublishResult {
    /// `hosted_path` as evaluated.
    pub hosted_path: String,
    /// The tarball's URL.
    pub hosted_tarball: String,
    /// The bucket.
    pub bucket: String,
    /// The object key.
    pub key: String,
    /// sha256 of the tarball (also stored as `<key>.sha256`).
    pub sha256: String,
    /// Its size in bytes.
    #[ts(type = "number")]
    pub size: u64,
    /// The canned ACL.
    pub acl: String,
    /// `--dry-run`: nothing was uploaded.
    pub dry_run: bool,
}

/// `unpublish`: the object removed.
#[derive(Debug, Clone, Serialize, TS)]
pub struct UnpublishResult {
    /// The tarball's URL.
    pub hosted_tarball: String,
    /// The object key.
    pub key: String,
    /// Whether it existed and was removed.
    pub removed: bool,
    /// `--dry-run`: nothing was removed.
    pub dry_run: bool,
}

/// One object `info` lists.
#[derive(Debug, Clone, Serialize, TS)]
pub struct PublishedObject {
    /// The object key.
    pub key: String,
    /// Its size in bytes.
    #[ts(type = "number")]
    pub size: u64,
    /// When it was last modified (RFC 3339), if the server says.
    pub last_modified: Option<String>,
}

/// `info`: the published objects under the package's prefix.
#[derive(Debug, Clone, Serialize, TS)]
pub struct InfoResult(pub Vec<PublishedObject>);

/// `postinstall-build`: whether it built, and what it installed for that.
#[derive(Debug, Clone, Serialize, TS)]
pub struct PostinstallBuildResult {
    /// Whether the build ran.
    pub built: bool,
    /// Why nothing was built ('artifact exists', 'not a dependency', 'recursion'), else null.
    pub skipped: Option<String>,
    /// The artifact checked.
    pub artifact: Option<String>,
    /// The build command run (secrets redacted), when it ran.
    pub command: Option<String>,
    /// The package manager that installed the build dependencies.
    pub package_manager: Option<String>,
    /// The build dependencies installed for the build.
    pub installed: Vec<String>,
    /// The build dependencies removed afterwards.
    pub removed: Vec<String>,
}

/// `explain`: the package.
#[derive(Debug, Clone, Serialize, TS)]
pub struct ExplainedPackage {
    /// Its name.
    pub name: String,
    /// Its version.
    pub version: String,
    /// Its folder.
    pub dir: String,
}

/// `explain`: the target the binding is for.
#[derive(Debug, Clone, Serialize, TS)]
pub struct ExplainedTarget {
    /// node, electron or node-webkit.
    pub runtime: String,
    /// `node_abi` as evaluated.
    pub node_abi: Option<String>,
    /// The running Node's Node-API version.
    pub napi_version: Option<u32>,
    /// `binary.napi_versions`.
    pub napi_versions_declared: Option<Vec<u32>>,
    /// The Node-API version chosen.
    pub napi_build_version: Option<u32>,
    /// The platform.
    pub platform: String,
    /// The architecture.
    pub arch: String,
    /// The libc.
    pub libc: String,
    /// The glibc version, when known.
    pub libc_version: Option<String>,
}

/// `explain`: an installed platform package providing the binding.
#[derive(Debug, Clone, Serialize, TS)]
pub struct ProvidedBy {
    /// Its name.
    pub name: String,
    /// Its version.
    pub version: String,
    /// The binding in it.
    pub path: String,
}

/// `explain`: a host install would try.
#[derive(Debug, Clone, Serialize, TS)]
pub struct HostCandidate {
    /// 'mirror' or 'binary.host'.
    pub kind: String,
    /// The host (credentials removed).
    pub host: String,
    /// Whether install uses it.
    pub used: bool,
}

/// `explain`: a cached tarball.
#[derive(Debug, Clone, Serialize, TS)]
pub struct CacheHit {
    /// The cached file.
    pub path: String,
    /// Its sha256.
    pub sha256: String,
}

/// `explain`: the cache.
#[derive(Debug, Clone, Serialize, TS)]
pub struct ExplainedCache {
    /// The cache folder.
    pub dir: String,
    /// The cached tarball for this target, if any.
    pub hit: Option<CacheHit>,
}

/// `explain`: whether a source build is possible here.
#[derive(Debug, Clone, Serialize, TS)]
pub struct ExplainedBuild {
    /// Whether a build could run.
    pub possible: bool,
    /// The node-gyp found.
    pub node_gyp: Option<String>,
    /// Why no node-gyp was found.
    pub node_gyp_error: Option<String>,
    /// The C++ compiler found.
    pub compiler: Option<String>,
    /// Whether the package has a binding.gyp.
    pub binding_gyp: bool,
}

/// `explain`: what install would do for this package, and why.
#[derive(Debug, Clone, Serialize, TS)]
pub struct ExplainResult {
    /// The package.
    pub package: ExplainedPackage,
    /// The target.
    pub target: ExplainedTarget,
    /// Absolute path of the binding.
    pub module: String,
    /// The platform package lookup, in words.
    pub platform_package: Option<String>,
    /// The installed platform package providing the binding.
    pub provided_by: Option<ProvidedBy>,
    /// Whether the binding exists.
    pub exists: bool,
    /// Whether it loads (null when not checked).
    pub loads: Option<bool>,
    /// Why it does not load.
    pub load_error: Option<String>,
    /// The hosts, in the order install tries them.
    pub hosts: Vec<HostCandidate>,
    /// The tarball URL (credentials removed).
    pub tarball: String,
    /// The expected sha256 from `binary.checksums`.
    pub checksum: Option<String>,
    /// The cache.
    pub cache: ExplainedCache,
    /// Whether a source build is possible.
    pub build: ExplainedBuild,
    /// What install would do, in words.
    pub install_would: String,
    /// When the binding is missing and the package has an install script: how the
    /// project's package manager approves it, and `pregyp heal` (null otherwise).
    pub blocked_script: Option<String>,
}

/// `heal`: one package it installed (or failed to).
#[derive(Debug, Clone, Serialize, TS)]
pub struct HealedPackage {
    /// `name@version`.
    pub name: String,
    /// Its folder.
    pub dir: String,
    /// What installs its binding: 'node-pre-gyp', 'prebuild-install', 'node-gyp-build'
    /// or 'binding.gyp'.
    pub kind: String,
    /// 'missing', 'broken', or 'invalid' (its package.json could not be evaluated).
    pub was: String,
    /// How its binding got there (null when it failed).
    pub source: Option<Source>,
    /// Time taken.
    #[ts(type = "number")]
    pub ms: u64,
    /// Whether it now has a binding that loads.
    pub ok: bool,
    /// Why not.
    pub error: Option<String>,
}

/// `heal --dry-run`: one package it would install.
#[derive(Debug, Clone, Serialize, TS)]
pub struct PendingPackage {
    /// Its name.
    pub name: String,
    /// Its folder.
    pub dir: String,
    /// What installs its binding: 'node-pre-gyp', 'prebuild-install', 'node-gyp-build'
    /// or 'binding.gyp'.
    pub kind: String,
    /// 'missing' or 'broken'.
    pub state: String,
}

/// `heal`: what it did (or, with `--dry-run`, would do).
#[derive(Debug, Clone, Default, Serialize, TS)]
pub struct HealResult {
    /// The packages installed (or failed), by name.
    pub healed: Vec<HealedPackage>,
    /// `--dry-run`: the packages it would install.
    pub would_install: Vec<PendingPackage>,
    /// Packages whose binding was already there and loads.
    #[ts(type = "number")]
    pub already_working: u64,
    /// Native packages heal leaves alone (a binding.gyp and an install script of their own,
    /// which heal does not run) whose binding does not load.
    pub left_alone: Vec<String>,
}

/// `platform-package`: one platform package written.
#[derive(Debug, Clone, Serialize, TS)]
pub struct PlatformPackage {
    /// Its npm name.
    pub name: String,
    /// Its version (the root package's).
    pub version: String,
    /// Where it was written (build/npm/<name>).
    pub dir: String,
    /// The bindings it holds, relative to its root (module_path as evaluated).
    pub bindings: Vec<String>,
}

/// `platform-package`: the packages written.
#[derive(Debug, Clone, Serialize, TS)]
pub struct PlatformPackageResult(pub Vec<PlatformPackage>);

/// `optional-deps`: each platform package's name and version.
#[derive(Debug, Clone, Serialize, TS)]
#[ts(type = "Record<string, string>")]
pub struct OptionalDepsResult(pub Map<String, Value>);

/// `migrate`: what it changed (or, with `--dry-run`, would change) and what it left.
#[derive(Debug, Clone, Default, Serialize, TS)]
pub struct MigrateResult {
    /// Nothing was written.
    pub dry_run: bool,
    /// The files changed (or to change), relative to the package folder.
    pub files: Vec<String>,
    /// The unified diff of every change.
    pub diff: String,
    /// Lines added plus lines removed.
    #[ts(type = "number")]
    pub lines_changed: u64,
    /// The platform package targets.
    pub targets: Vec<String>,
    /// Where the targets came from: `--targets`, `binary.platform_packages`, `host` or `this machine`.
    pub targets_from: String,
    /// Call sites left for a person, as `file:line: code`.
    pub manual: Vec<String>,
    /// Files it could not parse, left untouched, with the reason.
    pub unparsed: Vec<String>,
    /// What a person still has to do.
    pub todo: Vec<String>,
}

/// `reveal`: the evaluated configuration, or the one value asked for.
#[derive(Debug, Clone, Serialize, TS)]
#[ts(type = "Record<string, string | number | boolean | null> | string")]
pub struct RevealResult(pub Value);

/// Any command's result, as one step of a chain returns it.
#[derive(Debug, Clone, Serialize)]
#[serde(untagged)]
pub enum CommandResult {
    Install(InstallResult),
    Clean(CleanResult),
    Build(BuildResult),
    Package(PackageResult),
    Checksum(ChecksumResult),
    Testpackage(TestpackageResult),
    Testbinary(TestbinaryResult),
    Publish(PublishResult),
    Unpublish(UnpublishResult),
    Info(InfoResult),
    PostinstallBuild(PostinstallBuildResult),
    Explain(Box<ExplainResult>),
    Heal(HealResult),
    PlatformPackage(PlatformPackageResult),
    OptionalDeps(OptionalDepsResult),
    Migrate(MigrateResult),
    Reveal(RevealResult),
}

/// Collects `export type Name = ...;` (with its doc comment) for a type and every type
/// it names, each once: the nested types are found from the types themselves, not
/// listed by hand. Entries are (name, declaration).
struct Declarations<'a> {
    cfg: &'a ts_rs::Config,
    seen: std::collections::HashSet<std::any::TypeId>,
    out: Vec<(String, String)>,
}

impl Declarations<'_> {
    /// Declares `T` after the types it names that are not declared yet, those sorted by
    /// name: ts-rs's derive gathers a type's dependencies in a `HashSet`, so the order
    /// it visits them in changes from one compilation to the next, and index.d.ts must
    /// not.
    fn declare<T: TS + 'static>(&mut self) {
        let start = self.out.len();
        ts_rs::TypeVisitor::visit::<T>(self);
        if let Some(end) = self.out.len().checked_sub(1).filter(|&end| end > start) {
            self.out[start..end].sort();
        }
    }
}

impl ts_rs::TypeVisitor for Declarations<'_> {
    fn visit<T: TS + 'static + ?Sized>(&mut self) {
        // Only declared types (ours) have an output path; `string`, arrays and the like
        // are inlined where they are used.
        if T::output_path().is_none() || !self.seen.insert(std::any::TypeId::of::<T>()) {
            return;
        }
        T::visit_dependencies(self);
        let decl = format!(
            "{}export {}",
            T::docs().unwrap_or_default(),
            T::decl(self.cfg)
        );
        self.out.push((T::ident(self.cfg), decl));
    }
}

macro_rules! into_command_result {
    ($($variant:ident($ty:ty)),* $(,)?) => {
        $(impl From<$ty> for CommandResult {
            fn from(r: $ty) -> Self {
                CommandResult::$variant(r.into())
            }
        })*

        /// The TypeScript declaration of every result type, for `index.d.ts`.
        pub fn declarations() -> Vec<String> {
            let cfg = ts_rs::Config::new().with_large_int("number");
            let mut d = Declarations { cfg: &cfg, seen: Default::default(), out: Vec::new() };
            $(d.declare::<$ty>();)*
            d.out.into_iter().map(|(_, decl)| decl).collect()
        }
    };
}

into_command_result!(
    Install(InstallResult),
    Clean(CleanResult),
    Build(BuildResult),
    Package(PackageResult),
    Checksum(ChecksumResult),
    Testpackage(TestpackageResult),
    Testbinary(TestbinaryResult),
    Publish(PublishResult),
    Unpublish(UnpublishResult),
    Info(InfoResult),
    PostinstallBuild(PostinstallBuildResult),
    Explain(ExplainResult),
    Heal(HealResult),
    PlatformPackage(PlatformPackageResult),
    OptionalDeps(OptionalDepsResult),
    Migrate(MigrateResult),
    Reveal(RevealResult),
);

#[cfg(test)]
mod tests {
    use super::*;

    /// Every command has a result type (from the command table in `commands`), and
    /// every type it names is declared here.
    #[test]
    fn every_command_result_is_declared() {
        let decls = declarations().join("\n");
        for c in crate::config::spec::COMMANDS {
            let ty = crate::commands::result_type(c.name)
                .unwrap_or_else(|| panic!("{}: no result type", c.name));
            for ty in ty.split('|').map(str::trim) {
                assert!(
                    decls.contains(&format!("type {ty} =")),
                    "{}: result type {ty} is not in results::declarations()",
                    c.name
                );
            }
        }
    }

    /// index.d.ts (written by `npm run types` from the built binary) states every result
    /// type, field and command result as this source does: a stale copy fails here even
    /// when the binary was not rebuilt.
    #[test]
    fn index_d_ts_is_current() {
        let dts = include_str!(concat!(env!("CARGO_MANIFEST_DIR"), "/index.d.ts"));
        // The `name: type` lines of a declaration, as ts-rs writes them (`name: type, `)
        // or as index.d.ts lays them out (`  name: type;`), doc comments left out.
        let fields = |text: &str| -> Vec<String> {
            text.lines()
                .map(str::trim)
                .filter(|l| {
                    !l.starts_with(['/', '*']) && !l.starts_with("export ") && l.contains(": ")
                })
                .map(|l| l.trim_end_matches(['}', ';', ',', ' ']).to_string())
                .collect()
        };
        let mut previous = (0, String::new());
        for d in declarations() {
            let decl = &d[d.find("export type ").expect("a type declaration")..];
            let head = decl.split(" = ").next().unwrap();
            let Some(at) = dts.find(&format!("{head} = ")) else {
                panic!("index.d.ts lacks `{head}`: run `npm run types`");
            };
            // In the same order, which must not depend on the compilation (see
            // `Declarations::declare`).
            assert!(
                at > previous.0,
                "index.d.ts: `{head}` comes before `{}`: run `npm run types`",
                previous.1
            );
            previous = (at, head.to_string());
            if decl.contains(" = {") {
                // The object type's block in index.d.ts: its fields, exactly.
                let block = &dts[at..at + dts[at..].find("\n};").expect("a closed block")];
                assert_eq!(
                    fields(block),
                    fields(decl),
                    "index.d.ts: `{head}`: run `npm run types`"
                );
            } else {
                assert!(
                    dts.contains(decl),
                    "index.d.ts: `{decl}`: run `npm run types`"
                );
            }
        }
        for c in crate::config::spec::COMMANDS {
            let ty = crate::commands::result_type(c.name).unwrap();
            let key = if c.name.contains('-') {
                format!("'{}'", c.name)
            } else {
                c.name.to_string()
            };
            assert!(
                dts.contains(&format!("  {key}: {ty};")),
                "index.d.ts: CommandResults.{key} is not {ty}: run `npm run types`"
            );
        }
    }

    #[test]
    fn serialized_keys_are_the_documented_ones() {
        let r = CommandResult::from(PublishResult {
            hosted_path: "h/".into(),
            hosted_tarball: "h/t.tar.gz".into(),
            bucket: "b".into(),
            key: "k".into(),
            sha256: "0".repeat(64),
            size: 1,
            acl: "public-read".into(),
            dry_run: true,
        });
        let v = serde_json::to_value(&r).unwrap();
        // One spelling for every result: the reference's snake_case names.
        assert_eq!(v["dry_run"], true);
        assert_eq!(
            serde_json::to_value(Source::PlatformPackage).unwrap(),
            "platform-package"
        );
        let d = declarations().join("\n");
        assert!(d.contains("dry_run: boolean"), "{d}");
        assert!(!d.contains("dryRun") && !d.contains("lastModified"), "{d}");
        assert!(d.contains("size: number"), "{d}");
    }
}
