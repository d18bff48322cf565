//! pregyp: a fast, safe drop-in successor to node-pre-gyp.
//! Everything but `napi.rs` is plain Rust, testable with `cargo test`.
//! Modules marked `full` are left out of the lean find() binary (no runtime,
//! HTTP, TLS, tar or S3 code in what every addon loads at `require` time).
#![deny(clippy::all)]

#[cfg(feature = "full")]
pub mod api;
#[cfg(feature = "archive")]
pub mod archive;
#[cfg(feature = "full")]
pub mod cache;
#[cfg(feature = "full")]
pub mod cli;
#[cfg(feature = "full")]
pub mod commands;
pub mod digest;
#[cfg(feature = "full")]
pub mod download;
pub mod error;
pub mod find;
#[cfg(feature = "archive")]
pub mod fsutil;
#[cfg(feature = "full")]
pub mod gyp;
pub mod hostfs;
#[cfg(feature = "full")]
pub mod http;
#[cfg(feature = "full")]
pub mod inflate;
#[cfg(feature = "full")]
pub mod lifecycle;
pub mod log;
pub mod manifest;
pub mod node_api;
pub mod options;
#[cfg(feature = "full")]
pub mod pack;
#[cfg(feature = "full")]
pub mod pgzip;
pub mod platform;
#[cfg(feature = "full")]
pub mod process;
pub mod redact;
#[cfg(feature = "full")]
pub mod results;
#[cfg(feature = "full")]
pub mod retry;
#[cfg(feature = "full")]
pub mod s3;
pub mod spec;
#[cfg(feature = "full")]
pub mod staging;
pub mod target;
#[cfg(all(test, feature = "full"))]
mod test_support;
pub mod urls;
pub mod versioning;

// The full binary's JS surface is napi-rs; the lean one's is raw Node-API (see napi_find.rs).
#[cfg(feature = "full")]
mod napi;
// (Not in fuzz builds, which are executables rather than addons.)
#[cfg(all(not(feature = "full"), not(fuzzing), not(target_family = "wasm")))]
mod napi_find;
// The WebAssembly fallback's surface (lib/wasm.js), for platforms with no native binary.
#[cfg(all(not(feature = "full"), target_family = "wasm"))]
mod wasm;

// Property-based tests. Their checks are shared with the fuzz crate (fuzz/), where
// this crate is the external crate `pregyp`: the alias lets one file serve both.
#[cfg(test)]
extern crate self as pregyp;
#[cfg(test)]
mod properties;
