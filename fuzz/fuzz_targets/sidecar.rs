//! The body of a `<tarball>.sha256` sidecar, any bytes.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    pregyp_fuzz::checks::sidecar(data);
});
