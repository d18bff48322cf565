//! Arbitrary bytes as a plain tar for the safe unpacker (the same code as
//! `unpack_tgz` without gzip in the way, so the fuzzer reaches entry handling).
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    pregyp_fuzz::checks::unpack(data, false);
});
