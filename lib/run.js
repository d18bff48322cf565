'use strict';
// node-pre-gyp's programmatic `Run` class (its lib/node-pre-gyp.js), over pregyp's commands,
// so that scripts which drive node-pre-gyp as a library keep working. The usual one is a
// prepublish script that fetches every target's binary into the npm tarball:
//
//   const prog = new gyp.Run();                      // node-pre-gyp 0.x: no argument
//   prog.opts = { target: '6.0.0', target_arch: 'x64', target_platform: 'win32' };
//   prog.commands.install([], callback);
//
// and node-pre-gyp 2.x's `new Run({ package_json_path, argv })` with its bin's loop over
// `todo`. The command line is read by pregyp's own parser (the find() core's `plan`
// operation); each command runs as `node-pre-gyp <command>` would, in the package's folder,
// with `opts` as flags: it prints what the CLI prints and calls back as node-pre-gyp's do.
const { EventEmitter } = require('events');
const fs = require('fs');
const path = require('path');
const napi = require('./util/napi');

// The commands `commands` holds: the reference's thirteen and pregyp's own (written by
// `npm run types` from src/config/spec.rs).
// <generated:commands>
const COMMANDS = ['clean', 'install', 'reinstall', 'build', 'rebuild', 'package', 'testpackage', 'publish', 'unpublish', 'info', 'testbinary', 'reveal', 'configure', 'postinstall-build', 'explain', 'heal', 'checksums', 'platform-package', 'optional-deps', 'migrate'];
// </generated:commands>

// `opts` as command-line flags for `command`. `argv` is nopt's record of the command line;
// the values parseArgv copied from npm_config_* are left to the command, which reads the
// environment itself (as the CLI does); `directory` becomes the package folder. An option of
// pregyp goes to the commands that take it; a flag of the command line that pregyp does
// not know goes as written to the commands that pass it on to node-gyp; a value set by hand
// that is no option of the command is left out with a warning, as node-pre-gyp's commands
// ignore it.
function flags(self, command, { options, gypCommands }) {
  const norm = (k) => k.replace(/-/g, '_');
  const all = new Map(options.map((o) => [norm(o.name), o]));
  const toGyp = gypCommands.includes(command);
  const out = [];
  for (const [k, v] of Object.entries(self.opts || {})) {
    if (k === 'argv' || k === 'directory' || v === undefined || v === null) continue;
    if (self.fromEnv.has(k) && process.env[`npm_config_${k}`] === v) continue;
    const flag = v === true ? `--${k}` : v === false ? `--no-${k}` : `--${k}=${v}`;
    const o = all.get(norm(k));
    const fromLine = self.parsed.get(k) === v;
    if (o ? !o.commands.length || o.commands.includes(command) : fromLine && toGyp) out.push(flag);
    else if (!fromLine) warn(self, `opts.${k} is no option of ${command}: left out`);
  }
  return out;
}

// The package.json the commands act on: `package_json_path`, in `opts.directory` if given.
function packageJsonOf(self) {
  const dir = self.opts && self.opts.directory;
  return path.resolve(dir ? path.join(dir, self.package_json_path) : self.package_json_path);
}

// A warning in node-pre-gyp's log shape, unless the log level keeps warnings quiet.
function warn(self, message) {
  const level = (self.opts && self.opts.loglevel) || process.env.npm_config_loglevel;
  if (level !== 'silent' && level !== 'error') console.error(`[warn] ${message}`);
}

module.exports = function runClass(api) {
  // The fields of a new Run; parseArgv when there is an argv.
  function setup(self, { package_json_path = './package.json', argv } = {}) {
    self.package_json_path = package_json_path;
    self.opts = {};
    self.argv = [];
    self.todo = [];
    self.binaryHostSet = false;
    self.commands = {};
    for (const name of COMMANDS) {
      self.commands[name] = (args, callback) => self.runCommand(name, args, callback);
    }
    self.fromEnv = new Set();
    self.parsed = new Map();
    if (argv) self.parseArgv(argv);
  }

  class Run extends EventEmitter {
    /**
     * `new Run({ package_json_path, argv })` as in node-pre-gyp 2.x (`argv` is a whole
     * process.argv, node and script first), or `new Run()` as in 0.x.
     */
    constructor(opts) {
      super();
      setup(this, opts);
    }

    /** Makes `self` a Run in place (`Run.call(this, opts)` in a `util.inherits` subclass). */
    static init(self, opts) {
      EventEmitter.call(self);
      setup(self, opts);
    }

    /**
     * Sets `opts`, `argv`, `todo` and `package_json` from a process.argv, as node-pre-gyp
     * does: a Node-API package's commands become one call per version.
     */
    parseArgv(argv) {
      const plan = api.parse(argv.slice(2).map(String));
      this.opts = { argv: { remain: [], original: argv.slice(2) } };
      this.parsed = new Map();
      for (const f of plan.cliFlags) {
        const m = /^--(no-)?([^=]+)(?:=([\s\S]*))?$/.exec(f);
        this.opts[m[2]] = m[3] !== undefined ? m[3] : !m[1];
        this.parsed.set(m[2], this.opts[m[2]]);
      }
      if (plan.directory !== null) this.opts.directory = plan.directory;
      const commands = plan.commands.map((c) => ({ name: c.name, args: c.args.slice() }));
      // What follows `--` is node-gyp's: the last command's, kept behind its `--`.
      if (plan.gypArgs.length && commands.length) commands[commands.length - 1].args.push('--', ...plan.gypArgs);
      this.opts.argv.remain = commands.flatMap((c) => [c.name, ...c.args]);
      this.argv = this.opts.argv.remain.slice();
      // Absolute now: node-pre-gyp's bin changes into `opts.directory` before the commands run.
      this.packageJsonPath = packageJsonOf(this);
      // (A byte order mark is read past, as npm and pregyp's commands do.)
      this.package_json = JSON.parse(fs.readFileSync(this.packageJsonPath, 'utf8').replace(/^\uFEFF/, ''));
      this.todo = napi.expand_commands(this.package_json, this.opts, commands);
      // npm_config_* join `opts`, as in node-pre-gyp (the commands read them themselves).
      this.fromEnv = new Set();
      for (const [name, value] of Object.entries(process.env)) {
        if (!name.startsWith('npm_config_') || name === 'npm_config_argv') continue;
        const key = name.slice('npm_config_'.length);
        this.opts[key] = value;
        this.fromEnv.add(key);
      }
    }

    /**
     * Runs one command as `node-pre-gyp <name> <args>` with `opts` as flags, printing what it
     * prints; calls `callback(err)` or `callback()`, or without a callback returns a promise.
     */
    runCommand(name, args, callback) {
      const file = this.packageJsonPath || packageJsonOf(this);
      const done = new Promise((resolve) => {
        if (path.basename(file) !== 'package.json') {
          throw new Error(`pregyp reads a package's package.json; package_json_path names ${file}`);
        }
        // The command's `napi_build_version=N` first (node-pre-gyp's expansion puts it after
        // a `--` too); what follows `--` is node-gyp's and stays last.
        const all = (args || []).map(String);
        const pinned = all.filter((a) => a.startsWith('napi_build_version='));
        const rest = all.filter((a) => !a.startsWith('napi_build_version='));
        const dash = rest.includes('--') ? rest.indexOf('--') : rest.length;
        const argv = [name, ...pinned, ...rest.slice(0, dash), `--directory=${path.dirname(file)}`, ...flags(this, name, api.spec()), ...rest.slice(dash)];
        resolve(api.run(argv, { program: 'node-pre-gyp', library: true }));
      }).then((code) => {
        // A failure the CLI reports rejects; a non-zero code is one without an error (no
        // full tool on this platform: lib/no-binary.js).
        if (code) throw new Error(`node-pre-gyp ${name} failed (exit code ${code})`);
      });
      if (typeof callback !== 'function') return done;
      done.then(
        () => callback(),
        (err) => callback(err)
      );
      return undefined;
    }

    /**
     * node-pre-gyp's choice of `binary.host` between `staging_host` and `production_host`
     * (staging for publish and unpublish, else production; `node_pre_gyp_s3_host` or
     * `--s3_host` decide), made on `package_json`; the commands make the same choice.
     */
    setBinaryHostProperty(command) {
      if (this.binaryHostSet) return this.package_json.binary.host;
      const p = this.package_json;
      if (!p || !p.binary || p.binary.host) return '';
      if (!p.binary.staging_host || !p.binary.production_host) return '';
      let target = command === 'publish' || command === 'unpublish' ? 'staging_host' : 'production_host';
      const env = process.env.node_pre_gyp_s3_host;
      const opt = this.opts && this.opts.s3_host;
      if (env === 'staging' || env === 'production') target = `${env}_host`;
      else if (opt === 'staging' || opt === 'production') target = `${opt}_host`;
      else if (opt || env) throw new Error(`invalid s3_host ${opt || env}`);
      p.binary.host = p.binary[target];
      this.binaryHostSet = true;
      return p.binary.host;
    }

    /** The usage text, as `pregyp --help` prints it. */
    usage() {
      return [
        '',
        '  Usage: node-pre-gyp <command> [options]',
        '',
        '  where <command> is one of:',
        COMMANDS.map((c) => `    - ${c}`).join('\n'),
        '',
        `node-pre-gyp@${this.version}  ${path.resolve(__dirname, '..')}`,
        `node@${process.versions.node}`,
      ].join('\n');
    }

    get version() {
      return this.package.version;
    }
  }
  // node-pre-gyp's prototype members that scripts read.
  Run.prototype.package = require('../package.json');
  Run.prototype.aliases = {};
  return Run;
};
