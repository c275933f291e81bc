//! The operator JSON (`callscript build`): its content for the example
//! project, its schema, determinism, fingerprints, and atomic writing.

mod common;

use callscript::emit::json::{self, Layout};
use callscript::{Options, SourceFile};
use common::{callscript, example, root, s};

fn operator_json(sources: &[SourceFile]) -> String {
    let (project, diags) = callscript::compile(sources, &Options::default());
    let project = project.unwrap_or_else(|| panic!("errors: {diags:#?}"));
    callscript::emit::json::to_string(&project)
}

fn fingerprints(sources: &[SourceFile]) -> Vec<(String, String)> {
    common::script_fingerprints(&operator_json(sources))
}

/// The example project, then each valid fixture as a project of its own:
/// together they exercise every construct (contract-less projects too).
fn example_and_valid_fixtures() -> Vec<Vec<SourceFile>> {
    let mut projects = vec![example()];
    let mut paths: Vec<_> = std::fs::read_dir(root().join("tests/fixtures/valid"))
        .unwrap()
        .map(|f| f.unwrap().path())
        .collect();
    paths.sort();
    for p in paths {
        projects.push(vec![SourceFile::new(
            p.display().to_string(),
            std::fs::read(&p).unwrap(),
        )]);
    }
    projects
}

#[test]
fn example_project_snapshot() {
    insta::assert_snapshot!("operator_json_scripts", operator_json(&example()));
}

#[test]
fn output_validates_against_the_committed_schema() {
    let schema: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(root().join("docs/operator.schema.json")).unwrap(),
    )
    .unwrap();
    let validator = jsonschema::validator_for(&schema).expect("the schema is valid");
    let projects = example_and_valid_fixtures();
    let mut checked = 0;
    for sources in projects {
        let (Some(project), _) = callscript::compile(&sources, &Options::default()) else {
            continue;
        };
        let json: serde_json::Value =
            serde_json::from_str(&callscript::emit::json::to_string(&project)).unwrap();
        let errors: Vec<String> = validator
            .iter_errors(&json)
            .map(|e| format!("{} at {}", e, e.instance_path()))
            .collect();
        assert!(errors.is_empty(), "{}: {errors:#?}", sources[0].name);
        checked += 1;
    }
    assert!(checked >= 3, "too few projects compiled: {checked}");
}

#[test]
fn committed_schema_is_up_to_date() {
    let path = root().join("docs/operator.schema.json");
    let generated = callscript::emit::json::schema();
    if std::env::var_os("UPDATE_SCHEMA").is_some() {
        std::fs::write(&path, &generated).unwrap();
    }
    let committed = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(
        committed == generated,
        "docs/operator.schema.json is out of date: run `UPDATE_SCHEMA=1 cargo test --test operator_json`"
    );
}

#[test]
fn same_sources_give_the_same_bytes() {
    let a = operator_json(&example());
    let b = operator_json(&example());
    assert_eq!(a, b);
}

/// The example project with every source changed by `f`.
fn edited(f: impl Fn(&str) -> String) -> Vec<SourceFile> {
    example()
        .into_iter()
        .map(|s| {
            let text = String::from_utf8(s.bytes).unwrap();
            SourceFile::new(s.name, f(&text))
        })
        .collect()
}

#[test]
fn fingerprints_ignore_comments_blank_lines_and_spacing() {
    let before = fingerprints(&example());
    let after = fingerprints(&edited(|t| {
        // Strings are one line, so a new line between lines is always
        // between tokens.
        t.replace('\n', "\n\n    // a comment added by the test\n")
            .replace("  ", "\t \t")
            .replace(" -> ", "->")
    }));
    assert_eq!(before, after);
    // The same duration spelled differently is the same timing.
    let respelled = fingerprints(&edited(|t| {
        t.replace("step знакомство 1m", "step знакомство 60s")
    }));
    assert_eq!(before, respelled);
}

#[test]
fn fingerprints_change_with_text_structure_and_timing_of_that_script_only() {
    let before = fingerprints(&example());
    let cases = [
        (
            "text",
            "Оставьте, пожалуйста, номер телефона для связи",
            "Оставьте номер телефона",
        ),
        ("timing", "step знакомство 1m", "step знакомство 2m"),
        ("max", "step доставка 2m max 3", "step доставка 2m max 4"),
        (
            "structure",
            "on \"Нужно подумать\"       -> перезвонить",
            "on \"Нужно подумать\"       -> прощание",
        ),
        ("answer", "\"Вопрос по доставке\"", "\"Вопрос о доставке\""),
        (
            "handoff deadline",
            "to sales within 3m",
            "to sales within 4m",
        ),
    ];
    for (what, from, to) in cases {
        let sources = edited(|t| t.replace(from, to));
        assert!(
            sources
                .iter()
                .any(|s| String::from_utf8_lossy(&s.bytes).contains(to)),
            "{what}: the edit did not apply"
        );
        let after = fingerprints(&sources);
        for ((id, a), (_, b)) in before.iter().zip(&after) {
            if id == "входящие_продажи" {
                assert_ne!(
                    a, b,
                    "{what}: the edited script's fingerprint did not change"
                );
            } else {
                assert_eq!(
                    a, b,
                    "{what}: script `{id}` changed although it was not edited"
                );
            }
        }
    }
}

#[test]
fn fingerprints_look_like_sha256() {
    for (_, f) in fingerprints(&example()) {
        let hex = f.strip_prefix("sha256:").expect("sha256: prefix");
        assert_eq!(hex.len(), 64);
        assert!(
            hex.bytes()
                .all(|b| b.is_ascii_hexdigit() && !b.is_ascii_uppercase())
        );
    }
}

// ---------------------------------------------------------------- the CLI

#[test]
fn build_writes_operator_json_and_a_failed_build_leaves_it_intact() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out");
    let ok = callscript(&["build", "scripts", "--out", s(&out)]);
    assert_eq!(
        ok.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&ok.stderr)
    );
    let sources = example();
    let (project, _) = callscript::compile(&sources, &Options::default());
    let project = project.unwrap();
    // Compact by default; `--pretty` indents it.
    let first = std::fs::read(out.join("operator.json")).unwrap();
    assert_eq!(
        String::from_utf8(first.clone()).unwrap(),
        json::to_string_as(&project, Layout::Compact)
    );
    let pretty = callscript(&["build", "scripts", "--out", s(&out), "--pretty"]);
    assert_eq!(pretty.status.code(), Some(0));
    assert_eq!(
        std::fs::read_to_string(out.join("operator.json")).unwrap(),
        operator_json(&example())
    );
    let again = callscript(&["build", "scripts", "--out", s(&out)]);
    assert_eq!(again.status.code(), Some(0));
    assert_eq!(std::fs::read(out.join("operator.json")).unwrap(), first);

    // A project with errors: exit 1, nothing written, the old file intact.
    let broken = dir.path().join("broken.script");
    std::fs::write(&broken, "script s \"S\" { step a 10s { goto nowhere } }\n").unwrap();
    let failed = callscript(&["build", s(&broken), "--out", s(&out)]);
    assert_eq!(failed.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&failed.stderr).contains("nothing written"));
    assert_eq!(std::fs::read(out.join("operator.json")).unwrap(), first);
    // No temporary file is left behind.
    let names: Vec<_> = std::fs::read_dir(&out)
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    assert_eq!(names, vec![std::ffi::OsString::from("operator.json")]);
}

#[test]
fn a_build_that_fails_its_checks_leaves_the_folder_as_it_was() {
    // `build` writes the JSON beside the checks into a folder that exists:
    // when they fail (an error, or a warning with `--deny-warnings`), the
    // file is removed and the earlier output stays. The large script keeps
    // the writer busy when the checks' error arrives.
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out");
    std::fs::create_dir(&out).unwrap();
    std::fs::write(out.join("operator.json"), "{\"old\": true}\n").unwrap();
    let dead_end = dir.path().join("dead-end.script");
    let mut big = big_script(6000);
    big.push_str(
        "script s \"S\" {\n  step a 10s { on \"x\" -> b otherwise -> c }\n  \
         step b 10s { say \"...\" }\n  end c \"done\"\n}\n",
    );
    std::fs::write(&dead_end, big).unwrap();
    let cases: [&[&str]; 2] = [
        &[s(&dead_end)],
        &[
            "tests/fixtures/diagnostics/missing-otherwise/branch.script",
            "--deny-warnings",
        ],
    ];
    for args in cases {
        let mut all = vec!["build", "--out", s(&out)];
        all.extend_from_slice(args);
        let r = callscript(&all);
        let err = String::from_utf8_lossy(&r.stderr);
        assert_eq!(r.status.code(), Some(1), "{args:?}: {err}");
        assert!(err.contains("nothing written"), "{args:?}: {err}");
        let names: Vec<_> = std::fs::read_dir(&out)
            .unwrap()
            .map(|e| e.unwrap().file_name())
            .collect();
        assert_eq!(
            names,
            vec![std::ffi::OsString::from("operator.json")],
            "{args:?}: no temporary file is left"
        );
        assert_eq!(
            std::fs::read(out.join("operator.json")).unwrap(),
            b"{\"old\": true}\n"
        );
    }
}

#[test]
fn build_reads_a_large_source_whole() {
    // Sources of a megabyte and more are read in two halves at once: the
    // JSON is the library's for the same bytes (an odd size, so that the
    // halves differ).
    let dir = tempfile::tempdir().unwrap();
    let mut text = big_script(4000);
    if text.len().is_multiple_of(2) {
        text.push('\n');
    }
    assert!(text.len() > 1 << 20, "{} bytes", text.len());
    let path = dir.path().join("big.script");
    std::fs::write(&path, &text).unwrap();
    let out = dir.path().join("out");
    let r = callscript(&["build", s(&path), "--out", s(&out)]);
    assert_eq!(
        r.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&r.stderr)
    );
    let sources = vec![SourceFile::new(s(&path), text)];
    let (Some(project), _) = callscript::compile(&sources, &Options::default()) else {
        panic!("the big script compiles");
    };
    assert!(
        std::fs::read_to_string(out.join("operator.json")).unwrap()
            == json::to_string_as(&project, Layout::Compact)
    );
}

#[test]
fn build_into_a_file_is_an_io_error() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("not-a-folder");
    std::fs::write(&file, "keep me").unwrap();
    let r = callscript(&["build", "scripts", "--out", s(&file)]);
    assert_eq!(r.status.code(), Some(2));
    let err = String::from_utf8_lossy(&r.stderr);
    assert!(err.contains("is a file, not a folder"), "{err}");
    assert_eq!(err.lines().count(), 1, "one clear line: {err}");
    assert_eq!(std::fs::read_to_string(&file).unwrap(), "keep me");
}

#[test]
fn build_with_warnings_denied_writes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out");
    let r = callscript(&[
        "build",
        "tests/fixtures/diagnostics/missing-otherwise/branch.script",
        "--out",
        s(&out),
        "--deny-warnings",
    ]);
    assert_eq!(r.status.code(), Some(1));
    assert!(!out.exists());
}

/// A valid script of `n` steps with every kind of node and line, texts that
/// need JSON escapes, and fields: large enough to span several of the
/// writer's parallel chunks and rounds.
fn big_script(n: usize) -> String {
    let mut s = String::from(
        "role sales \"Продажи\" { contact \"Анна\", \"Руководитель\" hours mon-fri 09:00-18:00 }\n\
         script big \"Большой \\\"скрипт\\\"\" {\n  kind outbound\n  deadline 365d\n  start s0\n",
    );
    for i in 0..n {
        let next = common::next_step(i, n, "done");
        s.push_str(&format!(
            "  step s{i} 10s {{\n    ask f{} \"Вопрос {i}\tс табуляцией\u{1} \\\\ и {{operator}}\"\n    say \"Текст\\n{{f{}}} \\{{буквально\\}}\"\n    on \"Да \\\"{i}\\\"\" -> {next}\n    on \"Нет\" -> h{i}\n    otherwise -> {next}\n  }}\n  handoff h{i} to sales within 3m {{\n    pass f{}\n    summary \"Сводка {{f{}}}\"\n    task \"Перезвонить\" within 1h\n    fallback done\n  }}\n",
            i % 7, i % 7, i % 7, i % 7
        ));
    }
    s.push_str("  end done \"Готово\" { note \"конец\" task \"Отчёт\" within 1d }\n}\n");
    s
}

#[test]
fn the_fingerprints_land_in_their_places_wherever_the_writer_starts() {
    // The fingerprints are written last, into places left for them: in a
    // stream that already holds something, those places are past it.
    let sources = example();
    let (Some(project), _) = callscript::compile(&sources, &Options::default()) else {
        panic!("the example compiles");
    };
    let expected = json::to_string_reference(&project, Layout::Compact);
    let mut out = std::io::Cursor::new(b"already here\n".to_vec());
    out.set_position(13);
    json::write(&project, Layout::Compact, &mut out).unwrap();
    assert_eq!(out.position() as usize, 13 + expected.len());
    let out = String::from_utf8(out.into_inner()).unwrap();
    assert_eq!(out, format!("already here\n{expected}"));
    assert!(out.contains("\"fingerprint\":\"sha256:"));
    assert!(!out.contains("sha256:00000000"));
}

#[test]
fn work_beside_the_checks_sees_the_projects_worst_cases() {
    // `late` takes the worst cases the checks' side made, or makes them
    // itself if it gets there first: the same either way.
    for sources in example_and_valid_fixtures() {
        for _ in 0..20 {
            let (project, _, seen) = callscript::compile_alongside(
                &sources,
                &Options::default(),
                |_| (),
                |analysed, (), _| analysed.worst.to_vec(),
            );
            // (Some fixtures are valid but fail a check.)
            let Some(project) = project else { break };
            assert_eq!(seen.unwrap(), project.worst, "{}", sources[0].name);
        }
    }
}

#[test]
fn the_writer_gives_serde_jsons_bytes() {
    let mut projects = example_and_valid_fixtures();
    // 2 × 3000 nodes: several chunks and rounds of the parallel writer.
    let big = vec![SourceFile::new("big.script", big_script(3000))];
    let (_, diags) = callscript::compile(&big, &Options::default());
    assert!(diags.is_empty(), "{diags:#?}");
    projects.push(big);
    let mut compared = 0;
    let (Some(other), _) = callscript::compile(&projects[0], &Options::default()) else {
        panic!("the example compiles");
    };
    for sources in &projects {
        let (Some(project), _) = callscript::compile(sources, &Options::default()) else {
            continue;
        };
        for layout in [Layout::Pretty, Layout::Compact] {
            let fast = json::to_string_as(&project, layout);
            let reference = json::to_string_reference(&project, layout);
            assert!(
                fast == reference,
                "{}: the writer differs from serde_json ({layout:?})",
                sources[0].name
            );
            // As `build` does it: fingerprints and first nodes made while
            // the graphs are, the rest written while the checks run; and
            // work made for another project, or in another layout, is not
            // used.
            let (Some(project), _, Some(written)) = callscript::compile_alongside(
                sources,
                &Options::default(),
                |p| json::ahead(p, layout),
                |analysed, ahead, along| {
                    assert!(!along.unwanted(), "{}: no error", sources[0].name);
                    let mut out = std::io::Cursor::new(Vec::new());
                    json::write_with(analysed, ahead, &mut out).unwrap();
                    out.into_inner()
                },
            ) else {
                panic!("{}: compiled once, not twice", sources[0].name);
            };
            assert!(
                written == reference.as_bytes(),
                "{}: the writer differs from serde_json when run beside the checks",
                sources[0].name
            );
            let other_layout = match layout {
                Layout::Pretty => Layout::Compact,
                Layout::Compact => Layout::Pretty,
            };
            let elsewhere = json::ahead(&other.program, layout);
            let in_other_layout = json::ahead(&project.program, other_layout);
            for (ahead, expected) in [
                (elsewhere, reference.clone()),
                (
                    in_other_layout,
                    json::to_string_reference(&project, other_layout),
                ),
            ] {
                let mut out = std::io::Cursor::new(Vec::new());
                json::write_with(project.analysed(), ahead, &mut out).unwrap();
                assert!(
                    out.into_inner() == expected.as_bytes(),
                    "{}: the writer differs from serde_json with work done ahead",
                    sources[0].name
                );
            }
        }
        compared += 1;
    }
    assert!(compared >= 5, "only {compared} projects compiled");
}
