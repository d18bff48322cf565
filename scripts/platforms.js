#!/usr/bin/env node
'use strict';
// The platforms pregyp ships native binaries for: the one table that the package manifests
// are written from (npm/, the root's optionalDependencies) and that the build and CI
// scripts are checked against (`--check`, run by __test__/platforms.test.js).
//
// Per platform, three packages:
//   @pregyp/<name>        the find() core (pregyp-find.<name>.node): an optional dependency
//                         of `pregyp`, so every consumer gets its own platform's, 0.7 MB
//   @pregyp/full-<name>   the full tool (pregyp.<name>.node: HTTP, TLS, S3, tar, node-gyp):
//                         nobody's dependency but @pregyp/cli's; fetched on first use
//   @pregyp/cli           optionalDependencies on every @pregyp/full-<name>: what package
//                         authors put in devDependencies to have the commands installed
//                         by their lockfile instead of fetched on first use
//
// Usage: node scripts/platforms.js [--check]   (writes the manifests, or checks everything)
const fs = require('fs');
const path = require('path');

const ROOT = path.join(__dirname, '..');

/**
 * name: the loader's name (lib/loader.js); os/cpu/libc: the package manager's fields;
 * rust: the target the release builds; runner: its GitHub runner; alpine: built in an
 * Alpine container (the release's `musl` job); cross: how scripts/ci-cross.sh builds it
 * here (`build`; or `check` of both binaries where no linker exists, the release building
 * them on its macOS runners); test: the name test-cross.js runs it under (null: not run);
 * ci: false, left out of ci-cross.sh (darwin-x64: darwin-arm64's check compiles the same
 * `cfg(target_os = "macos")` code, pregyp has no per-architecture code, and a check costs
 * CI about 5 minutes; the release builds and tests both).
 */
const PLATFORMS = [
  { name: 'linux-x64-gnu', os: 'linux', cpu: 'x64', libc: 'glibc', rust: 'x86_64-unknown-linux-gnu', runner: 'ubuntu-22.04', cross: 'build', test: 'native' },
  { name: 'linux-arm64-gnu', os: 'linux', cpu: 'arm64', libc: 'glibc', rust: 'aarch64-unknown-linux-gnu', runner: 'ubuntu-22.04-arm', cross: 'build', test: 'linux-arm64-gnu' },
  { name: 'linux-x64-musl', os: 'linux', cpu: 'x64', libc: 'musl', rust: 'x86_64-unknown-linux-musl', runner: 'ubuntu-22.04', alpine: true, cross: 'build', test: 'linux-x64-musl' },
  { name: 'linux-arm64-musl', os: 'linux', cpu: 'arm64', libc: 'musl', rust: 'aarch64-unknown-linux-musl', runner: 'ubuntu-22.04-arm', alpine: true, cross: 'build', test: 'linux-arm64-musl' },
  { name: 'darwin-x64', os: 'darwin', cpu: 'x64', rust: 'x86_64-apple-darwin', runner: 'macos-15-intel', cross: 'check', ci: false, test: null },
  { name: 'darwin-arm64', os: 'darwin', cpu: 'arm64', rust: 'aarch64-apple-darwin', runner: 'macos-15', cross: 'check', test: null },
  { name: 'win32-x64-msvc', os: 'win32', cpu: 'x64', rust: 'x86_64-pc-windows-msvc', runner: 'windows-2022', cross: 'build', test: 'win32-x64' },
];

const SCOPE = '@pregyp';
const findPackage = (name) => `${SCOPE}/${name}`;
const fullPackage = (name) => `${SCOPE}/full-${name}`;
const CLI = `${SCOPE}/cli`;

function rootManifest(root) {
  return JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8'));
}

function common(version) {
  return { version, license: 'MIT', engines: { node: '>=18' }, repository: { type: 'git', url: 'https://github.com/pregyp/pregyp' } };
}

function platformFields(p) {
  return { os: [p.os], cpu: [p.cpu], ...(p.libc ? { libc: [p.libc] } : {}) };
}

/** Every generated file: path relative to the root -> its text. */
function generated(root = ROOT) {
  const { version } = rootManifest(root);
  const files = {};
  const json = (v) => `${JSON.stringify(v, null, 2)}\n`;
  for (const p of PLATFORMS) {
    const { version: v, ...rest } = common(version);
    files[`npm/${p.name}/package.json`] = json({
      name: findPackage(p.name),
      version: v,
      description: `pregyp's find() core for ${p.name} (what addons run at require time)`,
      ...platformFields(p),
      files: [`pregyp-find.${p.name}.node`],
      ...rest,
    });
    files[`npm/${p.name}/README.md`] =
      `# ${findPackage(p.name)}\n\nThe find() core of [pregyp](https://github.com/pregyp/pregyp) for \`${p.name}\`, the small binary that addons run at \`require\` time. Installed as an optional dependency of \`pregyp\`; do not depend on it directly.\n`;
    files[`npm/full-${p.name}/package.json`] = json({
      name: fullPackage(p.name),
      version: v,
      description: `pregyp's commands for ${p.name} (install, build, package, publish, heal, migrate)`,
      ...platformFields(p),
      files: [`pregyp.${p.name}.node`],
      ...rest,
    });
    files[`npm/full-${p.name}/README.md`] =
      `# ${fullPackage(p.name)}\n\nThe full tool of [pregyp](https://github.com/pregyp/pregyp) for \`${p.name}\`: the commands (install, build, package, publish, heal, migrate). Put \`${CLI}\` in your devDependencies to get the one for your platform; without it, \`pregyp\` fetches this package on the first command that needs it.\n`;
  }
  const { version: v, ...rest } = common(version);
  files['npm/cli/package.json'] = json({
    name: CLI,
    version: v,
    description: "pregyp's commands, installed by your lockfile: the @pregyp/full-<platform> package for each platform",
    main: 'index.js',
    files: ['index.js'],
    optionalDependencies: Object.fromEntries(PLATFORMS.map((p) => fullPackage(p.name)).sort().map((n) => [n, version])),
    ...rest,
  });
  files['npm/cli/README.md'] =
    `# ${CLI}\n\nThe commands of [pregyp](https://github.com/pregyp/pregyp) (build, package, publish, heal, migrate), for package authors: \`npm install --save-dev ${CLI}\` installs the \`${fullPackage('<platform>')}\` package that fits, so that CI and offline machines have them through the lockfile. Without it, \`pregyp\` fetches that package once, on the first command that needs it. Consumers of your addon need neither.\n`;
  files['npm/cli/index.js'] =
    "'use strict';\n// The folder @pregyp/cli was installed in: pregyp's loader resolves @pregyp/full-<platform> from\n// here, where package managers that do not hoist (pnpm) put it.\nmodule.exports = __dirname;\n";
  return files;
}

/** The root package.json with optionalDependencies from the table (text). */
function rootPackageJson(root) {
  const text = fs.readFileSync(path.join(root, 'package.json'), 'utf8');
  const m = rootManifest(root);
  m.optionalDependencies = Object.fromEntries(PLATFORMS.map((p) => findPackage(p.name)).sort().map((n) => [n, m.version]));
  return { text, want: `${JSON.stringify(m, null, 2)}\n` };
}

/**
 * Places outside npm/ that list the platforms by hand, each checked against the table:
 * [file, what, the names found there, the names the table wants].
 */
function checks(root) {
  const read = (f) => fs.readFileSync(path.join(root, f), 'utf8');
  const sorted = (a) => [...new Set(a)].sort();
  const out = [];
  const ci = read('scripts/ci-cross.sh');
  const ciNames = [...ci.matchAll(/for target in ([^;]+);/g)].flatMap((m) => m[1].trim().split(/\s+/)).map((n) => (n === 'win32-x64' ? 'win32-x64-msvc' : n));
  const ciWant = PLATFORMS.filter((p) => p.cross && p.ci !== false).map((p) => p.name);
  out.push(['scripts/ci-cross.sh', 'the targets it builds', sorted(ciNames), sorted(ciWant)]);
  const tc = /node scripts\/test-cross\.js ([^\n]+)/.exec(ci);
  out.push(['scripts/ci-cross.sh', 'the platforms test-cross.js runs', sorted(tc ? tc[1].trim().split(/\s+/) : []), sorted(PLATFORMS.filter((p) => p.test).map((p) => p.test))]);
  const bc = require(path.join(root, 'scripts', 'build-cross.js'));
  out.push(['scripts/build-cross.js', 'the targets it knows', sorted(PLATFORMS.map((p) => bc.resolve(p.name).name)), sorted(PLATFORMS.map((p) => p.name))]);
  out.push(['scripts/build-cross.js', 'the targets built with --check only', sorted(PLATFORMS.filter((p) => bc.resolve(p.name).check).map((p) => p.name)), sorted(PLATFORMS.filter((p) => p.cross === 'check').map((p) => p.name))]);
  const tcx = read('scripts/test-cross.js');
  const runs = [...tcx.matchAll(/^ {2}'([\w-]+)': \{$/gm)].map((m) => m[1]);
  out.push(['scripts/test-cross.js', 'the platforms it runs', sorted(['native', ...runs]), sorted(PLATFORMS.filter((p) => p.test).map((p) => p.test))]);
  const yml = read('.github/workflows/release.yml');
  const rows = [...yml.matchAll(/- \{ triple: ([\w-]+), os: ([\w.-]+), target: ([\w-]+) \}/g)].map((m) => `${m[1]} ${m[2]} ${m[3]}`);
  out.push(['.github/workflows/release.yml', 'the build matrix (triple, runner, Rust target)', sorted(rows), sorted(PLATFORMS.map((p) => `${p.name} ${p.runner} ${p.rust}`))]);
  return out;
}

/**
 * Returns the list of drifts (empty when all agree); with write, fixes the generated ones.
 * `root`: the checkout to look at (the tests check a changed copy).
 */
function run({ write = false, root = ROOT } = {}) {
  const problems = [];
  for (const [rel, want] of Object.entries(generated(root))) {
    const file = path.join(root, rel);
    const have = fs.existsSync(file) ? fs.readFileSync(file, 'utf8') : null;
    if (have === want) continue;
    if (write) {
      fs.mkdirSync(path.dirname(file), { recursive: true });
      fs.writeFileSync(file, want);
    } else problems.push(`${rel} is out of date with scripts/platforms.js: run \`node scripts/platforms.js\``);
  }
  const known = new Set(PLATFORMS.flatMap((p) => [p.name, `full-${p.name}`]).concat('cli'));
  for (const d of fs.readdirSync(path.join(root, 'npm'))) {
    if (!known.has(d)) problems.push(`npm/${d} is not a platform of scripts/platforms.js: remove it or add the platform to the table`);
  }
  // The find() core answers its crate's version, which the shim checks against package.json's.
  const cargo = fs.existsSync(path.join(root, 'Cargo.toml')) ? /^version = "([^"]+)"/m.exec(fs.readFileSync(path.join(root, 'Cargo.toml'), 'utf8')) : null;
  if (cargo && cargo[1] !== rootManifest(root).version) problems.push(`Cargo.toml: version ${cargo[1]} is not package.json's ${rootManifest(root).version}: the shim would refuse its own find() core`);
  const rp = rootPackageJson(root);
  if (rp.text !== rp.want) {
    if (write) fs.writeFileSync(path.join(root, 'package.json'), rp.want);
    else problems.push('package.json: optionalDependencies differ from scripts/platforms.js: run `node scripts/platforms.js`');
  }
  for (const [file, what, have, want] of checks(root)) {
    if (JSON.stringify(have) !== JSON.stringify(want)) problems.push(`${file}: ${what} are [${have.join(', ')}], the table in scripts/platforms.js says [${want.join(', ')}]`);
  }
  return problems;
}

module.exports = { PLATFORMS, findPackage, fullPackage, CLI, generated, run };

if (require.main === module) {
  const problems = run({ write: !process.argv.includes('--check') });
  for (const p of problems) console.error(p);
  process.exitCode = problems.length ? 1 : 0;
}
