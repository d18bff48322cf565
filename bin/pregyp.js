#!/usr/bin/env node
'use strict';
// The `pregyp` and `node-pre-gyp` commands.
let pregyp;
try {
  pregyp = require('..');
} catch (e) {
  console.error(`pregyp ERR! ${e.message}`);
  process.exit(1);
}
pregyp.run(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (e) => {
    console.error(`pregyp ERR! ${e.message}`);
    process.exitCode = 1;
  }
);
