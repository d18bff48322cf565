//! pregyp: a fast, safe drop-in successor to node-pre-gyp.
//! Everything but `napi.rs` is plain Rust, testable with `cargo test`.
//! Modules marked `full` are left out of the lean find() binary (no runtime,
//! HTTP, TLS, tar or S3 code in what every addon loads at `require` time).
#![deny(clippy::all)]

#[cfg(feature = "full")]
pub mod api;
#[cfg(feature = "full")]
pub mod archive;
#[cfg(feature = "full")]
pub mod cache;
#[cfg(feature = "full")]
pub mod cli;
#[cfg(feature = "full")]
pub mod commands;
pub mod error;
pub mod find;
#[cfg(feature = "full")]
pub mod fsutil;
#[cfg(feature = "full")]
pub mod gyp;
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
pub mod process;
pub mod redact;
#[cfg(feature = "full")]
pub mod retry;
#[cfg(feature = "full")]
pub mod s3;
pub mod target;
pub mod urls;
pub mod versioning;

// The full binary's JS surface is napi-rs; the lean one's is raw Node-API (see napi_find.rs).
#[cfg(feature = "full")]
mod napi;
#[cfg(not(feature = "full"))]
mod napi_find;
