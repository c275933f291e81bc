//! The resolved model: names resolved to ids, values checked and converted
//! (durations in seconds, schedules as windows), one contract, roles and
//! scripts project-wide.
//!
//! Building it reports `duplicate-name`, `undefined-step`, `undefined-role`
//! and `invalid-value` (see `build.rs` and `values.rs`); every other check
//! runs on the finished model (`crate::check`).

mod build;
mod names;
pub mod values;

pub use build::build;
pub use values::{MAX_DURATION_S, Schedule, Spanned, WeekMask, Window};

use crate::source::{FileId, Span};
pub use crate::syntax::ast::{Exit, ExitKind, Ident, Line, LineKind, Segment, Str, Target, Text};

/// Index of a node (step or terminal) in its script's `nodes`.
pub type NodeId = usize;
/// Index of a role in `Program::roles`.
pub type RoleId = usize;

/// Names the built-in fields take; `ask operator "…"` is an error.
pub const BUILTIN_FIELDS: &[&str] = &["operator", "company"];

/// A whole project, resolved.
#[derive(Debug)]
pub struct Program<'s> {
    /// How many source files the project has.
    pub files: usize,
    pub contract: Option<Contract<'s>>,
    pub roles: Vec<Role<'s>>,
    pub scripts: Vec<Script<'s>>,
    /// What failed to parse, so that checks stay quiet about its absence.
    pub broken: Broken<'s>,
}

/// Items that failed to parse.
#[derive(Debug, Default)]
pub struct Broken<'s> {
    pub contract: bool,
    /// Names of roles that failed to parse; `None` when a role's name
    /// could not be read, in which case no role reference is reported.
    pub roles: Vec<Option<&'s str>>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Operators {
    Basic,
    Trained,
}

/// A party of the contract.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Party {
    Customer,
    Contractor,
}

impl Party {
    pub fn as_str(self) -> &'static str {
        match self {
            Party::Customer => "customer",
            Party::Contractor => "contractor",
        }
    }
}

impl Operators {
    pub fn as_str(self) -> &'static str {
        match self {
            Operators::Basic => "basic",
            Operators::Trained => "trained",
        }
    }
}

/// The `contract` block.
#[derive(Debug)]
pub struct Contract<'s> {
    pub file: FileId,
    pub header: Span,
    pub title: Str<'s>,
    pub customer: Option<Str<'s>>,
    pub contractor: Option<Str<'s>>,
    pub operators: Option<Spanned<Operators>>,
    pub assistance: Option<Spanned<bool>>,
    pub crm: Option<Str<'s>>,
    pub priority: Vec<Str<'s>>,
    pub client_base: Option<Spanned<Party>>,
    pub schedule: Option<Spanned<Schedule>>,
    /// A valid IANA name.
    pub timezone: Option<Str<'s>>,
    pub volume: Option<Spanned<u32>>,
    pub handoff_sla: Option<Spanned<u64>>,
    pub quality: Vec<Quality<'s>>,
    pub mandatory: Vec<Str<'s>>,
    /// The keywords written in the block, valid or not.
    pub given: Vec<&'static str>,
}

/// `quality contractor "name", "position"`
#[derive(Debug)]
pub struct Quality<'s> {
    pub side: Party,
    pub name: Str<'s>,
    pub position: Str<'s>,
    pub span: Span,
}

/// A role: a customer employee or team that receives handoffs.
#[derive(Debug)]
pub struct Role<'s> {
    pub file: FileId,
    pub name: Ident<'s>,
    pub title: Str<'s>,
    pub header: Span,
    pub contacts: Vec<Contact<'s>>,
    pub channel: Option<Str<'s>>,
    /// `None`: on duty always (or the hours were invalid, which is
    /// reported).
    pub hours: Option<Spanned<Schedule>>,
}

#[derive(Debug)]
pub struct Contact<'s> {
    pub name: Str<'s>,
    pub position: Str<'s>,
    pub span: Span,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ScriptKind {
    Inbound,
    Outbound,
    Telemarketing,
}

impl ScriptKind {
    pub fn as_str(self) -> &'static str {
        match self {
            ScriptKind::Inbound => "inbound",
            ScriptKind::Outbound => "outbound",
            ScriptKind::Telemarketing => "telemarketing",
        }
    }
}

/// A dialogue script.
#[derive(Debug)]
pub struct Script<'s> {
    pub file: FileId,
    pub name: Ident<'s>,
    pub title: Str<'s>,
    /// `script name`: where script-level findings point.
    pub header: Span,
    pub span: Span,
    pub kind: Option<Spanned<ScriptKind>>,
    pub schedule: Option<Spanned<Schedule>>,
    pub deadline: Option<Spanned<u64>>,
    /// The `start` statement, as written.
    pub start_decl: Option<Ident<'s>>,
    /// The first node of a call: `start`'s target, else the first node.
    pub start: Option<NodeId>,
    pub mandatory: Vec<Str<'s>>,
    /// Steps and terminals in source order.
    pub nodes: Vec<Node<'s>>,
    /// The nodes that ask for a field or may use one (in a text or a
    /// `pass`), in order: the other nodes do nothing with fields, and what
    /// looks at fields need not visit them.
    pub field_nodes: Vec<NodeId>,
    /// A member failed to parse: the graph is incomplete, so checks of the
    /// graph are skipped for this script.
    pub broken: bool,
}

impl<'s> Script<'s> {
    /// The fields the script collects (`ask FIELD "…"`), in the order of
    /// their first `ask`; linear in the script's size.
    pub fn collected_fields(&self) -> Vec<Collected<'_, 's>> {
        let mut out: Vec<Collected<'_, 's>> = Vec::new();
        // Where each field is in `out`: a script may collect thousands.
        let mut index: rustc_hash::FxHashMap<&str, usize> = Default::default();
        for &id in &self.field_nodes {
            for line in self.nodes[id].lines() {
                let Some(f) = line.field else { continue };
                match index.get(f.name) {
                    Some(&i) => {
                        let c = &mut out[i];
                        if c.asked_in.last() != Some(&id) {
                            c.asked_in.push(id);
                        }
                    }
                    None => {
                        index.insert(f.name, out.len());
                        out.push(Collected {
                            name: f.name,
                            first: line,
                            asked_in: vec![id],
                        });
                    }
                }
            }
        }
        out
    }
}

/// A field a script collects.
#[derive(Debug)]
pub struct Collected<'m, 's> {
    pub name: &'s str,
    /// The first `ask` that collects it, in source order.
    pub first: &'m Line<'s>,
    /// The nodes whose lines ask for it, in source order, each once.
    pub asked_in: Vec<NodeId>,
}

/// A step or a terminal.
#[derive(Debug)]
pub struct Node<'s> {
    pub name: Ident<'s>,
    /// `step name` / `handoff name` / `end name`.
    pub header: Span,
    pub span: Span,
    pub kind: NodeKind<'s>,
    /// An earlier node of the script has the same name (reported as
    /// `duplicate-name`); references resolve to the earlier one.
    pub duplicate: bool,
}

#[derive(Debug)]
pub enum NodeKind<'s> {
    Step(Step<'s>),
    /// Boxed, as in the AST: a handoff is twice a step's size, and nearly
    /// all nodes are steps.
    Handoff(Box<Handoff<'s>>),
    End(End<'s>),
}

impl<'s> Node<'s> {
    pub fn is_terminal(&self) -> bool {
        !matches!(self.kind, NodeKind::Step(_))
    }

    pub fn keyword(&self) -> &'static str {
        match self.kind {
            NodeKind::Step(_) => "step",
            NodeKind::Handoff(_) => "handoff",
            NodeKind::End(_) => "end",
        }
    }

    /// Whether the node asks for a field or may use one: a line's `ask`
    /// or text, a handoff's `pass`, summary or tasks, an end's tasks.
    pub fn touches_fields(&self) -> bool {
        let lines = self
            .lines()
            .iter()
            .any(|l| l.field.is_some() || l.text.may_name_fields());
        let tasks = |tasks: &[Task<'_>]| tasks.iter().any(|t| t.text.may_name_fields());
        lines
            || match &self.kind {
                NodeKind::Step(_) => false,
                NodeKind::Handoff(h) => {
                    !h.pass.is_empty()
                        || h.summary.as_ref().is_some_and(Text::may_name_fields)
                        || tasks(&h.tasks)
                }
                NodeKind::End(e) => tasks(&e.tasks),
            }
    }

    /// The operator's lines, in order.
    pub fn lines(&self) -> &[Line<'s>] {
        match &self.kind {
            NodeKind::Step(s) => &s.lines,
            NodeKind::Handoff(h) => &h.lines,
            NodeKind::End(e) => &e.lines,
        }
    }

    /// How many [`exits`](Self::exits) the node has at most, counted
    /// without visiting them (a large script's answers do not stay in the
    /// cache): exactly as many, unless a step repeats its `otherwise` or
    /// `goto` (a syntax error).
    pub fn exit_count(&self) -> usize {
        let n = match &self.kind {
            NodeKind::Step(s) => s.exits.len(),
            NodeKind::Handoff(h) => usize::from(h.fallback.is_some()),
            NodeKind::End(_) => 0,
        };
        debug_assert!(n >= self.exits().count());
        n
    }

    /// Every edge out of the node, resolved or not: the `on` answers,
    /// `otherwise` and `goto` of a step (in that order), a handoff's
    /// `fallback`.
    pub fn exits(&self) -> impl Iterator<Item = &Target<'s>> + '_ {
        let (step, fallback) = match &self.kind {
            NodeKind::Step(s) => (Some(s), None),
            NodeKind::Handoff(h) => (None, h.fallback.as_ref()),
            NodeKind::End(_) => (None, None),
        };
        let options = step.into_iter().flat_map(|s| s.options().map(|c| c.target));
        let others = step
            .into_iter()
            .flat_map(|s| s.otherwise().into_iter().chain(s.goto()));
        options.chain(others).chain(fallback)
    }
}

/// A step: the operator speaks, the client answers.
#[derive(Debug)]
pub struct Step<'s> {
    pub duration: Option<Spanned<u64>>,
    pub max: Option<Spanned<u32>>,
    /// The duration was written but is invalid (already reported).
    pub invalid_duration: bool,
    /// `max` was written but is invalid (already reported).
    pub invalid_max: bool,
    pub lines: Vec<Line<'s>>,
    /// The exits as written, in source order, each target resolved (the
    /// parser's vector: see [`options`](Self::options),
    /// [`otherwise`](Self::otherwise) and [`goto`](Self::goto)).
    pub exits: Vec<Exit<'s>>,
}

impl<'s> Step<'s> {
    /// The `on` answers, in order.
    pub fn options(&self) -> impl Iterator<Item = Choice<'_, 's>> + '_ {
        self.exits.iter().filter_map(|e| match &e.kind {
            ExitKind::On(answer) => Some(Choice {
                answer,
                target: &e.target,
            }),
            _ => None,
        })
    }

    /// The `otherwise` exit (the first, if a step has two: a syntax
    /// error).
    pub fn otherwise(&self) -> Option<&Target<'s>> {
        self.first(|k| matches!(k, ExitKind::Otherwise))
    }

    /// The `goto` exit (the first, if a step has two: a syntax error).
    pub fn goto(&self) -> Option<&Target<'s>> {
        self.first(|k| matches!(k, ExitKind::Goto))
    }

    fn first(&self, kind: impl Fn(&ExitKind<'s>) -> bool) -> Option<&Target<'s>> {
        self.exits.iter().find(|e| kind(&e.kind)).map(|e| &e.target)
    }
}

/// `on "answer" -> target`
#[derive(Clone, Copy, Debug)]
pub struct Choice<'m, 's> {
    pub answer: &'m Str<'s>,
    pub target: &'m Target<'s>,
}

/// A handoff of the client to a customer role.
#[derive(Debug)]
pub struct Handoff<'s> {
    pub role: Ident<'s>,
    pub role_id: Option<RoleId>,
    pub within: Option<Spanned<u64>>,
    /// `within` was written but is invalid (already reported).
    pub invalid_within: bool,
    pub lines: Vec<Line<'s>>,
    pub pass: Vec<Ident<'s>>,
    pub summary: Option<Text<'s>>,
    pub tasks: Vec<Task<'s>>,
    pub fallback: Option<Target<'s>>,
}

/// The end of a call with an outcome.
#[derive(Debug)]
pub struct End<'s> {
    pub outcome: Str<'s>,
    pub lines: Vec<Line<'s>>,
    pub tasks: Vec<Task<'s>>,
}

/// `task "…" within d`
#[derive(Debug)]
pub struct Task<'s> {
    pub text: Text<'s>,
    /// `None` when the duration was invalid (reported).
    pub within: Option<Spanned<u64>>,
    pub span: Span,
}

impl<'s> Handoff<'s> {
    /// The handoff's deadline: its `within`, else the contract's
    /// `handoff_sla`.
    pub fn deadline(&self, contract: Option<&Contract<'_>>) -> Option<u64> {
        self.within
            .map(|w| w.value)
            .or_else(|| contract.and_then(|c| c.handoff_sla).map(|s| s.value))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::syntax;

    /// The first script's steps of `src`, built (whatever the findings).
    fn steps(src: &str, check: impl FnOnce(&Script<'_>)) {
        let (ast, _) = syntax::parse(FileId(0), src);
        let (program, _) = build(vec![(FileId(0), ast)]);
        check(&program.scripts[0]);
    }

    fn step<'a, 's>(s: &'a Script<'s>, name: &str) -> (&'a Node<'s>, &'a Step<'s>) {
        let node = s.nodes.iter().find(|n| n.name.name == name).unwrap();
        let NodeKind::Step(st) = &node.kind else {
            panic!("{name} is not a step")
        };
        (node, st)
    }

    fn names<'a>(targets: impl Iterator<Item = &'a Target<'a>>) -> Vec<&'a str> {
        targets.map(|t| t.name.name).collect()
    }

    #[test]
    fn exits_are_the_answers_then_otherwise_then_goto_resolved_in_place() {
        let src = r#"script s "S" {
  step a 10s { say "?" otherwise -> c on "x" -> b on "y" -> nowhere }
  step b 10s { say "." goto c }
  end c "done" { }
}
"#;
        steps(src, |s| {
            let (node, a) = step(s, "a");
            let options: Vec<_> = a
                .options()
                .map(|c| (c.answer.raw, c.target.name.name, c.target.node))
                .collect();
            assert_eq!(options, [("x", "b", Some(1)), ("y", "nowhere", None)]);
            assert_eq!(a.otherwise().map(|t| t.node), Some(Some(2)));
            assert!(a.goto().is_none());
            // Written `otherwise` first, listed after the answers.
            assert_eq!(names(node.exits()), ["b", "nowhere", "c"]);
            assert_eq!(node.exit_count(), 3);
            let (node, b) = step(s, "b");
            assert_eq!(
                b.goto().map(|t| (t.name.name, t.node)),
                Some(("c", Some(2)))
            );
            assert_eq!(names(node.exits()), ["c"]);
        });
    }

    #[test]
    fn a_repeated_otherwise_or_goto_counts_once() {
        // Syntax errors, reported by the parser; the model keeps the first.
        let src = r#"script s "S" {
  step a 10s { on "x" -> b otherwise -> b otherwise -> c }
  step b 10s { goto c goto a }
  end c "done" { }
}
"#;
        steps(src, |s| {
            let (node, a) = step(s, "a");
            assert_eq!(a.otherwise().map(|t| t.name.name), Some("b"));
            assert_eq!(names(node.exits()), ["b", "b"]);
            assert!(node.exit_count() >= node.exits().count());
            let (node, b) = step(s, "b");
            assert_eq!(b.goto().map(|t| t.name.name), Some("c"));
            assert_eq!(names(node.exits()), ["c"]);
        });
    }
}
