//! Differential: the hot-path scanner (`src/syntax/fast.rs`) must agree
//! with pest on every input. The first byte chooses raw text (every
//! character class at every position) or grammar-shaped text (members
//! that nearly parse, which is where the two could part ways).
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Some((&mode, rest)) = data.split_first() else {
        return;
    };
    let text = if mode & 1 == 0 {
        String::from_utf8_lossy(rest).into_owned()
    } else {
        callscript_fuzz::grammar_source(rest)
    };
    callscript_fuzz::fast_path_agrees(&text);
});
