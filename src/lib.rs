//! pregyp: a fast, safe drop-in successor to node-pre-gyp.
//! Everything but `napi.rs` is plain Rust, testable with `cargo test`.
#![deny(clippy::all)]

pub mod api;
pub mod archive;
pub mod cache;
pub mod cli;
pub mod commands;
pub mod error;
pub mod find;
pub mod http;
pub mod log;
pub mod manifest;
pub mod node_api;
pub mod options;
pub mod target;
pub mod versioning;

mod napi;
