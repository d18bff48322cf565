//! pregyp: a fast, safe drop-in successor to node-pre-gyp.
//!
//! The folders are the layers, bottom first: a module may use its own folder and the
//! rows before its own, never a later one (tests/architecture.rs checks it, and that
//! no module imports another in a cycle):
//!
//! | folder | what lives there |
//! |---|---|
//! | (top-level files) | `error`, `log`, `redact`, `digest`, `results`: used everywhere |
//! | `config` | package.json, target, templates, options, find(): the lean core |
//! | `building` | child processes, node-gyp, the npm lifecycle |
//! | `place` | safe unpacking, atomic placement, the install lock |
//! | `packing` | tarballs and parallel gzip |
//! | `fetch` | HTTP, retries, downloads, the cache |
//! | `s3` | the S3 client and its credentials |
//! | `mend` | packages that other installers (prebuild-install, node-gyp-build, a bare binding.gyp) set up |
//! | `commands` | one file per command: decisions only |
//! | `binding` | the JS boundary: napi-rs, the lean find() entry, the JS API, the CLI |
//!
//! Everything but `binding` is plain Rust, testable with `cargo test`. What is marked
//! `full` is left out of the lean find() binary (no runtime, HTTP, TLS, tar or S3 code
//! in what every addon loads at `require` time).
#![deny(clippy::all)]

pub mod binding;
#[cfg(feature = "full")]
pub mod building;
#[cfg(feature = "full")]
pub mod commands;
pub mod config;
pub mod digest;
pub mod error;
#[cfg(feature = "full")]
pub mod fetch;
pub mod log;
#[cfg(feature = "full")]
pub mod mend;
#[cfg(feature = "full")]
pub mod packing;
#[cfg(feature = "archive")]
pub mod place;
pub mod redact;
#[cfg(feature = "full")]
pub mod results;
#[cfg(feature = "full")]
pub mod s3;
#[cfg(all(test, feature = "full"))]
mod test_support;

// Property-based tests. Their checks are shared with the fuzz crate (fuzz/), where
// this crate is the external crate `pregyp`: the alias lets one file serve both.
#[cfg(test)]
extern crate self as pregyp;
#[cfg(test)]
mod properties;
