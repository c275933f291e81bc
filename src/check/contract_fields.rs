//! `missing-contract-field`: a contract field the annex needs is absent.
//! A warning for `check` and `build`, an error for `annex`. A project
//! without any `contract` block is reported only by `annex`.

use super::Context;
use crate::diagnostic::{Code, Diagnostic, Severity};
use crate::model::Party;
use crate::source::{FileId, Span};

/// The fields an annex needs, with an example of each.
const REQUIRED: &[(&str, &str)] = &[
    ("customer", "customer    \"ООО «Ромашка»\""),
    ("contractor", "contractor  \"ООО «КоллПро»\""),
    ("operators", "operators   trained"),
    ("schedule", "schedule    mon-fri 09:00-21:00"),
    ("handoff_sla", "handoff_sla 5m"),
];

pub fn check(ctx: &Context<'_, '_>) -> Vec<Diagnostic> {
    let severity = if ctx.options.require_contract {
        Severity::Error
    } else {
        Severity::Warning
    };
    let program = ctx.program;
    let mut out = Vec::new();
    let Some(contract) = &program.contract else {
        // Without a contract block there is nothing to annex: only `annex`
        // asks for one.
        if program.broken.contract || !ctx.options.require_contract {
            return out;
        }
        // There is no contract to point at: point at the first script, or
        // the first role, or the start of the first file.
        let place = program
            .scripts
            .first()
            .map(|s| (s.file, s.header))
            .or_else(|| program.roles.first().map(|r| (r.file, r.header)))
            .or((program.files > 0).then_some((FileId(0), Span::default())));
        if let Some((file, span)) = place {
            out.push(
                Diagnostic::new(
                    Code::MissingContractField,
                    file,
                    span,
                    "the project has no `contract` block",
                )
                .with_severity(severity)
                .with_help(
                    "add `contract \"Договор № …\" { customer \"…\" contractor \"…\" operators trained schedule 24/7 handoff_sla 5m quality contractor \"…\", \"…\" quality customer \"…\", \"…\" }` to a file of the project",
                ),
            );
        }
        return out;
    };
    for (field, example) in REQUIRED {
        if contract.given.contains(field) {
            continue;
        }
        out.push(
            Diagnostic::new(
                Code::MissingContractField,
                contract.file,
                contract.header,
                format!("the contract has no `{field}`"),
            )
            .with_severity(severity)
            .with_help(format!("the annex states it; add `{example}`")),
        );
    }
    let written = |side: Party| {
        contract.quality.iter().any(|q| q.side == side)
            || contract.given.contains(&"quality") && contract.quality.is_empty()
    };
    for side in [Party::Contractor, Party::Customer] {
        if written(side) {
            continue;
        }
        out.push(
            Diagnostic::new(
                Code::MissingContractField,
                contract.file,
                contract.header,
                format!(
                    "the contract has no `quality {}` line",
                    side.as_str()
                ),
            )
            .with_severity(severity)
            .with_help(format!(
                "quality is controlled from both sides; add `quality {} \"Full name\", \"Position\"`",
                side.as_str()
            )),
        );
    }
    out
}
