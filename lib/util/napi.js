'use strict';
// node-pre-gyp's lib/util/napi, through pregyp: tools that re-implement find() deep-import
// it beside lib/util/versioning (`get_best_napi_build_version`, then `evaluate`), under
// pregyp's name and under the old name (an npm alias). The helpers are node-pre-gyp's, as
// small as they are there; the validation is pregyp's own (the find() core's).

/** This Node's Node-API version (a string, as process.versions has it), or undefined. */
exports.get_napi_version = () => process.versions.napi;

exports.get_napi_version_as_string = () => (process.versions.napi ? `${process.versions.napi}` : '');

/** `binary.napi_versions` without duplicates, or undefined. */
exports.get_napi_build_versions_raw = (package_json) => {
  const out = [];
  for (const v of (package_json.binary && package_json.binary.napi_versions) || []) if (!out.includes(v)) out.push(v);
  return out.length ? out : undefined;
};

/** The versions of `binary.napi_versions` this Node can build (the highest only with build-latest-napi-version-only), or undefined. */
exports.get_napi_build_versions = (package_json, opts) => {
  const supported = exports.get_napi_version();
  let out = (exports.get_napi_build_versions_raw(package_json) || []).filter((v) => supported && v <= supported);
  if (opts && opts['build-latest-napi-version-only']) {
    const latest = Math.max(0, ...out);
    out = latest ? [latest] : [];
  }
  return out.length ? out : undefined;
};

/** The highest of them that this Node runs, or undefined: the one find() loads. */
exports.get_best_napi_build_version = (package_json, opts) => {
  const ours = exports.get_napi_version();
  const best = Math.max(0, ...(exports.get_napi_build_versions(package_json, opts) || []).filter((v) => v <= ours));
  return best || undefined;
};

/** Whether the package publishes Node-API builds only (its package_name has no {node_napi_label}). */
exports.build_napi_only = (package_json) => Boolean(package_json.binary && package_json.binary.package_name && !package_json.binary.package_name.includes('{node_napi_label}'));

/** Throws node-pre-gyp's error for a `binary` block whose Node-API settings do not agree. */
exports.validate_package_json = (package_json, opts) => {
  // The core validates a whole package.json: the fields node-pre-gyp's helper does not
  // look at get stand-ins, so that only the Node-API settings can fail.
  const fill = (o, stand) => Object.fromEntries(Object.entries({ ...stand, ...o }).map(([k, v]) => [k, v || stand[k] || v]));
  const binary = fill(package_json.binary, { module_name: 'probe', module_path: '.', host: 'https://probe.invalid/' });
  require('./versioning').evaluate({ ...fill(package_json, { name: 'probe', version: '0.0.0', main: 'index.js' }), binary }, opts);
};

exports.get_command_arg = (napi_build_version) => `napi_build_version=${napi_build_version}`;

exports.get_napi_build_version_from_command_args = (command_args) => {
  const arg = command_args.find((a) => a.startsWith('napi_build_version='));
  return arg === undefined ? undefined : parseInt(arg.slice('napi_build_version='.length), 10);
};

exports.get_build_dir = (napi_build_version) => `build-tmp-napi-v${napi_build_version}`;
