//! Command-line behaviour: exit codes, output streams and formats, as a
//! user sees them. The cases are `tests/cmd/*.trycmd` (console transcripts,
//! run from the repository root); `TRYCMD=overwrite cargo test --test cli`
//! rewrites their expected output after an intended change.

#[test]
fn cli_cases() {
    trycmd::TestCases::new().case("tests/cmd/*.trycmd");
}
