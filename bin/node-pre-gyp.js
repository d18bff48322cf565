#!/usr/bin/env node
'use strict';
// The `node-pre-gyp` command: pregyp under the reference's name, with its log shape.
require('./pregyp.js').main('node-pre-gyp');
