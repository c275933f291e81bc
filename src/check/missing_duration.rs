//! `missing-duration`: a script with a deadline reaches a step without a
//! duration, so its worst case cannot be computed.

use super::Context;
use crate::diagnostic::{Code, Diagnostic};
use crate::model::NodeKind;

pub fn check(ctx: &Context<'_, '_>) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    for (script, g) in ctx.scripts() {
        let Some(deadline) = script.deadline else {
            continue;
        };
        for (v, node) in script.nodes.iter().enumerate() {
            let NodeKind::Step(s) = &node.kind else {
                continue;
            };
            if !g.reachable[v] || s.duration.is_some() || s.invalid_duration {
                continue;
            }
            out.push(
                Diagnostic::new(
                    Code::MissingDuration,
                    script.file,
                    node.header,
                    format!(
                        "step `{}` has no duration, but script `{}` has a deadline",
                        node.name.name, script.name.name
                    ),
                )
                .with_label(deadline.span, "the deadline")
                .with_help(format!(
                    "give the step the longest it may take: `step {} 30s {{`",
                    node.name.name
                )),
            );
        }
    }
    out
}
