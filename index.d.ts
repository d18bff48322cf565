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

/** Errors thrown or rejected by pregyp carry a stable code. */
export interface PregypError extends Error {
  code:
    | 'E_NO_PACKAGE_JSON' | 'E_BAD_PACKAGE_JSON' | 'E_NOT_READY' | 'E_INVALID_FIELD' | 'E_INVALID_HOST'
    | 'E_NAPI_VERSION' | 'E_INVALID_S3_HOST' | 'E_UNKNOWN_TARGET' | 'E_UNSUPPORTED_TARGET' | 'E_INVALID_OPTION'
    | 'E_USAGE' | 'E_IO' | 'E_DOWNLOAD_NOT_FOUND' | 'E_DOWNLOAD_FORBIDDEN' | 'E_DOWNLOAD_STATUS'
    | 'E_DOWNLOAD_NETWORK' | 'E_INTEGRITY' | 'E_UNSAFE_ARCHIVE' | 'E_BAD_ARCHIVE' | 'E_OFFLINE_CACHE_MISS'
    | 'E_BINDING_MISSING' | 'E_GYP_NOT_FOUND' | 'E_COMMAND_FAILED' | 'E_PACKAGE_MISSING_BINARY'
    | 'E_NO_STAGED_TARBALL' | 'E_CLEAN_REFUSED' | 'E_PUBLISH_EXISTS' | 'E_S3_HOST' | 'E_S3'
    | 'E_S3_CREDENTIALS' | 'E_BINDING_LOAD' | 'E_SOME_FAILED' | 'E_PREGYP_NO_BINARY';
}

/** Options shared by every command: any CLI flag, plus positional `args`. */
export interface CommandOptions {
  /** The package folder (default: process.cwd()). */
  directory?: string;
  args?: string[];
  loglevel?: 'silent' | 'error' | 'warn' | 'notice' | 'http' | 'info' | 'verbose' | 'silly';
  'build-from-source'?: boolean | string;
  'fallback-to-build'?: boolean | string;
  'update-binary'?: boolean;
  runtime?: 'node' | 'electron' | 'node-webkit';
  target?: string;
  target_arch?: string;
  target_platform?: string;
  target_libc?: string;
  debug?: boolean;
  proxy?: string;
  'https-proxy'?: string;
  noproxy?: string;
  ca?: string;
  cafile?: string;
  'strict-ssl'?: boolean;
  'fetch-retries'?: number;
  'fetch-timeout'?: number;
  offline?: boolean;
  'pregyp-cache'?: string;
  'max-unpacked-size'?: string | number;
  acl?: string;
  s3_host?: 'staging' | 'production';
  /** `platform-package`: build every target's package from the staged tarballs under this folder. */
  from?: string;
  /** `checksums`, `optional-deps`: store the result in package.json. */
  write?: boolean;
  json?: boolean;
  'dry-run'?: boolean;
  concurrency?: number;
  [flag: string]: string | number | boolean | string[] | undefined;
}

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

export function install(opts?: CommandOptions): Promise<InstallResult[]>;
export function build(opts?: CommandOptions): Promise<{ module: string; napi_build_version: number | null }[]>;
export function rebuild(opts?: CommandOptions): Promise<unknown[]>;
export function configure(opts?: CommandOptions): Promise<unknown[]>;
export function clean(opts?: CommandOptions): Promise<unknown[]>;
export function package(opts?: CommandOptions): Promise<PackageResult[]>;
export function testpackage(opts?: CommandOptions): Promise<unknown[]>;
export function testbinary(opts?: CommandOptions): Promise<unknown[]>;
export function publish(opts?: CommandOptions): Promise<unknown[]>;
export function unpublish(opts?: CommandOptions): Promise<unknown[]>;
export function info(opts?: CommandOptions): Promise<PublishedObject[][]>;
export function postinstallBuild(opts?: CommandOptions): Promise<unknown[]>;
export function explain(opts?: CommandOptions): Promise<unknown[]>;
export function heal(opts?: CommandOptions): Promise<unknown[]>;
/** `platform-package [--from <dir>]`: writes build/npm/<name>/ per target. */
export function platformPackage(opts?: CommandOptions): Promise<PlatformPackageResult[][]>;
/** `optional-deps [--write]`: `{ <platform package>: <root version> }`. */
export function optionalDeps(opts?: CommandOptions): Promise<Record<string, string>[]>;
