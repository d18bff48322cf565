#!/usr/bin/env node
'use strict';
// The `pregyp` command (bin/node-pre-gyp runs the same under the reference's name).
function main(program) {
  let pregyp;
  try {
    pregyp = require('..');
  } catch (e) {
    console.error(`${program} ERR! ${e.message}`);
    process.exit(1);
  }
  pregyp.run(process.argv.slice(2), { program }).then(
    (code) => {
      process.exitCode = code;
    },
    (e) => {
      console.error(`${program} ERR! ${e.message}`);
      process.exitCode = 1;
    }
  );
}

if (require.main === module) main('pregyp');
module.exports = { main };
