//! Placing files on disk safely: `archive` (the safe unpacker), `inflate` (gzip with a
//! bomb limit), `staging` (atomic placement and the install lock), `atomic` (files written
//! whole or not at all, one or a set), `fsutil`.
//! May use `config`, `building` (staging checks a binding loads, in a child) and the
//! top-level files.

#[cfg(feature = "archive")]
pub mod archive;
#[cfg(feature = "full")]
pub mod atomic;
#[cfg(feature = "archive")]
pub mod fsutil;
#[cfg(feature = "full")]
pub mod inflate;
#[cfg(feature = "full")]
pub mod staging;
