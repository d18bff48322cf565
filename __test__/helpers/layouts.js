'use strict';
// Shared by the find() tests (find.test.js, and cross/portable.js under other platforms'
// Node): package.json `binary` blocks of the shapes real packages use; and a snapshot of a
// folder, to prove that a failed command changed nothing.
const fs = require('node:fs');
const path = require('node:path');

const VARIANTS = {
  plain: { module_name: 'm', module_path: './lib/binding/{configuration}/{node_abi}-{platform}-{arch}/', host: 'https://h.example/' },
  libc: { module_name: 'm', module_path: 'lib/{platform}-{arch}-{libc}/{module_name}', host: 'https://h.example/' },
  napi: {
    module_name: 'm_napi',
    module_path: './lib/binding/napi-v{napi_build_version}',
    remote_path: '{version}',
    package_name: '{platform}-{arch}-napi-v{napi_build_version}.tar.gz',
    host: 'https://h.example/',
    napi_versions: [3, 6, 99],
  },
  label: {
    module_name: 'm',
    module_path: './lib/{node_napi_label}',
    package_name: '{module_name}-{node_napi_label}.tgz',
    host: 'https://h.example/',
    napi_versions: [1, 4],
  },
  staging: { module_name: 'm', module_path: 'lib/{name}', host: '', staging_host: 'https://s.example', production_host: 'https://p.example' },
};

// Every file under `dir` (relative path -> content, a symlink as `-> target`).
function snapshot(dir) {
  const out = {};
  const walk = (d) => {
    for (const e of fs.readdirSync(d, { withFileTypes: true })) {
      const p = path.join(d, e.name);
      if (e.isDirectory()) walk(p);
      else out[path.relative(dir, p)] = e.isSymbolicLink() ? `-> ${fs.readlinkSync(p)}` : fs.readFileSync(p).toString('base64');
    }
  };
  walk(dir);
  return out;
}

module.exports = { VARIANTS, snapshot };
