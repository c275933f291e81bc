//! `missing-otherwise`: a step that branches on answers but has no exit for
//! an answer not listed.

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
            if s.options().next().is_some() && s.otherwise().is_none() && s.goto().is_none() {
                out.push(
                    Diagnostic::new(
                        Code::MissingOtherwise,
                        script.file,
                        node.header,
                        format!(
                            "step `{}` has no `otherwise`: an answer not listed leaves the operator without a next step",
                            node.name.name
                        ),
                    )
                    .with_help("add `otherwise -> step` after the `on` lines"),
                );
            }
        }
    }
    out
}
