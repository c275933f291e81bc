//! `unbounded-loop`: a script with a deadline has a reachable cycle in
//! which some step has no `max`, so no worst case can be proven.

use super::Context;
use crate::diagnostic::{Code, Diagnostic};
use crate::model::NodeKind;
use crate::model::values::format_duration;

pub fn check(ctx: &Context<'_, '_>) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    for (script, g) in ctx.scripts() {
        if script.deadline.is_none() {
            continue;
        }
        for (c, members) in g.sccs.iter().enumerate() {
            if !g.cyclic[c] || !g.reachable[members[0]] {
                continue;
            }
            let unbounded: Vec<usize> = members
                .iter()
                .copied()
                .filter(|&v| {
                    matches!(&script.nodes[v].kind, NodeKind::Step(s) if s.max.is_none() && !s.invalid_max)
                })
                .collect();
            let Some(&first) = unbounded.first() else {
                continue;
            };
            let node = &script.nodes[first];
            let what = if members.len() == 1 {
                format!("step `{}` can repeat itself", node.name.name)
            } else {
                format!("steps {} form a loop", listed(script, members).join(", "))
            };
            let missing = listed(script, &unbounded);
            let mut d = Diagnostic::new(
                Code::UnboundedLoop,
                script.file,
                node.header,
                format!(
                    "{what}, and {} no `max`: the deadline of script `{}` cannot be proven",
                    if missing.len() == 1 {
                        format!("{} has", missing[0])
                    } else {
                        format!("{} have", missing.join(", "))
                    },
                    script.name.name
                ),
            );
            for &v in &unbounded[1..] {
                d = d.with_label(script.nodes[v].header, "no `max` either");
            }
            // `unbounded` is in the order of `members`: walk both at once
            // (a loop may have 100,000 steps).
            let mut rest = unbounded.iter().peekable();
            for &v in members.iter().filter(|&&v| rest.next_if_eq(&&v).is_none()) {
                d = d.with_label(script.nodes[v].header, "part of the loop");
            }
            let duration = match &node.kind {
                NodeKind::Step(st) => st
                    .duration
                    .map_or(String::new(), |d| format!(" {}", format_duration(d.value))),
                _ => String::new(),
            };
            out.push(d.with_help(format!(
                "bound each step of the loop with `max N`, the most times one call may pass through it: `step {}{duration} max 3 {{`",
                node.name.name
            )));
        }
    }
    out
}

/// The most step names a message lists; a loop of a huge script says how
/// many more there are (its labels name them all).
const MAX_LISTED: usize = 10;

/// `` `a` ``, `` `b` ``, … for a message, at most [`MAX_LISTED`] of them
/// and then "N more".
fn listed(script: &crate::model::Script<'_>, nodes: &[usize]) -> Vec<String> {
    let mut out: Vec<String> = nodes
        .iter()
        .take(MAX_LISTED)
        .map(|&v| format!("`{}`", script.nodes[v].name.name))
        .collect();
    if nodes.len() > MAX_LISTED {
        out.push(format!("{} more", nodes.len() - MAX_LISTED));
    }
    out
}
