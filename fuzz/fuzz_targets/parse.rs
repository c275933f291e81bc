//! Arbitrary bytes: the front end alone, then the compiler.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(text) = std::str::from_utf8(data) {
        let _ = callscript::syntax::parse(callscript::FileId(0), text);
    }
    let sources = [callscript::SourceFile::new("a.script", data)];
    let _ = callscript::compile(&sources, &callscript::Options::default());
});
