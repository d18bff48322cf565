'use strict';
// node-pre-gyp's programmatic `Run` class (its lib/node-pre-gyp.js), over pregyp's commands,
// so that scripts which drive node-pre-gyp as a library keep working. The usual one is a
// prepublish script that fetches every target's binary into the npm tarball:
//
//   const prog = new gyp.Run();                      // node-pre-gyp 0.x: no argument
//   prog.opts = { target: '6.0.0', target_arch: 'x64', target_platform: 'win32' };
//   prog.commands.install([], callback);
//
// and node-pre-gyp 2.x's `new Run({ package_json_path, argv })`, `parseArgv`, `todo`.
// The command line is read by pregyp's own parser (the find() core's `plan` operation);
// each command runs as `pregyp <command>` in the package's folder, with `opts` as flags.
const { EventEmitter } = require('events');
const fs = require('fs');
const path = require('path');

// The commands `commands` holds: the reference's thirteen and pregyp's own (written by
// `npm run types` from src/config/spec.rs).
// <generated:commands>
const COMMANDS = ['clean', 'install', 'reinstall', 'build', 'rebuild', 'package', 'testpackage', 'publish', 'unpublish', 'info', 'testbinary', 'reveal', 'configure', 'postinstall-build', 'explain', 'heal', 'checksums', 'platform-package', 'optional-deps', 'migrate'];
// </generated:commands>

// `opts` as command-line flags. `argv` is nopt's record of the command line, and the values
// parseArgv copied from npm_config_* are left to the command, which reads the environment
// itself (as the CLI does); `directory` becomes the package folder.
function flags(opts, fromEnv) {
  const out = [];
  for (const [k, v] of Object.entries(opts || {})) {
    if (k === 'argv' || k === 'directory' || v === undefined || v === null || (fromEnv.has(k) && process.env[`npm_config_${k}`] === v)) continue;
    out.push(v === true ? `--${k}` : v === false ? `--no-${k}` : `--${k}=${v}`);
  }
  return out;
}

module.exports = function runClass(api) {
  class Run extends EventEmitter {
    /**
     * `new Run({ package_json_path, argv })` as in node-pre-gyp 2.x (`argv` is a whole
     * process.argv, node and script first), or `new Run()` as in 0.x.
     */
    constructor({ package_json_path = './package.json', argv } = {}) {
      super();
      this.package_json_path = package_json_path;
      this.opts = {};
      this.argv = [];
      this.todo = [];
      this.binaryHostSet = false;
      this.commands = {};
      for (const name of COMMANDS) {
        this.commands[name] = (args, callback) => this.runCommand(name, args, callback);
      }
      this.fromEnv = new Set();
      if (argv) this.parseArgv(argv);
    }

    /** Sets `opts`, `argv`, `todo` and `package_json` from a process.argv, as node-pre-gyp does. */
    parseArgv(argv) {
      const plan = api.parse(argv.slice(2).map(String));
      this.opts = { argv: { remain: [], original: argv.slice(2) } };
      for (const f of plan.cliFlags) {
        const m = /^--(no-)?([^=]+)(?:=([\s\S]*))?$/.exec(f);
        this.opts[m[2]] = m[3] !== undefined ? m[3] : !m[1];
      }
      if (plan.directory !== null) this.opts.directory = plan.directory;
      this.todo = plan.commands.map((c) => ({ name: c.name, args: c.args.slice() }));
      // What follows `--` is node-gyp's: the last command's, kept behind its `--`.
      if (plan.gypArgs.length && this.todo.length) this.todo[this.todo.length - 1].args.push('--', ...plan.gypArgs);
      this.opts.argv.remain = this.todo.flatMap((c) => [c.name, ...c.args]);
      this.argv = this.opts.argv.remain.slice();
      this.package_json = JSON.parse(fs.readFileSync(this.packageJsonFile()));
      // npm_config_* join `opts`, as in node-pre-gyp (the commands read them themselves).
      this.fromEnv = new Set();
      for (const [name, value] of Object.entries(process.env)) {
        if (!name.startsWith('npm_config_') || name === 'npm_config_argv') continue;
        const key = name.slice('npm_config_'.length);
        this.opts[key] = value;
        this.fromEnv.add(key);
      }
    }

    /** The package.json the commands act on: `package_json_path` in `opts.directory`. */
    packageJsonFile() {
      const dir = this.opts && this.opts.directory;
      return path.resolve(dir ? path.join(dir, this.package_json_path) : this.package_json_path);
    }

    /**
     * Runs one command as `pregyp <name> <args>` with `opts` as flags; calls
     * `callback(err)` or `callback(null, results)`, or without a callback returns a promise.
     */
    runCommand(name, args, callback) {
      const file = this.packageJsonFile();
      const done = new Promise((resolve) => {
        if (path.basename(file) !== 'package.json') {
          throw new Error(`pregyp reads a package's package.json; package_json_path names ${file}`);
        }
        resolve(api.commandArgv(name, [`--directory=${path.dirname(file)}`, ...flags(this.opts, this.fromEnv), ...(args || []).map(String)]));
      });
      if (typeof callback !== 'function') return done;
      done.then(
        (results) => callback(null, results),
        (err) => callback(err)
      );
      return undefined;
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
