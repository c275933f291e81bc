//! Structure-aware: the fuzzer's bytes choose the pieces of a project
//! (contract, roles, scripts, steps, statements, values, now and then a
//! stray token), so that nearly every input parses and the checks, the
//! operator JSON and the annex all run.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    // Two files: the first half of the bytes builds one, the rest the other.
    let (a, b) = data.split_at(data.len() / 2);
    let sources = [
        callscript::SourceFile::new("a.script", callscript_fuzz::grammar_source(a)),
        callscript::SourceFile::new("b.script", callscript_fuzz::grammar_source(b)),
    ];
    callscript_fuzz::pipeline(&sources, false);
});
