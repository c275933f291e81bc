//! The contract annex (`callscript annex`): its content for the example
//! project in every format and language, escaping, fingerprints,
//! determinism, templates, and the command's exit codes and atomic writes.

mod common;

use std::io::Read;
use std::path::Path;

use callscript::emit::annex::{self, Format, Lang, Template};
use callscript::{Options, SourceFile};
use common::{callscript, example, root, s, stderr};

const ANNEX: Options = Options {
    require_contract: true,
};

/// The annex of `sources` as text (Markdown or HTML) or bytes (DOCX).
fn render(sources: &[SourceFile], format: Format, lang: Lang, number: Option<&str>) -> Vec<u8> {
    let (project, diags) = callscript::compile(sources, &ANNEX);
    let project = project.unwrap_or_else(|| panic!("errors: {diags:#?}"));
    let options = annex::Options { lang, number };
    annex::render(&project, &options, format, None).unwrap()
}

fn text(sources: &[SourceFile], format: Format, lang: Lang) -> String {
    String::from_utf8(render(sources, format, lang, Some("3"))).unwrap()
}

/// The text of a DOCX's body: every `<w:t>`, XML-unescaped, one paragraph
/// a line.
fn docx_text(bytes: &[u8]) -> String {
    let xml = docx_part(bytes, "word/document.xml");
    let mut out = String::new();
    let mut rest = xml.as_str();
    while let Some(i) = rest.find('<') {
        let Some(end) = rest[i..].find('>') else {
            break;
        };
        let tag = &rest[i..i + end + 1];
        rest = &rest[i + end + 1..];
        if tag.starts_with("<w:t ") || tag == "<w:t>" {
            let close = rest.find("</w:t>").unwrap();
            out.push_str(&unescape_xml(&rest[..close]));
            rest = &rest[close..];
        } else if tag == "</w:p>" || tag.starts_with("<w:br") {
            out.push('\n');
        }
    }
    out
}

fn docx_part(bytes: &[u8], name: &str) -> String {
    let mut zip = zip::ZipArchive::new(std::io::Cursor::new(bytes)).expect("a DOCX is a zip");
    let mut part = zip.by_name(name).unwrap_or_else(|_| panic!("no {name}"));
    let mut xml = String::new();
    part.read_to_string(&mut xml).unwrap();
    xml
}

fn unescape_xml(s: &str) -> String {
    s.replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&apos;", "'")
        .replace("&amp;", "&")
}

/// `(id, fingerprint)` of every script in operator.json.
fn json_fingerprints(sources: &[SourceFile]) -> Vec<(String, String)> {
    let (project, _) = callscript::compile(sources, &Options::default());
    common::script_fingerprints(&callscript::emit::json::to_string(&project.unwrap()))
}

// ------------------------------------------------------------- snapshots

#[test]
fn markdown_ru_snapshot() {
    insta::assert_snapshot!("annex_md_ru", text(&example(), Format::Markdown, Lang::Ru));
}

#[test]
fn markdown_en_snapshot() {
    insta::assert_snapshot!("annex_md_en", text(&example(), Format::Markdown, Lang::En));
}

#[test]
fn html_ru_snapshot() {
    insta::assert_snapshot!("annex_html_ru", text(&example(), Format::Html, Lang::Ru));
}

#[test]
fn html_en_snapshot() {
    insta::assert_snapshot!("annex_html_en", text(&example(), Format::Html, Lang::En));
}

// --------------------------------------------------------------- content

#[test]
fn docx_has_every_step_line_answer_and_task() {
    let sources = example();
    let (project, _) = callscript::compile(&sources, &ANNEX);
    let project = project.unwrap();
    let view = annex::annex(&project, &annex::Options::default());
    let body = docx_text(&annex::docx(&view).unwrap());
    let mut checked = 0;
    for script in &view.scripts {
        assert!(body.contains(&script.title), "{}", script.title);
        for node in &script.nodes {
            assert!(body.contains(&format!("«{}»", node.id)), "node {}", node.id);
            for line in &node.lines {
                assert!(body.contains(&line.text), "line {:?}", line.text);
                checked += 1;
            }
            for exit in &node.exits {
                if let Some(answer) = &exit.answer {
                    assert!(body.contains(answer.as_str()), "answer {answer:?}");
                }
            }
            for task in &node.tasks {
                assert!(body.contains(&task.text), "task {:?}", task.text);
            }
            if let Some(summary) = &node.summary {
                assert!(body.contains(summary.as_str()), "summary {summary:?}");
            }
        }
    }
    assert!(checked > 20, "too few lines checked: {checked}");
    // Durations do not split between number and unit.
    assert!(body.contains("в течение 3\u{a0}мин"), "{body}");
    assert!(body.contains("24\u{a0}ч"));
    // The contract's points and the signature block.
    for needle in [
        "ООО «Ромашка»",
        "ООО «КоллПро»",
        "amoCRM",
        "Europe/Moscow",
        "Иванов Иван Иванович",
        "Менеджер по качеству",
        "Подписи Сторон",
        "М.П.",
    ] {
        assert!(body.contains(needle), "{needle}");
    }
}

#[test]
fn docx_is_an_a4_document_with_headings_and_bordered_tables() {
    let bytes = render(&example(), Format::Docx, Lang::Ru, None);
    let document = docx_part(&bytes, "word/document.xml");
    assert!(
        document.contains(r#"<w:pgSz w:w="11906" w:h="16838""#),
        "A4"
    );
    for level in 1..=4 {
        assert!(
            document.contains(&format!(r#"<w:pStyle w:val="Heading{level}" />"#)),
            "Heading{level} used"
        );
    }
    assert!(document.contains("<w:tblBorders>"));
    assert!(document.contains(r#"<w:top w:val="single" w:sz="4""#));
    let styles = docx_part(&bytes, "word/styles.xml");
    assert!(
        styles.contains(r#"<w:name w:val="Heading 1" />"#),
        "{styles}"
    );
    assert!(styles.contains(r#"<w:outlineLvl w:val="0" />"#));
    // Nothing that changes from run to run.
    let core = docx_part(&bytes, "docProps/core.xml");
    assert!(core.contains("1970-01-01T00:00:00Z"), "{core}");
}

#[test]
fn every_fingerprint_in_the_annex_equals_the_operator_json_one() {
    let sources = example();
    let json = json_fingerprints(&sources);
    assert_eq!(json.len(), 3);
    let (project, _) = callscript::compile(&sources, &ANNEX);
    let project = project.unwrap();
    let view = annex::annex(&project, &annex::Options::default());
    let annexed: Vec<(String, String)> = view
        .scripts
        .iter()
        .map(|s| (s.id.clone(), s.fingerprint.clone()))
        .collect();
    assert_eq!(annexed, json);
    let markdown = text(&sources, Format::Markdown, Lang::Ru);
    let html = text(&sources, Format::Html, Lang::En);
    let docx = docx_text(&render(&sources, Format::Docx, Lang::Ru, None));
    for (id, fingerprint) in &json {
        // In the summary table and at the end of the script.
        assert_eq!(markdown.matches(fingerprint.as_str()).count(), 2, "{id}");
        assert_eq!(html.matches(fingerprint.as_str()).count(), 2, "{id}");
        assert_eq!(docx.matches(fingerprint.as_str()).count(), 2, "{id}");
    }
}

#[test]
fn title_carries_the_number_when_given() {
    let sources = example();
    let md =
        |lang, number| String::from_utf8(render(&sources, Format::Markdown, lang, number)).unwrap();
    let contract = "«Договор № 17/2026 от 26.11.2026 на оказание услуг контакт-центра»";
    assert!(
        md(Lang::Ru, Some("3-А"))
            .starts_with(&format!("# Приложение № 3-А к договору {contract}\n"))
    );
    assert!(md(Lang::Ru, None).starts_with(&format!("# Приложение к договору {contract}\n")));
    assert!(
        md(Lang::En, Some("3")).starts_with(&format!("# Annex No. 3 to Contract {contract}\n"))
    );
}

#[test]
fn same_sources_give_the_same_bytes_in_every_format() {
    for format in [Format::Markdown, Format::Html, Format::Docx] {
        let a = render(&example(), format, Lang::Ru, Some("1"));
        let b = render(&example(), format, Lang::Ru, Some("1"));
        assert!(a == b, "{format:?} differs between runs");
    }
    // Also from another thread (docx-rs counts paragraphs per thread).
    let here = render(&example(), Format::Docx, Lang::En, None);
    let there = std::thread::spawn(|| render(&example(), Format::Docx, Lang::En, None))
        .join()
        .unwrap();
    assert!(here == there);
}

// -------------------------------------------------------------- escaping

/// A project whose every kind of text holds markup.
fn hostile() -> Vec<SourceFile> {
    let source = r#"
contract "Договор <b>&amp;</b> | 1" {
  customer    "ООО <b>&amp;</b>"
  contractor  "ООО *Звезда* _x_ [y](z) `c` # h"
  operators   basic
  schedule    24/7
  handoff_sla 5m
  quality contractor "Иванов <i>", "Руководитель | смены"
  quality customer   "Петрова &", "Менеджер"
}

role sales "Отдел <script>alert(1)</script>" {
  contact "Смирнов & Co", "Руководитель"
}

script s "Сценарий <b>&amp;</b>" {
  kind inbound
  step a 10s {
    say "Текст <b>&amp;</b> | трубка"
    ask phone "Номер?\nС кодом города"
    on "Да <b>&amp;</b>" -> h
    otherwise -> e
  }
  handoff h to sales {
    pass phone
    summary "Звонок <b>&amp;</b> {phone}"
    fallback e
  }
  end e "Итог <b>&amp;</b>" {
    task "Задача <b>&amp;</b>" within 1h
  }
}
"#;
    vec![SourceFile::new("hostile.script", source)]
}

const MARKUP: &str = "<b>&amp;</b>";

#[test]
fn html_escapes_every_user_string() {
    let html = text(&hostile(), Format::Html, Lang::Ru);
    assert!(!html.contains(MARKUP), "raw markup in the HTML");
    assert!(!html.contains("<script>"), "a script tag got through");
    assert!(!html.contains("<i>"));
    let escaped = "&lt;b&gt;&amp;amp;&lt;&#x2f;b&gt;";
    // Contract title (in the page title and h1 and the terms), customer
    // (terms, signatures), script title (summary, heading), line, answer,
    // summary, outcome, task.
    assert!(html.matches(escaped).count() >= 11, "{html}");
    // A line break in a text stays a line break (white-space: pre-line).
    assert!(html.contains("Номер?\nС кодом города"));
}

#[test]
fn markdown_escapes_every_user_string() {
    let md = text(&hostile(), Format::Markdown, Lang::Ru);
    assert!(!md.contains(MARKUP), "raw markup in the Markdown");
    assert!(!md.contains("<script>"));
    assert!(
        md.matches("&lt;b&gt;&amp;amp;&lt;/b&gt;").count() >= 10,
        "{md}"
    );
    assert!(md.contains(r"ООО \*Звезда\* \_x\_ \[y\](z) \`c\` \# h"));
    // A `|` never splits a table cell; a line break stays in its cell.
    assert!(
        md.contains(r"| говорит | Текст &lt;b&gt;&amp;amp;&lt;/b&gt; \| трубка |"),
        "{md}"
    );
    assert!(md.contains("Номер?<br>С кодом города"));
    for line in md.lines().filter(|l| l.starts_with('|')) {
        let cells = line.replace(r"\|", "").matches('|').count();
        assert!(cells >= 3, "a table row lost its cells: {line}");
    }
}

#[test]
fn docx_escapes_every_user_string() {
    let bytes = render(&hostile(), Format::Docx, Lang::Ru, None);
    let xml = docx_part(&bytes, "word/document.xml");
    assert!(!xml.contains(MARKUP));
    assert!(!xml.contains("<script>"));
    assert!(xml.contains("&lt;b&gt;&amp;amp;&lt;/b&gt;"));
    let body = docx_text(&bytes);
    assert!(body.matches(MARKUP).count() >= 9, "{body}");
    assert!(body.contains("Отдел <script>alert(1)</script>"));
    assert!(body.contains("Номер?\nС кодом города"));
}

// -------------------------------------------------------------- templates

fn with_template(format: Format, source: &str) -> Result<String, annex::Error> {
    let sources = example();
    let (project, _) = callscript::compile(&sources, &ANNEX);
    let template = Template {
        name: "company.j2",
        source,
    };
    annex::render(
        &project.unwrap(),
        &annex::Options::default(),
        format,
        Some(template),
    )
    .map(|b| String::from_utf8(b).unwrap())
}

#[test]
fn a_company_template_gets_the_view_model_escaped_for_its_format() {
    let source = "{{ title }}\n{% for s in scripts %}{{ s.number }}. {{ s.id }} {{ s.fingerprint }} {{ s.worst_case.text }}\n{% endfor %}{{ t.section_signatures }}\n";
    let md = with_template(Format::Markdown, source).unwrap();
    let json = json_fingerprints(&example());
    assert!(
        md.contains(&format!("1. входящие\\_продажи {} 6 мин 30 сек", json[0].1)),
        "{md}"
    );
    assert!(md.ends_with("Подписи Сторон\n"));
    let html = with_template(
        Format::Html,
        "<h1>{{ contract.customer }}</h1>{{ '<b>'|safe }}",
    )
    .unwrap();
    assert_eq!(html, "<h1>ООО «Ромашка»</h1><b>");
}

#[test]
fn template_errors_name_the_template_and_the_line() {
    let syntax = with_template(Format::Markdown, "line one\n{% for x in %}\n").unwrap_err();
    assert!(syntax.0.contains("company.j2:2"), "{syntax}");
    assert!(syntax.0.contains("syntax error"), "{syntax}");
    let undefined = with_template(Format::Html, "{{ contract.nope }}").unwrap_err();
    assert!(undefined.0.contains("undefined"), "{undefined}");
    assert!(!undefined.0.contains('\n'));
    let docx = with_template(Format::Docx, "x").unwrap_err();
    assert!(docx.0.contains("DOCX"), "{docx}");
}

#[test]
fn the_built_in_templates_are_documented_with_every_variable() {
    let doc = std::fs::read_to_string(root().join("docs/annex.md")).unwrap();
    let view = {
        let sources = example();
        let (project, _) = callscript::compile(&sources, &ANNEX);
        serde_json::to_value(annex::annex(&project.unwrap(), &annex::Options::default())).unwrap()
    };
    // Every key of the view model (t's words aside) is named in the docs.
    let mut missing = Vec::new();
    let mut stack = vec![(String::new(), &view)];
    while let Some((path, value)) = stack.pop() {
        match value {
            serde_json::Value::Object(map) => {
                for (k, v) in map {
                    if path.is_empty() && k == "t" {
                        continue;
                    }
                    if !doc.contains(&format!("`{k}`")) {
                        missing.push(format!("{path}.{k}"));
                    }
                    stack.push((format!("{path}.{k}"), v));
                }
            }
            serde_json::Value::Array(items) => {
                if let Some(first) = items.first() {
                    stack.push((format!("{path}[]"), first));
                }
            }
            _ => {}
        }
    }
    missing.sort();
    missing.dedup();
    assert!(
        missing.is_empty(),
        "docs/annex.md does not name: {missing:?}"
    );
    for (field, _) in view["t"].as_object().unwrap() {
        assert!(
            doc.contains(field.as_str()),
            "docs/annex.md does not list t.{field}"
        );
    }
}

// ---------------------------------------------------------------- the CLI

fn names(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}

#[test]
fn annex_writes_each_format_and_the_same_bytes_twice() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out");
    for (format, file) in [
        ("md", "annex.md"),
        ("html", "annex.html"),
        ("docx", "annex.docx"),
    ] {
        let args = [
            "annex",
            "scripts",
            "--out",
            s(&out),
            "--format",
            format,
            "--number",
            "3",
        ];
        let first = callscript(&args);
        assert_eq!(first.status.code(), Some(0), "{}", stderr(&first));
        assert_eq!(
            stderr(&first),
            format!("wrote {}: 3 scripts, 3 roles\n", out.join(file).display())
        );
        let bytes = std::fs::read(out.join(file)).unwrap();
        let again = callscript(&args);
        assert_eq!(again.status.code(), Some(0));
        assert!(
            std::fs::read(out.join(file)).unwrap() == bytes,
            "{format} differs"
        );
    }
    assert_eq!(names(&out), ["annex.docx", "annex.html", "annex.md"]);
    // The default is Markdown in Russian.
    let md = std::fs::read_to_string(out.join("annex.md")).unwrap();
    assert!(md.starts_with("# Приложение № 3 к договору"));
    assert_eq!(md, text(&example(), Format::Markdown, Lang::Ru));
    let en = callscript(&["annex", "scripts", "--out", s(&out), "--lang", "en"]);
    assert_eq!(en.status.code(), Some(0));
    let md = std::fs::read_to_string(out.join("annex.md")).unwrap();
    assert!(md.starts_with("# Annex to Contract"), "{md}");
}

#[test]
fn a_project_with_errors_writes_nothing_and_keeps_the_old_annex() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out");
    let ok = callscript(&["annex", "scripts", "--out", s(&out)]);
    assert_eq!(ok.status.code(), Some(0), "{}", stderr(&ok));
    let before = std::fs::read(out.join("annex.md")).unwrap();

    let broken = dir.path().join("broken.script");
    std::fs::write(&broken, "script s \"S\" { step a 10s { goto nowhere } }\n").unwrap();
    let failed = callscript(&["annex", s(&broken), "--out", s(&out)]);
    assert_eq!(failed.status.code(), Some(1));
    let err = stderr(&failed);
    assert!(err.contains("callscript::undefined-step"), "{err}");
    assert!(err.trim_end().ends_with("nothing written"), "{err}");
    assert_eq!(std::fs::read(out.join("annex.md")).unwrap(), before);
    assert_eq!(names(&out), ["annex.md"], "no temporary file is left");
}

#[test]
fn missing_contract_terms_are_errors_for_the_annex_only() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out");
    let partial = "tests/fixtures/diagnostics/missing-contract-field/partial.script";
    let check = callscript(&["check", partial]);
    assert_eq!(check.status.code(), Some(0), "warnings in check");
    let annex = callscript(&["annex", partial, "--out", s(&out)]);
    assert_eq!(annex.status.code(), Some(1));
    let err = stderr(&annex);
    assert!(err.contains("× the contract has no `operators`"), "{err}");
    assert!(err.contains("4 errors, 0 warnings in 1 file"), "{err}");
    assert!(!out.exists(), "nothing written, not even the folder");

    // A project without any contract block cannot be annexed either.
    let bare = dir.path().join("bare.script");
    std::fs::write(
        &bare,
        "script s \"S\" { step a 10s { goto e }\n end e \"E\" }\n",
    )
    .unwrap();
    let r = callscript(&["annex", s(&bare), "--out", s(&out)]);
    assert_eq!(r.status.code(), Some(1));
    assert!(stderr(&r).contains("the project has no `contract` block"));

    // Nor a project with no contract and no script at all.
    let roles = dir.path().join("roles.script");
    std::fs::write(&roles, "role sales \"Отдел продаж\"\n").unwrap();
    let r = callscript(&["annex", s(&roles), "--out", s(&out)]);
    assert_eq!(r.status.code(), Some(1));
    assert!(stderr(&r).contains("the project has no `contract` block"));
    assert!(!out.exists());
}

#[test]
fn usage_and_io_failures_exit_2_with_one_line() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out");
    let template = dir.path().join("t.md.j2");
    std::fs::write(&template, "{{ title }}\n{% if %}\n").unwrap();
    let one_line = |r: &std::process::Output, needle: &str| {
        assert_eq!(r.status.code(), Some(2), "{}", stderr(r));
        let err = stderr(r);
        assert_eq!(err.lines().count(), 1, "one line: {err}");
        assert!(err.starts_with("error: "), "{err}");
        assert!(err.contains(needle), "{needle}: {err}");
    };
    let t = s(&template);
    one_line(
        &callscript(&[
            "annex",
            "scripts",
            "--out",
            s(&out),
            "--format",
            "docx",
            "--template",
            t,
        ]),
        "`--template` is for `--format md` and `--format html`",
    );
    one_line(
        &callscript(&["annex", "scripts", "--out", s(&out), "--template", t]),
        &format!("the template `{t}`: syntax error"),
    );
    one_line(
        &callscript(&[
            "annex",
            "scripts",
            "--out",
            s(&out),
            "--template",
            "nope.j2",
        ]),
        "cannot read the template `nope.j2`: no such file or folder",
    );
    std::fs::write(dir.path().join("file"), "keep me").unwrap();
    one_line(
        &callscript(&["annex", "scripts", "--out", s(&dir.path().join("file"))]),
        "is a file, not a folder",
    );
    assert!(!out.exists());
    assert_eq!(
        std::fs::read_to_string(dir.path().join("file")).unwrap(),
        "keep me"
    );
    let bad = callscript(&["annex", "scripts", "--out", s(&out), "--format", "pdf"]);
    assert_eq!(bad.status.code(), Some(2));
}

#[test]
fn a_company_template_from_the_command_line() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out");
    let template = dir.path().join("company.html.j2");
    std::fs::write(
        &template,
        "<h1>{{ title }}</h1>\n{% for s in scripts %}<p>{{ s.title }}: {{ s.fingerprint }}</p>\n{% endfor %}",
    )
    .unwrap();
    let r = callscript(&[
        "annex",
        "scripts",
        "--out",
        s(&out),
        "--format",
        "html",
        "--template",
        s(&template),
    ]);
    assert_eq!(r.status.code(), Some(0), "{}", stderr(&r));
    let html = std::fs::read_to_string(out.join("annex.html")).unwrap();
    assert!(
        html.starts_with("<h1>Приложение к договору «Договор № 17&#x2f;2026"),
        "{html}"
    );
    assert_eq!(html.matches("<p>").count(), 3);
}
