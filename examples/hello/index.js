'use strict';
// The one line a package changes when it migrates: `require('pregyp').load(__dirname)`
// finds the binding (in module_path, or in the platform package for this machine) and
// requires it; when it is missing it throws an error that says why and how to fix it.
// (`require(require('@mapbox/node-pre-gyp').find(...))` keeps working too, with an npm alias.)
module.exports = require('pregyp').load(__dirname);
