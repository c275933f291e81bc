//! `docs/diagnostics.md` documents every diagnostic code.
//!
//! For each code of the registry (`Code::ALL`) the page must have a section
//! `## callscript::<name>` holding the four subsections `### What`,
//! `### Why`, `### Example` and `### Fix` (before the next `## ` heading),
//! and there must be no section for a code that does not exist. The
//! sections follow the order of `Code::ALL`. Every problem is reported at
//! once.

use std::path::Path;

use callscript::Code;

const SUBSECTIONS: [&str; 4] = ["### What", "### Why", "### Example", "### Fix"];

/// A `## callscript::<name>` section: its name, the line it starts on, and
/// its lines up to the next `## ` heading, outside code blocks.
struct Section<'a> {
    name: &'a str,
    line: usize,
    body: Vec<&'a str>,
}

/// The fence a line opens or closes (e.g. "```" or "~~~~"), if any.
fn fence_of(line: &str) -> Option<&str> {
    let t = line.trim_start();
    let c = t.chars().next().filter(|&c| c == '`' || c == '~')?;
    let len = t.len() - t.trim_start_matches(c).len();
    (len >= 3).then(|| &t[..len])
}

/// The `## callscript::…` sections of a Markdown text. Headings inside
/// fenced code blocks (a report, an example) do not count.
fn sections(text: &str) -> Vec<Section<'_>> {
    let mut out: Vec<Section<'_>> = Vec::new();
    let mut in_section = false;
    let mut open_fence: Option<&str> = None;
    for (i, line) in text.lines().enumerate() {
        match (open_fence, fence_of(line)) {
            (Some(open), Some(f)) => {
                let closes = f.starts_with(open) && line.trim_start()[f.len()..].trim().is_empty();
                if closes {
                    open_fence = None;
                }
            }
            (Some(_), None) => {}
            (None, Some(f)) => open_fence = Some(f),
            (None, None) => {
                if let Some(heading) = line.strip_prefix("## ") {
                    in_section = false;
                    if let Some(name) = heading.trim_end().strip_prefix("callscript::") {
                        out.push(Section {
                            name,
                            line: i + 1,
                            body: Vec::new(),
                        });
                        in_section = true;
                        continue;
                    }
                }
                if in_section && let Some(section) = out.last_mut() {
                    section.body.push(line);
                }
            }
        }
    }
    out
}

#[test]
fn every_code_has_a_documented_section() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("docs/diagnostics.md");
    let text = std::fs::read_to_string(&path)
        .unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()));
    let found = sections(&text);
    let mut problems = Vec::new();

    for code in Code::ALL {
        let matching: Vec<&Section<'_>> = found.iter().filter(|s| s.name == code.name()).collect();
        match matching.as_slice() {
            [] => problems.push(format!("no `## {}` section", code.as_str())),
            [section] => {
                for sub in SUBSECTIONS {
                    if !section.body.iter().any(|l| l.trim_end() == sub) {
                        problems.push(format!(
                            "`## {}` (line {}) has no `{sub}` subsection",
                            code.as_str(),
                            section.line
                        ));
                    }
                }
            }
            several => problems.push(format!(
                "`## {}` appears {} times (lines {})",
                code.as_str(),
                several.len(),
                several
                    .iter()
                    .map(|s| s.line.to_string())
                    .collect::<Vec<_>>()
                    .join(", ")
            )),
        }
    }

    for section in &found {
        if !Code::ALL.iter().any(|c| c.name() == section.name) {
            problems.push(format!(
                "`## callscript::{}` (line {}) documents a code that does not exist",
                section.name, section.line
            ));
        }
    }

    let mut documented: Vec<&str> = Vec::new();
    for section in &found {
        if Code::ALL.iter().any(|c| c.name() == section.name) && !documented.contains(&section.name)
        {
            documented.push(section.name);
        }
    }
    let registry: Vec<&str> = Code::ALL
        .iter()
        .map(|c| c.name())
        .filter(|n| documented.contains(n))
        .collect();
    if documented != registry {
        problems.push(format!(
            "the sections are not in the order of `Code::ALL`:\n    found:    {}\n    expected: {}",
            documented.join(", "),
            registry.join(", ")
        ));
    }

    assert!(
        problems.is_empty(),
        "{} does not document the diagnostic codes as required:\n  - {}",
        path.display(),
        problems.join("\n  - ")
    );
}

/// The fenced blocks of a Markdown text with their info strings, in order.
fn fenced_blocks(text: &str) -> Vec<(String, String)> {
    let mut out = Vec::new();
    let mut current: Option<(String, String)> = None;
    for line in text.lines() {
        let t = line.trim_start();
        match &mut current {
            None if t.starts_with("```") => {
                current = Some((t[3..].trim().to_string(), String::new()))
            }
            Some(_) if t == "```" => out.push(current.take().unwrap()),
            Some((_, body)) => {
                body.push_str(line);
                body.push('\n');
            }
            None => {}
        }
    }
    out
}

/// Each section's text from its `## callscript::` heading to the next `## `.
fn section_texts(text: &str) -> Vec<(String, String)> {
    let mut out: Vec<(String, String)> = Vec::new();
    for part in text.split("\n## callscript::").skip(1) {
        let name = part.lines().next().unwrap_or("").trim().to_string();
        let body = match part.find("\n## ") {
            Some(end) => &part[..end],
            None => part,
        };
        out.push((name, body.to_string()));
    }
    out
}

/// The report under each example is what the compiler prints for it (run
/// as the CLI does, under the file name the report shows), and every
/// snippet of a "Fix" checks clean. `UPDATE_DOCS=1 cargo test --test docs`
/// rewrites the reports after an intended change of wording.
#[test]
fn examples_are_real_compiler_output() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let path = root.join("docs/diagnostics.md");
    let text = std::fs::read_to_string(&path).unwrap();
    let update = std::env::var_os("UPDATE_DOCS").is_some();
    let mut updated = text.clone();
    let mut problems = Vec::new();
    for (name, body) in section_texts(&text) {
        let (example, fix) = match (body.find("### Example"), body.find("### Fix")) {
            (Some(e), Some(f)) if e < f => (&body[e..f], &body[f..]),
            _ => continue,
        };
        let blocks = fenced_blocks(example);
        let source = blocks.iter().find(|(lang, _)| lang == "callscript");
        let report = blocks.iter().find(|(lang, _)| lang == "text");
        // invalid-utf8 shows its source as text; the real file is not UTF-8.
        if let (Some((_, source)), Some((_, report)), false) =
            (source, report, name == "invalid-utf8")
        {
            let file = report
                .split("╭─[")
                .nth(1)
                .and_then(|r| r.split(':').next())
                .unwrap_or("example.script");
            let dir = tempfile::tempdir().unwrap();
            std::fs::write(dir.path().join(file), source).unwrap();
            let out = std::process::Command::new(env!("CARGO_BIN_EXE_callscript"))
                .args(["check", "--color", "never", file])
                .current_dir(dir.path())
                .output()
                .unwrap();
            let printed = String::from_utf8_lossy(&out.stderr);
            if printed.trim_end() != report.trim_end() && update {
                updated = updated.replacen(
                    &format!("```text\n{report}```"),
                    &format!("```text\n{}\n```", printed.trim_end()),
                    1,
                );
            } else if printed.trim_end() != report.trim_end() {
                problems.push(format!(
                    "{name}: the example's report differs from the compiler's:\n{printed}"
                ));
            }
        }
        for (lang, snippet) in fenced_blocks(fix) {
            if lang != "callscript" {
                continue;
            }
            let sources = vec![callscript::SourceFile::new("fix.script", snippet)];
            let (_, diags) = callscript::compile(&sources, &callscript::Options::default());
            if !diags.is_empty() {
                problems.push(format!("{name}: a Fix snippet is not clean: {diags:?}"));
            }
        }
    }
    if update && updated != text {
        std::fs::write(&path, updated).unwrap();
    }
    assert!(problems.is_empty(), "{}", problems.join("\n\n"));
}
