//! The name the CLI runs under: `pregyp`, or `node-pre-gyp` through the reference's bin,
//! where what users and scripts see of that command (the log shape, the commands messages
//! suggest) stays the reference's.

use std::sync::atomic::{AtomicBool, Ordering};

static REFERENCE: AtomicBool = AtomicBool::new(false);

/// Runs as `node-pre-gyp` (the reference's log shape and name) or as `pregyp`.
pub fn set_program(name: &str) {
    REFERENCE.store(name == "node-pre-gyp", Ordering::Relaxed);
}

/// `node-pre-gyp` or `pregyp`, for messages that name a command.
pub fn program() -> &'static str {
    if reference_style() {
        "node-pre-gyp"
    } else {
        "pregyp"
    }
}

/// Whether log lines take the reference's `[level] message` shape.
pub fn reference_style() -> bool {
    REFERENCE.load(Ordering::Relaxed)
}
