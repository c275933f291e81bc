//! The examples people read are real: the example project checks clean, and
//! every ```callscript block of docs/language.md and the README compiles
//! without a diagnostic.

mod common;

use std::path::Path;

use callscript::render::{self, Sources, Style};
use callscript::{Options, SourceFile};
use common::{example, root};

fn report(sources: &[SourceFile]) -> String {
    let (_, diags) = callscript::compile(sources, &Options::default());
    render::human(&diags, &Sources::new(sources), Style::default())
}

/// The fenced blocks of a Markdown file with the given info string.
fn blocks(path: &Path, lang: &str) -> Vec<String> {
    let text = std::fs::read_to_string(path).unwrap();
    let mut out = Vec::new();
    let mut current: Option<String> = None;
    for line in text.lines() {
        match &mut current {
            None if line.trim_start() == format!("```{lang}") => current = Some(String::new()),
            Some(_) if line.trim_start() == "```" => out.push(current.take().unwrap()),
            Some(block) => {
                block.push_str(line);
                block.push('\n');
            }
            None => {}
        }
    }
    out
}

#[test]
fn example_project_checks_clean() {
    let sources = example();
    assert!(sources.len() >= 3, "the example project has several files");
    let (project, diags) = callscript::compile(&sources, &Options::default());
    assert!(diags.is_empty(), "{}", report(&sources));
    let program = &project.unwrap().program;
    assert!(program.contract.is_some());
    assert!(program.roles.len() >= 2);
    assert!(program.scripts.len() >= 3);
    // The annex needs every contract term: none may be missing.
    let (_, diags) = callscript::compile(
        &sources,
        &Options {
            require_contract: true,
        },
    );
    assert!(diags.is_empty(), "{}", report(&sources));
}

#[test]
fn language_reference_examples_compile_clean() {
    for doc in ["docs/language.md", "README.md"] {
        let examples = blocks(&root().join(doc), "callscript");
        if doc == "docs/language.md" {
            assert!(examples.len() >= 3, "{doc}: examples were not found");
        }
        for (i, text) in examples.into_iter().enumerate() {
            let sources = vec![SourceFile::new(format!("{doc} example {}", i + 1), text)];
            let (_, diags) = callscript::compile(&sources, &Options::default());
            assert!(diags.is_empty(), "{}", report(&sources));
        }
    }
}
