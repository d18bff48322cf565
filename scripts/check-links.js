#!/usr/bin/env node
'use strict';
// Checks, offline, that the docs and the comments point at things that exist:
// - every relative link of every Markdown file (`[text](path)`, `[text](path#anchor)`,
//   `[text](#anchor)`, `[label]: path`) names a file or folder of the repository, and an
//   anchor names a heading of the target page (GitHub's slugs);
// - every repository path cited in a source comment (`src/config/spec.rs`,
//   `__test__/helpers/run.js`, `COMPATIBILITY.md`, ...) exists.
// External links (http:, https:, mailto:) are not fetched.
// Usage: node scripts/check-links.js [root]   (exit 1 and one line per problem)
const fs = require('fs');
const path = require('path');

// Folders that are not the repository's own text.
const SKIP_DIRS = new Set(['node_modules', 'target', '.git', '.pregyp-test', '.cross', 'build', 'corpus', 'artifacts']);
// Source files whose comments are checked, by extension or name.
const SOURCE = /\.(rs|js|ts|cjs|mjs|sh|yml|yaml|toml|py)$|^run$/;
// What a cited repository path starts with: a top-level folder of the repository, or one
// of its top-level documents.
const CITED = /(?<![\w./@-])((?:src|lib|scripts|__test__|bench|tests|examples|fuzz|npm|docs|bin|\.github|\.ci|\.cargo)\/[\w./@-]*[\w/]|(?:README|ARCHITECTURE|COMPATIBILITY|BENCHMARKS|CONTRIBUTING)\.md)(?![\w{<*])/g;

// Paths cited for the packages pregyp works on, not for this repository: the workflow
// `pregyp migrate` writes into an addon.
const ELSEWHERE = new Set(['.github/workflows/prebuild.yml']);

function walk(dir, out = []) {
  for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
    if (e.isDirectory()) {
      if (!SKIP_DIRS.has(e.name)) walk(path.join(dir, e.name), out);
    } else if (e.isFile()) {
      out.push(path.join(dir, e.name));
    }
  }
  return out;
}

/** GitHub's anchor for a heading: lowercase, punctuation dropped, spaces as dashes; repeats get -1, -2. */
function slugs(markdown) {
  const seen = new Map();
  const out = new Set();
  for (const line of withoutCode(markdown).split('\n')) {
    const m = /^#{1,6}\s+(.*?)\s*#*\s*$/.exec(line);
    if (!m) continue;
    const text = m[1].replace(/<[^>]+>/g, '').replace(/\[([^\]]*)\]\([^)]*\)/g, '$1');
    let slug = text.toLowerCase().replace(/[^\p{L}\p{N}\s_-]/gu, '').replace(/\s/g, '-');
    const n = seen.get(slug) || 0;
    seen.set(slug, n + 1);
    if (n) slug = `${slug}-${n}`;
    out.add(slug);
  }
  return out;
}

/** The text with fenced code blocks and inline code blanked (links in code are examples). */
function withoutCode(text) {
  return text
    .replace(/^(```|~~~)[^\n]*\n[\s\S]*?^\1[^\n]*$/gm, (block) => block.replace(/[^\n]/g, ' '))
    .replace(/`[^`\n]*`/g, (s) => ' '.repeat(s.length));
}

function lineOf(text, index) {
  return text.slice(0, index).split('\n').length;
}

function markdownProblems(root, file, slugCache) {
  const problems = [];
  const text = fs.readFileSync(file, 'utf8');
  const plain = withoutCode(text);
  const rel = path.relative(root, file);
  const targets = [];
  for (const m of plain.matchAll(/\]\(\s*<?([^)\s>]+)>?(?:\s+"[^"]*")?\s*\)/g)) targets.push([m[1], m.index]);
  for (const m of plain.matchAll(/^\s*\[[^\]]+\]:\s*(\S+)/gm)) targets.push([m[1], m.index]);
  for (const [target, index] of targets) {
    if (/^[a-z][a-z0-9+.-]*:/i.test(target)) continue; // http:, https:, mailto:
    const [p, anchor] = target.split('#');
    const dest = p ? path.resolve(path.dirname(file), decodeURIComponent(p)) : file;
    const where = `${rel}:${lineOf(text, index)}`;
    if (!dest.startsWith(root + path.sep) && dest !== root) {
      problems.push(`${where}: link ${target} leaves the repository`);
    } else if (!fs.existsSync(dest)) {
      problems.push(`${where}: link ${target}: ${path.relative(root, dest)} does not exist`);
    } else if (anchor && dest.endsWith('.md')) {
      if (!slugCache.has(dest)) slugCache.set(dest, slugs(fs.readFileSync(dest, 'utf8')));
      if (!slugCache.get(dest).has(anchor)) problems.push(`${where}: link ${target}: no heading #${anchor} in ${path.relative(root, dest)}`);
    }
  }
  return problems;
}

// The comments of a source file, each with its offset: line and block comments for Rust
// and JS, `#` lines otherwise.
function comments(file, text) {
  const out = [];
  if (/\.(rs|js|ts|cjs|mjs)$/.test(file)) {
    // A `//` after a `:` is a URL (https://), not a comment.
    for (const m of text.matchAll(/(?<![:"'`\\])\/\/[^\n]*|\/\*[\s\S]*?\*\//g)) out.push([m[0], m.index]);
  } else {
    for (const m of text.matchAll(/(?:^|\s)#[^\n]*/g)) out.push([m[0], m.index]);
  }
  return out;
}

function citedPathProblems(root, file) {
  const problems = [];
  const text = fs.readFileSync(file, 'utf8');
  const rel = path.relative(root, file);
  for (const [comment, offset] of comments(file, text)) {
    for (const m of comment.matchAll(CITED)) {
      const cited = m[1];
      // Only what reads as a file (an extension) or a folder (a trailing slash): `bin/node`
      // in a Node build, `lib/binding` of an addon are prose about other trees.
      if (!/\.\w+$|\/$/.test(cited) || ELSEWHERE.has(cited)) continue;
      if (!fs.existsSync(path.join(root, cited))) problems.push(`${rel}:${lineOf(text, offset + m.index)}: cites ${cited}, which does not exist`);
    }
  }
  return problems;
}

/** Every broken link and cited path under `root`, one line each. */
function check(root) {
  root = path.resolve(root);
  const files = walk(root);
  const slugCache = new Map();
  const problems = [];
  for (const f of files) {
    const rel = path.relative(root, f);
    if (f.endsWith('.md')) problems.push(...markdownProblems(root, f, slugCache));
    // Fixtures are package layouts, not the repository's: their paths are their own.
    else if (SOURCE.test(path.basename(f)) && !rel.split(path.sep).includes('fixtures')) problems.push(...citedPathProblems(root, f));
  }
  return problems;
}

module.exports = { check, slugs };

if (require.main === module) {
  const problems = check(process.argv[2] || path.join(__dirname, '..'));
  for (const p of problems) console.error(p);
  if (problems.length) console.error(`${problems.length} broken link(s) or cited path(s)`);
  process.exitCode = problems.length ? 1 : 0;
}
