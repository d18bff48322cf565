'use strict';
// Pages of docs/ that a test writes from what it measured (the package-manager matrix, the
// migrate runs on real packages). Each is always written under .pregyp-test/ (gitignored);
// with PREGYP_WRITE_DOCS=1 also over the committed copy in docs/, so that the published
// figures are exactly what the test produced.
const fs = require('node:fs');
const path = require('node:path');

const ROOT = path.join(__dirname, '..', '..');

/**
 * Writes `text` to .pregyp-test/<name> and, with PREGYP_WRITE_DOCS=1, to docs/<name>
 * (unless `partial`: a run of only some cases must not replace the whole page); returns
 * the paths written.
 */
function writeDoc(name, text, { partial = false } = {}) {
  const dirs = [path.join(ROOT, '.pregyp-test')];
  if (process.env.PREGYP_WRITE_DOCS === '1' && !partial) dirs.push(path.join(ROOT, 'docs'));
  return dirs.map((dir) => {
    fs.mkdirSync(dir, { recursive: true });
    const file = path.join(dir, name);
    fs.writeFileSync(file, text);
    return path.relative(ROOT, file);
  });
}

module.exports = { writeDoc };
