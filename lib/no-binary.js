'use strict';
// The CLI where pregyp's full tool is missing (platforms without one, or offline with
// PREGYP_FETCH_SELF=0). It cannot download (HTTP, TLS, checksums and the safe unpacker live
// in the full tool), but an addon's install script must still end with a working addon, as
// under the reference: `install` with --fallback-to-build or --build-from-source (or their
// npm_config_* / PREGYP_* variables) and `rebuild`/`build` run node-gyp with the values the
// reference passes it (its `share_with_node_gyp`). The command line is the find() core's to
// read (its `plan` operation: the full CLI's own parser, options and variables, with the
// package's evaluated values); this file only acts on the answer. Anything else fails with
// the E_PREGYP_NO_BINARY explanation.
const fs = require('fs');
const path = require('path');
const { spawnSync } = require('child_process');

// The values node-gyp receives as --key=value (src/building/gyp.rs, SHARED_WITH_NODE_GYP).
const SHARED = ['module', 'module_name', 'module_path', 'napi_version', 'node_abi_napi', 'napi_build_version', 'node_napi_label'];

// node-gyp as the reference finds it: npm_config_node_gyp, the package's or pregyp's
// dependency, npm's bundled copy next to this Node, else `node-gyp` on PATH.
function nodeGyp(dir, env) {
  const candidates = [env.npm_config_node_gyp];
  for (const from of [dir, __dirname]) {
    try {
      candidates.push(require.resolve('node-gyp/bin/node-gyp.js', { paths: [from] }));
    } catch {}
  }
  const bin = path.dirname(process.execPath);
  candidates.push(path.join(bin, '..', 'lib', 'node_modules', 'npm', 'node_modules', 'node-gyp', 'bin', 'node-gyp.js'));
  candidates.push(path.join(bin, 'node_modules', 'npm', 'node_modules', 'node-gyp', 'bin', 'node-gyp.js'));
  const script = candidates.find((c) => c && fs.existsSync(c));
  return script ? [process.execPath, [script]] : [process.platform === 'win32' ? 'node-gyp.cmd' : 'node-gyp', []];
}

/** `--key=value` for node-gyp (src/building/gyp.rs, pregyp_args): empty napi_build_version is 0. */
function gypValues(values) {
  const out = [];
  for (const k of SHARED) {
    const v = values[k];
    const s = v === null || v === undefined || v === '' ? null : typeof v === 'string' ? v : JSON.stringify(v);
    if (s !== null) out.push(`--${k}=${s}`);
    else if (k === 'napi_build_version') out.push(`--${k}=0`);
  }
  return out;
}

/**
 * Runs a command line without the full tool; resolves to the exit code.
 * `core`: a find() core with `plan` (the wasm one); `noBinary`: the E_PREGYP_NO_BINARY
 * error to explain with.
 */
async function run(argv, core, noBinary, env = process.env) {
  const fail = (why) => {
    console.error(`pregyp ERR! ${why}`);
    console.error(`pregyp ERR! ${noBinary.message.split('\n').join('\npregyp ERR! ')}`);
    return 1;
  };
  let plan;
  try {
    plan = core.plan(JSON.stringify({ argv, env, windows: process.platform === 'win32' }));
  } catch (e) {
    if (e.code === 'E_PREGYP_NO_BINARY') throw e;
    console.error(`pregyp ERR! ${e.message}`);
    return 1;
  }
  if (plan.version) {
    console.log(`v${require('../package.json').version}`);
    return 0;
  }
  const command = plan.commands.length ? plan.commands[0].name : '';
  if (!['install', 'rebuild', 'build'].includes(command)) {
    return fail(`\`${argv.join(' ')}\` needs pregyp's full tool; without it only install --fallback-to-build, rebuild and build run (with node-gyp)`);
  }
  const { name } = plan;
  if (command === 'install' && plan.installed && !plan.updateBinary && !plan.buildFromSource) {
    console.log(`[${name}] Success: "${plan.installed}" already installed`);
    console.log('Pass --update-binary to reinstall or --build-from-source to recompile');
    return 0;
  }
  if (command === 'install' && !plan.fallbackToBuild && !plan.buildFromSource) {
    return fail(`cannot download ${name}'s binary without pregyp's full tool; pass --fallback-to-build to build it from source with node-gyp`);
  }
  if (command === 'install') {
    // Why the full tool is missing (a failed fetch, say), then what happens instead.
    const why = noBinary.message.split('\n').find((l) => l.startsWith('Fetching '));
    if (why) console.error(`pregyp WARN ${why}`);
    console.error(`pregyp WARN no pregyp full tool for ${process.platform}-${process.arch}: building ${name} from source with node-gyp`);
  }
  const [program, prefix] = nodeGyp(plan.directory, env);
  const args = [...prefix, command === 'build' ? 'build' : 'rebuild', ...plan.cliFlags, ...gypValues(plan.values), ...plan.gypKnown.map(([k, v]) => `--${k}=${v}`), ...(plan.gypArgs.length ? ['--', ...plan.gypArgs] : [])];
  const r = spawnSync(program, args, { cwd: plan.directory, stdio: 'inherit', env, shell: process.platform === 'win32' && !prefix.length });
  if (r.error) return fail(`cannot run node-gyp (${r.error.message})`);
  if (r.status !== 0) {
    console.error(`pregyp ERR! node-gyp ${args.slice(prefix.length, prefix.length + 1)} failed with exit code ${r.status}`);
    return r.status || 1;
  }
  return 0;
}

module.exports = { run, gypValues };
