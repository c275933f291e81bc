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

use sha2::{Digest, Sha256};

use super::pipeline::Ordered;
use super::pretty::{decimal_into, ident_into, template_into, value_into};
use crate::model::{Line, Node, NodeKind, Schedule, Script, Spanned, Str, Task, Text};

/// The fingerprint of a script: `sha256:` + 64 hex digits.
pub fn fingerprint(script: &Script<'_>) -> String {
    // The canonical text is as large as the script's source: its nodes are
    // rendered in parallel chunks and hashed in order as they come, never
    // held whole.
    let mut hasher = Sha256::new();
    let mut head = Vec::new();
    Canon { buf: &mut head }.header(script);
    hasher.update(&head);
    let nodes = Ordered::new(
        &script.nodes,
        NODES_PER_CHUNK,
        CHUNKS_PER_ROUND,
        |nodes, buf| {
            // The canonical text is about as long as the source.
            super::pipeline::room(buf, super::source_len(nodes) / 4 * 5);
            let mut c = Canon { buf };
            for n in nodes {
                c.node(n);
            }
        },
    );
    let hashed: Result<(), std::convert::Infallible> = nodes.run(Vec::new(), |b| {
        hasher.update(b);
        Ok(())
    });
    if let Err(never) = hashed {
        match never {}
    }
    let digest = hasher.finalize();
    const HEX: &[u8; 16] = b"0123456789abcdef";
    let mut out = String::with_capacity(7 + 64);
    out.push_str("sha256:");
    for b in digest {
        out.push(HEX[(b >> 4) as usize] as char);
        out.push(HEX[(b & 0xf) as usize] as char);
    }
    out
}

/// The canonical content a fingerprint is computed over.
pub fn canonical(script: &Script<'_>) -> String {
    let mut buf = Vec::new();
    let mut c = Canon { buf: &mut buf };
    c.header(script);
    for n in &script.nodes {
        c.node(n);
    }
    String::from_utf8(buf).unwrap_or_default()
}

/// Nodes per chunk of canonical text rendered by one task (about 100 KB
/// on typical scripts), and chunks rendered while the previous ones are
/// hashed.
const NODES_PER_CHUNK: usize = 256;
const CHUNKS_PER_ROUND: usize = 4;

/// Canonical text, appended to `buf`.
struct Canon<'b> {
    buf: &'b mut Vec<u8>,
}

impl Canon<'_> {
    /// Literal text.
    fn s(&mut self, s: &str) -> &mut Self {
        self.buf.extend_from_slice(s.as_bytes());
        self
    }

    /// A space, then a name JSON-quoted (a name never needs an escape:
    /// see [`ident_into`]).
    fn q(&mut self, name: &str) -> &mut Self {
        self.buf.push(b' ');
        ident_into(self.buf, name);
        self
    }

    /// A space, then operator text as its template, JSON-quoted.
    fn qt(&mut self, t: &Text<'_>) -> &mut Self {
        self.buf.push(b' ');
        template_into(self.buf, t);
        self
    }

    /// A space, then a plain string's value, JSON-quoted.
    fn qs(&mut self, s: &Str<'_>) -> &mut Self {
        self.buf.push(b' ');
        value_into(self.buf, s);
        self
    }

    /// A space, then the value or `-`.
    fn opt(&mut self, v: Option<&str>) -> &mut Self {
        self.buf.push(b' ');
        self.s(v.unwrap_or("-"))
    }

    /// A space, then the number or `-`.
    fn num(&mut self, v: Option<u64>) -> &mut Self {
        match v {
            Some(v) => {
                self.buf.push(b' ');
                decimal_into(self.buf, v);
                self
            }
            None => self.opt(None),
        }
    }

    /// The end of a line.
    fn nl(&mut self) {
        self.buf.push(b'\n');
    }

    fn lines(&mut self, lines: &[Line<'_>]) {
        for l in lines {
            self.s("  ")
                .s(l.kind.as_str())
                .opt(l.field.map(|f| f.name))
                .qt(&l.text)
                .nl();
        }
    }

    fn tasks(&mut self, tasks: &[Task<'_>]) {
        for t in tasks {
            self.s("  task")
                .qt(&t.text)
                .num(t.within.map(|w| w.value))
                .nl();
        }
    }

    /// Everything about the script but its nodes.
    fn header(&mut self, script: &Script<'_>) {
        self.s("callscript-fingerprint/1").nl();
        self.s("script").q(script.name.name).qs(&script.title).nl();
        self.s("kind")
            .opt(script.kind.map(|k| k.value.as_str()))
            .nl();
        let schedule = schedule(script.schedule.as_ref());
        self.s("schedule").opt(schedule.as_deref()).nl();
        self.s("deadline")
            .num(script.deadline.map(|d| d.value))
            .nl();
        self.s("start");
        match script.start {
            Some(s) => self.q(script.nodes[s].name.name),
            None => self.opt(None),
        }
        .nl();
        for m in &script.mandatory {
            self.s("mandatory").qs(m).nl();
        }
    }

    fn node(&mut self, node: &Node<'_>) {
        match &node.kind {
            NodeKind::Step(s) => {
                self.s("step")
                    .q(node.name.name)
                    .num(s.duration.map(|d| d.value))
                    .num(s.max.map(|m| u64::from(m.value)))
                    .nl();
                self.lines(&s.lines);
                for c in s.options() {
                    self.s("  on").qs(c.answer).q(c.target.name.name).nl();
                }
                if let Some(t) = s.otherwise() {
                    self.s("  otherwise").q(t.name.name).nl();
                }
                if let Some(t) = s.goto() {
                    self.s("  goto").q(t.name.name).nl();
                }
            }
            NodeKind::Handoff(h) => {
                self.s("handoff")
                    .q(node.name.name)
                    .q(h.role.name)
                    .num(h.within.map(|w| w.value))
                    .nl();
                self.lines(&h.lines);
                for p in &h.pass {
                    self.s("  pass").q(p.name).nl();
                }
                if let Some(s) = &h.summary {
                    self.s("  summary").qt(s).nl();
                }
                self.tasks(&h.tasks);
                if let Some(f) = &h.fallback {
                    self.s("  fallback").q(f.name.name).nl();
                }
            }
            NodeKind::End(e) => {
                self.s("end").q(node.name.name).qs(&e.outcome).nl();
                self.lines(&e.lines);
                self.tasks(&e.tasks);
            }
        }
    }
}

fn schedule(s: Option<&Spanned<Schedule>>) -> Option<String> {
    s.map(|s| s.value.week().describe())
}
