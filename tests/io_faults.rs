//! I/O faults and bad usage, for every subcommand: exit 2, one line on
//! stderr that says what is wrong, and earlier outputs left exactly as they
//! were (docs/robustness.md). What `tests/annex.rs` and
//! `tests/operator_json.rs` already cover (`--out` that is a file for both,
//! a bad template, a project with errors) is not repeated here.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn callscript(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_callscript"))
        .args(args)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .env("NO_COLOR", "1")
        .output()
        .unwrap()
}

fn s(p: &Path) -> &str {
    p.to_str().unwrap()
}

/// Exit 2, and exactly one line on stderr, starting `error: `, with
/// `needle` in it.
#[track_caller]
fn fails_with_one_line(r: &Output, needle: &str) {
    let err = String::from_utf8_lossy(&r.stderr);
    assert_eq!(r.status.code(), Some(2), "{err}");
    assert_eq!(err.lines().count(), 1, "one line: {err}");
    assert!(err.starts_with("error: "), "{err}");
    assert!(err.contains(needle), "`{needle}` in: {err}");
    assert!(
        r.stdout.is_empty(),
        "{}",
        String::from_utf8_lossy(&r.stdout)
    );
}

/// Every file under `dir` with its bytes, sorted: to prove nothing changed
/// (and no temporary file was left behind).
fn snapshot(dir: &Path) -> Vec<(PathBuf, Vec<u8>)> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).unwrap() {
            let p = e.unwrap().path();
            if p.is_dir() {
                out.push((p.clone(), Vec::new()));
                stack.push(p);
            } else {
                out.push((p.clone(), std::fs::read(&p).unwrap()));
            }
        }
    }
    out.sort();
    out
}

/// A folder with earlier outputs of both commands.
fn earlier_outputs() -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out");
    std::fs::create_dir(&out).unwrap();
    std::fs::write(out.join("operator.json"), "{\"old\": true}\n").unwrap();
    std::fs::write(out.join("annex.md"), "# old annex\n").unwrap();
    std::fs::write(out.join("annex.html"), "<p>old</p>\n").unwrap();
    (dir, out)
}

const OUTPUT_COMMANDS: &[&[&str]] = &[
    &["build"],
    &["annex"],
    &["annex", "--format", "html"],
    &["annex", "--format", "docx"],
];

fn with(base: &[&str], rest: &[&str]) -> Vec<String> {
    base.iter()
        .chain(rest)
        .map(|s| s.to_string())
        .collect::<Vec<_>>()
}

fn run(args: &[String]) -> Output {
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    callscript(&args)
}

#[test]
fn out_under_a_file_is_an_io_error_for_every_output() {
    // "Unwritable" without permissions (the tests may run as root, for
    // whom a read-only folder is writable): a parent that is a file.
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("file");
    std::fs::write(&file, "keep me").unwrap();
    let out = file.join("out");
    for cmd in OUTPUT_COMMANDS {
        let r = run(&with(cmd, &["scripts", "--out", s(&out)]));
        fails_with_one_line(&r, "cannot create the folder");
    }
    assert_eq!(std::fs::read(&file).unwrap(), b"keep me");
}

#[test]
fn a_folder_in_the_way_of_the_output_file_keeps_everything() {
    let (dir, out) = earlier_outputs();
    std::fs::create_dir(out.join("annex.docx")).unwrap();
    std::fs::create_dir(out.join("annex.docx").join("inner")).unwrap();
    let before = snapshot(dir.path());
    let r = callscript(&["annex", "scripts", "--out", s(&out), "--format", "docx"]);
    fails_with_one_line(&r, "a folder of that name is in the way");
    assert_eq!(snapshot(dir.path()), before);
}

#[test]
fn annex_into_a_file_keeps_the_file() {
    for format in ["md", "html", "docx"] {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("annex.md");
        std::fs::write(&file, "# my notes\n").unwrap();
        let r = callscript(&["annex", "scripts", "--out", s(&file), "--format", format]);
        fails_with_one_line(&r, "is a file, not a folder");
        assert_eq!(std::fs::read(&file).unwrap(), b"# my notes\n");
    }
}

#[test]
fn missing_inputs_and_folders_without_scripts_for_every_subcommand() {
    let (dir, out) = earlier_outputs();
    let empty = dir.path().join("empty");
    std::fs::create_dir_all(empty.join("sub")).unwrap();
    std::fs::write(empty.join("sub").join("notes.txt"), "not a script").unwrap();
    let missing = dir.path().join("nope.script");
    let before = snapshot(dir.path());
    let commands: Vec<Vec<&str>> = vec![
        vec!["check"],
        vec!["build", "--out", s(&out)],
        vec!["annex", "--out", s(&out)],
        vec!["annex", "--out", s(&out), "--format", "docx"],
    ];
    for cmd in &commands {
        let r = run(&with(cmd, &[s(&missing)]));
        fails_with_one_line(&r, "no such file or folder");
        let r = run(&with(cmd, &[s(&empty)]));
        fails_with_one_line(&r, "contains no .script files");
        // A missing file next to good ones: nothing is compiled or written.
        let r = run(&with(cmd, &["scripts", s(&missing)]));
        fails_with_one_line(&r, "nope.script");
    }
    assert_eq!(snapshot(dir.path()), before);
}

#[test]
fn unknown_flags_and_bad_values_for_every_subcommand() {
    let (dir, out) = earlier_outputs();
    let before = snapshot(dir.path());
    let o = s(&out);
    let cases: Vec<(Vec<&str>, &str)> = vec![
        (vec!["check", "scripts", "--bogus"], "'--bogus'"),
        (vec!["build", "scripts", "--out", o, "--bogus"], "'--bogus'"),
        (vec!["annex", "scripts", "--out", o, "--bogus"], "'--bogus'"),
        (vec!["check", "scripts", "--format", "xml"], "'xml'"),
        (vec!["annex", "scripts", "--out", o, "--lang", "de"], "'de'"),
        (
            vec!["annex", "scripts", "--out", o, "--format", "pdf"],
            "'pdf'",
        ),
        (vec!["build", "scripts"], "--out"),
        (vec!["annex", "scripts"], "--out"),
        (vec!["build", "--out", o], "<PATHS>"),
        (vec!["check"], "<PATHS>"),
        (vec!["frobnicate", "scripts"], "'frobnicate'"),
        (vec![], "callscript"),
        (vec!["check", "--format"], "--format"),
    ];
    for (args, needle) in cases {
        let r = callscript(&args);
        if args.is_empty() {
            // No subcommand: clap prints the help, and it is a usage error.
            assert_eq!(r.status.code(), Some(2));
            continue;
        }
        fails_with_one_line(&r, needle);
        let err = String::from_utf8_lossy(&r.stderr);
        assert!(err.contains("--help"), "says where help is: {err}");
    }
    assert_eq!(snapshot(dir.path()), before);
}

#[test]
fn a_source_that_is_a_folder_named_like_a_script_or_unreadable() {
    // A folder called `x.script` is searched, not read as a file.
    let dir = tempfile::tempdir().unwrap();
    let odd = dir.path().join("x.script");
    std::fs::create_dir(&odd).unwrap();
    let r = callscript(&["check", s(&odd)]);
    fails_with_one_line(&r, "contains no .script files");
    // A dangling symbolic link given as a path.
    #[cfg(unix)]
    {
        let link = dir.path().join("dangling.script");
        std::os::unix::fs::symlink(dir.path().join("gone"), &link).unwrap();
        let r = callscript(&["check", s(&link)]);
        fails_with_one_line(&r, "no such file or folder");
    }
}

#[test]
fn hostile_sources_on_the_command_line_exit_1_with_a_report() {
    // Binary data and a truncated script: the normal report, exit 1.
    let dir = tempfile::tempdir().unwrap();
    let bin = dir.path().join("bin.script");
    std::fs::write(&bin, [0u8, 159, 146, 150, 0xFF, b'\n', 0]).unwrap();
    let cut = dir.path().join("cut.script");
    let text = std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("scripts/sales/inbound.script"),
    )
    .unwrap();
    std::fs::write(&cut, &text[..text.len() / 2]).unwrap();
    let out = dir.path().join("out");
    for args in [
        vec!["check", s(&bin), s(&cut)],
        vec!["build", s(&bin), s(&cut), "--out", s(&out)],
        vec!["annex", s(&cut), "--out", s(&out)],
    ] {
        let r = callscript(&args);
        let err = String::from_utf8_lossy(&r.stderr);
        assert_eq!(r.status.code(), Some(1), "{err}");
        assert!(err.contains("callscript::"), "{err}");
    }
    assert!(!out.exists());
}
