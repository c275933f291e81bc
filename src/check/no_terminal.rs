//! `no-terminal`: steps from which no handoff or end can be reached — the
//! call would loop forever.
//!
//! Reported once per trap: a strongly connected component from which
//! nothing leads out. Steps that merely lead into a trap are counted in the
//! trap's message rather than reported one by one. Dead ends and steps
//! with an undefined target are reported by their own codes and do not
//! count as traps here.

use super::Context;
use crate::diagnostic::{Code, Diagnostic};

pub fn check(ctx: &Context<'_, '_>) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    for (script, g) in ctx.scripts() {
        let ok = g.can_reach(|v| {
            let node = &script.nodes[v];
            node.is_terminal()
                || node.exits().next().is_none()
                || node.exits().any(|t| t.node.is_none())
        });
        let stuck = ok.iter().filter(|&&o| !o).count();
        if stuck == 0 {
            continue;
        }
        let traps: Vec<&[usize]> = g
            .sccs
            .iter()
            .enumerate()
            .filter(|(c, members)| {
                !ok[members[0]]
                    && members
                        .iter()
                        .all(|&v| g.successors(v).all(|w| g.scc_of[w] == *c))
            })
            .map(|(_, m)| m)
            .collect();
        let feeding = stuck - traps.iter().map(|m| m.len()).sum::<usize>();
        for members in traps {
            let first = &script.nodes[members[0]];
            let message = if members.len() == 1 {
                format!(
                    "step `{}` only leads back to itself: no handoff or end can be reached from it",
                    first.name.name
                )
            } else {
                let names: Vec<String> = members
                    .iter()
                    .map(|&v| format!("`{}`", script.nodes[v].name.name))
                    .collect();
                format!(
                    "steps {} form a loop with no way out: no handoff or end can be reached from them",
                    names.join(", ")
                )
            };
            let mut d = Diagnostic::new(Code::NoTerminal, script.file, first.header, message);
            for &v in &members[1..] {
                d = d.with_label(script.nodes[v].header, "part of the loop");
            }
            let mut help = "give one of these steps an exit to a `handoff` or an `end` (for example `otherwise -> goodbye`)".to_string();
            if feeding > 0 {
                help.push_str(&format!(
                    "; in this script, {feeding} more step(s) lead only into loops without a way out"
                ));
            }
            out.push(d.with_help(help));
        }
    }
    out
}
