'use strict';
// The one line a package changes when it migrates: `require('pregyp')` instead of
// `require('@mapbox/node-pre-gyp')` (or keep the old name with an npm alias).
const path = require('path');
const binding = require(require('pregyp').find(path.join(__dirname, 'package.json')));

module.exports = binding;
