//! The configuration model: package.json and its `binary` block, the target (runtime,
//! ABI, Node-API, platform, arch, libc), template evaluation, options and find().
//! Pure and lean (all of it is in the find() binary). Uses only the top-level files
//! (`error`, `log`, `redact`, `digest`); nothing here reaches any other folder.
//!
//! Inside, one chain with `manifest` at the bottom: template → platform → manifest →
//! node_api → target → versioning → spec → options → find (`urls` beside it, used by all).

pub mod find;
pub mod manifest;
pub mod node_api;
pub mod options;
pub mod platform;
pub mod spec;
pub mod target;
pub mod template;
pub mod urls;
pub mod versioning;
