//! Data-driven tests over `tests/fixtures/`.
//!
//! * `valid/*.script` parse without a syntax error; their AST is
//!   snapshotted (`syntax::dump::dump`), and the whole-file grammar rule
//!   accepts them too.
//! * `diagnostics/<code>/…` are fixtures for one diagnostic code. A fixture
//!   is a `.script` file, or a folder `*.project` of files compiled as one
//!   project. Every diagnostic must be announced in the source by an
//!   annotation on its line, and every annotation must be met:
//!
//!   ```text
//!   step loop 10s {          //~ error unbounded-loop
//!     say "unterminated
//!   //~^ error syntax        (`^` per line above)
//!   ```
//!
//!   Fixtures named `ok_*` are near misses: they must not produce the
//!   folder's code. The rendered report (no colour) of every fixture is
//!   snapshotted.
//! * Every code of the registry has at least one fixture that triggers it
//!   and one near miss.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use callscript::render::{self, Sources, Style};
use callscript::{Code, Options, SourceFile};

fn fixtures_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures")
}

/// The sources of a fixture: one file, or every `.script` of a folder.
fn load(path: &Path) -> Vec<SourceFile> {
    let mut files: Vec<PathBuf> = if path.is_dir() {
        std::fs::read_dir(path)
            .unwrap()
            .map(|e| e.unwrap().path())
            .filter(|p| p.extension().is_some_and(|e| e == "script"))
            .collect()
    } else {
        vec![path.to_path_buf()]
    };
    files.sort();
    files
        .iter()
        .map(|p| {
            let name = p
                .strip_prefix(fixtures_dir())
                .unwrap()
                .to_string_lossy()
                .replace('\\', "/");
            SourceFile::new(name, std::fs::read(p).unwrap())
        })
        .collect()
}

type Finding = (String, usize, String, String);

/// `//~ error code, warning code` annotations: (file, line, severity, code).
fn annotations(sources: &[SourceFile]) -> BTreeSet<Finding> {
    let mut out = BTreeSet::new();
    for f in sources {
        let text = String::from_utf8_lossy(&f.bytes);
        for (i, line) in text.lines().enumerate() {
            let Some(pos) = line.find("//~") else {
                continue;
            };
            let rest = &line[pos + 3..];
            let up = rest.chars().take_while(|&c| c == '^').count();
            for item in rest[up..].split(',') {
                let mut words = item.split_whitespace();
                let (Some(sev), Some(code)) = (words.next(), words.next()) else {
                    panic!("{}:{}: malformed annotation `{line}`", f.name, i + 1);
                };
                out.insert((
                    f.name.clone(),
                    i + 1 - up,
                    sev.to_string(),
                    code.to_string(),
                ));
            }
        }
    }
    out
}

fn fixtures_in(dir: &Path) -> Vec<PathBuf> {
    let mut out: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| {
            p.extension()
                .is_some_and(|e| e == "script" || e == "project")
        })
        .collect();
    out.sort();
    out
}

/// Run `f` on each fixture; report every failure at the end rather than
/// stopping at the first.
fn each(paths: &[PathBuf], f: impl Fn(&Path)) {
    let mut failures = Vec::new();
    for p in paths {
        let r = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| f(p)));
        if r.is_err() {
            failures.push(p.display().to_string());
        }
    }
    assert!(
        failures.is_empty(),
        "failing fixtures:\n{}",
        failures.join("\n")
    );
}

fn snapshot_name(path: &Path) -> String {
    path.strip_prefix(fixtures_dir())
        .unwrap()
        .to_string_lossy()
        .replace(['/', '\\'], "__")
}

#[test]
fn valid_files_parse_and_match_their_ast() {
    let dir = fixtures_dir().join("valid");
    each(&fixtures_in(&dir), |path| {
        let text = std::fs::read_to_string(path).unwrap();
        let (ast, diags) = callscript::syntax::parse(callscript::FileId(0), &text);
        assert!(diags.is_empty(), "{}: {diags:#?}", path.display());
        use pest::Parser as _;
        // The grammar describes the text with comments blanked out.
        let blanked = callscript::syntax::lexer::blank_comments(&text).unwrap_or(text.clone());
        callscript::syntax::CallscriptParser::parse(callscript::syntax::Rule::file, &blanked)
            .unwrap_or_else(|e| panic!("{}: the `file` rule rejects it: {e}", path.display()));
        insta::with_settings!({ snapshot_path => "fixtures/snapshots", prepend_module_to_snapshot => false }, {
            insta::assert_snapshot!(snapshot_name(path), callscript::syntax::dump::dump(&ast));
        });
    });
}

#[test]
fn diagnostics_match_annotations() {
    let root = fixtures_dir().join("diagnostics");
    let mut paths = Vec::new();
    for dir in std::fs::read_dir(&root).unwrap() {
        let dir = dir.unwrap().path();
        if dir.is_dir() {
            paths.extend(fixtures_in(&dir));
        }
    }
    paths.sort();
    each(&paths, |path| {
        let sources = load(path);
        let (_, diags) = callscript::compile(&sources, &Options::default());
        let view = Sources::new(&sources);
        let actual: BTreeSet<Finding> = diags
            .iter()
            .map(|d| {
                let lc = view.line_col(d.file, d.span.start as usize);
                (
                    view.name(d.file).to_string(),
                    lc.line,
                    d.severity.as_str().to_string(),
                    d.code.name().to_string(),
                )
            })
            .collect();
        let expected = annotations(&sources);
        assert_eq!(
            actual,
            expected,
            "{}: diagnostics (left) differ from annotations (right)\n{}",
            path.display(),
            render::human(&diags, &view, Style::default())
        );
        let folder = path
            .parent()
            .unwrap()
            .file_name()
            .unwrap()
            .to_string_lossy();
        let is_ok = path
            .file_name()
            .unwrap()
            .to_string_lossy()
            .starts_with("ok_");
        if is_ok {
            assert!(
                !diags.iter().any(|d| d.code.name() == folder),
                "{}: a near miss must not report {folder}",
                path.display()
            );
        }
        insta::with_settings!({ snapshot_path => "fixtures/snapshots", prepend_module_to_snapshot => false }, {
            insta::assert_snapshot!(
                snapshot_name(path),
                render::human(&diags, &view, Style::default())
            );
        });
    });
}

#[test]
fn every_code_has_a_trigger_and_a_near_miss() {
    let root = fixtures_dir().join("diagnostics");
    let mut missing = Vec::new();
    for code in Code::ALL {
        let dir = root.join(code.name());
        let fixtures = if dir.is_dir() {
            fixtures_in(&dir)
        } else {
            Vec::new()
        };
        let triggers = fixtures.iter().any(|p| {
            annotations(&load(p))
                .iter()
                .any(|(_, _, _, c)| c == code.name())
        });
        let near_miss = fixtures
            .iter()
            .any(|p| p.file_name().unwrap().to_string_lossy().starts_with("ok_"));
        if !triggers {
            missing.push(format!("{}: no fixture triggers it", code.name()));
        }
        if !near_miss {
            missing.push(format!("{}: no near-miss fixture (ok_*)", code.name()));
        }
    }
    assert!(missing.is_empty(), "{}", missing.join("\n"));
}
