//! Placing files on disk safely: `archive` (the safe unpacker), `inflate` (gzip with a
//! bomb limit), `staging` (atomic placement and the install lock), `fsutil`.
//! May use `config`, `building` (staging checks a binding loads, in a child) and the
//! top-level files.

#[cfg(feature = "archive")]
pub mod archive;
#[cfg(feature = "archive")]
pub mod fsutil;
#[cfg(feature = "full")]
pub mod inflate;
#[cfg(feature = "full")]
pub mod staging;
