//! Arbitrary bytes as one or two files (split at a 0xFF byte, which UTF-8
//! never contains): compile, report, operator JSON and the annex.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    callscript_fuzz::pipeline(&callscript_fuzz::sources(data), false);
});
