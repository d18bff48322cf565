'use strict';
// node-pre-gyp's lib/node-pre-gyp (its main module), through pregyp: deep requires of it
// keep working under pregyp's name and under the old name (an npm alias).
module.exports = require('..');
