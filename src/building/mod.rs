//! Child processes and the tools they run: `process` (spawn, env scrubbing, redacted
//! command lines, `which`, loading a binding in a child), `gyp` (node-gyp / nw-gyp) and
//! `lifecycle` (what an npm lifecycle script sees). May use `config` and the top-level files.

pub mod gyp;
pub mod lifecycle;
pub mod process;
