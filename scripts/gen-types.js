#!/usr/bin/env node
'use strict';
// Writes the parts of index.d.ts and index.js that come from the Rust declarations
// (src/spec.rs, src/error.rs): the error codes, the command options and one function per
// command. `--check` exits 1 when a file is out of date (the test suite runs that).
// Usage: node scripts/gen-types.js [--check]
const fs = require('fs');
const path = require('path');

const root = path.join(__dirname, '..');
const spec = JSON.parse(require(root).binding().spec());

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

// One loop over [api name, command] pairs rather than a closure each: less for V8 to
// parse in every process that requires an addon.
function commandExports() {
  const pairs = spec.commands.filter((c) => !SPECIAL.has(c.name)).map((c) => `['${c.api}', '${c.name}']`);
  return `for (const [fn, name] of [${pairs.join(', ')}]) exports[fn] = (opts) => api().command(name, opts);`;
}

// Replaces the text between `// <generated:NAME>` and `// </generated:NAME>`.
function fill(text, name, body, file) {
  const re = new RegExp(`(// <generated:${name}>\\n)[\\s\\S]*?(// </generated:${name}>)`);
  if (!re.test(text)) throw new Error(`${file}: no // <generated:${name}> region`);
  return text.replace(re, (_, open, close) => `${open}${body}\n${close}`);
}

const files = {
  'index.d.ts': (t) => fill(fill(fill(t, 'error-codes', errorCodes(), 'index.d.ts'), 'options', optionsInterface(), 'index.d.ts'), 'commands', commandFunctions(), 'index.d.ts'),
  'index.js': (t) => fill(t, 'commands', commandExports(), 'index.js'),
};

const check = process.argv.includes('--check');
let stale = 0;
for (const [name, make] of Object.entries(files)) {
  const file = path.join(root, name);
  const before = fs.readFileSync(file, 'utf8');
  const after = make(before);
  if (after === before) continue;
  if (check) {
    console.error(`${name} is out of date with src/spec.rs: run \`node scripts/gen-types.js\``);
    stale++;
  } else {
    fs.writeFileSync(file, after);
    console.error(`wrote ${name}`);
  }
}
process.exitCode = stale ? 1 : 0;
