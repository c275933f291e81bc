//! `deadline-exceeded`: the proven worst-case talk time from the start to a
//! terminal is longer than the script's deadline. Every step of the
//! critical path is labelled with what it contributes.

use super::Context;
use crate::diagnostic::{Code, Diagnostic};
use crate::model::NodeKind;
use crate::model::values::format_duration;

/// Labels beyond this many are summarised in the help (a huge script's
/// critical path would otherwise drown the report).
const MAX_LABELS: usize = 200;

pub fn check(ctx: &Context<'_, '_>) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    for ((script, g), worst) in ctx
        .program
        .scripts
        .iter()
        .zip(ctx.graphs)
        .zip(ctx.worst)
        .filter(|((s, _), _)| !s.broken)
    {
        let (Some(deadline), Ok(worst)) = (script.deadline, worst) else {
            continue;
        };
        if worst.seconds <= deadline.value {
            continue;
        }
        let mut d = Diagnostic::new(
            Code::DeadlineExceeded,
            script.file,
            script.header,
            format!(
                "the worst-case talk time of script `{}` is {}, over its deadline of {}",
                script.name.name,
                format_duration(worst.seconds),
                format_duration(deadline.value)
            ),
        )
        .with_label(deadline.span, "the deadline");
        let mut labelled = 0;
        let mut steps = 0;
        for &v in &worst.path {
            let node = &script.nodes[v];
            let NodeKind::Step(s) = &node.kind else {
                continue;
            };
            steps += 1;
            if labelled == MAX_LABELS {
                continue;
            }
            let dur = s.duration.map_or(0, |x| x.value);
            let text = match (g.cyclic[g.scc_of[v]], s.max) {
                (true, Some(m)) => format!(
                    "{} × max {} = {}",
                    format_duration(dur),
                    m.value,
                    format_duration(dur.saturating_mul(m.value as u64))
                ),
                _ => format_duration(dur),
            };
            d = d.with_label(node.header, text);
            labelled += 1;
        }
        let mut help = format!(
            "the critical path runs through {steps} step(s); shorten their durations, lower `max` on loops, or raise the deadline to {}",
            format_duration(worst.seconds)
        );
        if steps > labelled {
            help.push_str(&format!(" ({} more steps not labelled)", steps - labelled));
        }
        out.push(d.with_help(help));
    }
    out
}
