//! The JS boundary, the only folder that faces Node: `napi` (the full binary's napi-rs
//! functions), `napi_find` (the lean find() binary's raw Node-API entry), `api` (JS
//! options → commands) and `cli` (argv → chained commands → exit code).
//! May use every other folder; nothing uses it.

#[cfg(feature = "full")]
pub mod api;
#[cfg(feature = "full")]
pub mod cli;
#[cfg(feature = "full")]
mod napi;
// (Not in fuzz builds, which are executables rather than addons.)
#[cfg(all(not(feature = "full"), not(fuzzing)))]
mod napi_find;
