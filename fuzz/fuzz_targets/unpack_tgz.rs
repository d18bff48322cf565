//! Arbitrary bytes as a `.tar.gz` for the safe unpacker.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    pregyp_fuzz::checks::unpack(data, true);
});
