#!/usr/bin/env node
// Regenerates src/config/abi_table.json, the ABI table bundled into pregyp for `--target` lookups.
// Inputs: node-pre-gyp's abi_crosswalk.json (every Node release with its ABI and V8) and
// node-abi's abi_registry.json (newest Node majors and Electron ABIs).
// Usage: node scripts/gen-abi-table.js <abi_crosswalk.json> <abi_registry.json>
'use strict';
const fs = require('fs');
const path = require('path');

const [crosswalkFile, registryFile] = process.argv.slice(2);
if (!crosswalkFile || !registryFile) {
  console.error('usage: gen-abi-table.js <abi_crosswalk.json> <abi_registry.json>');
  process.exit(1);
}
const crosswalk = JSON.parse(fs.readFileSync(crosswalkFile, 'utf8'));
const registry = JSON.parse(fs.readFileSync(registryFile, 'utf8'));

const node = { ...crosswalk };
const electron = {};
for (const entry of registry) {
  if (entry.future) continue; // not released yet: guessing would be a stale-table bug waiting to happen
  const [major] = entry.target.split('.');
  if (entry.runtime === 'node') {
    const key = `${major}.0.0`;
    if (!node[key]) node[key] = { node_abi: Number(entry.abi) };
  } else if (entry.runtime === 'electron') {
    if (!electron[major]) electron[major] = Number(entry.abi);
  }
}
const sortVersions = (a, b) => {
  const pa = a.split('.').map(Number);
  const pb = b.split('.').map(Number);
  for (let i = 0; i < 3; i++) if ((pa[i] || 0) !== (pb[i] || 0)) return (pa[i] || 0) - (pb[i] || 0);
  return 0;
};
const sortedNode = {};
for (const k of Object.keys(node).sort(sortVersions)) sortedNode[k] = node[k];
const sortedElectron = {};
for (const k of Object.keys(electron).sort((a, b) => a - b)) sortedElectron[k] = electron[k];
const out = path.join(__dirname, '..', 'src', 'config', 'abi_table.json');
fs.writeFileSync(out, JSON.stringify({ node: sortedNode, electron: sortedElectron }) + '\n');
console.log(`wrote ${out}: ${Object.keys(sortedNode).length} node versions, ${Object.keys(sortedElectron).length} electron majors`);
