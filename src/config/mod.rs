//! The configuration model: package.json and its `binary` block, the target (runtime,
//! ABI, Node-API, platform, arch, libc), template evaluation, options and find().
//! Pure and lean (all of it is in the find() binary). Uses only the top-level files
//! (`error`, `log`, `redact`, `digest`); nothing here reaches any other folder.
//!
//! `hostfs` is the file system find() sees (std::fs, or the JS host in the wasm fallback).
//! Inside, one chain with `manifest` at the bottom: template → platform → manifest →
//! node_api → target → versioning → spec → options → find (`urls` beside it, used by all;
//! `package_manager` beside it too, used by find and the commands).

pub mod find;
pub mod hostfs;
pub mod manifest;
pub mod node_api;
pub mod options;
pub mod package_manager;
pub mod platform;
pub mod spec;
pub mod target;
pub mod template;
pub mod urls;
pub mod versioning;
