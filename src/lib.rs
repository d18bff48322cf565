//! pregyp: a fast, safe drop-in successor to node-pre-gyp.
//!
//! The folders of `src/` are layers, and a module may use only its own folder and the
//! layers below it: ARCHITECTURE.md states them, and tests/architecture.rs checks every
//! import against them (and that no module imports another in a cycle).
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
pub mod program;
pub mod redact;
#[cfg(feature = "full")]
pub mod results;
#[cfg(feature = "full")]
pub mod s3;
#[cfg(all(test, feature = "full"))]
mod test_support;
pub mod typo;

// Property-based tests. Their checks are shared with the fuzz crate (fuzz/), where
// this crate is the external crate `pregyp`: the alias lets one file serve both.
#[cfg(test)]
extern crate self as pregyp;
#[cfg(test)]
mod properties;
