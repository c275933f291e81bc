//! The operator JSON, format `callscript/operator@1`: what operator tools
//! load to walk a script on screen (docs/operator-json.md).
//!
//! The structs below are the serialisation boundary: they alone derive
//! `Serialize` (and `JsonSchema`, for docs/operator.schema.json), so the
//! model can change without changing the format. Output is deterministic:
//! everything is in source order, nothing comes from a hash map.

use std::borrow::Cow;
use std::io::Write;

use rayon::prelude::*;

use schemars::JsonSchema;
use serde::Serialize;

use super::fingerprint::fingerprint;
use super::pipeline::Ordered;
pub use super::pretty::Layout;
use super::pretty::{Pretty, ident_into, opt_u64_into, template_into, value_into};
use super::{template, template_cow};
use crate::model::{self, NodeKind, Spanned};
use crate::{Analysed, Project};

/// The format tag of this version of the operator JSON.
pub const FORMAT: &str = "callscript/operator@1";

/// The whole document.
#[derive(Serialize, JsonSchema)]
#[schemars(title = "callscript operator JSON", deny_unknown_fields)]
pub struct Operator<'a> {
    /// Always `callscript/operator@1` in this version.
    #[schemars(extend("const" = "callscript/operator@1"))]
    pub format: &'static str,
    /// The contract's terms, or null when the project has no contract.
    pub contract: Option<Contract>,
    /// The customer's roles that receive handoffs, in source order.
    pub roles: Vec<Role<'a>>,
    /// The scripts, in source order (files in the order given).
    pub scripts: Vec<Script<'a>>,
}

/// The terms of the outsourcing contract.
#[derive(Serialize, JsonSchema)]
#[schemars(deny_unknown_fields)]
pub struct Contract {
    pub title: String,
    pub customer: Option<String>,
    pub contractor: Option<String>,
    /// `basic` (ordinary operators) or `trained` (trained in the customer's business).
    pub operators: Option<Operators>,
    /// Whether the customer's staff assist the operators.
    pub assistance: Option<bool>,
    /// The CRM operators work in, if any.
    pub crm: Option<String>,
    /// CRM client categories served first.
    pub priority: Vec<String>,
    /// Where the client base is kept.
    pub client_base: Option<Party>,
    pub schedule: Option<Schedule>,
    /// IANA time zone of every schedule.
    pub timezone: Option<String>,
    /// Expected calls per day.
    pub volume_per_day: Option<u32>,
    /// The longest handoff deadline the contract allows, in seconds.
    pub handoff_sla_s: Option<u64>,
    /// People responsible for quality, both sides.
    pub quality: Vec<Quality>,
    /// Phrases every script must say on every path.
    pub mandatory: Vec<String>,
}

#[derive(Serialize, JsonSchema)]
#[schemars(deny_unknown_fields)]
pub struct Quality {
    /// `contractor` (the call center) or `customer`.
    pub side: Party,
    pub name: String,
    pub position: String,
}

/// A schedule: every minute of the week (`always`), or windows.
#[derive(Serialize, JsonSchema)]
#[schemars(deny_unknown_fields)]
pub struct Schedule {
    /// True for `24/7`.
    pub always: bool,
    /// The windows as written; empty for `24/7`.
    pub windows: Vec<Window>,
    /// The schedule in the language's notation, days grouped:
    /// `mon-fri 09:00-21:00, sat 10:00-16:00`.
    pub text: String,
}

#[derive(Serialize, JsonSchema)]
#[schemars(deny_unknown_fields)]
pub struct Window {
    /// Days, Monday first.
    pub days: Vec<Day>,
    /// `HH:MM`.
    #[schemars(regex(pattern = r"^([01][0-9]|2[0-3]):[0-5][0-9]$"))]
    pub from: String,
    /// `HH:MM`, later than `from`; `24:00` is the end of the day.
    #[schemars(regex(pattern = r"^(([01][0-9]|2[0-3]):[0-5][0-9]|24:00)$"))]
    pub to: String,
}

/// A customer employee or team that receives handoffs.
#[derive(Serialize, JsonSchema)]
#[schemars(deny_unknown_fields)]
pub struct Role<'a> {
    pub id: &'a str,
    pub title: String,
    pub contacts: Vec<Contact>,
    /// How the client and the data reach the role.
    pub channel: Option<String>,
    /// When the role is on duty; null: always.
    pub hours: Option<Schedule>,
}

#[derive(Serialize, JsonSchema)]
#[schemars(deny_unknown_fields)]
pub struct Contact {
    pub name: String,
    pub position: String,
}

/// A dialogue script.
#[derive(Serialize, JsonSchema)]
#[schemars(deny_unknown_fields)]
pub struct Script<'a> {
    pub id: &'a str,
    pub title: String,
    /// The kind of work.
    pub kind: Option<ScriptKind>,
    /// The script's own schedule; null: the contract's applies.
    pub schedule: Option<Schedule>,
    /// The node a call starts at.
    pub start: &'a str,
    /// The longest the talk may take until a terminal, in seconds.
    pub deadline_s: Option<u64>,
    /// The proven worst-case talk time, in seconds; null when it cannot be
    /// proven (a step without a duration, a loop without `max`).
    pub worst_case_s: Option<u64>,
    /// `sha256:` + hex of the script's canonical content; the annex shows
    /// the same value.
    #[schemars(regex(pattern = r"^sha256:[0-9a-f]{64}$"))]
    pub fingerprint: String,
    /// Phrases this script must say on every path (the contract's apply
    /// too).
    pub mandatory: Vec<String>,
    /// The fields the script collects, each with the question that first
    /// asks for it.
    pub fields: Vec<Field<'a>>,
    /// Steps and terminals in source order.
    #[schemars(with = "Vec<Node<'a>>")]
    pub nodes: Nodes<'a>,
}

#[derive(Serialize, JsonSchema)]
#[schemars(deny_unknown_fields)]
pub struct Field<'a> {
    pub id: &'a str,
    /// The text of the first `ask` that collects it (a template).
    pub question: String,
    /// The nodes whose `ask` collects it, in source order.
    pub asked_in: Vec<&'a str>,
}

/// One node of a script.
#[derive(Serialize, JsonSchema)]
#[serde(tag = "type", rename_all = "lowercase")]
pub enum Node<'a> {
    /// The operator speaks and the client answers.
    Step {
        id: &'a str,
        lines: Vec<LineOut<'a>>,
        /// The longest the step may take, in seconds.
        duration_s: Option<u64>,
        /// How often one call may pass through the step.
        max_visits: Option<u32>,
        /// The client's answers and where each leads.
        options: Vec<Choice<'a>>,
        /// Where any other answer leads.
        otherwise: Option<&'a str>,
        /// Where the step always continues (no options).
        goto: Option<&'a str>,
    },
    /// The client and the collected data go to a customer role.
    Handoff {
        id: &'a str,
        lines: Vec<LineOut<'a>>,
        /// The role's id (see `roles`).
        role: &'a str,
        /// The deadline of the handoff, in seconds: its own `within`, else
        /// the contract's `handoff_sla`; null when neither is given.
        within_s: Option<u64>,
        /// The fields passed to the role.
        pass: Vec<&'a str>,
        /// The summary the role receives (a template).
        summary: Option<Cow<'a, str>>,
        tasks: Vec<TaskOut<'a>>,
        /// The terminal to move to when the role does not take the client
        /// in time.
        fallback: Option<&'a str>,
    },
    /// The call ends with an outcome.
    End {
        id: &'a str,
        lines: Vec<LineOut<'a>>,
        outcome: Cow<'a, str>,
        tasks: Vec<TaskOut<'a>>,
    },
}

/// A line of operator text.
#[derive(Serialize, JsonSchema)]
#[schemars(deny_unknown_fields)]
pub struct LineOut<'a> {
    /// What the operator does with the line.
    pub kind: LineKind,
    /// A template: `{name}` is a field (or the built-ins `{operator}`,
    /// `{company}`) to fill in; `{{` and `}}` are literal braces.
    pub text: Cow<'a, str>,
    /// For `ask`: the field the answer is stored in.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub field: Option<&'a str>,
}

#[derive(Serialize, JsonSchema)]
#[schemars(deny_unknown_fields)]
pub struct Choice<'a> {
    pub answer: Cow<'a, str>,
    pub to: &'a str,
}

#[derive(Serialize, JsonSchema)]
#[schemars(deny_unknown_fields)]
pub struct TaskOut<'a> {
    /// A template, like operator text.
    pub text: Cow<'a, str>,
    /// The task's deadline, in seconds.
    pub within_s: Option<u64>,
}

/// `basic` or `trained` operators.
#[derive(Clone, Copy, Serialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum Operators {
    /// Ordinary call-center operators.
    Basic,
    /// Operators trained in the customer's business.
    Trained,
}

/// A party of the contract.
#[derive(Clone, Copy, Serialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum Party {
    /// The company that outsources its calls.
    Customer,
    /// The call center.
    Contractor,
}

/// The kind of work a script is for.
#[derive(Clone, Copy, Serialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum ScriptKind {
    Inbound,
    Outbound,
    Telemarketing,
}

/// What the operator does with a line.
#[derive(Clone, Copy, Serialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum LineKind {
    /// Said to the client.
    Say,
    /// A question to the client; its answer may be stored in a field.
    Ask,
    /// For the operator's eyes only.
    Note,
}

/// A day of the week.
#[derive(Clone, Copy, Serialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum Day {
    Mon,
    Tue,
    Wed,
    Thu,
    Fri,
    Sat,
    Sun,
}

const DAYS: [Day; 7] = [
    Day::Mon,
    Day::Tue,
    Day::Wed,
    Day::Thu,
    Day::Fri,
    Day::Sat,
    Day::Sun,
];

fn party(p: model::Party) -> Party {
    match p {
        model::Party::Customer => Party::Customer,
        model::Party::Contractor => Party::Contractor,
    }
}

fn schedule(s: &Spanned<model::Schedule>) -> Schedule {
    let text = s.value.week().describe();
    match &s.value {
        model::Schedule::Always => Schedule {
            always: true,
            windows: Vec::new(),
            text,
        },
        model::Schedule::Windows(ws) => Schedule {
            always: false,
            windows: ws
                .iter()
                .map(|w| Window {
                    days: (0..7)
                        .filter(|d| w.days & (1 << d) != 0)
                        .map(|d| DAYS[d])
                        .collect(),
                    from: model::values::format_time(w.from as usize),
                    to: model::values::format_time(w.to as usize),
                })
                .collect(),
            text,
        },
    }
}

fn lines<'a>(ls: &[model::Line<'a>]) -> Vec<LineOut<'a>> {
    ls.iter()
        .map(|l| LineOut {
            kind: match l.kind {
                model::LineKind::Say => LineKind::Say,
                model::LineKind::Ask => LineKind::Ask,
                model::LineKind::Note => LineKind::Note,
            },
            text: template_cow(&l.text),
            field: l.field.map(|f| f.name),
        })
        .collect()
}

fn tasks<'a>(ts: &[model::Task<'a>]) -> Vec<TaskOut<'a>> {
    ts.iter()
        .map(|t| TaskOut {
            text: template_cow(&t.text),
            within_s: t.within.map(|w| w.value),
        })
        .collect()
}

/// The operator document of a checked project.
pub fn operator<'a>(project: &'a Project<'a>) -> Operator<'a> {
    operator_with(project.analysed(), true)
}

/// The operator document; without `fingerprints`, every script's
/// fingerprint is left empty for the caller to compute.
fn operator_with<'a>(project: Analysed<'a, 'a>, fingerprints: bool) -> Operator<'a> {
    let program = project.program;
    let contract = program.contract.as_ref().map(|c| Contract {
        title: c.title.value().into_owned(),
        customer: c.customer.map(|s| s.value().into_owned()),
        contractor: c.contractor.map(|s| s.value().into_owned()),
        operators: c.operators.map(|o| match o.value {
            model::Operators::Basic => Operators::Basic,
            model::Operators::Trained => Operators::Trained,
        }),
        assistance: c.assistance.map(|a| a.value),
        crm: c.crm.map(|s| s.value().into_owned()),
        priority: c.priority.iter().map(|s| s.value().into_owned()).collect(),
        client_base: c.client_base.map(|p| party(p.value)),
        schedule: c.schedule.as_ref().map(schedule),
        timezone: c.timezone.map(|s| s.value().into_owned()),
        volume_per_day: c.volume.map(|v| v.value),
        handoff_sla_s: c.handoff_sla.map(|s| s.value),
        quality: [model::Party::Contractor, model::Party::Customer]
            .iter()
            .flat_map(|&side| c.quality.iter().filter(move |q| q.side == side))
            .map(|q| Quality {
                side: party(q.side),
                name: q.name.value().into_owned(),
                position: q.position.value().into_owned(),
            })
            .collect(),
        mandatory: c.mandatory.iter().map(|s| s.value().into_owned()).collect(),
    });
    let roles = program
        .roles
        .iter()
        .map(|r| Role {
            id: r.name.name,
            title: r.title.value().into_owned(),
            contacts: r
                .contacts
                .iter()
                .map(|c| Contact {
                    name: c.name.value().into_owned(),
                    position: c.position.value().into_owned(),
                })
                .collect(),
            channel: r.channel.map(|s| s.value().into_owned()),
            hours: r.hours.as_ref().map(schedule),
        })
        .collect();
    let scripts = program
        .scripts
        .iter()
        .zip(project.worst)
        .map(|(s, worst)| {
            let fp = if fingerprints {
                fingerprint(s)
            } else {
                String::new()
            };
            script(program, s, worst.as_ref().ok().map(|w| w.seconds), fp)
        })
        .collect();
    Operator {
        format: FORMAT,
        contract,
        roles,
        scripts,
    }
}

fn script<'a>(
    program: &'a model::Program<'a>,
    s: &'a model::Script<'a>,
    worst_case_s: Option<u64>,
    fingerprint: String,
) -> Script<'a> {
    let fields = s
        .collected_fields()
        .into_iter()
        .map(|c| Field {
            id: c.name,
            question: template(&c.first.text),
            asked_in: c.asked_in.iter().map(|&i| s.nodes[i].name.name).collect(),
        })
        .collect();
    Script {
        id: s.name.name,
        title: s.title.value().into_owned(),
        kind: s.kind.map(|k| match k.value {
            model::ScriptKind::Inbound => ScriptKind::Inbound,
            model::ScriptKind::Outbound => ScriptKind::Outbound,
            model::ScriptKind::Telemarketing => ScriptKind::Telemarketing,
        }),
        schedule: s.schedule.as_ref().map(schedule),
        start: s.start.map_or("", |i| s.nodes[i].name.name),
        deadline_s: s.deadline.map(|d| d.value),
        worst_case_s,
        fingerprint,
        mandatory: s.mandatory.iter().map(|m| m.value().into_owned()).collect(),
        fields,
        nodes: Nodes {
            contract: program.contract.as_ref(),
            script: s,
        },
    }
}

/// A script's nodes, converted one at a time as they are serialised, so
/// that a large script is never held twice in memory.
pub struct Nodes<'a> {
    contract: Option<&'a model::Contract<'a>>,
    script: &'a model::Script<'a>,
}

impl Serialize for Nodes<'_> {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_seq(self.script.nodes.iter().map(|n| node(self.contract, n)))
    }
}

fn node<'a>(contract: Option<&model::Contract<'_>>, n: &'a model::Node<'a>) -> Node<'a> {
    match &n.kind {
        NodeKind::Step(st) => Node::Step {
            id: n.name.name,
            lines: lines(&st.lines),
            duration_s: st.duration.map(|d| d.value),
            max_visits: st.max.map(|m| m.value),
            options: st
                .options()
                .map(|c| Choice {
                    answer: c.answer.value(),
                    to: c.target.name.name,
                })
                .collect(),
            otherwise: st.otherwise().map(|t| t.name.name),
            goto: st.goto().map(|t| t.name.name),
        },
        NodeKind::Handoff(h) => Node::Handoff {
            id: n.name.name,
            lines: lines(&h.lines),
            role: h.role.name,
            within_s: h.deadline(contract),
            pass: h.pass.iter().map(|p| p.name).collect(),
            summary: h.summary.as_ref().map(template_cow),
            tasks: tasks(&h.tasks),
            fallback: h.fallback.as_ref().map(|t| t.name.name),
        },
        NodeKind::End(e) => Node::End {
            id: n.name.name,
            lines: lines(&e.lines),
            outcome: e.outcome.value(),
            tasks: tasks(&e.tasks),
        },
    }
}

/// The operator JSON of a checked project, pretty-printed, ending with a
/// newline.
pub fn to_string(project: &Project<'_>) -> String {
    to_string_as(project, Layout::Pretty)
}

/// The operator JSON of a checked project in `layout`, ending with a
/// newline.
pub fn to_string_as(project: &Project<'_>, layout: Layout) -> String {
    let mut out = std::io::Cursor::new(Vec::new());
    write(project, layout, &mut out).expect("writing into memory cannot fail");
    String::from_utf8(out.into_inner()).expect("the writer writes UTF-8")
}

/// The operator JSON in `layout`, written to `out` as it is produced,
/// without holding the whole text in memory (the same bytes as
/// [`to_string_as`]). The caller owns the writer; the library does no I/O
/// of its own.
///
/// Written by `emit::pretty`, byte for byte what serde_json makes of the
/// structs above ([`to_string_reference`]). Each script's nodes are
/// rendered in parallel chunks, a round at a time, and each round is
/// written to `out` while the next one renders. The fingerprints are
/// computed meanwhile and written last, each into the place left for it
/// (they are of fixed length): `out` must be seekable.
pub fn write(project: &Project<'_>, layout: Layout, out: &mut dyn Output) -> std::io::Result<()> {
    write_with(project.analysed(), ahead(&project.program, layout), out)
}

/// Where [`write()`] writes: bytes, and a way back to the fingerprints'
/// places (a file, or a `Cursor` over a vector).
pub trait Output: std::io::Write + std::io::Seek + Send {}

impl<T: std::io::Write + std::io::Seek + Send + ?Sized> Output for T {}

/// [`write()`], in the layout of `ahead` and with the nodes [`ahead`]
/// rendered for the same project's model (typically while the graphs were
/// made). Work done on another model is not used.
pub fn write_with(
    project: Analysed<'_, '_>,
    ahead: Ahead,
    out: &mut dyn Output,
) -> std::io::Result<()> {
    let ahead = if ahead.fits(project.program) {
        ahead
    } else {
        self::ahead(project.program, ahead.layout)
    };
    // The fingerprints are made while the rest is written.
    let start = out.stream_position()?;
    let (fingerprints, body) = rayon::join(
        || {
            project
                .program
                .scripts
                .par_iter()
                .map(fingerprint)
                .collect::<Vec<_>>()
        },
        || write_body(project, ahead, out),
    );
    let (holes, end) = body?;
    for (at, fingerprint) in holes.into_iter().zip(fingerprints) {
        if fingerprint.len() != FINGERPRINT_HOLE.len() {
            return Err(std::io::Error::other(
                "a fingerprint does not fit its place",
            ));
        }
        out.seek(std::io::SeekFrom::Start(start + at))?;
        out.write_all(fingerprint.as_bytes())?;
    }
    out.seek(std::io::SeekFrom::Start(start + end))?;
    out.flush()
}

/// What stands in a fingerprint's place until it is known: as long as a
/// fingerprint (`sha256:` and 64 hex digits).
const FINGERPRINT_HOLE: &str =
    "sha256:0000000000000000000000000000000000000000000000000000000000000000";

/// A writer that counts what went through it.
struct Counted<'o> {
    out: &'o mut dyn Output,
    written: u64,
}

impl std::io::Write for Counted<'_> {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        let n = self.out.write(buf)?;
        self.written += n as u64;
        Ok(n)
    }

    fn write_vectored(&mut self, bufs: &[std::io::IoSlice<'_>]) -> std::io::Result<usize> {
        let n = self.out.write_vectored(bufs)?;
        self.written += n as u64;
        Ok(n)
    }

    fn flush(&mut self) -> std::io::Result<()> {
        self.out.flush()
    }
}

/// The document with a [`FINGERPRINT_HOLE`] for each script's
/// fingerprint; returns where each hole starts and how much was written,
/// counted from where `out` was.
fn write_body(
    project: Analysed<'_, '_>,
    ahead: Ahead,
    out: &mut dyn Output,
) -> std::io::Result<(Vec<u64>, u64)> {
    let doc = operator_with(project, false);
    let mut out = Counted { out, written: 0 };
    let mut buf = Vec::with_capacity(1 << 16);
    let mut w = Pretty::new(&mut buf, 0, ahead.layout);
    w.begin_object();
    w.key("format");
    w.str(doc.format);
    w.key("contract");
    match &doc.contract {
        Some(c) => c.write(&mut w),
        None => w.null(),
    }
    w.key("roles");
    w.begin_array();
    for r in &doc.roles {
        w.element();
        r.write(&mut w);
    }
    w.end_array();
    w.key("scripts");
    w.begin_array();
    let mut holes = Vec::with_capacity(doc.scripts.len());
    for (s, a) in doc.scripts.iter().zip(ahead.scripts) {
        w.element();
        holes.push(s.write(&mut w, ahead.layout, a, &mut out)?);
    }
    w.end_array();
    w.end_object();
    buf.push(b'\n');
    out.write_all(&buf)?;
    Ok((holes, out.written))
}

/// The part of the operator JSON that needs the model alone: the first
/// nodes of its scripts, rendered. [`write_with`] writes the rest. The CLI
/// makes it while the graphs and worst cases are made, on the core they
/// leave idle.
pub struct Ahead {
    layout: Layout,
    scripts: Vec<ScriptAhead>,
}

struct ScriptAhead {
    /// Where the script's nodes are, and how many: work for another
    /// model is not used.
    nodes: (usize, usize),
    /// The first chunks of nodes ([`NODES_PER_CHUNK`] each), rendered.
    rendered: Vec<Vec<u8>>,
}

/// How many nodes [`ahead`] renders, over all scripts: about as long as
/// a large script's graph and worst case take (measured at 10k steps:
/// 8,192 compact nodes take ~1.1 ms, the graph and worst case ~1.2 ms).
const AHEAD_NODES: usize = 8192;

/// Render the first nodes of `program`'s scripts in `layout` (see
/// [`Ahead`]).
pub fn ahead(program: &model::Program<'_>, layout: Layout) -> Ahead {
    let mut budget = AHEAD_NODES;
    let chunks: Vec<usize> = program
        .scripts
        .iter()
        .map(|s| {
            let n = s.nodes.len().min(budget);
            budget -= n;
            n.div_ceil(NODES_PER_CHUNK)
        })
        .collect();
    let contract = program.contract.as_ref();
    let scripts = program
        .scripts
        .par_iter()
        .zip(chunks)
        .map(|(s, chunks)| {
            let mut nodes = Ordered::new(&s.nodes, NODES_PER_CHUNK, chunks, |c, b| {
                render_nodes(contract, layout, c, b)
            });
            let rendered = if chunks == 0 {
                Vec::new()
            } else {
                nodes.next_round(Vec::new())
            };
            ScriptAhead {
                nodes: identity(s),
                rendered,
            }
        })
        .collect();
    Ahead { layout, scripts }
}

impl Ahead {
    /// Whether this was made from `program`'s scripts (the same model,
    /// not an equal one: a project is moved, its nodes are not).
    fn fits(&self, program: &model::Program<'_>) -> bool {
        self.scripts.len() == program.scripts.len()
            && self
                .scripts
                .iter()
                .zip(&program.scripts)
                .all(|(a, s)| a.nodes == identity(s))
    }
}

/// A script's nodes: their address (compared, never dereferenced) and
/// count.
fn identity(s: &model::Script<'_>) -> (usize, usize) {
    (s.nodes.as_ptr() as usize, s.nodes.len())
}

/// Nodes rendered apart sit at this depth: in the `nodes` array of a
/// script in the document's `scripts` array.
const NODE_DEPTH: usize = 4;

/// Render `nodes` as elements of a script's `nodes` array.
fn render_nodes(
    contract: Option<&model::Contract<'_>>,
    layout: Layout,
    nodes: &[model::Node<'_>],
    buf: &mut Vec<u8>,
) {
    // Room for what typical scripts render (compact JSON is about 1.4
    // times the source, indented 2.6 times): the buffer is not copied as
    // it grows, and room not written to is not memory touched.
    let source = super::source_len(nodes);
    super::pipeline::room(
        buf,
        match layout {
            Layout::Compact => source / 2 * 3,
            Layout::Pretty => source * 3,
        },
    );
    if layout == Layout::Compact {
        for (i, n) in nodes.iter().enumerate() {
            if i > 0 {
                buf.push(b',');
            }
            write_node_compact(contract, n, buf);
        }
        return;
    }
    let mut w = Pretty::new(buf, NODE_DEPTH, layout);
    for n in nodes {
        w.element();
        write_node(contract, n, &mut w);
    }
}

/// The operator JSON as serde_json writes the structs above: the reference
/// that [`write`]'s bytes are tested against.
#[doc(hidden)]
pub fn to_string_reference(project: &Project<'_>, layout: Layout) -> String {
    let doc = operator(project);
    let mut s = match layout {
        Layout::Pretty => serde_json::to_string_pretty(&doc),
        Layout::Compact => serde_json::to_string(&doc),
    }
    .expect("serialisable");
    s.push('\n');
    s
}

/// Nodes per chunk rendered by one task (about 230 KB of JSON on typical
/// scripts), and chunks rendered while the previous round is written:
/// enough to keep every core busy, little enough that the buffers stay
/// about two megabytes however large the script.
const NODES_PER_CHUNK: usize = 256;
const CHUNKS_PER_ROUND: usize = 4;

trait WriteJson {
    fn write(&self, w: &mut Pretty<'_>);
}

impl<T: WriteJson> WriteJson for Option<T> {
    fn write(&self, w: &mut Pretty<'_>) {
        match self {
            Some(v) => v.write(w),
            None => w.null(),
        }
    }
}

impl<T: WriteJson> WriteJson for [T] {
    fn write(&self, w: &mut Pretty<'_>) {
        w.begin_array();
        for v in self {
            w.element();
            v.write(w);
        }
        w.end_array();
    }
}

impl WriteJson for Contract {
    fn write(&self, w: &mut Pretty<'_>) {
        w.begin_object();
        w.key("title");
        w.str(&self.title);
        w.key("customer");
        w.opt_str(self.customer.as_deref());
        w.key("contractor");
        w.opt_str(self.contractor.as_deref());
        w.key("operators");
        w.opt_str(self.operators.map(Operators::name));
        w.key("assistance");
        match self.assistance {
            Some(a) => w.bool(a),
            None => w.null(),
        }
        w.key("crm");
        w.opt_str(self.crm.as_deref());
        w.key("priority");
        w.strs(self.priority.iter().map(String::as_str));
        w.key("client_base");
        w.opt_str(self.client_base.map(Party::name));
        w.key("schedule");
        self.schedule.write(w);
        w.key("timezone");
        w.opt_str(self.timezone.as_deref());
        w.key("volume_per_day");
        w.opt_u64(self.volume_per_day.map(u64::from));
        w.key("handoff_sla_s");
        w.opt_u64(self.handoff_sla_s);
        w.key("quality");
        self.quality.write(w);
        w.key("mandatory");
        w.strs(self.mandatory.iter().map(String::as_str));
        w.end_object();
    }
}

impl WriteJson for Quality {
    fn write(&self, w: &mut Pretty<'_>) {
        w.begin_object();
        w.key("side");
        w.str(self.side.name());
        w.key("name");
        w.str(&self.name);
        w.key("position");
        w.str(&self.position);
        w.end_object();
    }
}

impl WriteJson for Schedule {
    fn write(&self, w: &mut Pretty<'_>) {
        w.begin_object();
        w.key("always");
        w.bool(self.always);
        w.key("windows");
        self.windows.write(w);
        w.key("text");
        w.str(&self.text);
        w.end_object();
    }
}

impl WriteJson for Window {
    fn write(&self, w: &mut Pretty<'_>) {
        w.begin_object();
        w.key("days");
        w.strs(self.days.iter().map(|d| d.name()));
        w.key("from");
        w.str(&self.from);
        w.key("to");
        w.str(&self.to);
        w.end_object();
    }
}

impl WriteJson for Role<'_> {
    fn write(&self, w: &mut Pretty<'_>) {
        w.begin_object();
        w.key("id");
        w.str(self.id);
        w.key("title");
        w.str(&self.title);
        w.key("contacts");
        self.contacts.write(w);
        w.key("channel");
        w.opt_str(self.channel.as_deref());
        w.key("hours");
        self.hours.write(w);
        w.end_object();
    }
}

impl WriteJson for Contact {
    fn write(&self, w: &mut Pretty<'_>) {
        w.begin_object();
        w.key("name");
        w.str(&self.name);
        w.key("position");
        w.str(&self.position);
        w.end_object();
    }
}

impl Script<'_> {
    /// The script, its nodes streamed to `sink` as they are rendered,
    /// starting with those rendered ahead, with a [`FINGERPRINT_HOLE`];
    /// returns where the hole starts in `sink`.
    fn write(
        &self,
        w: &mut Pretty<'_>,
        layout: Layout,
        ahead: ScriptAhead,
        sink: &mut Counted<'_>,
    ) -> std::io::Result<u64> {
        let Nodes { contract, script } = self.nodes;
        w.begin_object();
        w.key("id");
        w.str(self.id);
        w.key("title");
        w.str(&self.title);
        w.key("kind");
        w.opt_str(self.kind.map(ScriptKind::name));
        w.key("schedule");
        self.schedule.write(w);
        w.key("start");
        w.str(self.start);
        w.key("deadline_s");
        w.opt_u64(self.deadline_s);
        w.key("worst_case_s");
        w.opt_u64(self.worst_case_s);
        w.key("fingerprint");
        // After the opening quote.
        let hole = sink.written + w.written() as u64 + 1;
        w.str(FINGERPRINT_HOLE);
        w.key("mandatory");
        w.strs(self.mandatory.iter().map(String::as_str));
        w.key("fields");
        self.fields.write(w);
        w.key("nodes");
        w.begin_array();
        debug_assert_eq!(w.depth(), NODE_DEPTH);
        let mut nodes = Ordered::new(&script.nodes, NODES_PER_CHUNK, CHUNKS_PER_ROUND, |c, b| {
            render_nodes(contract, layout, c, b)
        });
        nodes.skip(ahead.rendered.len());
        nodes.run(ahead.rendered, |r| w.elements_to(r, sink))?;
        w.end_array();
        w.end_object();
        Ok(hole)
    }
}

impl WriteJson for Field<'_> {
    fn write(&self, w: &mut Pretty<'_>) {
        w.begin_object();
        w.key("id");
        w.str(self.id);
        w.key("question");
        w.str(&self.question);
        w.key("asked_in");
        w.strs(self.asked_in.iter().copied());
        w.end_object();
    }
}

/// A node, straight from the model: the bytes serde_json writes for
/// [`node`]'s [`Node`], without building it (the bulk of the document).
fn write_node(contract: Option<&model::Contract<'_>>, n: &model::Node<'_>, w: &mut Pretty<'_>) {
    w.begin_object();
    w.key("type");
    w.str(n.keyword());
    w.key("id");
    w.ident(n.name.name);
    write_lines(n.lines(), w);
    match &n.kind {
        NodeKind::Step(st) => {
            w.key("duration_s");
            w.opt_u64(st.duration.map(|d| d.value));
            w.key("max_visits");
            w.opt_u64(st.max.map(|m| u64::from(m.value)));
            w.key("options");
            w.begin_array();
            for c in st.options() {
                w.element();
                w.begin_object();
                w.key("answer");
                w.value(c.answer);
                w.key("to");
                w.ident(c.target.name.name);
                w.end_object();
            }
            w.end_array();
            w.key("otherwise");
            w.opt_ident(st.otherwise().map(|t| t.name.name));
            w.key("goto");
            w.opt_ident(st.goto().map(|t| t.name.name));
        }
        NodeKind::Handoff(h) => {
            w.key("role");
            w.ident(h.role.name);
            w.key("within_s");
            w.opt_u64(h.deadline(contract));
            w.key("pass");
            w.strs(h.pass.iter().map(|p| p.name));
            w.key("summary");
            match &h.summary {
                Some(t) => w.template(t),
                None => w.null(),
            }
            write_tasks(&h.tasks, w);
            w.key("fallback");
            w.opt_ident(h.fallback.as_ref().map(|t| t.name.name));
        }
        NodeKind::End(e) => {
            w.key("outcome");
            w.value(&e.outcome);
            write_tasks(&e.tasks, w);
        }
    }
    w.end_object();
}

/// [`write_node`] in the compact layout, the default: each run of keys
/// and punctuation between two values is one constant, where the general
/// writer emits it piece by piece. The bytes are the same (tested against
/// serde_json like the rest).
fn write_node_compact(
    contract: Option<&model::Contract<'_>>,
    n: &model::Node<'_>,
    out: &mut Vec<u8>,
) {
    out.extend_from_slice(match &n.kind {
        NodeKind::Step(_) => br#"{"type":"step","id":"#,
        NodeKind::Handoff(_) => br#"{"type":"handoff","id":"#,
        NodeKind::End(_) => br#"{"type":"end","id":"#,
    });
    ident_into(out, n.name.name);
    out.extend_from_slice(br#","lines":["#);
    for (i, l) in n.lines().iter().enumerate() {
        element(
            out,
            i,
            match l.kind {
                model::LineKind::Say => br#"{"kind":"say","text":"#,
                model::LineKind::Ask => br#"{"kind":"ask","text":"#,
                model::LineKind::Note => br#"{"kind":"note","text":"#,
            },
        );
        template_into(out, &l.text);
        if let Some(f) = l.field {
            out.extend_from_slice(br#","field":"#);
            ident_into(out, f.name);
        }
        out.push(b'}');
    }
    out.push(b']');
    let opt_ident = |out: &mut Vec<u8>, t: Option<&model::Target<'_>>| match t {
        Some(t) => ident_into(out, t.name.name),
        None => out.extend_from_slice(b"null"),
    };
    match &n.kind {
        NodeKind::Step(st) => {
            out.extend_from_slice(br#","duration_s":"#);
            opt_u64_into(out, st.duration.map(|d| d.value));
            out.extend_from_slice(br#","max_visits":"#);
            opt_u64_into(out, st.max.map(|m| u64::from(m.value)));
            out.extend_from_slice(br#","options":["#);
            for (i, c) in st.options().enumerate() {
                element(out, i, br#"{"answer":"#);
                value_into(out, c.answer);
                out.extend_from_slice(br#","to":"#);
                ident_into(out, c.target.name.name);
                out.push(b'}');
            }
            out.extend_from_slice(br#"],"otherwise":"#);
            opt_ident(out, st.otherwise());
            out.extend_from_slice(br#","goto":"#);
            opt_ident(out, st.goto());
        }
        NodeKind::Handoff(h) => {
            out.extend_from_slice(br#","role":"#);
            ident_into(out, h.role.name);
            out.extend_from_slice(br#","within_s":"#);
            opt_u64_into(out, h.deadline(contract));
            out.extend_from_slice(br#","pass":["#);
            for (i, p) in h.pass.iter().enumerate() {
                element(out, i, b"");
                ident_into(out, p.name);
            }
            out.extend_from_slice(br#"],"summary":"#);
            match &h.summary {
                Some(t) => template_into(out, t),
                None => out.extend_from_slice(b"null"),
            }
            write_tasks_compact(&h.tasks, out);
            out.extend_from_slice(br#","fallback":"#);
            opt_ident(out, h.fallback.as_ref());
        }
        NodeKind::End(e) => {
            out.extend_from_slice(br#","outcome":"#);
            value_into(out, &e.outcome);
            write_tasks_compact(&e.tasks, out);
        }
    }
    out.push(b'}');
}

/// The start of the `i`-th element of a compact array: a comma after the
/// first, then `start`.
fn element(out: &mut Vec<u8>, i: usize, start: &[u8]) {
    if i > 0 {
        out.push(b',');
    }
    out.extend_from_slice(start);
}

/// [`write_tasks`] in the compact layout.
fn write_tasks_compact(tasks: &[model::Task<'_>], out: &mut Vec<u8>) {
    out.extend_from_slice(br#","tasks":["#);
    for (i, t) in tasks.iter().enumerate() {
        element(out, i, br#"{"text":"#);
        template_into(out, &t.text);
        out.extend_from_slice(br#","within_s":"#);
        opt_u64_into(out, t.within.map(|d| d.value));
        out.push(b'}');
    }
    out.push(b']');
}

/// `"lines": [...]`
fn write_lines(lines: &[model::Line<'_>], w: &mut Pretty<'_>) {
    w.key("lines");
    w.begin_array();
    for l in lines {
        w.element();
        w.begin_object();
        w.key("kind");
        w.str(l.kind.as_str());
        w.key("text");
        w.template(&l.text);
        if let Some(f) = l.field {
            w.key("field");
            w.ident(f.name);
        }
        w.end_object();
    }
    w.end_array();
}

/// `"tasks": [...]`
fn write_tasks(tasks: &[model::Task<'_>], w: &mut Pretty<'_>) {
    w.key("tasks");
    w.begin_array();
    for t in tasks {
        w.element();
        w.begin_object();
        w.key("text");
        w.template(&t.text);
        w.key("within_s");
        w.opt_u64(t.within.map(|d| d.value));
        w.end_object();
    }
    w.end_array();
}

impl Operators {
    /// The name serde gives the variant.
    fn name(self) -> &'static str {
        match self {
            Operators::Basic => "basic",
            Operators::Trained => "trained",
        }
    }
}

impl Party {
    fn name(self) -> &'static str {
        match self {
            Party::Customer => "customer",
            Party::Contractor => "contractor",
        }
    }
}

impl ScriptKind {
    fn name(self) -> &'static str {
        match self {
            ScriptKind::Inbound => "inbound",
            ScriptKind::Outbound => "outbound",
            ScriptKind::Telemarketing => "telemarketing",
        }
    }
}

impl Day {
    fn name(self) -> &'static str {
        match self {
            Day::Mon => "mon",
            Day::Tue => "tue",
            Day::Wed => "wed",
            Day::Thu => "thu",
            Day::Fri => "fri",
            Day::Sat => "sat",
            Day::Sun => "sun",
        }
    }
}

/// The JSON Schema of the operator JSON (docs/operator.schema.json).
pub fn schema() -> String {
    let mut schema = schemars::schema_for!(Operator<'static>);
    schema.insert(
        "$id".into(),
        "https://callscript.dev/schema/operator@1.json".into(),
    );
    let mut s = serde_json::to_string_pretty(&schema).expect("a schema always serialises");
    s.push('\n');
    s
}
