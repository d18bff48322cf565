'use strict';
// node-pre-gyp's lib/util/versioning, through pregyp: scripts that deep-import it (a publish
// script reading `staged_tarball`, a copy script reading `module_path`) keep working under
// pregyp's name and under the old name (an npm alias). The values are pregyp's own
// evaluation (the find() core's `versioning` operation), plus `libc_version` (filled in
// only when a template names it).
const path = require('path');

const api = () => require('../..')[Symbol.for('pregyp.api')]();

/**
 * The evaluated `binary` block of a package.json object, as node-pre-gyp's
 * `evaluate(package_json, options, napi_build_version)` gives it: `options` are
 * node-pre-gyp's (`target`, `target_arch`, `runtime`, `debug`, `module_root`, ...), and
 * module_path is resolved against the current folder, or joined to `options.module_root`.
 */
exports.evaluate = (package_json, options, napi_build_version) => {
  options = options || {};
  if (napi_build_version && !(Number(napi_build_version) > 0 && Number.isInteger(Number(napi_build_version)))) {
    throw new Error(`napi_build_version must be a positive integer, not ${JSON.stringify(napi_build_version)}`);
  }
  const { values, filled_module_path } = api().versioning(package_json, options, napi_build_version);
  // JSON has no undefined: node-pre-gyp's absent values (debug, bucket, region) are undefined.
  for (const k of Object.keys(values)) if (values[k] === null) values[k] = undefined;
  if (napi_build_version) values.napi_build_version = napi_build_version;
  if (options.module_root) {
    // node-pre-gyp joins module_root and the filled-in module_path with path.join: a
    // relative root stays relative, a trailing separator stays.
    values.module_path = path.join(options.module_root, filled_module_path);
    values.module = path.join(values.module_path, `${values.module_name}.node`);
  }
  return values;
};

/** Throws node-pre-gyp's error for a package.json that is not ready. */
exports.validate_config = (package_json) => {
  api().versioning(package_json, {});
};

/** `node`, `electron` or `node-webkit`, from a `process.versions`. */
exports.get_process_runtime = (versions) => (versions['node-webkit'] ? 'node-webkit' : versions.electron ? 'electron' : 'node');

/** The ABI label of a runtime and version (`node-v115`, `electron-v30.1`), this process's without a version. */
exports.get_runtime_abi = (runtime, target_version) => {
  if (!runtime) throw new Error('get_runtime_abi requires valid runtime arg');
  const probe = { name: 'probe', version: '0.0.0', main: 'index.js', binary: { module_name: 'probe', module_path: '.', host: 'https://probe.invalid/' } };
  return api().versioning(probe, { runtime, target: target_version }).values.node_abi;
};
