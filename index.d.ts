// Types for pregyp's JS API. Every command function takes the same options as the
// CLI (`--flag=value` becomes `{ flag: value }`; `args` holds positional arguments)
// and resolves to one result per Node-API version built (one for plain packages).

/** Options of `find()` and `load()` (the reference's options; pregyp never reads process.argv). */
export interface FindOptions {
  debug?: boolean;
  runtime?: 'node' | 'electron' | 'node-webkit';
  target?: string;
  target_arch?: string;
  target_platform?: string;
  target_libc?: string;
  /** Resolve module_path against this folder instead of the package.json's folder. */
  module_root?: string;
  /**
   * Install a missing binding synchronously (download, verify, unpack) before returning
   * (also `PREGYP_INSTALL_ON_FIND=1`). Off by default: see the README, "Install on first use".
   */
  install?: boolean;
}

// <generated:error-codes>
/** Every `err.code` pregyp sets. */
export type ErrorCode =
  | 'E_BAD_ARCHIVE'
  | 'E_BAD_PACKAGE_JSON'
  | 'E_BINDING_LOAD'
  | 'E_BINDING_MISSING'
  | 'E_CLEAN_REFUSED'
  | 'E_COMMAND_FAILED'
  | 'E_DOWNLOAD_FORBIDDEN'
  | 'E_DOWNLOAD_NETWORK'
  | 'E_DOWNLOAD_NOT_FOUND'
  | 'E_DOWNLOAD_STALLED'
  | 'E_DOWNLOAD_STATUS'
  | 'E_GYP_NOT_FOUND'
  | 'E_INTEGRITY'
  | 'E_INVALID_FIELD'
  | 'E_INVALID_HOST'
  | 'E_INVALID_OPTION'
  | 'E_INVALID_S3_HOST'
  | 'E_IO'
  | 'E_LOCKED'
  | 'E_MIGRATE_REFUSED'
  | 'E_NAPI_VERSION'
  | 'E_NOT_READY'
  | 'E_NO_PACKAGE_JSON'
  | 'E_NO_STAGED_TARBALL'
  | 'E_OFFLINE_CACHE_MISS'
  | 'E_PACKAGE_MISSING_BINARY'
  | 'E_PUBLISH_EXISTS'
  | 'E_S3'
  | 'E_S3_CREDENTIALS'
  | 'E_S3_HOST'
  | 'E_SOME_FAILED'
  | 'E_TASK'
  | 'E_UNKNOWN_OPTION'
  | 'E_UNKNOWN_TARGET'
  | 'E_UNSAFE_ARCHIVE'
  | 'E_UNSUPPORTED_TARGET'
  | 'E_USAGE'
  | 'E_PREGYP_NO_BINARY'
  | 'E_PREGYP_VERSION_MISMATCH';
// </generated:error-codes>

/** Errors thrown or rejected by pregyp carry a stable code. */
export interface PregypError extends Error {
  code: ErrorCode;
}

// <generated:options>
/** Options of every command: the CLI's flags (`--flag=value` is `{ flag: value }`), plus positional `args`. */
export interface CommandOptions {
  /** Positional arguments of the command. */
  args?: string[];
  /** run in <dir> (the package folder) */
  directory?: string;
  /** compile instead of downloading (all packages, or a comma list of names) Also: PREGYP_BUILD_FROM_SOURCE. */
  'build-from-source'?: boolean | string;
  /** compile when no binary can be installed (`=false` turns it off) */
  'fallback-to-build'?: boolean | string;
  /** reinstall even if the binding exists */
  'update-binary'?: boolean;
  /** the runtime to build or install for */
  runtime?: 'node' | 'electron' | 'node-webkit';
  /** the runtime version to build or install for (X.Y.Z) */
  target?: string;
  /** cross-target: the architecture */
  target_arch?: string;
  /** cross-target: the platform */
  target_platform?: string;
  /** cross-target: the libc (glibc, musl) */
  target_libc?: string;
  /** passed to node-gyp */
  arch?: string;
  /** the folder module_path is relative to (default: the package folder) (clean, install, reinstall, build, rebuild, configure, package, testpackage, testbinary, publish, unpublish, info, reveal, explain, checksums) */
  module_root?: string;
  /** Debug configuration (--release: Release, the default) */
  debug?: boolean;
  /** the {toolset} template variable, passed to node-gyp */
  toolset?: string;
  /** log verbosity (--silent, --verbose and --silly are shorthands) */
  loglevel?: 'silent' | 'error' | 'warn' | 'notice' | 'http' | 'info' | 'verbose' | 'silly';
  /** the ACL of published objects (default public-read, or binary.acl) (publish, reveal) */
  acl?: string;
  /** with staging_host and production_host: which one Also: node_pre_gyp_s3_host. */
  s3_host?: 'staging' | 'production';
  /** proxy for http URLs (and https ones without --https-proxy) Also: HTTP_PROXY, http_proxy. */
  proxy?: string;
  /** proxy for https URLs Also: HTTPS_PROXY, https_proxy. */
  'https-proxy'?: string;
  /** hosts reached without the proxy (comma list) Also: NO_PROXY, no_proxy. */
  noproxy?: string;
  /** an extra trusted CA certificate (PEM text) */
  ca?: string;
  /** a file of extra trusted CA certificates (PEM) Also: NODE_EXTRA_CA_CERTS, SSL_CERT_FILE. */
  cafile?: string;
  /** --strict-ssl=false turns certificate checks off */
  'strict-ssl'?: boolean;
  /** retries of a failed download (default 3) */
  'fetch-retries'?: number | string;
  /** longest silence of a download in ms, connecting or between reads (default 20000; 0: none, as in npm) */
  'fetch-timeout'?: number | string;
  /** first retry delay in ms, doubled each time (default 200) */
  'fetch-retry-mintimeout'?: number | string;
  /** install from the cache only */
  offline?: boolean;
  /** the download cache folder (default <npm cache>/_pregyp) Also: PREGYP_CACHE. */
  'pregyp-cache'?: string;
  /** npm's cache folder (the download cache goes in its _pregyp folder) */
  cache?: string;
  /** refuse archives that unpack to more (default 1gb) */
  'max-unpacked-size'?: number | string;
  /** build only the highest Node-API version */
  'build-latest-napi-version-only'?: boolean;
  /** print results as JSON */
  json?: boolean;
  /** --no-color: log lines without colours (also NO_COLOR, npm_config_color=false) */
  color?: boolean;
  /** clean without its `Removing` line (clean, rebuild, reinstall) */
  silent_clean?: boolean;
  /** say what would be done, change nothing: no file, bucket or registry is written, nothing is downloaded or built */
  'dry-run'?: boolean;
  /** packages healed at once (default 4) (heal) */
  concurrency?: number | string;
  /** store the result in package.json (checksums, optional-deps) */
  write?: boolean;
  /** keep the node-pre-gyp dependency's name as an npm alias of pregyp (code and scripts keep working unchanged) (migrate) */
  'keep-name'?: boolean;
  /** the platform package targets, comma list (default: the tarballs of this version found on the host, else this machine) (migrate) */
  targets?: string;
  /** the release workflow to write (default github: .github/workflows/prebuild.yml) (migrate) */
  workflow?: 'github' | 'none';
  /** go ahead despite uncommitted changes in git (migrate) */
  yes?: boolean;
  /** a folder of staged tarballs of every target (a CI matrix's artifacts) (platform-package) */
  from?: string;
  /** the npm script that builds (default: run the command, or `npm run build`) (postinstall-build) */
  script?: string;
  /** skip when installing the package's own folder (postinstall-build) */
  'only-as-dependency'?: boolean;
  /** --ensure=false: node-gyp does not download headers (configure, build, rebuild) */
  ensure?: boolean;
  /** passed to node-gyp: where to download headers from */
  'dist-url'?: string;
  /** passed to node-gyp: the python to use */
  python?: string;
  /** passed to node-gyp: Node's source or headers folder */
  nodedir?: string;
  /** passed to node-gyp: the Visual Studio version */
  msvs_version?: string;
  /** passed to node-gyp: parallel compile jobs */
  jobs?: string;
}
// </generated:options>

// <generated:results>
/** How the binding got into place. */
export type InstallSource = "remote" | "cache" | "file" | "s3" | "existing" | "build" | "platform-package";
/** `install`: where the binding is and how it got there. */
export type InstallResult = {
  /** Absolute path of the installed binding. */
  path: string;
  /** How it got there. */
  source: InstallSource;
  /** The tarball URL (credentials removed); null when a platform package provides the binding. */
  url: string | null;
  /** sha256 of the tarball, when one was unpacked. */
  sha256: string | null;
  /** The platform package holding the binding (source 'platform-package'), else null. */
  package: string | null;
  /** `--dry-run`: nothing was downloaded, built or written; `source` is what would be used. */
  dry_run: boolean;
};
/** `clean`: the folder removed. */
export type CleanResult = {
  /** The folder clean removes (module_path, or the binding's folder). */
  module_path: string;
  /** Whether it existed and was removed. */
  removed: boolean;
  /** The Node-API version of this step, for Node-API packages. */
  napi_build_version: number | null;
  /** `--dry-run`: nothing was removed. */
  dry_run: boolean;
};
/** `build` and `configure`: the binding node-gyp builds. */
export type BuildResult = {
  /** Absolute path of the binding. */
  module: string;
  /** The folder holding it. */
  module_path: string;
  /** The Node-API version of this step, for Node-API packages. */
  napi_build_version: number | null;
  /** `--dry-run`: node-gyp was not run. */
  dry_run: boolean;
};
/** `package`: the staged tarball. */
export type PackageResult = {
  /** Absolute path of the tarball. */
  tarball: string;
  /** Its sha256 (hex). */
  sha256: string;
  /** Its size in bytes. */
  size: number;
  /** `--dry-run`: nothing was packed (sha256 empty, size 0). */
  dry_run: boolean;
};
/** `checksums`: one staged tarball's entry of `binary.checksums`. */
export type ChecksumResult = {
  /** The key in `binary.checksums` (the target). */
  key: string;
  /** The tarball's file name. */
  package_name: string;
  /** Its sha256 (hex). */
  sha256: string;
  /** Its size in bytes. */
  size: number;
  /** Absolute path of the tarball. */
  tarball: string;
};
/** `testpackage`: the staged tarball checked. */
export type TestpackageResult = {
  /** Absolute path of the tarball. */
  tarball: string;
  /** Whether its binding was test-loaded (not when cross-compiling). */
  tested: boolean;
  /** Regular files in it. */
  files: number;
};
/** `testbinary`: the binding test-loaded. */
export type TestbinaryResult = {
  /** Absolute path of the binding. */
  module: string;
  /** The Node-API version of this step, for Node-API packages. */
  napi_build_version: number | null;
  /** Whether it was loaded (not for other runtimes or targets). */
  tested: boolean;
};
/** `publish`: the object written (or, with `--dry-run`, that would be). */
export type PublishResult = {
  /** `hosted_path` as evaluated. */
  hosted_path: string;
  /** The tarball's URL. */
  hosted_tarball: string;
  /** The bucket. */
  bucket: string;
  /** The object key. */
  key: string;
  /** sha256 of the tarball (also stored as `<key>.sha256`). */
  sha256: string;
  /** Its size in bytes. */
  size: number;
  /** The canned ACL. */
  acl: string;
  /** `--dry-run`: nothing was uploaded. */
  dry_run: boolean;
};
/** `unpublish`: the object removed. */
export type UnpublishResult = {
  /** The tarball's URL. */
  hosted_tarball: string;
  /** The object key. */
  key: string;
  /** Whether it existed and was removed. */
  removed: boolean;
  /** `--dry-run`: nothing was removed. */
  dry_run: boolean;
};
/** One object `info` lists. */
export type PublishedObject = {
  /** The object key. */
  key: string;
  /** Its size in bytes. */
  size: number;
  /** When it was last modified (RFC 3339), if the server says. */
  last_modified: string | null;
};
/** `info`: the published objects under the package's prefix. */
export type InfoResult = Array<PublishedObject>;
/** `postinstall-build`: whether it built, and what it installed for that. */
export type PostinstallBuildResult = {
  /** Whether the build ran. */
  built: boolean;
  /** Why nothing was built ('artifact exists', 'not a dependency', 'recursion'), else null. */
  skipped: string | null;
  /** The artifact checked. */
  artifact: string | null;
  /** The build command run (secrets redacted), when it ran. */
  command: string | null;
  /** The package manager that installed the build dependencies. */
  package_manager: string | null;
  /** The build dependencies installed for the build. */
  installed: Array<string>;
  /** The build dependencies removed afterwards. */
  removed: Array<string>;
};
/** `explain`: a cached tarball. */
export type CacheHit = {
  /** The cached file. */
  path: string;
  /** Its sha256. */
  sha256: string;
};
/** `explain`: whether a source build is possible here. */
export type ExplainedBuild = {
  /** Whether a build could run. */
  possible: boolean;
  /** The node-gyp found. */
  node_gyp: string | null;
  /** Why no node-gyp was found. */
  node_gyp_error: string | null;
  /** The C++ compiler found. */
  compiler: string | null;
  /** Whether the package has a binding.gyp. */
  binding_gyp: boolean;
};
/** `explain`: the cache. */
export type ExplainedCache = {
  /** The cache folder. */
  dir: string;
  /** The cached tarball for this target, if any. */
  hit: CacheHit | null;
};
/** `explain`: the package. */
export type ExplainedPackage = {
  /** Its name. */
  name: string;
  /** Its version. */
  version: string;
  /** Its folder. */
  dir: string;
};
/** `explain`: the target the binding is for. */
export type ExplainedTarget = {
  /** node, electron or node-webkit. */
  runtime: string;
  /** `node_abi` as evaluated. */
  node_abi: string | null;
  /** The running Node's Node-API version. */
  napi_version: number | null;
  /** `binary.napi_versions`. */
  napi_versions_declared: Array<number> | null;
  /** The Node-API version chosen. */
  napi_build_version: number | null;
  /** The platform. */
  platform: string;
  /** The architecture. */
  arch: string;
  /** The libc. */
  libc: string;
  /** The glibc version, when known. */
  libc_version: string | null;
};
/** `explain`: a host install would try. */
export type HostCandidate = {
  /** 'mirror' or 'binary.host'. */
  kind: string;
  /** The host (credentials removed). */
  host: string;
  /** Whether install uses it. */
  used: boolean;
};
/** `explain`: an installed platform package providing the binding. */
export type ProvidedBy = {
  /** Its name. */
  name: string;
  /** Its version. */
  version: string;
  /** The binding in it. */
  path: string;
};
/** `explain`: what install would do for this package, and why. */
export type ExplainResult = {
  /** The package. */
  package: ExplainedPackage;
  /** The target. */
  target: ExplainedTarget;
  /** Absolute path of the binding. */
  module: string;
  /** The platform package lookup, in words. */
  platform_package: string | null;
  /** The installed platform package providing the binding. */
  provided_by: ProvidedBy | null;
  /** Whether the binding exists. */
  exists: boolean;
  /** Whether it loads (null when not checked). */
  loads: boolean | null;
  /** Why it does not load. */
  load_error: string | null;
  /** The hosts, in the order install tries them. */
  hosts: Array<HostCandidate>;
  /** The tarball URL (credentials removed). */
  tarball: string;
  /** The expected sha256 from `binary.checksums`. */
  checksum: string | null;
  /** The cache. */
  cache: ExplainedCache;
  /** Whether a source build is possible. */
  build: ExplainedBuild;
  /** What install would do, in words. */
  install_would: string;
  /**
   * When the binding is missing and the package has an install script: how the
   * project's package manager approves it, and `pregyp heal` (null otherwise).
   */
  blocked_script: string | null;
};
/** `heal`: one package it installed (or failed to). */
export type HealedPackage = {
  /** `name@version`. */
  name: string;
  /** Its folder. */
  dir: string;
  /**
   * What installs its binding: 'node-pre-gyp', 'prebuild-install', 'node-gyp-build'
   * or 'binding.gyp'.
   */
  kind: string;
  /** 'missing', 'broken', or 'invalid' (its package.json could not be evaluated). */
  was: string;
  /** How its binding got there (null when it failed). */
  source: InstallSource | null;
  /** Time taken. */
  ms: number;
  /** Whether it now has a binding that loads. */
  ok: boolean;
  /** Why not. */
  error: string | null;
};
/** `heal --dry-run`: one package it would install. */
export type PendingPackage = {
  /** Its name. */
  name: string;
  /** Its folder. */
  dir: string;
  /**
   * What installs its binding: 'node-pre-gyp', 'prebuild-install', 'node-gyp-build'
   * or 'binding.gyp'.
   */
  kind: string;
  /** 'missing' or 'broken'. */
  state: string;
};
/** `heal`: what it did (or, with `--dry-run`, would do). */
export type HealResult = {
  /** The packages installed (or failed), by name. */
  healed: Array<HealedPackage>;
  /** `--dry-run`: the packages it would install. */
  would_install: Array<PendingPackage>;
  /** Packages whose binding was already there and loads. */
  already_working: number;
  /**
   * Native packages heal leaves alone (a binding.gyp and an install script of their own,
   * which heal does not run) whose binding does not load.
   */
  left_alone: Array<string>;
};
/** `platform-package`: one platform package written. */
export type PlatformPackage = {
  /** Its npm name. */
  name: string;
  /** Its version (the root package's). */
  version: string;
  /** Where it was written (build/npm/<name>). */
  dir: string;
  /** The bindings it holds, relative to its root (module_path as evaluated). */
  bindings: Array<string>;
};
/** `platform-package`: the packages written. */
export type PlatformPackageResult = Array<PlatformPackage>;
/** `optional-deps`: each platform package's name and version. */
export type OptionalDepsResult = Record<string, string>;
/** `migrate`: what it changed (or, with `--dry-run`, would change) and what it left. */
export type MigrateResult = {
  /** Nothing was written. */
  dry_run: boolean;
  /** The files changed (or to change), relative to the package folder. */
  files: Array<string>;
  /** The unified diff of every change. */
  diff: string;
  /** Lines added plus lines removed. */
  lines_changed: number;
  /** The platform package targets. */
  targets: Array<string>;
  /** Where the targets came from: `--targets`, `binary.platform_packages`, `host` or `this machine`. */
  targets_from: string;
  /** Call sites left for a person, as `file:line: code`. */
  manual: Array<string>;
  /** Files it could not parse, left untouched, with the reason. */
  unparsed: Array<string>;
  /** What a person still has to do. */
  todo: Array<string>;
};
/** `reveal`: the evaluated configuration, or the one value asked for. */
export type RevealResult = Record<string, string | number | boolean | null> | string;
/** What one step of each command resolves to (the JSON that `--json` prints). */
export interface CommandResults {
  clean: CleanResult;
  install: InstallResult;
  reinstall: CleanResult | InstallResult;
  build: BuildResult;
  rebuild: CleanResult | BuildResult;
  package: PackageResult;
  testpackage: TestpackageResult;
  publish: PublishResult;
  unpublish: UnpublishResult;
  info: InfoResult;
  testbinary: TestbinaryResult;
  reveal: RevealResult;
  configure: BuildResult;
  'postinstall-build': PostinstallBuildResult;
  explain: ExplainResult;
  heal: HealResult;
  checksums: ChecksumResult;
  'platform-package': PlatformPackageResult;
  'optional-deps': OptionalDepsResult;
  migrate: MigrateResult;
}
// </generated:results>

/**
 * Absolute path of the binding to `require` (synchronous, cheap): in module_path, else in
 * the installed platform package for this target, else the module_path one. Like the
 * reference it never throws for a missing binding (only for an invalid package.json).
 */
export function find(packageJsonPathOrDir: string, opts?: FindOptions): string;
/**
 * Finds and `require`s the binding of the package whose package.json (a path ending in
 * `.json`) or folder is given. A missing binding throws `E_BINDING_MISSING`, one that does
 * not load `E_BINDING_LOAD`, each explaining the package, path, target, likely cause and fix.
 */
export function load<T = any>(packageJsonPathOrDir: string, opts?: FindOptions): T;
/**
 * Runs a command line (without `node` and the script name); resolves to the exit code.
 * `opts.program` is the name it runs under: `node-pre-gyp` logs in the reference's shape.
 */
export function run(argv: string[], opts?: { program?: 'pregyp' | 'node-pre-gyp' }): Promise<number>;
/** The evaluated configuration (the `reveal` JSON), one per Node-API version; with a key in `args`, that value as a string. */
export function reveal(opts?: CommandOptions): RevealResult[];
/**
 * node-pre-gyp's programmatic `Run`, for scripts that drive it as a library: `new Run()`
 * (0.x) or `new Run({ package_json_path, argv })` (2.x, `argv` a whole `process.argv`).
 * Each of `commands` runs as `node-pre-gyp <command> <args>` would in the package's folder,
 * with `opts` as flags, and calls back `callback(err)` or `callback()`; without a callback
 * it returns a promise.
 */
export class Run {
  constructor(opts?: { package_json_path?: string; argv?: string[] });
  package_json_path: string;
  /** The options (nopt's shape: `{ 'fallback-to-build': true, target: '20.0.0', argv: {...} }`). */
  opts: Record<string, any>;
  /** The commands and their arguments, as written. */
  argv: string[];
  /** The commands to run, in order (one per Node-API version, with `napi_build_version=N`). */
  todo: { name: string; args: string[] }[];
  /** The package's package.json, read by parseArgv. */
  package_json?: any;
  commands: Record<string, (args?: string[], callback?: (err?: Error | null) => void) => Promise<void> | undefined>;
  /** Reads a whole `process.argv`, as node-pre-gyp's does. */
  parseArgv(argv: string[]): void;
  /** node-pre-gyp's choice of `package_json.binary.host` between staging_host and production_host for `command`. */
  setBinaryHostProperty(command?: string): string;
  usage(): string;
  readonly version: string;
}

// <generated:commands>
/** `clean`: Removes the entire folder containing the compiled .node module. Resolves to one result per step (per Node-API version built). */
export function clean(opts?: CommandOptions): Promise<CommandResults['clean'][]>;
/** `install`: Attempts to install pre-built binary for module. Resolves to one result per step (per Node-API version built). */
export function install(opts?: CommandOptions): Promise<CommandResults['install'][]>;
/** `reinstall`: Runs "clean" and "install" at once. Resolves to one result per step (per Node-API version built). */
export function reinstall(opts?: CommandOptions): Promise<CommandResults['reinstall'][]>;
/** `build`: Attempts to compile the module by dispatching to node-gyp or nw-gyp. Resolves to one result per step (per Node-API version built). */
export function build(opts?: CommandOptions): Promise<CommandResults['build'][]>;
/** `rebuild`: Runs "clean" and "build" at once. Resolves to one result per step (per Node-API version built). */
export function rebuild(opts?: CommandOptions): Promise<CommandResults['rebuild'][]>;
/** `package`: Packs binary (and enclosing directory) into locally staged tarball. Resolves to one result per step (per Node-API version built). */
export function package(opts?: CommandOptions): Promise<CommandResults['package'][]>;
/** `testpackage`: Tests that the staged package is valid. Resolves to one result per step (per Node-API version built). */
export function testpackage(opts?: CommandOptions): Promise<CommandResults['testpackage'][]>;
/** `publish`: Publishes pre-built binary to S3. Resolves to one result per step (per Node-API version built). */
export function publish(opts?: CommandOptions): Promise<CommandResults['publish'][]>;
/** `unpublish`: Unpublishes pre-built binary from S3. Resolves to one result per step (per Node-API version built). */
export function unpublish(opts?: CommandOptions): Promise<CommandResults['unpublish'][]>;
/** `info`: Lists all published binaries. Resolves to one result per step (per Node-API version built). */
export function info(opts?: CommandOptions): Promise<CommandResults['info'][]>;
/** `testbinary`: Tests that the binary.node can be required. Resolves to one result per step (per Node-API version built). */
export function testbinary(opts?: CommandOptions): Promise<CommandResults['testbinary'][]>;
/** `configure`: Attempts to configure node-gyp or nw-gyp build. Resolves to one result per step (per Node-API version built). */
export function configure(opts?: CommandOptions): Promise<CommandResults['configure'][]>;
/** `postinstall-build`: Builds in postinstall only when an artifact is missing. Resolves to one result per step (per Node-API version built). */
export function postinstallBuild(opts?: CommandOptions): Promise<CommandResults['postinstall-build'][]>;
/** `explain`: Explains what install would do for this package, and why. Resolves to one result per step (per Node-API version built). */
export function explain(opts?: CommandOptions): Promise<CommandResults['explain'][]>;
/** `heal`: Installs every missing or broken binding under node_modules. Resolves to one result per step (per Node-API version built). */
export function heal(opts?: CommandOptions): Promise<CommandResults['heal'][]>;
/** `checksums`: Prints (or with --write stores) binary.checksums for the staged tarballs. Resolves to one result per step (per Node-API version built). */
export function checksums(opts?: CommandOptions): Promise<CommandResults['checksums'][]>;
/** `platform-package`: Writes build/npm/<package>/, the npm package carrying this target's bindings (--from <dir>: every target's, from staged tarballs). Resolves to one result per step (per Node-API version built). */
export function platformPackage(opts?: CommandOptions): Promise<CommandResults['platform-package'][]>;
/** `optional-deps`: Prints (or with --write stores) optionalDependencies on every platform package; --write also drops a node-pre-gyp install script and sets gypfile: false. Resolves to one result per step (per Node-API version built). */
export function optionalDeps(opts?: CommandOptions): Promise<CommandResults['optional-deps'][]>;
/** `migrate`: Moves a node-pre-gyp package in place onto pregyp, platform packages and a release workflow; prints the diff and what is left to do. Resolves to one result per step (per Node-API version built). */
export function migrate(opts?: CommandOptions): Promise<CommandResults['migrate'][]>;
// </generated:commands>
