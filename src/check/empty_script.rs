//! `empty-script`: a script without a single step.

use super::Context;
use crate::diagnostic::{Code, Diagnostic};

pub fn check(ctx: &Context<'_, '_>) -> Vec<Diagnostic> {
    ctx.program
        .scripts
        .iter()
        .filter(|s| !s.broken && !s.nodes.iter().any(|n| !n.is_terminal()))
        .map(|s| {
            let what = if s.nodes.is_empty() {
                "has no steps"
            } else {
                "has only terminals and no step"
            };
            Diagnostic::new(
                Code::EmptyScript,
                s.file,
                s.header,
                format!("script `{}` {what}", s.name.name),
            )
            .with_help("a script needs at least one `step NAME DURATION { say \"…\" goto … }`")
        })
        .collect()
}
