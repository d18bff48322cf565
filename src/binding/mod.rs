//! The JS boundary, the only folder that faces Node: `napi` (the full binary's napi-rs
//! functions), `napi_find` (the lean find() binary's raw Node-API entry), `wasm` (the same
//! core's entry in the WebAssembly fallback), `api` (JS
//! options → commands) and `cli` (argv → chained commands → exit code).
//! May use every other folder; nothing uses it.

#[cfg(feature = "full")]
pub mod api;
#[cfg(feature = "full")]
pub mod cli;
#[cfg(feature = "full")]
mod napi;
// (Not in fuzz builds, which are executables rather than addons.)
#[cfg(all(not(feature = "full"), not(fuzzing), not(target_family = "wasm")))]
mod napi_find;
// The find() core's operations, answered by both lean entries (and listed by the full
// binary's `spec()` for the generated JS side).
pub mod ops;
// What the lean entries read from JS, and the exceptions they throw.
#[cfg(any(
    test,
    all(not(feature = "full"), any(not(fuzzing), target_family = "wasm"))
))]
mod request;
#[cfg(any(
    test,
    all(not(feature = "full"), any(not(fuzzing), target_family = "wasm"))
))]
mod throw;
// The WebAssembly fallback's entry (lib/wasm.js), for platforms with no native binary.
#[cfg(all(not(feature = "full"), target_family = "wasm"))]
mod wasm;
