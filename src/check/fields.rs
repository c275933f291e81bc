//! Fields: `undefined-field` (a field used that no `ask` in the script
//! collects) and `field-not-collected` (a field used where some path from
//! the start has not collected it yet).
//!
//! A use is `{x}` in operator text (say, ask, note, summary, task) or a
//! name in `pass`. Within a node, lines count in order: `ask phone "…"`
//! collects `phone` for the lines after it, and a handoff's `pass`,
//! `summary` and tasks come after its lines.
//!
//! `field-not-collected` is a must-collect dataflow analysis: a field is
//! collected on entry to a node only if every path from the start collects
//! it first. It runs on 64 fields at a time as bit sets with a worklist,
//! so its cost is bounded by O(edges × fields) whatever the input.

use rustc_hash::FxHashMap;

use super::{Context, path_text};
use crate::diagnostic::{Code, Diagnostic};
use crate::graph::ScriptGraph;
use crate::model::{BUILTIN_FIELDS, Ident, LineKind, Node, NodeId, NodeKind, Script};
use crate::suggest;

/// What a node does with fields, in order.
enum Event<'s> {
    Use(Ident<'s>, Use),
    Collect(Ident<'s>),
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Use {
    Text,
    Pass,
}

fn events<'s>(node: &Node<'s>) -> Vec<Event<'s>> {
    let mut out = Vec::new();
    for line in node.lines() {
        out.extend(
            line.text
                .fields()
                .into_iter()
                .map(|f| Event::Use(f, Use::Text)),
        );
        if line.kind == LineKind::Ask
            && let Some(f) = line.field
        {
            out.push(Event::Collect(f));
        }
    }
    let texts = |tasks: &[crate::model::Task<'s>], out: &mut Vec<Event<'s>>| {
        for t in tasks {
            out.extend(
                t.text
                    .fields()
                    .into_iter()
                    .map(|f| Event::Use(f, Use::Text)),
            );
        }
    };
    match &node.kind {
        NodeKind::Handoff(h) => {
            out.extend(h.pass.iter().map(|&f| Event::Use(f, Use::Pass)));
            if let Some(s) = &h.summary {
                out.extend(s.fields().into_iter().map(|f| Event::Use(f, Use::Text)));
            }
            texts(&h.tasks, &mut out);
        }
        NodeKind::End(e) => texts(&e.tasks, &mut out),
        NodeKind::Step(_) => {}
    }
    out
}

/// The fields a script collects, each with its first `ask`.
fn collected<'s>(script: &Script<'s>) -> FxHashMap<&'s str, Ident<'s>> {
    script
        .collected_fields()
        .into_iter()
        .filter_map(|c| c.first.field.map(|f| (c.name, f)))
        .collect()
}

pub fn undefined_field(ctx: &Context<'_, '_>) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    for script in ctx.program.scripts.iter().filter(|s| !s.broken) {
        debug_assert!(
            (script.nodes.iter().enumerate())
                .filter(|(v, _)| script.field_nodes.binary_search(v).is_err())
                .all(|(_, n)| events(n).is_empty()),
            "a node that is not in `field_nodes` touches fields"
        );
        let known = collected(script);
        let mut misses = Vec::new();
        for node in script.field_nodes.iter().map(|&v| &script.nodes[v]) {
            for ev in events(node) {
                let Event::Use(f, kind) = ev else { continue };
                if known.contains_key(f.name) || BUILTIN_FIELDS.contains(&f.name) {
                    continue;
                }
                let message = match kind {
                    Use::Pass => format!(
                        "handoff `{}` passes `{}`, which no `ask` in script `{}` collects",
                        node.name.name, f.name, script.name.name
                    ),
                    Use::Text => format!(
                        "`{{{}}}` names a field that no `ask` in script `{}` collects",
                        f.name, script.name.name
                    ),
                };
                let help = format!(
                    "collect it first with `ask {} \"…\"`; the built-in fields are `{{operator}}` and `{{company}}`",
                    f.name
                );
                misses.push((out.len(), f.name));
                out.push(
                    Diagnostic::new(Code::UndefinedField, script.file, f.span, message)
                        .with_help(help),
                );
            }
        }
        suggest::suggest_misses(&mut out, &misses, known.keys().copied());
    }
    out
}

/// Paths are named for at most this many fields per script; further
/// findings say so without a path (each path costs a walk of the graph).
const MAX_WITNESS_FIELDS: usize = 64;

pub fn field_not_collected(ctx: &Context<'_, '_>) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    for (script, g) in ctx.scripts() {
        if g.start.is_none() {
            continue;
        }
        let known = collected(script);
        let mut index: FxHashMap<&str, usize> = FxHashMap::default();
        // Each node that touches fields, with what it does with them.
        let events: Vec<(NodeId, Vec<Event<'_>>)> = (script.field_nodes.iter())
            .map(|&v| (v, events(&script.nodes[v])))
            .collect();
        let events_of = |v: NodeId| {
            (script.field_nodes.binary_search(&v)).map_or(&[][..], |i| &events[i].1[..])
        };
        // Fields used in reachable nodes, numbered in order of first use.
        let mut used: Vec<&str> = Vec::new();
        for (v, evs) in &events {
            if !g.reachable[*v] {
                continue;
            }
            for ev in evs {
                if let Event::Use(f, _) = ev
                    && known.contains_key(f.name)
                    && !index.contains_key(f.name)
                {
                    index.insert(f.name, used.len());
                    used.push(f.name);
                }
            }
        }
        let mut findings: Vec<(usize, Ident<'_>, Use, usize)> = Vec::new();
        for chunk_start in (0..used.len()).step_by(64) {
            let chunk = chunk_start..(chunk_start + 64).min(used.len());
            let bit = |name: &str| {
                index
                    .get(name)
                    .filter(|&&i| chunk.contains(&i))
                    .map(|&i| 1u64 << (i - chunk_start))
            };
            let mut gen_bits = vec![0u64; script.nodes.len()];
            for (v, evs) in &events {
                gen_bits[*v] = evs
                    .iter()
                    .filter_map(|e| match e {
                        Event::Collect(f) => bit(f.name),
                        Event::Use(..) => None,
                    })
                    .fold(0, |a, b| a | b);
            }
            let entry = must_collect(g, &gen_bits);
            for &(v, ref evs) in &events {
                if !g.reachable[v] {
                    continue;
                }
                let mut have = entry[v];
                for ev in evs {
                    match ev {
                        Event::Collect(f) => have |= bit(f.name).unwrap_or(0),
                        Event::Use(f, kind) => {
                            if let Some(b) = bit(f.name)
                                && have & b == 0
                            {
                                findings.push((v, *f, *kind, index[f.name]));
                            }
                        }
                    }
                }
            }
        }
        // One walk per field names the paths of all its findings.
        let mut witnessed: Vec<usize> = Vec::new();
        for (v, f, kind, field) in findings {
            let collects = |w: usize| {
                events_of(w)
                    .iter()
                    .any(|e| matches!(e, Event::Collect(c) if c.name == f.name))
            };
            let with_path = witnessed.contains(&field) || witnessed.len() < MAX_WITNESS_FIELDS;
            if with_path && !witnessed.contains(&field) {
                witnessed.push(field);
            }
            let path = if with_path {
                g.path_avoiding(|w| w != v && collects(w), |w| w == v)
            } else {
                None
            };
            out.push(report(script, v, f, kind, known[f.name], path.as_deref()));
        }
    }
    out
}

/// Must-collect sets on entry to each node, for up to 64 fields: a worklist
/// over the reachable graph, starting from "everything" and intersecting
/// over predecessors until nothing changes. A node's set only ever loses
/// bits, so each node is revisited at most 64 times.
fn must_collect(g: &ScriptGraph, gen_bits: &[u64]) -> Vec<u64> {
    let n = gen_bits.len();
    let mut entry = vec![u64::MAX; n];
    let Some(start) = g.start else { return entry };
    entry[start] = 0;
    let mut queued = vec![false; n];
    let mut work: Vec<usize> = (0..n).filter(|&v| g.reachable[v]).rev().collect();
    for &v in &work {
        queued[v] = true;
    }
    while let Some(v) = work.pop() {
        queued[v] = false;
        let out = entry[v] | gen_bits[v];
        for w in g.successors(v) {
            if w == start {
                continue;
            }
            let new = entry[w] & out;
            if new != entry[w] {
                entry[w] = new;
                if !queued[w] {
                    queued[w] = true;
                    work.push(w);
                }
            }
        }
    }
    entry
}

fn report(
    script: &Script<'_>,
    at: usize,
    f: Ident<'_>,
    kind: Use,
    first_ask: Ident<'_>,
    path: Option<&[usize]>,
) -> Diagnostic {
    let node = &script.nodes[at];
    let what = match kind {
        Use::Pass => format!("handoff `{}` passes `{}`", node.name.name, f.name),
        Use::Text => format!("`{{{}}}` is used", f.name),
    };
    let message = match path {
        Some(p) => format!(
            "{what}, but `{}` is not collected on the path {}",
            f.name,
            path_text(script, p)
        ),
        None => format!(
            "{what}, but some path from the start does not collect `{}`",
            f.name
        ),
    };
    let mut d = Diagnostic::new(Code::FieldNotCollected, script.file, f.span, message);
    for &v in path.unwrap_or(&[]) {
        if v != at {
            d = d.with_label(
                script.nodes[v].header,
                format!("does not ask for `{}`", f.name),
            );
        }
    }
    let ask_label = if node.span.range().contains(&(first_ask.span.start as usize)) {
        "asked here, after it is used"
    } else {
        "collected here, on other paths"
    };
    d.with_label(first_ask.span, ask_label)
        .with_help(format!(
            "ask for it on every path before this point (`ask {} \"…\"`), or move the use after a step that always asks",
            f.name
        ))
}
