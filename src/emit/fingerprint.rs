//! Script fingerprints: `sha256:` and the hex digest of a script's
//! canonical content.
//!
//! The canonical content is a line-oriented text built from the model, not
//! from the source: every name, text (escapes decoded, fields as `{name}`),
//! kind, schedule, deadline, duration (in seconds), `max`, exit, role,
//! pass list, summary, task and fallback, in source order. Comments, blank
//! lines, spacing and the spelling of a duration (`90s` or `1m30s`) do not
//! change it; any change of text, structure or timing does. It covers the
//! script alone: the contract, roles and other scripts do not enter it, so
//! one script's change never changes another's fingerprint. The format is
//! versioned by its first line; see docs/operator-json.md.

use std::fmt::Write;

use sha2::{Digest, Sha256};

use super::template;
use crate::model::{Line, NodeKind, Schedule, Script, Spanned, Task};

/// The fingerprint of a script: `sha256:` + 64 hex digits.
pub fn fingerprint(script: &Script<'_>) -> String {
    let digest = Sha256::digest(canonical(script).as_bytes());
    let mut out = String::with_capacity(7 + 64);
    out.push_str("sha256:");
    for b in digest {
        let _ = write!(out, "{b:02x}");
    }
    out
}

/// JSON-quote a string: unambiguous whatever it contains.
fn q(s: &str) -> String {
    serde_json::to_string(s).unwrap_or_default()
}

fn opt<T: std::fmt::Display>(v: Option<T>) -> String {
    v.map_or_else(|| "-".to_string(), |v| v.to_string())
}

fn schedule(s: Option<&Spanned<Schedule>>) -> String {
    match s.map(|s| &s.value) {
        None => "-".into(),
        Some(s) => s.week().describe(),
    }
}

fn lines(out: &mut String, lines: &[Line<'_>]) {
    for l in lines {
        let _ = writeln!(
            out,
            "  {} {} {}",
            l.kind.as_str(),
            opt(l.field.map(|f| f.name)),
            q(&template(&l.text))
        );
    }
}

fn tasks(out: &mut String, tasks: &[Task<'_>]) {
    for t in tasks {
        let _ = writeln!(
            out,
            "  task {} {}",
            q(&template(&t.text)),
            opt(t.within.map(|w| w.value))
        );
    }
}

/// The canonical content a fingerprint is computed over.
pub fn canonical(script: &Script<'_>) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "callscript-fingerprint/1");
    let _ = writeln!(
        out,
        "script {} {}",
        q(script.name.name),
        q(&script.title.value())
    );
    let _ = writeln!(out, "kind {}", opt(script.kind.map(|k| k.value.as_str())));
    let _ = writeln!(out, "schedule {}", schedule(script.schedule.as_ref()));
    let _ = writeln!(out, "deadline {}", opt(script.deadline.map(|d| d.value)));
    let _ = writeln!(
        out,
        "start {}",
        opt(script.start.map(|s| q(script.nodes[s].name.name)))
    );
    for m in &script.mandatory {
        let _ = writeln!(out, "mandatory {}", q(&m.value()));
    }
    for node in &script.nodes {
        let name = q(node.name.name);
        match &node.kind {
            NodeKind::Step(s) => {
                let _ = writeln!(
                    out,
                    "step {name} {} {}",
                    opt(s.duration.map(|d| d.value)),
                    opt(s.max.map(|m| m.value))
                );
                lines(&mut out, &s.lines);
                for c in &s.options {
                    let _ = writeln!(
                        out,
                        "  on {} {}",
                        q(&c.answer.value()),
                        q(c.target.name.name)
                    );
                }
                if let Some(t) = &s.otherwise {
                    let _ = writeln!(out, "  otherwise {}", q(t.name.name));
                }
                if let Some(t) = &s.goto {
                    let _ = writeln!(out, "  goto {}", q(t.name.name));
                }
            }
            NodeKind::Handoff(h) => {
                let _ = writeln!(
                    out,
                    "handoff {name} {} {}",
                    q(h.role.name),
                    opt(h.within.map(|w| w.value))
                );
                lines(&mut out, &h.lines);
                for p in &h.pass {
                    let _ = writeln!(out, "  pass {}", q(p.name));
                }
                if let Some(s) = &h.summary {
                    let _ = writeln!(out, "  summary {}", q(&template(s)));
                }
                tasks(&mut out, &h.tasks);
                if let Some(f) = &h.fallback {
                    let _ = writeln!(out, "  fallback {}", q(f.name.name));
                }
            }
            NodeKind::End(e) => {
                let _ = writeln!(out, "end {name} {}", q(&e.outcome.value()));
                lines(&mut out, &e.lines);
                tasks(&mut out, &e.tasks);
            }
        }
    }
    out
}
