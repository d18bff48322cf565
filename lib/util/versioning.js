'use strict';
// node-pre-gyp's lib/util/versioning, through pregyp: scripts that deep-import it (a publish
// script reading `staged_tarball`, a copy script reading `module_path`) keep working under
// pregyp's name and under the old name (an npm alias). The values are pregyp's own
// evaluation (the find() core's `versioning` operation), the ones `pregyp reveal` prints.
const api = () => require('../..')[Symbol.for('pregyp.api')]();

/**
 * The evaluated `binary` block of a package.json object, as node-pre-gyp's
 * `evaluate(package_json, options, napi_build_version)` gives it: `options` are
 * node-pre-gyp's (`target`, `target_arch`, `runtime`, `debug`, `module_root`, ...), and
 * module_path is resolved against `options.module_root`, else the current folder.
 */
exports.evaluate = (package_json, options, napi_build_version) => {
  const values = api().versioning(package_json, options || {}, napi_build_version);
  // JSON has no undefined: node-pre-gyp's absent values (debug, bucket, region) are undefined.
  for (const k of Object.keys(values)) if (values[k] === null) values[k] = undefined;
  // node-pre-gyp joins module_root and module_path with path.join, which keeps a trailing
  // separator (its path.resolve without module_root does not).
  const written = package_json && package_json.binary && package_json.binary.module_path;
  if (options && options.module_root && typeof written === 'string' && /[\\/]$/.test(written)) values.module_path += require('path').sep;
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
  return api().versioning(probe, { runtime, target: target_version }).node_abi;
};
