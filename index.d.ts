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
  /** Debug configuration (--release: Release, the default) */
  debug?: boolean;
  /** the {toolset} template variable, passed to node-gyp */
  toolset?: string;
  /** log verbosity (--silent, --verbose and --silly are shorthands) */
  loglevel?: 'silent' | 'error' | 'warn' | 'notice' | 'http' | 'info' | 'verbose' | 'silly';
  /** the ACL of published objects (default public-read, or binary.acl) (publish) */
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
  /** longest silence of a download in ms, connecting or between reads (default 20000) */
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
  /** say what would be done, do nothing (heal, publish) */
  'dry-run'?: boolean;
  /** packages healed at once (default 4) (heal) */
  concurrency?: number | string;
  /** store the result in package.json (checksums, optional-deps) */
  write?: boolean;
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

export interface InstallResult {
  /** Absolute path of the installed binding. */
  path: string;
  source: 'remote' | 'cache' | 'file' | 's3' | 'existing' | 'build' | 'platform-package';
  /** The tarball URL (credentials removed); null when a platform package provides the binding. */
  url: string | null;
  /** The platform package holding the binding (source 'platform-package'). */
  package?: string;
  /** sha256 of the tarball, when one was unpacked. */
  sha256: string | null;
}

export interface PackageResult {
  tarball: string;
  sha256: string;
  size: number;
}

/** What one step of each command resolves to (the JSON that `--json` prints). */
export interface CommandResults {
  clean: { module_path: string; removed: boolean; napi_build_version: number | null };
  install: InstallResult;
  reinstall: CleanOrInstall;
  build: BuildResult;
  rebuild: CleanOrBuild;
  configure: BuildResult;
  package: PackageResult;
  testpackage: { tarball: string; tested: boolean; files: number };
  testbinary: { module: string; napi_build_version: number | null; tested: boolean };
  publish: PublishResult;
  unpublish: { hosted_tarball: string; key: string; removed: boolean; dryRun?: boolean };
  info: PublishedObject[];
  checksums: { key: string; package_name: string; sha256: string; size: number; tarball: string };
  'postinstall-build': PostinstallBuildResult;
  explain: ExplainResult;
  heal: HealResult;
  'platform-package': PlatformPackageResult[];
  'optional-deps': Record<string, string>;
}

export interface BuildResult {
  module: string;
  module_path: string;
  napi_build_version: number | null;
}
/** `rebuild` runs clean then build: one result of each per Node-API version. */
export type CleanOrBuild = CommandResults['clean'] | BuildResult;
/** `reinstall` runs clean then install. */
export type CleanOrInstall = CommandResults['clean'] | InstallResult;

export interface PublishResult {
  hosted_tarball: string;
  key: string;
  sha256: string;
  size: number;
  acl: string;
  hosted_path?: string;
  bucket?: string;
  /** Set by `--dry-run`: nothing was uploaded. */
  dryRun?: boolean;
}

export interface PostinstallBuildResult {
  built: boolean;
  /** Why nothing was built ('artifact exists', 'not a dependency', 'recursion'), else null. */
  skipped: string | null;
  artifact?: string | null;
  command?: string;
  package_manager?: string;
  installed?: string[];
  removed?: string[];
}

export interface ExplainResult {
  package: { name: string; version: string; dir: string };
  target: {
    runtime: string;
    node_abi: string | null;
    napi_version: number | null;
    napi_versions_declared: number[] | null;
    napi_build_version: number | null;
    platform: string;
    arch: string;
    libc: string;
    libc_version: string | null;
  };
  module: string;
  platform_package: string | null;
  provided_by: { name: string; version: string; path: string } | null;
  exists: boolean;
  loads: boolean | null;
  load_error: string | null;
  hosts: { kind: string; host: string; used: boolean }[];
  tarball: string;
  checksum: string | null;
  cache: { dir: string; hit: { path: string; sha256: string } | null };
  build: { possible: boolean; node_gyp: string | null; node_gyp_error: string | null; compiler: string | null; binding_gyp: boolean };
  install_would: string;
}

/** Per package healed (`--dry-run`: `{ would_install }`; nothing to do: `{ healed: [], ok }`). */
export type HealResult =
  | { name: string; dir: string; was: string; source: string; ms: number; ok: boolean; error: string | null }[]
  | { would_install: { name: string; dir: string; state: string }[] }
  | { healed: never[]; ok: number };

export interface PublishedObject {
  key: string;
  size: number;
  lastModified: string | null;
}

/** A platform package written by `platform-package`. */
export interface PlatformPackageResult {
  name: string;
  version: string;
  /** build/npm/<name> */
  dir: string;
  /** The bindings it holds, relative to its root (module_path as evaluated). */
  bindings: string[];
}

/**
 * Absolute path of the binding to `require` (synchronous, cheap): in module_path, else in
 * the installed platform package for this target, else the module_path one. Like the
 * reference it never throws for a missing binding (only for an invalid package.json).
 */
export function find(packageJsonPath: string, opts?: FindOptions): string;
/**
 * Finds and `require`s the binding of the package whose package.json (a path ending in
 * `.json`) or folder is given. A missing binding throws `E_BINDING_MISSING`, one that does
 * not load `E_BINDING_LOAD`, each explaining the package, path, target, likely cause and fix.
 */
export function load<T = any>(packageJsonPathOrDir: string, opts?: FindOptions): T;
/** Runs a command line (without `node` and the script name); resolves to the exit code. */
export function run(argv: string[]): Promise<number>;
/** The evaluated configuration (the `reveal` JSON), one per Node-API version. */
export function reveal(opts?: CommandOptions): Record<string, string | number | boolean>[];

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
/** `optional-deps`: Prints (or with --write stores) optionalDependencies on every platform package. Resolves to one result per step (per Node-API version built). */
export function optionalDeps(opts?: CommandOptions): Promise<CommandResults['optional-deps'][]>;
// </generated:commands>
