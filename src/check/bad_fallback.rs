//! `bad-fallback`: a `fallback` that names no terminal (nothing, or a
//! step), or fallbacks that form a cycle (`a` falls back to `b`, `b` to
//! `a`), so the operator could be sent round in circles.

use super::Context;
use crate::diagnostic::{Code, Diagnostic};
use crate::model::{NodeId, NodeKind, Script};
use crate::suggest;

pub fn check(ctx: &Context<'_, '_>) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    for script in ctx.program.scripts.iter().filter(|s| !s.broken) {
        let mut valid: Vec<Option<NodeId>> = vec![None; script.nodes.len()];
        let mut misses = Vec::new();
        for (v, node) in script.nodes.iter().enumerate() {
            let NodeKind::Handoff(h) = &node.kind else {
                continue;
            };
            let Some(fb) = &h.fallback else { continue };
            let at_fallback =
                |message| Diagnostic::new(Code::BadFallback, script.file, fb.name.span, message);
            match fb.node {
                None => {
                    misses.push((out.len(), fb.name.name));
                    out.push(
                        at_fallback(format!(
                            "the fallback of handoff `{}` is `{}`, which is not a terminal of script `{}`",
                            node.name.name, fb.name.name, script.name.name
                        ))
                        .with_help(
                            "a fallback names an `end` or another `handoff` of the same script",
                        ),
                    );
                }
                Some(t) if !script.nodes[t].is_terminal() => {
                    out.push(
                        at_fallback(format!(
                            "the fallback of handoff `{}` is the step `{}`; a fallback must be a terminal",
                            node.name.name, fb.name.name
                        ))
                        .with_label(script.nodes[t].header, "this is a step")
                        .with_help(
                            "the call is already ending: fall back to an `end` (for example a callback) or another `handoff`",
                        ),
                    );
                }
                Some(t) => valid[v] = Some(t),
            }
        }
        let terminals = script.nodes.iter().filter(|n| n.is_terminal());
        suggest::suggest_misses(&mut out, &misses, terminals.map(|n| n.name.name));
        out.extend(cycles(script, &valid));
    }
    out
}

/// Each cycle of fallbacks, reported once at its first handoff.
fn cycles(script: &Script<'_>, next: &[Option<NodeId>]) -> Vec<Diagnostic> {
    // 0 = unvisited, 1 = on the current chain, 2 = done.
    let mut state = vec![0u8; next.len()];
    let mut out = Vec::new();
    let mut chain = Vec::new();
    for start in 0..next.len() {
        // A node without a fallback ends any chain that reaches it.
        if state[start] != 0 || next[start].is_none() {
            continue;
        }
        let mut v = start;
        loop {
            state[v] = 1;
            chain.push(v);
            match next[v] {
                Some(w) if state[w] == 0 => v = w,
                Some(w) if state[w] == 1 => {
                    let pos = chain.iter().position(|&x| x == w).unwrap_or(0);
                    let mut cycle = chain[pos..].to_vec();
                    let first_at = cycle
                        .iter()
                        .enumerate()
                        .min_by_key(|&(_, &n)| n)
                        .map_or(0, |(i, _)| i);
                    cycle.rotate_left(first_at);
                    out.push(report(script, &cycle));
                    break;
                }
                _ => break,
            }
        }
        for v in chain.drain(..) {
            state[v] = 2;
        }
    }
    out
}

fn report(script: &Script<'_>, cycle: &[NodeId]) -> Diagnostic {
    let first = &script.nodes[cycle[0]];
    let mut names: Vec<&str> = cycle.iter().map(|&v| script.nodes[v].name.name).collect();
    names.push(first.name.name);
    let fallback_span = |v: NodeId| match &script.nodes[v].kind {
        NodeKind::Handoff(h) => h.fallback.as_ref().map(|f| f.span),
        _ => None,
    };
    let mut d = Diagnostic::new(
        Code::BadFallback,
        script.file,
        fallback_span(cycle[0]).unwrap_or(first.header),
        format!("fallbacks form a cycle: {}", names.join(" → ")),
    );
    for &v in &cycle[1..] {
        if let Some(span) = fallback_span(v) {
            d = d.with_label(span, "continues the cycle");
        }
    }
    d.with_help("end the chain at an `end`: a client no role takes must leave the call somewhere")
}
