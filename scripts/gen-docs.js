#!/usr/bin/env node
'use strict';
// Writes docs/reference/commands.md, options.md and environment.md from the declarations
// in src/config/spec.rs (the same JSON scripts/gen-types.js reads), so that the reference
// cannot drift from what the parser, `--help` and index.d.ts know.
// `--check` exits 1 when a page is out of date (__test__/docs.test.js runs that).
// Usage: node scripts/gen-docs.js [--check]
const fs = require('fs');
const path = require('path');
const { root, loadSpec } = require('./spec');

const DIR = path.join(root, 'docs', 'reference');

const HEADER = (what) => [
  `<!-- Generated from src/config/spec.rs by scripts/gen-docs.js: edit those, then run \`npm run docs\`. -->`,
  `# ${what}`,
  '',
].join('\n');

// A table cell: no line breaks, `|` escaped, and `<` outside code spans written as an
// entity (`<dir>` would otherwise read as an HTML tag and vanish).
const cell = (s) =>
  String(s)
    .replace(/\n/g, ' ')
    .split('`')
    .map((part, i) => (i % 2 ? part : part.replace(/</g, '&lt;')))
    .join('`')
    .replace(/\|/g, '\\|');
const table = (head, rows) => [`| ${head.join(' | ')} |`, `|${head.map(() => '---').join('|')}|`, ...rows.map((r) => `| ${r.map(cell).join(' | ')} |`)].join('\n');
const code = (s) => `\`${s}\``;

const PRECEDENCE = [
  'An option\'s value comes from the first of these that gives it:',
  '1. `npm_config_<option>` in the environment (how `npm install --<option>` reaches an install',
  '   script): as with node-pre-gyp, it overrides the same flag in the package\'s script, except',
  '   `loglevel`;',
  '2. the command line (or the options object);',
  '3. `PREGYP_<OPTION>` (uppercase, underscores: `PREGYP_BUILD_FROM_SOURCE=true`);',
  '4. the option\'s own variables, in the order listed ([options.md](options.md),',
  '   [environment.md](environment.md)). For `--cafile` every one given counts.',
].join('\n');

function usage(o) {
  const flag = `--${o.name}`;
  if (o.kind === 'flag') return flag;
  if (o.kind === 'selector') return `${flag}[=names]`;
  if (o.values.length) return `${flag}=${o.values.join('|')}`;
  return `${flag} <${o.arg}>`;
}

function commands(spec) {
  const rows = spec.commands.map((c) => {
    const own = spec.options.filter((o) => o.commands.includes(c.name)).map((o) => code(`--${o.name}`));
    return [
      code(c.args ? `${c.name} ${c.args}` : c.name),
      c.summary,
      own.length ? own.join(', ') : '',
      c.per_napi_version ? 'yes' : '',
      c.host === 'none' ? '' : c.host,
      `\`${c.api}()\` → \`${/\|/.test(spec.results[c.name]) ? `(${spec.results[c.name]})` : spec.results[c.name]}[]\``,
    ];
  });
  return [
    HEADER('Commands'),
    '`pregyp <command> [command ...] [options] [-- node-gyp args]`. Commands chain (`pregyp clean build package`);',
    'positional arguments after a command belong to it; everything after `--` goes to node-gyp.',
    'Logs go to stderr, results to stdout (`--json` prints them as JSON); exit 1 on error. `-v` prints `v<version>`.',
    'The options every command takes are in [options.md](options.md).',
    '',
    '"Per Node-API version": with `binary.napi_versions`, the command runs once for each version this Node',
    'can build (`--build-latest-napi-version-only` for one). "Host": which `binary` host it works against',
    '(`staging_host` or `production_host` when `host` is empty; see `--s3_host`).',
    '',
    table(['command', 'what it does', 'its own options', 'per Node-API version', 'host', 'JS API'], rows),
    '',
  ].join('\n');
}

function options(spec) {
  const rows = spec.options.map((o) => [
    code(usage(o)) + (o.short ? `, \`-${o.short}\`` : ''),
    o.help,
    o.commands.length ? o.commands.map(code).join(', ') : 'all',
    o.env.map(code).join(', '),
  ]);
  return [
    HEADER('Options'),
    'Dashes and underscores in option names are interchangeable (`--target_arch`, `--target-arch`).',
    'A flag is also `--no-<flag>` or `--<flag>=false`. From JS, an option is a key of the options',
    'object: `install({ \'fallback-to-build\': true })`.',
    '',
    PRECEDENCE,
    '',
    table(['option', 'meaning', 'commands', 'also read from'], rows),
    '',
  ].join('\n');
}

const GROUPS = [
  ['options', 'Options'],
  ['mirror', 'Mirrors'],
  ['auth', 'Private hosts'],
  ['install', 'Installing'],
  ['s3', 'S3 credentials'],
  ['npm', 'Set by the package manager'],
  ['output', 'Output'],
];

function environment(spec) {
  const own = spec.options.filter((o) => o.env.length).map((o) => [o.env.map(code).join(', '), `\`--${o.name}\`: ${o.help}`]);
  const known = new Set(GROUPS.map(([g]) => g));
  for (const v of spec.environment) if (!known.has(v.group)) throw new Error(`src/config/spec.rs: environment variable ${v.name} has an unknown group ${v.group}`);
  const sections = GROUPS.map(([g, title]) => [`## ${title}`, '', table(['variable', 'meaning'], spec.environment.filter((v) => v.group === g).map((v) => [code(v.name), v.help])), ''].join('\n'));
  return [
    HEADER('Environment variables'),
    PRECEDENCE,
    '',
    '## Variables of options',
    '',
    table(['variable', 'option'], own),
    '',
    ...sections,
  ].join('\n');
}

const pages = { 'commands.md': commands, 'options.md': options, 'environment.md': environment };

/** The pages of docs/reference/ whose committed text differs from what `spec` gives, each with that text. */
function stale(spec) {
  return Object.entries(pages)
    .map(([name, make]) => {
      const file = path.join(DIR, name);
      const before = fs.existsSync(file) ? fs.readFileSync(file, 'utf8') : null;
      return { name, file, text: make(spec), before };
    })
    .filter((p) => p.text !== p.before);
}

module.exports = { stale };

if (require.main === module) {
  const check = process.argv.includes('--check');
  const out = stale(loadSpec());
  for (const p of out) {
    if (check) {
      console.error(`docs/reference/${p.name} is out of date with src/config/spec.rs: run \`npm run docs\``);
    } else {
      fs.mkdirSync(DIR, { recursive: true });
      fs.writeFileSync(p.file, p.text);
      console.error(`wrote docs/reference/${p.name}`);
    }
  }
  process.exitCode = check && out.length ? 1 : 0;
}
