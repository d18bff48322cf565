//! Making tarballs: `pack` (the tar layout, `.sha256` sidecars) and `pgzip` (parallel
//! gzip). May use `config`, `place` (the unpacker's link rule) and the top-level files.

pub mod pack;
pub mod pgzip;
