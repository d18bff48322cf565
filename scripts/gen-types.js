#!/usr/bin/env node
'use strict';
// Writes the parts of index.d.ts and index.js that come from the Rust declarations
// (src/config/spec.rs, src/error.rs, src/results.rs, src/binding/ops.rs): the error codes, the
// command options, the command results and one function per command; the find() core's
// operations in lib/loader.js and lib/wasm.js; and index.js's copy of lib/loader.js.
// `--check` exits 1 when a file is out of date (the test suite runs that).
// Usage: node scripts/gen-types.js [--check]
const fs = require('fs');
const path = require('path');
const { root, loadSpec } = require('./spec');

const spec = loadSpec();

// Codes only the JS shim raises (the native binary could not be loaded at all).
const JS_ONLY_CODES = ['E_PREGYP_NO_BINARY', 'E_PREGYP_VERSION_MISMATCH'];
// Commands with an API of their own (reveal is synchronous).
const SPECIAL = new Set(['reveal']);

const quote = (name) => (/^[A-Za-z_$][\w$]*$/.test(name) ? name : `'${name}'`);

function tsType(o) {
  if (o.values.length) return o.values.map((v) => `'${v}'`).join(' | ');
  return { flag: 'boolean', selector: 'boolean | string', text: 'string', number: 'number | string', size: 'number | string' }[o.kind];
}

function optionsInterface() {
  const lines = ['/** Options of every command: the CLI\'s flags (`--flag=value` is `{ flag: value }`), plus positional `args`. */', 'export interface CommandOptions {', '  /** Positional arguments of the command. */', '  args?: string[];'];
  for (const o of spec.options) {
    const notes = [o.help];
    if (o.commands.length) notes.push(`(${o.commands.join(', ')})`);
    if (o.env.length) notes.push(`Also: ${o.env.join(', ')}.`);
    lines.push(`  /** ${notes.join(' ').replace(/\*\//g, '* /')} */`);
    lines.push(`  ${quote(o.name)}?: ${tsType(o)};`);
  }
  lines.push('}');
  return lines.join('\n');
}

function errorCodes() {
  const codes = [...spec.errorCodes, ...JS_ONLY_CODES];
  return `/** Every \`err.code\` pregyp sets. */\nexport type ErrorCode =\n${codes.map((c) => `  | '${c}'`).join('\n')};`;
}

function commandFunctions() {
  return spec.commands
    .filter((c) => !SPECIAL.has(c.name))
    .map((c) => `/** \`${c.name}\`: ${c.summary}. Resolves to one result per step (per Node-API version built). */\nexport function ${c.api}(opts?: CommandOptions): Promise<CommandResults['${c.name}'][]>;`)
    .join('\n');
}

// ts-rs writes each declaration on few lines; lay it out as the rest of index.d.ts is.
function pretty(decl) {
  const doc = (text, indent) => {
    const lines = text.trimEnd().split('\n').map((l) => l.replace(/^ \* ?/, ''));
    if (lines.length === 1) return `${indent}/** ${lines[0]} */`;
    return `${indent}/**\n${lines.map((l) => `${indent} * ${l}`).join('\n')}\n${indent} */`;
  };
  return decl
    .replace(/^\/\*\*\n((?: \*.*\n)+) \*\/\n/, (_, d) => `${doc(d, '')}\n`)
    .replace(/ +\n/g, '\n')
    .replace(/\n\/\*\*\n((?: \*.*\n)+) \*\/\n([\w$]+): ([^\n]*?),(?=\n| \})/g, (_, d, key, type) => `\n${doc(d, '  ')}\n  ${key}: ${type};`)
    .replace(/; \};$/, ';\n};');
}

// The result types (src/results.rs, through ts-rs) and, per command, its step's result
// type (the command table in src/commands/mod.rs, checked against each function).
function results() {
  const map = spec.commands.map((c) => `  ${quote(c.name)}: ${spec.results[c.name]};`);
  return [...spec.resultTypes.map(pretty), '/** What one step of each command resolves to (the JSON that `--json` prints). */', 'export interface CommandResults {', ...map, '}'].join('\n');
}

// One plain assignment per command: cheaper for V8 in every process that requires an
// addon than a loop over [name, command] pairs or a closure factory (bench/find.js), and
// Node's ESM loader sees them as named exports (`import { install } from 'pregyp'`).
function commandExports() {
  return spec.commands
    .filter((c) => !SPECIAL.has(c.name))
    .map((c) => `exports.${c.api} = (opts) => api().command('${c.name}', opts);`)
    .join('\n');
}

// The native loader, written in lib/loader.js between `// <loader>` and `// </loader>`.
function loaderSource() {
  const text = fs.readFileSync(path.join(root, 'lib', 'loader.js'), 'utf8');
  const m = /\/\/ <loader>\n([\s\S]*?)\/\/ <\/loader>/.exec(text);
  if (!m) throw new Error('lib/loader.js: no // <loader> region');
  return m[1].replace(/\n$/, '');
}

// Replaces the text between `// <generated:NAME>` and `// </generated:NAME>`.
function fill(text, name, body, file) {
  const re = new RegExp(`(// <generated:${name}>\\n)[\\s\\S]*?(// </generated:${name}>)`);
  if (!re.test(text)) throw new Error(`${file}: no // <generated:${name}> region`);
  return text.replace(re, (_, open, close) => `${open}${body}\n${close}`);
}

// The find() core's operations (src/binding/ops.rs): for the native core, a function from
// its one export to the object of the operations it answers; for lib/wasm.js, the table.
function nativeOps() {
  const call = (o) => {
    const params = o.args.map((a) => ({ packageJsonPath: 'p', opts: 'o', detail: 'd' })[a]);
    const x = `x(${[o.id, ...params].join(', ')})`;
    return `${o.name}: (${params.join(', ')}) => ${o.answer === 'json' ? `JSON.parse(${x})` : x}`;
  };
  return `const ops = (x) => ({ ${spec.findOps.filter((o) => o.id !== 0 && o.native).map(call).join(', ')} });`;
}
function wasmOps() {
  return `const OPS = [${spec.findOps.map((o) => `[${o.id}, '${o.name}', '${o.answer}', ${o.args[0] === 'packageJsonPath'}]`).join(', ')}];`;
}

const files = {
  'lib/loader.js': (t) => fill(fill(t, 'ops', nativeOps(), 'lib/loader.js'), 'version', `const VERSION = '${require('../package.json').version}';`, 'lib/loader.js'),
  'lib/wasm.js': (t) => fill(t, 'ops', wasmOps(), 'lib/wasm.js'),
  'lib/run.js': (t) => fill(t, 'commands', `const COMMANDS = [${spec.commands.map((c) => `'${c.name}'`).join(', ')}];`, 'lib/run.js'),
  'index.d.ts': (t) => [['error-codes', errorCodes()], ['options', optionsInterface()], ['results', results()], ['commands', commandFunctions()]].reduce((text, [name, body]) => fill(text, name, body, 'index.d.ts'), t),
  'index.js': (t) => fill(fill(t, 'loader', loaderSource(), 'index.js'), 'commands', commandExports(), 'index.js'),
};

const check = process.argv.includes('--check');
let stale = 0;
for (const [name, make] of Object.entries(files)) {
  const file = path.join(root, name);
  const before = fs.readFileSync(file, 'utf8');
  const after = make(before);
  if (after === before) continue;
  if (check) {
    console.error(`${name} is out of date with its sources (src/config/spec.rs, src/error.rs, src/results.rs, src/binding/ops.rs, lib/loader.js): run \`npm run types\``);
    stale++;
  } else {
    fs.writeFileSync(file, after);
    console.error(`wrote ${name}`);
  }
}
process.exitCode = stale ? 1 : 0;
