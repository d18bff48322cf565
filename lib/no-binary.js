'use strict';
// The CLI where pregyp has no full native binary (the platforms the WebAssembly find()
// core serves: FreeBSD, linux-arm, win32-arm64, ...). It cannot download (HTTP, TLS,
// checksums and the safe unpacker live in the native binary), but an addon's install
// script must still end with a working addon, as under the reference: `install` with
// --fallback-to-build or --build-from-source (or their npm_config_* variables) and
// `rebuild`/`build` run node-gyp with the values the reference passes it (its
// `share_with_node_gyp`), evaluated by the wasm core. Anything else fails with the
// E_PREGYP_NO_BINARY explanation.
const fs = require('fs');
const path = require('path');
const { spawnSync } = require('child_process');

// The values node-gyp receives as --key=value (src/building/gyp.rs, SHARED_WITH_NODE_GYP).
const SHARED = ['module', 'module_name', 'module_path', 'napi_version', 'node_abi_napi', 'napi_build_version', 'node_napi_label'];

// `--fallback-to-build` and friends: true, false, empty, or package names (src/config/options.rs, Selector).
function selects(v, name) {
  if (v === undefined || v === false) return false;
  if (v === true) return true;
  const s = String(v).trim();
  if (s === '' || s === 'false' || s === '0') return false;
  if (s === 'true' || s === '1') return true;
  return s.split(',').some((n) => n.trim() === name);
}

/** Splits argv into commands, flags (dashes as underscores) and the node-gyp args after `--`. */
function parse(argv) {
  const flags = {};
  const commands = [];
  const gyp = [];
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--') {
      gyp.push(...argv.slice(i + 1));
      break;
    }
    if (a === '-C') flags.directory = argv[++i];
    else if (a.startsWith('--')) {
      const [k, ...v] = a.slice(2).split('=');
      const key = k.replace(/-/g, '_');
      if (v.length) flags[key] = v.join('=');
      else if (key.startsWith('no_')) flags[key.slice(3)] = false;
      else flags[key] = true;
    } else commands.push(a);
  }
  return { commands, flags, gyp };
}

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
 * Runs a command line without the full binary; resolves to the exit code.
 * `core`: the find() core (wasm); `noBinary`: the E_PREGYP_NO_BINARY error to explain with.
 */
async function run(argv, core, noBinary, env = process.env) {
  const { commands, flags, gyp } = parse(argv);
  const command = commands[0] || '';
  const dir = path.resolve(flags.directory || '.');
  const pkgFile = path.join(dir, 'package.json');
  const opt = (k) => (flags[k] !== undefined ? flags[k] : env[`npm_config_${k}`]);
  const fail = (why) => {
    console.error(`pregyp ERR! ${why}`);
    console.error(`pregyp ERR! ${noBinary.message.split('\n').join('\npregyp ERR! ')}`);
    return 1;
  };
  if (!['install', 'rebuild', 'build'].includes(command)) {
    return fail(`\`${argv.join(' ')}\` needs pregyp's native binary; without it only install --fallback-to-build, rebuild and build run (with node-gyp)`);
  }
  let name;
  try {
    name = JSON.parse(fs.readFileSync(pkgFile, 'utf8')).name;
  } catch (e) {
    return fail(`cannot read ${pkgFile}: ${e.message}`);
  }
  const o = {};
  for (const [k, key] of [['runtime', 'runtime'], ['target', 'target'], ['target_arch', 'targetArch'], ['target_platform', 'targetPlatform'], ['target_libc', 'targetLibc']]) {
    if (typeof opt(k) === 'string' && opt(k)) o[key] = opt(k);
  }
  if (opt('debug') !== undefined) o.debug = selects(opt('debug'), name);
  let values;
  try {
    if (command === 'install' && !selects(opt('update_binary'), name) && !selects(opt('build_from_source'), name)) {
      try {
        const p = core.check(pkgFile, o);
        console.log(`[${name}] Success: "${p}" already installed`);
        console.log('Pass --update-binary to reinstall or --build-from-source to recompile');
        return 0;
      } catch (e) {
        if (e.code !== 'E_BINDING_MISSING') throw e;
      }
    }
    values = core.evaluate(pkgFile, o);
  } catch (e) {
    console.error(`pregyp ERR! ${e.message}`);
    return 1;
  }
  if (command === 'install' && !selects(opt('fallback_to_build'), name) && !selects(opt('build_from_source'), name)) {
    return fail(`cannot download ${name}'s binary without pregyp's native binary; pass --fallback-to-build to build it from source with node-gyp`);
  }
  if (command === 'install') {
    console.error(`pregyp WARN no native pregyp binary for ${process.platform}-${process.arch}: building ${name} from source with node-gyp`);
  }
  const [program, prefix] = nodeGyp(dir, env);
  const args = [...prefix, command === 'build' ? 'build' : 'rebuild', ...gypValues(values), ...(gyp.length ? ['--', ...gyp] : [])];
  const r = spawnSync(program, args, { cwd: dir, stdio: 'inherit', env, shell: process.platform === 'win32' && !prefix.length });
  if (r.error) return fail(`cannot run node-gyp (${r.error.message})`);
  if (r.status !== 0) {
    console.error(`pregyp ERR! node-gyp ${args.slice(prefix.length, prefix.length + 1)} failed with exit code ${r.status}`);
    return r.status || 1;
  }
  return 0;
}

module.exports = { run, parse, selects, gypValues };
