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
exports.validate_package_json = (package_json) => {
  // The core validates a whole package.json: it gets the fields node-pre-gyp's helper looks
  // at and stand-ins for the rest, so that only the Node-API settings can fail.
  const { module_path, remote_path, package_name, napi_versions } = package_json.binary || {};
  const binary = { module_name: 'probe', host: 'https://probe.invalid/', module_path: module_path || '.', remote_path, package_name, napi_versions };
  try {
    require('./versioning').evaluate({ name: 'probe', version: '0.0.0', main: 'index.js', binary }, {});
  } catch (e) {
    // The reference's words alone: the context pregyp adds would name the stand-ins.
    e.message = e.message.replace(/ \(in [^]*\)$/, '');
    throw e;
  }
};

exports.get_command_arg = (napi_build_version) => `napi_build_version=${napi_build_version}`;

// The commands that run once per Node-API version (install: for the best one only).
const PER_VERSION = ['build', 'clean', 'configure', 'package', 'publish', 'reveal', 'testbinary', 'testpackage', 'unpublish'];

/** `[{ name, args }]` with one call per Node-API version, each given `napi_build_version=N`, as node-pre-gyp's `Run` plans them. */
exports.expand_commands = (package_json, opts, commands) => {
  const versions = exports.get_napi_build_versions(package_json, opts);
  const out = [];
  for (const command of commands) {
    if (versions && command.name === 'install') {
      const best = exports.get_best_napi_build_version(package_json, opts);
      out.push({ name: command.name, args: best ? [exports.get_command_arg(best)] : [] });
    } else if (versions && PER_VERSION.includes(command.name)) {
      for (const v of versions) out.push({ name: command.name, args: [...command.args, exports.get_command_arg(v)] });
    } else {
      out.push(command);
    }
  }
  return out;
};

exports.get_napi_build_version_from_command_args = (command_args) => {
  const arg = command_args.find((a) => a.startsWith('napi_build_version='));
  return arg === undefined ? undefined : parseInt(arg.slice('napi_build_version='.length), 10);
};

exports.get_build_dir = (napi_build_version) => `build-tmp-napi-v${napi_build_version}`;
