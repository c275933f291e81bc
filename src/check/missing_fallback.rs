//! `missing-fallback`: a handoff without a `fallback`, so the operator has
//! no next step when the role does not take the client in time.

use super::Context;
use crate::diagnostic::{Code, Diagnostic};
use crate::model::NodeKind;

pub fn check(ctx: &Context<'_, '_>) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    for script in ctx.program.scripts.iter().filter(|s| !s.broken) {
        for node in &script.nodes {
            let NodeKind::Handoff(h) = &node.kind else {
                continue;
            };
            if h.fallback.is_some() {
                continue;
            }
            out.push(
                Diagnostic::new(
                    Code::MissingFallback,
                    script.file,
                    node.header,
                    format!(
                        "handoff `{}` has no fallback: if `{}` does not take the client in time, the operator has no next step",
                        node.name.name, h.role.name
                    ),
                )
                .with_help(
                    "add `fallback NAME` naming an `end` (for example one with a callback task) inside the handoff's block",
                ),
            );
        }
    }
    out
}
