//! `unreachable`: a step or terminal that no path from the start reaches.

use super::Context;
use crate::diagnostic::{Code, Diagnostic};

pub fn check(ctx: &Context<'_, '_>) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    for (script, g) in ctx.scripts() {
        let Some(start) = g.start else { continue };
        let start_name = script.nodes[start].name.name;
        for (v, node) in script.nodes.iter().enumerate() {
            if g.reachable[v] || node.duplicate {
                continue;
            }
            out.push(
                Diagnostic::new(
                    Code::Unreachable,
                    script.file,
                    node.header,
                    format!(
                        "{} `{}` can never be reached from the start `{start_name}`",
                        node.keyword(),
                        node.name.name
                    ),
                )
                .with_help(format!(
                    "lead to it from a reachable step (`on \"…\" -> {0}` or `goto {0}`), or remove it",
                    node.name.name
                )),
            );
        }
    }
    out
}
