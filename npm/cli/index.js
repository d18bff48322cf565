'use strict';
// The folder @pregyp/cli was installed in: pregyp's loader resolves @pregyp/full-<platform> from
// here, where package managers that do not hoist (pnpm) put it.
module.exports = __dirname;
