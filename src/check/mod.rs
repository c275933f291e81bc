//! The checks: each module is one check, a plain function from the model
//! and its graphs to all of its findings.

use crate::diagnostic::Diagnostic;
use crate::graph::{ScriptGraph, Unbounded, WorstCase};
use crate::model::{Program, Script};

mod bad_fallback;
mod contract_fields;
mod dead_end;
mod deadline;
mod empty_script;
mod fields;
mod missing_duration;
mod missing_fallback;
mod missing_mandatory;
mod missing_otherwise;
mod no_terminal;
mod role_off_duty;
mod sla;
mod unbounded_loop;
mod unreachable;

/// What the caller is about to do with the program.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Options {
    /// The contract's annex fields are required (`annex`): a missing one
    /// is an error instead of a warning.
    pub require_contract: bool,
}

/// Everything a check may look at.
pub struct Context<'a, 's> {
    pub program: &'a Program<'s>,
    /// One graph per script, in the order of `program.scripts`.
    pub graphs: &'a [ScriptGraph],
    /// The worst-case talk time of each script (`graph::worst_case`).
    pub worst: &'a [Result<WorstCase, Unbounded>],
    pub options: Options,
}

impl<'a, 's> Context<'a, 's> {
    /// Scripts whose graph is complete (no member failed to parse), with
    /// their graphs.
    pub fn scripts(&self) -> impl Iterator<Item = (&'a Script<'s>, &'a ScriptGraph)> + 'a {
        self.program
            .scripts
            .iter()
            .zip(self.graphs)
            .filter(|(s, _)| !s.broken)
    }
}

type Check = fn(&Context<'_, '_>) -> Vec<Diagnostic>;

/// Every check, in the order of the table in LANGUAGE.md.
const CHECKS: &[Check] = &[
    fields::undefined_field,
    fields::field_not_collected,
    unreachable::check,
    dead_end::check,
    no_terminal::check,
    unbounded_loop::check,
    missing_duration::check,
    deadline::check,
    sla::check,
    missing_otherwise::check,
    contract_fields::check,
    empty_script::check,
    missing_mandatory::check,
    missing_fallback::check,
    bad_fallback::check,
    role_off_duty::check,
];

/// Run every check (in parallel; findings come back in the order of
/// `CHECKS`).
pub fn run(ctx: &Context<'_, '_>) -> Vec<Diagnostic> {
    use rayon::prelude::*;
    CHECKS
        .par_iter()
        .map(|check| check(ctx))
        .collect::<Vec<_>>()
        .into_iter()
        .flatten()
        .collect()
}

/// `a → b → c`, for messages.
pub(crate) fn path_text(script: &Script<'_>, path: &[usize]) -> String {
    const MAX: usize = 12;
    let names: Vec<&str> = path.iter().map(|&n| script.nodes[n].name.name).collect();
    if names.len() <= MAX {
        names.join(" → ")
    } else {
        format!(
            "{} → … ({} more) … → {}",
            names[..MAX / 2].join(" → "),
            names.len() - MAX,
            names[names.len() - MAX / 2..].join(" → ")
        )
    }
}
