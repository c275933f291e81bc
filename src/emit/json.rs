//! The operator JSON, format `callscript/operator@1`: what operator tools
//! load to walk a script on screen (docs/operator-json.md).
//!
//! The structs below are the serialisation boundary: they alone derive
//! `Serialize` (and `JsonSchema`, for docs/operator.schema.json), so the
//! model can change without changing the format. Output is deterministic:
//! everything is in source order, nothing comes from a hash map.

use std::borrow::Cow;
use std::io::Write as _;

use schemars::JsonSchema;
use serde::Serialize;

use super::fingerprint::fingerprint;
use super::{template, template_cow};
use crate::Project;
use crate::model::{self, NodeKind, Spanned};

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
    let program = &project.program;
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
        .zip(&project.worst)
        .map(|(s, worst)| script(program, s, worst.as_ref().ok().map(|w| w.seconds)))
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
) -> Script<'a> {
    let mut fields: Vec<Field<'a>> = Vec::new();
    // Where each field is in `fields`: a script may collect thousands.
    let mut index: rustc_hash::FxHashMap<&str, usize> = Default::default();
    for node in &s.nodes {
        for line in node.lines() {
            let Some(f) = line.field else { continue };
            match index.get(f.name).map(|&i| &mut fields[i]) {
                Some(x) => {
                    if x.asked_in.last() != Some(&node.name.name) {
                        x.asked_in.push(node.name.name);
                    }
                }
                None => {
                    index.insert(f.name, fields.len());
                    fields.push(Field {
                        id: f.name,
                        question: template(&line.text),
                        asked_in: vec![node.name.name],
                    });
                }
            }
        }
    }
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
        fingerprint: fingerprint(s),
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
                .options
                .iter()
                .map(|c| Choice {
                    answer: c.answer.value(),
                    to: c.target.name.name,
                })
                .collect(),
            otherwise: st.otherwise.as_ref().map(|t| t.name.name),
            goto: st.goto.as_ref().map(|t| t.name.name),
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
    let mut out = Vec::new();
    write(project, &mut out).expect("writing into memory cannot fail");
    String::from_utf8(out).expect("serde_json writes UTF-8")
}

/// The operator JSON written to `out` as it is produced, without holding
/// the whole text in memory (the same bytes as [`to_string`]). The caller
/// owns the writer; the library does no I/O of its own.
pub fn write(project: &Project<'_>, out: &mut dyn std::io::Write) -> std::io::Result<()> {
    let doc = operator(project);
    let mut out = std::io::BufWriter::with_capacity(1 << 16, out);
    serde_json::to_writer_pretty(&mut out, &doc).map_err(std::io::Error::other)?;
    out.write_all(b"\n")?;
    out.flush()
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
