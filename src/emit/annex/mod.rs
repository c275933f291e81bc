//! The contract annex ("Приложение № N к договору"): every contract point,
//! the roles, a summary of the scripts and each script in full, to be
//! signed by both parties (docs/annex.md).
//!
//! [`annex`] builds the view model from a checked project: the structs
//! below are the serialisation boundary of the annex, as `emit::json`'s
//! are of the operator JSON. They do the thinking (words for enumerated
//! values, durations as a contract writes them, resolved references, the
//! data each handoff passes with the question that collects it); the
//! renderers only lay them out: Markdown and HTML through minijinja
//! templates (`render.rs`, `templates/`), DOCX through docx-rs
//! (`docx.rs`). Everything is in source order, so the same sources give
//! the same bytes.

mod docx;
pub mod i18n;
mod render;

use serde::Serialize;

pub use i18n::{Lang, Terms};
pub use render::{HTML_TEMPLATE, MARKDOWN_TEMPLATE, escape_markdown};

use super::fingerprint::fingerprint;
use crate::Project;
use crate::graph::{Unbounded, WorstCase as Proof};
use crate::model::{self, NodeKind};
use i18n::Words;

/// What the annex is built with besides the project.
#[derive(Clone, Copy, Debug, Default)]
pub struct Options<'a> {
    pub lang: Lang,
    /// The annex's number in the contract, free text (`3`, `3-А`); `None`
    /// leaves the title without a number.
    pub number: Option<&'a str>,
}

/// The output formats.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Format {
    Markdown,
    Html,
    Docx,
}

impl Format {
    /// The file name the annex is written to.
    pub fn file_name(self) -> &'static str {
        match self {
            Format::Markdown => "annex.md",
            Format::Html => "annex.html",
            Format::Docx => "annex.docx",
        }
    }
}

/// A company's own template for the Markdown or HTML annex: its name (for
/// messages) and its text.
#[derive(Clone, Copy, Debug)]
pub struct Template<'a> {
    pub name: &'a str,
    pub source: &'a str,
}

/// A template that failed to compile or render, or a DOCX that could not
/// be packed: one line saying why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Error(pub String);

impl std::fmt::Display for Error {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for Error {}

/// The annex of a checked project in `format`, with the built-in template
/// or `template` (Markdown and HTML only).
pub fn render(
    project: &Project<'_>,
    options: &Options<'_>,
    format: Format,
    template: Option<Template<'_>>,
) -> Result<Vec<u8>, Error> {
    let view = annex(project, options);
    match (format, template) {
        (Format::Markdown, t) => markdown(&view, t).map(String::into_bytes),
        (Format::Html, t) => html(&view, t).map(String::into_bytes),
        (Format::Docx, None) => docx(&view),
        (Format::Docx, Some(_)) => Err(Error(
            "a DOCX annex is built without a template; templates are for Markdown and HTML".into(),
        )),
    }
}

/// The Markdown annex: the built-in template, or `template`.
pub fn markdown(annex: &Annex, template: Option<Template<'_>>) -> Result<String, Error> {
    render::markdown(annex, template)
}

/// The HTML annex: one self-contained, printable page.
pub fn html(annex: &Annex, template: Option<Template<'_>>) -> Result<String, Error> {
    render::html(annex, template)
}

/// The DOCX annex: the bytes of a Word document.
pub fn docx(annex: &Annex) -> Result<Vec<u8>, Error> {
    docx::build(annex)
}

// ------------------------------------------------------------ view model

/// The whole annex (the template context).
#[derive(Debug, Serialize)]
pub struct Annex {
    /// `ru` or `en`.
    pub lang: &'static str,
    /// The fixed words of the language: headings, labels, terms.
    pub t: &'static Terms,
    /// `Приложение № 3 к договору «…»`.
    pub title: String,
    /// The `--number` given, if any.
    pub number: Option<String>,
    pub contract: Contract,
    /// The kinds of work of the scripts, in words, each once.
    pub kinds_of_work: Vec<Word>,
    pub roles: Vec<Role>,
    pub scripts: Vec<Script>,
}

/// An enumerated value: its code in the language (`trained`) and in words.
#[derive(Clone, Copy, Debug, Serialize)]
pub struct Word {
    pub code: &'static str,
    pub text: &'static str,
}

/// A duration: seconds, and in words (`1 ч 30 мин`).
#[derive(Clone, Debug, Serialize)]
pub struct Duration {
    pub seconds: u64,
    pub text: String,
}

/// A schedule in words, and in the language's notation.
#[derive(Clone, Debug, Serialize)]
pub struct Schedule {
    /// Around the clock (`24/7`).
    pub always: bool,
    /// `mon-fri 09:00-21:00, sat 10:00-16:00`, as in operator.json.
    pub notation: String,
    /// `пн–пт 09:00–21:00, сб 10:00–16:00`.
    pub text: String,
    /// The same, window by window: `пн–пт 09:00–21:00`, `сб 10:00–16:00`.
    pub windows: Vec<String>,
}

/// The contract's terms; every field is `None` (or empty) when the
/// project has no contract block.
#[derive(Debug, Serialize)]
pub struct Contract {
    pub title: Option<String>,
    pub customer: Option<String>,
    pub contractor: Option<String>,
    /// `basic` or `trained`, in words.
    pub operators: Option<Word>,
    /// Whether customer staff assist the operators: `yes` or `no`.
    pub assistance: Option<Word>,
    pub crm: Option<String>,
    /// CRM client categories served first.
    pub priority: Vec<String>,
    /// Where the client base is kept: `customer` or `contractor`.
    pub client_base: Option<Word>,
    pub schedule: Option<Schedule>,
    /// The IANA time zone of every schedule and role's hours.
    pub timezone: Option<String>,
    pub volume_per_day: Option<u32>,
    pub handoff_sla: Option<Duration>,
    /// The people responsible for quality: the contractor's first.
    pub quality: Vec<Person>,
    /// Phrases every script must say on every path.
    pub mandatory: Vec<String>,
}

/// A person responsible for quality.
#[derive(Debug, Serialize)]
pub struct Person {
    /// `contractor` or `customer`, in words.
    pub side: Word,
    pub name: String,
    pub position: String,
}

/// A customer employee or team that receives handoffs.
#[derive(Debug, Serialize)]
pub struct Role {
    pub id: String,
    pub title: String,
    pub contacts: Vec<Contact>,
    pub channel: Option<String>,
    /// When the role is on duty (around the clock when not given).
    pub hours: Schedule,
}

#[derive(Debug, Serialize)]
pub struct Contact {
    pub name: String,
    pub position: String,
}

/// A dialogue script in full.
#[derive(Debug, Serialize)]
pub struct Script {
    /// 1, 2, … in source order.
    pub number: usize,
    pub id: String,
    pub title: String,
    /// `inbound`, `outbound` or `telemarketing`, in words.
    pub kind: Option<Word>,
    /// When calls are taken: the script's own schedule, else the
    /// contract's.
    pub schedule: Option<Schedule>,
    /// Whether `schedule` is the script's own.
    pub own_schedule: bool,
    /// The longest the talk may take until a terminal.
    pub deadline: Option<Duration>,
    /// The proven worst-case talk time, or why it cannot be proven.
    pub worst_case: WorstCase,
    /// The node a call starts at.
    pub start: Option<NodeRef>,
    /// The phrases the script must say: the contract's, then its own.
    pub mandatory: Vec<String>,
    /// How many steps, handoffs and ends the script has.
    pub steps: usize,
    pub handoffs: usize,
    pub ends: usize,
    /// Exactly the fingerprint in operator.json.
    pub fingerprint: String,
    /// Steps and terminals in source order.
    pub nodes: Vec<Node>,
}

/// The worst-case talk time: proven, or why not.
#[derive(Debug, Serialize)]
pub struct WorstCase {
    pub duration: Option<Duration>,
    /// The duration in words, or the reason it is not determined.
    pub text: String,
}

/// A step, handoff or end. Fields that do not apply to the kind are
/// `None` or empty.
#[derive(Debug, Serialize)]
pub struct Node {
    /// 1, 2, … in source order within the script.
    pub number: usize,
    pub id: String,
    /// `step`, `handoff` or `end`, in words.
    pub kind: Word,
    /// The operator's lines, in order.
    pub lines: Vec<Line>,
    /// A step: the longest it may take.
    pub duration: Option<Duration>,
    /// A step: how often one call may pass through it.
    pub max_visits: Option<u32>,
    /// `max_visits` in words (`не более 3 раз за звонок`).
    pub visits: Option<String>,
    /// A step: the client's answers and where each leads, then
    /// `otherwise` or `goto`.
    pub exits: Vec<Exit>,
    /// A handoff: the role that takes the client.
    pub role: Option<RoleRef>,
    /// A handoff: its deadline (its own `within`, else the contract's SLA).
    pub within: Option<Duration>,
    /// A handoff: the deadline is the contract's `handoff_sla`.
    pub within_from_sla: bool,
    /// A handoff: the data passed on, each with its question.
    pub pass: Vec<Passed>,
    /// A handoff: the summary the role receives.
    pub summary: Option<String>,
    /// A handoff: where the operator goes when the role does not take the
    /// client in time.
    pub fallback: Option<NodeRef>,
    /// An end: the outcome of the call.
    pub outcome: Option<String>,
    /// A handoff or end: follow-up tasks with their deadlines.
    pub tasks: Vec<Task>,
}

/// A line of operator text.
#[derive(Debug, Serialize)]
pub struct Line {
    /// `say`, `ask` or `note`, in words.
    pub kind: Word,
    /// The text as written (escapes decoded, fields as `{name}`).
    pub text: String,
    /// For `ask`: the field the answer is stored in.
    pub field: Option<String>,
}

/// An exit of a step.
#[derive(Debug, Serialize)]
pub struct Exit {
    /// `answer` (an `on` line), `otherwise` or `goto`, in words.
    pub kind: Word,
    /// The client's answer, for `answer`.
    pub answer: Option<String>,
    pub to: NodeRef,
}

/// A reference to a node of the same script.
#[derive(Debug, Serialize)]
pub struct NodeRef {
    /// The node's number (0 if unresolved, which a checked project never
    /// has).
    pub number: usize,
    pub id: String,
    /// `step`, `handoff` or `end`, in words.
    pub kind: Word,
}

/// The role a handoff goes to.
#[derive(Debug, Serialize)]
pub struct RoleRef {
    pub id: String,
    pub title: String,
    pub channel: Option<String>,
}

/// A field a handoff passes on.
#[derive(Debug, Serialize)]
pub struct Passed {
    pub field: String,
    /// The text of the first `ask` that collects it.
    pub question: Option<String>,
}

/// Follow-up work with its deadline.
#[derive(Debug, Serialize)]
pub struct Task {
    pub text: String,
    pub within: Option<Duration>,
}

// --------------------------------------------------------------- builder

/// The view model of a checked project's annex.
pub fn annex(project: &Project<'_>, options: &Options<'_>) -> Annex {
    let lang = options.lang;
    let program = &project.program;
    let contract = contract(lang, program.contract.as_ref());
    let scripts = program
        .scripts
        .iter()
        .zip(&project.worst)
        .enumerate()
        .map(|(i, (s, worst))| script(lang, program, i + 1, s, worst))
        .collect();
    Annex {
        lang: lang.code(),
        t: lang.terms(),
        title: i18n::title(lang, options.number, contract.title.as_deref()),
        number: options.number.map(str::to_string),
        kinds_of_work: kinds_of_work(lang, program),
        roles: program.roles.iter().map(|r| role(lang, r)).collect(),
        contract,
        scripts,
    }
}

fn word(lang: Lang, code: &'static str, words: &Words) -> Word {
    Word {
        code,
        text: words.get(lang),
    }
}

fn duration(lang: Lang, seconds: u64) -> Duration {
    Duration {
        seconds,
        text: i18n::duration(lang, seconds, " "),
    }
}

fn schedule(lang: Lang, s: &model::Schedule) -> Schedule {
    let notation = s.week().describe();
    let windows = i18n::schedule_windows(lang, &notation);
    Schedule {
        always: notation == "24/7",
        text: windows.join(", "),
        windows,
        notation,
    }
}

fn party(lang: Lang, p: model::Party) -> Word {
    match p {
        model::Party::Customer => word(lang, "customer", &i18n::PARTY_CUSTOMER),
        model::Party::Contractor => word(lang, "contractor", &i18n::PARTY_CONTRACTOR),
    }
}

fn kind(lang: Lang, k: model::ScriptKind) -> Word {
    let words = match k {
        model::ScriptKind::Inbound => &i18n::KIND_INBOUND,
        model::ScriptKind::Outbound => &i18n::KIND_OUTBOUND,
        model::ScriptKind::Telemarketing => &i18n::KIND_TELEMARKETING,
    };
    word(lang, k.as_str(), words)
}

fn text(s: &model::Str<'_>) -> String {
    s.value().into_owned()
}

fn contract(lang: Lang, c: Option<&model::Contract<'_>>) -> Contract {
    let Some(c) = c else {
        return Contract {
            title: None,
            customer: None,
            contractor: None,
            operators: None,
            assistance: None,
            crm: None,
            priority: Vec::new(),
            client_base: None,
            schedule: None,
            timezone: None,
            volume_per_day: None,
            handoff_sla: None,
            quality: Vec::new(),
            mandatory: Vec::new(),
        };
    };
    Contract {
        title: Some(text(&c.title)),
        customer: c.customer.as_ref().map(text),
        contractor: c.contractor.as_ref().map(text),
        operators: c.operators.map(|o| match o.value {
            model::Operators::Basic => word(lang, "basic", &i18n::OPERATORS_BASIC),
            model::Operators::Trained => word(lang, "trained", &i18n::OPERATORS_TRAINED),
        }),
        assistance: c.assistance.map(|a| match a.value {
            true => word(lang, "yes", &i18n::YES),
            false => word(lang, "no", &i18n::NO),
        }),
        crm: c.crm.as_ref().map(text),
        priority: c.priority.iter().map(text).collect(),
        client_base: c.client_base.map(|p| match p.value {
            model::Party::Customer => word(lang, "customer", &i18n::BASE_AT_CUSTOMER),
            model::Party::Contractor => word(lang, "contractor", &i18n::BASE_AT_CONTRACTOR),
        }),
        schedule: c.schedule.as_ref().map(|s| schedule(lang, &s.value)),
        timezone: c.timezone.as_ref().map(text),
        volume_per_day: c.volume.map(|v| v.value),
        handoff_sla: c.handoff_sla.map(|s| duration(lang, s.value)),
        quality: [model::Party::Contractor, model::Party::Customer]
            .into_iter()
            .flat_map(|side| c.quality.iter().filter(move |q| q.side == side))
            .map(|q| Person {
                side: party(lang, q.side),
                name: text(&q.name),
                position: text(&q.position),
            })
            .collect(),
        mandatory: c.mandatory.iter().map(text).collect(),
    }
}

/// The kinds of work the scripts do, in the order of the language's
/// definition, each once.
fn kinds_of_work(lang: Lang, program: &model::Program<'_>) -> Vec<Word> {
    use model::ScriptKind::*;
    [Inbound, Outbound, Telemarketing]
        .into_iter()
        .filter(|k| {
            program
                .scripts
                .iter()
                .any(|s| s.kind.map(|sk| sk.value) == Some(*k))
        })
        .map(|k| kind(lang, k))
        .collect()
}

fn role(lang: Lang, r: &model::Role<'_>) -> Role {
    Role {
        id: r.name.name.to_string(),
        title: text(&r.title),
        contacts: r
            .contacts
            .iter()
            .map(|c| Contact {
                name: text(&c.name),
                position: text(&c.position),
            })
            .collect(),
        channel: r.channel.as_ref().map(text),
        hours: r.hours.as_ref().map_or_else(
            || schedule(lang, &model::Schedule::Always),
            |h| schedule(lang, &h.value),
        ),
    }
}

fn worst_case(lang: Lang, worst: &Result<Proof, Unbounded>) -> WorstCase {
    match worst {
        Ok(proof) => {
            let d = duration(lang, proof.seconds);
            WorstCase {
                text: d.text.clone(),
                duration: Some(d),
            }
        }
        Err(why) => WorstCase {
            duration: None,
            text: match why {
                Unbounded::NoStart => i18n::UNPROVEN_NO_START,
                Unbounded::MissingDuration => i18n::UNPROVEN_DURATION,
                Unbounded::UnboundedLoop => i18n::UNPROVEN_LOOP,
                Unbounded::NoTerminal => i18n::UNPROVEN_NO_TERMINAL,
            }
            .get(lang)
            .to_string(),
        },
    }
}

fn script(
    lang: Lang,
    program: &model::Program<'_>,
    number: usize,
    s: &model::Script<'_>,
    worst: &Result<Proof, Unbounded>,
) -> Script {
    let contract = program.contract.as_ref();
    let effective_schedule = s
        .schedule
        .as_ref()
        .or_else(|| contract.and_then(|c| c.schedule.as_ref()));
    let mut mandatory: Vec<String> = Vec::new();
    let phrases = contract.map_or(&[][..], |c| &c.mandatory[..]);
    for phrase in phrases.iter().chain(&s.mandatory) {
        let phrase = text(phrase);
        if !mandatory.contains(&phrase) {
            mandatory.push(phrase);
        }
    }
    let count = |f: fn(&NodeKind<'_>) -> bool| s.nodes.iter().filter(|n| f(&n.kind)).count();
    let questions: Questions<'_> = s
        .collected_fields()
        .into_iter()
        .map(|c| (c.name, c.first.text.display().into_owned()))
        .collect();
    Script {
        number,
        id: s.name.name.to_string(),
        title: text(&s.title),
        kind: s.kind.map(|k| kind(lang, k.value)),
        schedule: effective_schedule.map(|sch| schedule(lang, &sch.value)),
        own_schedule: s.schedule.is_some(),
        deadline: s.deadline.map(|d| duration(lang, d.value)),
        worst_case: worst_case(lang, worst),
        start: s.start.and_then(|i| {
            s.nodes
                .get(i)
                .map(|n| node_ref(lang, s, Some(i), n.name.name))
        }),
        mandatory,
        steps: count(|k| matches!(k, NodeKind::Step(_))),
        handoffs: count(|k| matches!(k, NodeKind::Handoff(_))),
        ends: count(|k| matches!(k, NodeKind::End(_))),
        fingerprint: fingerprint(s),
        nodes: s
            .nodes
            .iter()
            .enumerate()
            .map(|(i, n)| node(lang, program, s, &questions, i + 1, n))
            .collect(),
    }
}

/// The text of the first `ask` that collects each field of a script.
type Questions<'s> = rustc_hash::FxHashMap<&'s str, String>;

fn node_kind(lang: Lang, k: &NodeKind<'_>) -> Word {
    match k {
        NodeKind::Step(_) => word(lang, "step", &i18n::NODE_STEP),
        NodeKind::Handoff(_) => word(lang, "handoff", &i18n::NODE_HANDOFF),
        NodeKind::End(_) => word(lang, "end", &i18n::NODE_END),
    }
}

fn node_ref(lang: Lang, s: &model::Script<'_>, id: Option<model::NodeId>, name: &str) -> NodeRef {
    let node = id.and_then(|i| s.nodes.get(i));
    NodeRef {
        number: id.map_or(0, |i| i + 1),
        id: name.to_string(),
        kind: node.map_or(word(lang, "step", &i18n::NODE_STEP), |n| {
            node_kind(lang, &n.kind)
        }),
    }
}

fn target(lang: Lang, s: &model::Script<'_>, t: &model::Target<'_>) -> NodeRef {
    node_ref(lang, s, t.node, t.name.name)
}

fn lines(lang: Lang, ls: &[model::Line<'_>]) -> Vec<Line> {
    ls.iter()
        .map(|l| Line {
            kind: match l.kind {
                model::LineKind::Say => word(lang, "say", &i18n::LINE_SAY),
                model::LineKind::Ask => word(lang, "ask", &i18n::LINE_ASK),
                model::LineKind::Note => word(lang, "note", &i18n::LINE_NOTE),
            },
            text: l.text.display().into_owned(),
            field: l.field.map(|f| f.name.to_string()),
        })
        .collect()
}

fn tasks(lang: Lang, ts: &[model::Task<'_>]) -> Vec<Task> {
    ts.iter()
        .map(|t| Task {
            text: t.text.display().into_owned(),
            within: t.within.map(|w| duration(lang, w.value)),
        })
        .collect()
}

/// A node with nothing filled in but what every kind has.
fn bare_node(lang: Lang, number: usize, n: &model::Node<'_>) -> Node {
    Node {
        number,
        id: n.name.name.to_string(),
        kind: node_kind(lang, &n.kind),
        lines: lines(lang, n.lines()),
        duration: None,
        max_visits: None,
        visits: None,
        exits: Vec::new(),
        role: None,
        within: None,
        within_from_sla: false,
        pass: Vec::new(),
        summary: None,
        fallback: None,
        outcome: None,
        tasks: Vec::new(),
    }
}

fn node(
    lang: Lang,
    program: &model::Program<'_>,
    s: &model::Script<'_>,
    questions: &Questions<'_>,
    number: usize,
    n: &model::Node<'_>,
) -> Node {
    let bare = bare_node(lang, number, n);
    match &n.kind {
        NodeKind::Step(st) => Node {
            duration: st.duration.map(|d| duration(lang, d.value)),
            max_visits: st.max.map(|m| m.value),
            visits: st.max.map(|m| i18n::visits(lang, m.value)),
            exits: exits(lang, s, st),
            ..bare
        },
        NodeKind::Handoff(h) => Node {
            role: Some(role_ref(program, h)),
            within: h
                .deadline(program.contract.as_ref())
                .map(|d| duration(lang, d)),
            within_from_sla: h.within.is_none(),
            pass: h
                .pass
                .iter()
                .map(|p| Passed {
                    field: p.name.to_string(),
                    question: questions.get(p.name).cloned(),
                })
                .collect(),
            summary: h.summary.map(|t| t.display().into_owned()),
            fallback: h.fallback.as_ref().map(|t| target(lang, s, t)),
            tasks: tasks(lang, &h.tasks),
            ..bare
        },
        NodeKind::End(e) => Node {
            outcome: Some(text(&e.outcome)),
            tasks: tasks(lang, &e.tasks),
            ..bare
        },
    }
}

fn exits(lang: Lang, s: &model::Script<'_>, st: &model::Step<'_>) -> Vec<Exit> {
    let answers = st.options().map(|c| Exit {
        kind: word(lang, "answer", &i18n::EXIT_ANSWER),
        answer: Some(text(c.answer)),
        to: target(lang, s, c.target),
    });
    let otherwise = st.otherwise().into_iter().map(|t| Exit {
        kind: word(lang, "otherwise", &i18n::EXIT_OTHERWISE),
        answer: None,
        to: target(lang, s, t),
    });
    let goto = st.goto().into_iter().map(|t| Exit {
        kind: word(lang, "goto", &i18n::EXIT_GOTO),
        answer: None,
        to: target(lang, s, t),
    });
    answers.chain(otherwise).chain(goto).collect()
}

fn role_ref(program: &model::Program<'_>, h: &model::Handoff<'_>) -> RoleRef {
    let role = h.role_id.and_then(|i| program.roles.get(i));
    RoleRef {
        id: h.role.name.to_string(),
        title: role.map_or_else(|| h.role.name.to_string(), |r| text(&r.title)),
        channel: role.and_then(|r| r.channel.as_ref().map(text)),
    }
}
