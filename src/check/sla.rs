//! `sla-exceeded`: a handoff's `within` is longer than the contract's
//! `handoff_sla`, the longest handoff deadline the contract allows.

use super::Context;
use crate::diagnostic::{Code, Diagnostic};
use crate::model::NodeKind;
use crate::model::values::format_duration;

pub fn check(ctx: &Context<'_, '_>) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    let Some(contract) = &ctx.program.contract else {
        return out;
    };
    let Some(sla) = contract.handoff_sla else {
        return out;
    };
    for script in &ctx.program.scripts {
        for node in &script.nodes {
            let NodeKind::Handoff(h) = &node.kind else {
                continue;
            };
            let Some(within) = h.within else { continue };
            if within.value <= sla.value {
                continue;
            }
            out.push(
                Diagnostic::new(
                    Code::SlaExceeded,
                    script.file,
                    within.span,
                    format!(
                        "handoff `{}` allows {}, longer than the contract's handoff SLA of {}",
                        node.name.name,
                        format_duration(within.value),
                        format_duration(sla.value)
                    ),
                )
                .with_label_in(contract.file, sla.span, "the contract's handoff_sla")
                .with_help(format!(
                    "use `within {}` or less, or leave `within` out to apply the contract's SLA",
                    format_duration(sla.value)
                )),
            );
        }
    }
    out
}
