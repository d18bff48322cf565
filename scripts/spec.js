'use strict';
// The declarations of src/config/spec.rs, src/error.rs and src/results.rs as JSON, from the
// built full binary opened directly rather than through index.js: index.js holds a
// generated copy of lib/loader.js, and a broken copy must not stop its own regeneration.
// Used by scripts/gen-types.js and scripts/gen-docs.js.
const fs = require('fs');
const path = require('path');

const root = path.join(__dirname, '..');

function loadSpec() {
  for (const t of require('../lib/loader').hostTriples()) {
    const file = path.join(root, `pregyp.${t}.node`);
    if (!fs.existsSync(file)) continue;
    const m = { exports: {} };
    process.dlopen(m, file);
    return JSON.parse(m.exports.spec());
  }
  throw new Error('no pregyp.<triple>.node beside index.js: build it first (node scripts/build.js)');
}

module.exports = { root, loadSpec };
