'use strict';
// node-pre-gyp's lib/pre-binding, through pregyp: code that requires
// `<node-pre-gyp>/lib/pre-binding` deeply keeps working under pregyp's name and under the
// old name (an npm alias), and `pregyp migrate` rewrites its find() calls into load().
const pregyp = require('..');

exports.usage = 'Finds the require path for the node-pre-gyp installed module';
exports.find = pregyp.find;
exports.load = pregyp.load;
