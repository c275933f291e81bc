//! `dead-end`: a step with no exit, where the operator would be left with
//! nothing to do.

use super::Context;
use crate::diagnostic::{Code, Diagnostic};
use crate::model::NodeKind;

pub fn check(ctx: &Context<'_, '_>) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    for script in ctx.program.scripts.iter().filter(|s| !s.broken) {
        for node in &script.nodes {
            let NodeKind::Step(s) = &node.kind else {
                continue;
            };
            if s.exits.is_empty() {
                out.push(
                    Diagnostic::new(
                        Code::DeadEnd,
                        script.file,
                        node.header,
                        format!("step `{}` has no exit: the call would stop here", node.name.name),
                    )
                    .with_help(
                        "add `goto next_step`, or `on \"answer\" -> step` lines with an `otherwise -> step`; a call ends only at a `handoff` or an `end`",
                    ),
                );
            }
        }
    }
    out
}
