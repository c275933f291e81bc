//! `missing-mandatory`: a mandatory phrase (of the contract or the script)
//! is not said on some path from the start to a terminal. The message names
//! one such path, and each of its nodes is labelled.

use super::{Context, path_text};
use crate::diagnostic::{Code, Diagnostic};
use crate::model::{LineKind, Script, Str};
use crate::source::FileId;

pub fn check(ctx: &Context<'_, '_>) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    let contract_phrases = ctx
        .program
        .contract
        .iter()
        .flat_map(|c| c.mandatory.iter().map(move |m| (c.file, m)));
    let contract_phrases: Vec<(FileId, &Str<'_>)> = contract_phrases.collect();
    for (script, g) in ctx.scripts() {
        let phrases = contract_phrases
            .iter()
            .copied()
            .chain(script.mandatory.iter().map(|m| (script.file, m)));
        for (file, phrase) in phrases {
            let text = phrase.value();
            let says: Vec<bool> = script
                .nodes
                .iter()
                .map(|n| {
                    n.lines()
                        .iter()
                        .any(|l| l.kind == LineKind::Say && l.text.display().contains(&*text))
                })
                .collect();
            let path = g.path_avoiding(|v| says[v], |v| script.nodes[v].is_terminal() && !says[v]);
            if let Some(path) = path {
                out.push(report(script, file, phrase, &text, &path));
            }
        }
    }
    out
}

fn report(
    script: &Script<'_>,
    file: FileId,
    phrase: &Str<'_>,
    text: &str,
    path: &[usize],
) -> Diagnostic {
    let mut d = Diagnostic::new(
        Code::MissingMandatory,
        script.file,
        script.header,
        format!(
            "the mandatory phrase \"{text}\" is never said on the path {}",
            path_text(script, path)
        ),
    )
    .with_label_in(file, phrase.span, "the mandatory phrase");
    for &v in path {
        d = d.with_label(script.nodes[v].header, "does not say it");
    }
    d.with_help(
        "say it on every path from the start to a terminal, e.g. in the first step: `say \"…\"` with the phrase verbatim",
    )
}
