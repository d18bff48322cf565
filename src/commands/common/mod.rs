//! What several commands share, so that no command module calls into another: a
//! command uses this folder, the commands' own `Context` and `Outcome`, and the layers
//! below; `tests/architecture.rs` checks it.

pub mod package_json;
pub mod platform_packages;
pub mod staged;
