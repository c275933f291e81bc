//! AST → model: one contract, project-wide roles and scripts, per-script
//! nodes; names resolved, values checked.
//!
//! Reports `duplicate-name` (primary at the later definition, a label at
//! the first), `undefined-step`, `undefined-role` and, through
//! [`Values`], `invalid-value`.

use std::collections::HashMap;

use rayon::prelude::*;
use rustc_hash::FxHashMap;

use super::names::NameIndex;
use super::values::Values;
use super::*;
use crate::diagnostic::{Code, Diagnostic};
use crate::suggest::{Candidates, MOST_SUGGESTED, closest, did_you_mean};
use crate::syntax::ast::{self, ContractFieldKind as CF};

/// Build the model of a project from its parsed files.
pub fn build<'s>(files: Vec<(FileId, ast::File<'s>)>) -> (Program<'s>, Vec<Diagnostic>) {
    let mut b = Builder {
        diags: Vec::new(),
        program: Program {
            files: files.len(),
            contract: None,
            roles: Vec::new(),
            scripts: Vec::new(),
            broken: Broken::default(),
        },
        role_index: FxHashMap::default(),
    };
    let mut scripts = Vec::new();
    // Contracts and roles, each in source order, built beside the scripts'
    // heads.
    let (mut contracts, mut roles) = (Vec::new(), Vec::new());
    for (file, ast) in files {
        for broken in &ast.broken {
            match broken.keyword {
                "contract" => b.program.broken.contract = true,
                "role" => b.program.broken.roles.push(broken.name),
                _ => {}
            }
        }
        for item in ast.items {
            match item {
                ast::Item::Script(s) => scripts.push((file, s)),
                ast::Item::Contract(c) => contracts.push((file, c)),
                ast::Item::Role(r) => roles.push((file, r)),
            }
        }
    }
    // Scripts after roles: handoffs refer to roles from any file. Each
    // script's findings follow its duplicate-name finding, as if built one
    // after the other.
    let mut seen: HashMap<&'s str, (FileId, Span)> = HashMap::new();
    let dups: Vec<Option<Diagnostic>> = scripts
        .iter()
        .map(|(file, s)| match seen.get(s.name.name) {
            Some(&(ffile, fspan)) => Some(duplicate(*file, s.name, "script", ffile, fspan)),
            None => {
                seen.insert(s.name.name, (*file, s.name.span));
                None
            }
        })
        .collect();
    // The contract and roles (a time zone's lookup alone takes ~0.2 ms)
    // while each script's settings are read and its node names indexed:
    // neither needs the other.
    let (_, heads) = rayon::join(
        || b.contract_and_roles(contracts, roles),
        || {
            scripts
                .into_par_iter()
                .map(|(file, s)| Head::new(file, s))
                .collect::<Vec<_>>()
        },
    );
    let program = &b.program;
    let roles = &b.role_index;
    let built: Vec<(Script<'s>, Vec<Diagnostic>)> = heads
        .into_par_iter()
        .map(|head| head.finish(program, roles))
        .collect();
    for (dup, (script, diags)) in dups.into_iter().zip(built) {
        b.diags.extend(dup);
        b.diags.extend(diags);
        b.program.scripts.push(script);
    }
    (b.program, b.diags)
}

fn duplicate(file: FileId, name: Ident<'_>, what: &str, ffile: FileId, fspan: Span) -> Diagnostic {
    Diagnostic::new(
        Code::DuplicateName,
        file,
        name.span,
        format!("the {what} `{}` is defined twice", name.name),
    )
    .with_label_in(ffile, fspan, "first defined here")
    .with_help(format!("rename one of them: {what} names are unique"))
}

/// A setting given twice where once is the rule.
fn repeated(file: FileId, span: Span, first: Span, keyword: &str, owner: &str) -> Diagnostic {
    Diagnostic::new(
        Code::DuplicateName,
        file,
        span,
        format!("`{keyword}` is given twice in {owner}"),
    )
    .with_label(first, "first given here")
    .with_help(format!("keep one `{keyword}`"))
}

struct Builder<'s> {
    diags: Vec<Diagnostic>,
    program: Program<'s>,
    /// Each role's id by name (role names are unique in `program`).
    role_index: FxHashMap<&'s str, RoleId>,
}

impl<'s> Builder<'s> {
    fn values(&mut self, file: FileId) -> Values<'_> {
        Values {
            file,
            diags: &mut self.diags,
        }
    }

    /// The project's contract (the first, if it has two) and roles, each
    /// given in source order (scripts are built by [`Head`]). A role does
    /// not depend on the contract.
    fn contract_and_roles(
        &mut self,
        contracts: Vec<(FileId, ast::Contract<'s>)>,
        roles: Vec<(FileId, ast::Role<'s>)>,
    ) {
        let mut contract_first: Option<(FileId, Span)> = None;
        for (file, c) in contracts {
            if let Some((ffile, fspan)) = contract_first {
                self.diags.push(
                    Diagnostic::new(
                        Code::DuplicateName,
                        file,
                        c.header,
                        "a second `contract` block",
                    )
                    .with_label_in(ffile, fspan, "the project's contract is defined here")
                    .with_help("a project has one contract; merge the two blocks"),
                );
            } else {
                contract_first = Some((file, c.header));
                self.program.contract = Some(self.contract(file, c));
            }
        }
        for (file, r) in roles {
            self.role(file, r);
        }
    }

    fn contract(&mut self, file: FileId, c: ast::Contract<'s>) -> Contract<'s> {
        let mut out = Contract {
            file,
            header: c.header,
            title: c.title,
            customer: None,
            contractor: None,
            operators: None,
            assistance: None,
            crm: None,
            priority: Vec::new(),
            client_base: None,
            schedule: None,
            timezone: None,
            volume: None,
            handoff_sla: None,
            quality: Vec::new(),
            mandatory: Vec::new(),
            given: Vec::new(),
        };
        let mut first: HashMap<&'static str, Span> = HashMap::new();
        for f in c.fields {
            let kw = f.kind.keyword();
            let repeatable = matches!(kw, "quality" | "mandatory");
            if !repeatable {
                if let Some(&fspan) = first.get(kw) {
                    self.diags
                        .push(repeated(file, f.span, fspan, kw, "the contract"));
                    continue;
                }
                first.insert(kw, f.span);
            }
            if !out.given.contains(&kw) {
                out.given.push(kw);
            }
            let mut v = self.values(file);
            match f.kind {
                CF::Customer(s) => out.customer = Some(s),
                CF::Contractor(s) => out.contractor = Some(s),
                CF::Operators(w) => {
                    out.operators = v.word(
                        w,
                        "operator type",
                        &[("basic", Operators::Basic), ("trained", Operators::Trained)],
                    )
                }
                CF::Assistance(w) => {
                    out.assistance = v.word(
                        w,
                        "answer for `assistance`",
                        &[("yes", true), ("no", false)],
                    )
                }
                CF::Crm(s) => out.crm = Some(s),
                CF::Priority(list) => out.priority = list,
                CF::ClientBase(w) => {
                    out.client_base = v.word(
                        w,
                        "client base location",
                        &[
                            ("customer", Party::Customer),
                            ("contractor", Party::Contractor),
                        ],
                    )
                }
                CF::Schedule(s) => out.schedule = v.schedule(&s),
                CF::Timezone(s) => out.timezone = v.timezone(&s).map(|_| s),
                CF::Volume { count, per } => {
                    let n = v.count(count, "the volume");
                    let p = v.word(per, "unit of the volume", &[("day", ())]);
                    out.volume = n.filter(|_| p.is_some());
                }
                CF::HandoffSla(d) => out.handoff_sla = v.duration(d),
                CF::Quality {
                    side,
                    name,
                    position,
                } => {
                    let side = v.word(
                        side,
                        "side of a `quality` line",
                        &[
                            ("contractor", Party::Contractor),
                            ("customer", Party::Customer),
                        ],
                    );
                    if let Some(side) = side {
                        out.quality.push(Quality {
                            side: side.value,
                            name,
                            position,
                            span: f.span,
                        });
                    }
                }
                CF::Mandatory(s) => out.mandatory.push(s),
            }
        }
        out
    }

    fn role(&mut self, file: FileId, r: ast::Role<'s>) {
        if let Some(first) = self
            .role_index
            .get(r.name.name)
            .map(|&i| &self.program.roles[i])
        {
            let d = duplicate(file, r.name, "role", first.file, first.name.span);
            self.diags.push(d);
            return;
        }
        let mut out = Role {
            file,
            name: r.name,
            title: r.title,
            header: r.header,
            contacts: Vec::new(),
            channel: None,
            hours: None,
        };
        let owner = format!("role `{}`", r.name.name);
        let mut channel_at = None;
        let mut hours_at = None;
        for f in r.fields {
            match f.kind {
                ast::RoleFieldKind::Contact { name, position } => out.contacts.push(Contact {
                    name,
                    position,
                    span: f.span,
                }),
                ast::RoleFieldKind::Channel(s) => match channel_at {
                    Some(first) => self
                        .diags
                        .push(repeated(file, f.span, first, "channel", &owner)),
                    None => {
                        channel_at = Some(f.span);
                        out.channel = Some(s);
                    }
                },
                ast::RoleFieldKind::Hours(h) => match hours_at {
                    Some(first) => self
                        .diags
                        .push(repeated(file, f.span, first, "hours", &owner)),
                    None => {
                        hours_at = Some(f.span);
                        out.hours = self.values(file).schedule(&h);
                    }
                },
            }
        }
        self.role_index
            .insert(out.name.name, self.program.roles.len());
        self.program.roles.push(out);
    }
}

/// A script read as far as it can be without the contract and roles: its
/// settings read and its node names indexed ([`Head::new`], beside the
/// contract and roles); [`Head::finish`] builds its nodes against them.
/// Scripts are independent of each other, so both steps run in parallel.
struct Head<'s> {
    out: Script<'s>,
    /// `script `name`` for messages.
    owner: String,
    nodes: Vec<ast::Node<'s>>,
    /// Each node's id by name (the first definition).
    index: NameIndex,
    /// The nodes whose name an earlier node has, in order.
    repeated_names: Vec<NodeId>,
    diags: Vec<Diagnostic>,
}

impl<'s> Head<'s> {
    fn new(file: FileId, s: ast::Script<'s>) -> Self {
        let mut diags = Vec::new();
        let mut out = Script {
            file,
            name: s.name,
            title: s.title,
            header: s.header,
            span: s.span,
            kind: None,
            schedule: None,
            deadline: None,
            start_decl: None,
            start: None,
            mandatory: Vec::new(),
            nodes: Vec::new(),
            field_nodes: Vec::new(),
            broken: s.broken,
        };
        let owner = format!("script `{}`", s.name.name);
        let mut first: HashMap<&'static str, Span> = HashMap::new();
        for st in s.settings {
            let kw = st.kind.keyword();
            if kw != "mandatory" {
                if let Some(&fspan) = first.get(kw) {
                    diags.push(repeated(file, st.span, fspan, kw, &owner));
                    continue;
                }
                first.insert(kw, st.span);
            }
            let mut v = Values {
                file,
                diags: &mut diags,
            };
            match st.kind {
                ast::SettingKind::Kind(w) => {
                    out.kind = v.word(
                        w,
                        "script kind",
                        &[
                            ("inbound", ScriptKind::Inbound),
                            ("outbound", ScriptKind::Outbound),
                            ("telemarketing", ScriptKind::Telemarketing),
                        ],
                    )
                }
                ast::SettingKind::Schedule(sc) => out.schedule = v.schedule(&sc),
                ast::SettingKind::Deadline(d) => out.deadline = v.duration(d),
                ast::SettingKind::Start(id) => out.start_decl = Some(id),
                ast::SettingKind::Mandatory(m) => out.mandatory.push(m),
            }
        }

        // Register node names; the first definition wins.
        let mut index = NameIndex::with_capacity(s.nodes.len());
        // The nodes that repeat an earlier name, in order (rarely any).
        let mut repeated_names = Vec::new();
        for (i, n) in s.nodes.iter().enumerate() {
            let Some(first) = index.push(n.name.name) else {
                continue;
            };
            repeated_names.push(i);
            let f: &ast::Node<'_> = &s.nodes[first];
            let (kw, first_kw) = (n.kind.keyword(), f.kind.keyword());
            let message = if kw == first_kw {
                format!("the {kw} `{}` is defined twice", n.name.name)
            } else {
                format!(
                    "the {kw} `{}` has the name of the {first_kw} `{}`",
                    n.name.name, f.name.name
                )
            };
            diags.push(
                Diagnostic::new(Code::DuplicateName, file, n.name.span, message)
                    .with_label(f.name.span, "first defined here")
                    .with_help(
                        "steps and terminals of a script share one namespace: rename one of them",
                    ),
            );
        }
        Head {
            out,
            owner,
            nodes: s.nodes,
            index,
            repeated_names,
            diags,
        }
    }

    /// The script, its nodes built against the project's contract and
    /// roles, and its findings.
    fn finish(
        self,
        program: &Program<'s>,
        roles: &FxHashMap<&'s str, RoleId>,
    ) -> (Script<'s>, Vec<Diagnostic>) {
        let Head {
            mut out,
            owner,
            nodes: ast_nodes,
            index,
            repeated_names,
            mut diags,
        } = self;
        let nodes = Nodes {
            file: out.file,
            owner: &owner,
            broken: out.broken,
            index: &index,
            repeated_names: &repeated_names,
            program,
            roles,
        };
        if let Some(decl) = out.start_decl {
            out.start = nodes.resolve(&mut diags, decl, None);
        } else if !ast_nodes.is_empty() {
            out.start = Some(0);
        }
        // Nodes are independent once their names are known: a large
        // script's are built on every core, in chunks whose findings are
        // kept in node order.
        // Whether a node touches fields is decided while it is at hand.
        let mut found: Vec<(Vec<Diagnostic>, bool)> = Vec::new();
        ast_nodes
            .into_par_iter()
            .enumerate()
            .with_min_len(NODES_PER_TASK)
            .map(|(i, n)| {
                let mut diags = Vec::new();
                let node = nodes.node(&mut diags, i, n);
                let fields = node.touches_fields();
                (node, (diags, fields))
            })
            .unzip_into_vecs(&mut out.nodes, &mut found);
        out.field_nodes = (found.iter().enumerate())
            .filter(|(_, (_, fields))| *fields)
            .map(|(i, _)| i)
            .collect();
        suggest(&out.nodes, &index, &program.roles, &mut found);
        diags.extend(found.into_iter().flat_map(|(d, _)| d));
        (out, diags)
    }
}

/// The fewest nodes a task of [`Head::finish`] builds.
const NODES_PER_TASK: usize = 1024;

/// "Did you mean" for the findings of a script's nodes (`found`, one list
/// per node) that name no node or no role, once they are all built: the
/// same suggestions whatever the order the nodes were built in, and none
/// past [`MOST_SUGGESTED`] misses of a kind.
fn suggest(
    nodes: &[Node<'_>],
    index: &NameIndex,
    roles: &[crate::model::Role<'_>],
    found: &mut [(Vec<Diagnostic>, bool)],
) {
    suggest_for(found, Code::UndefinedStep, || {
        let unknown = nodes
            .iter()
            .flat_map(|n| n.exits())
            .filter(|t| t.node.is_none())
            .map(|t| (t.name.span, t.name.name))
            .collect();
        (unknown, Candidates::new(index.names()))
    });
    suggest_for(found, Code::UndefinedRole, || {
        let unknown = nodes
            .iter()
            .filter_map(|n| match &n.kind {
                NodeKind::Handoff(h) if h.role_id.is_none() => Some((h.role.span, h.role.name)),
                _ => None,
            })
            .collect();
        (unknown, Candidates::new(roles.iter().map(|r| r.name.name)))
    });
}

/// [`suggest`] for the findings of `code`: `misses` gives each unknown
/// name by its span, and the names it may be a typo of.
fn suggest_for<'s>(
    found: &mut [(Vec<Diagnostic>, bool)],
    code: Code,
    misses: impl FnOnce() -> (FxHashMap<Span, &'s str>, Candidates<'s>),
) {
    let is_miss = |d: &&mut Diagnostic| d.code == code;
    let count = found
        .iter_mut()
        .flat_map(|f| &mut f.0)
        .filter(is_miss)
        .count();
    if count == 0 || count > MOST_SUGGESTED {
        return;
    }
    let (unknown, names) = misses();
    for d in found.iter_mut().flat_map(|f| &mut f.0).filter(is_miss) {
        if let Some(best) = unknown.get(&d.span).and_then(|n| names.closest(n)) {
            d.help = Some(did_you_mean(best));
        }
    }
}

/// What a script's nodes are built against: its node names, the roles
/// and the contract.
struct Nodes<'a, 's> {
    file: FileId,
    /// `script `name`` for messages.
    owner: &'a str,
    /// The script had syntax errors: a missing name may be in the broken
    /// part, so it is not reported.
    broken: bool,
    /// Each node's id by name (the first definition).
    index: &'a NameIndex,
    /// The nodes whose name an earlier node has, in order.
    repeated_names: &'a [NodeId],
    program: &'a Program<'s>,
    roles: &'a FxHashMap<&'s str, RoleId>,
}

impl<'s> Nodes<'_, 's> {
    /// The node `name` names; `from` is the step the edge leaves, `None`
    /// for `start`.
    fn resolve(
        &self,
        diags: &mut Vec<Diagnostic>,
        name: Ident<'s>,
        from: Option<&str>,
    ) -> Option<NodeId> {
        let node = self.index.get(name.name);
        if node.is_none() && !self.broken {
            let what = match from {
                Some(step) => format!("step `{step}` goes to"),
                None => "the script starts at".to_string(),
            };
            let mut d = Diagnostic::new(
                Code::UndefinedStep,
                self.file,
                name.span,
                format!(
                    "{what} `{}`, which is not a step or terminal of {}",
                    name.name, self.owner
                ),
            );
            // "Did you mean": see `suggest`; for `start`, here.
            if from.is_none() {
                let names: Vec<&str> = self.index.names().collect();
                if let Some(best) = closest(name.name, &names) {
                    d = d.with_help(did_you_mean(best));
                }
            }
            diags.push(d);
        }
        node
    }

    fn values<'d>(&self, diags: &'d mut Vec<Diagnostic>) -> Values<'d> {
        Values {
            file: self.file,
            diags,
        }
    }

    /// The node `n`, the `i`th of its script.
    fn node(&self, diags: &mut Vec<Diagnostic>, i: NodeId, n: ast::Node<'s>) -> Node<'s> {
        let file = self.file;
        let kind = match n.kind {
            ast::NodeKind::Step(mut st) => {
                let mut v = self.values(diags);
                let duration = st.duration.map(|d| v.duration(d));
                let max = st.max.map(|m| v.count(m, "`max`"));
                // Resolved in place: the parser's exits are the model's.
                for e in &mut st.exits {
                    e.target.node = self.resolve(diags, e.target.name, Some(n.name.name));
                }
                NodeKind::Step(Step {
                    invalid_duration: matches!(duration, Some(None)),
                    invalid_max: matches!(max, Some(None)),
                    duration: duration.flatten(),
                    max: max.flatten(),
                    lines: st.lines,
                    exits: st.exits,
                })
            }
            ast::NodeKind::Handoff(h) => {
                let role_id = self.roles.get(h.role.name).copied();
                if role_id.is_none() && !self.role_may_be_broken(h.role.name) {
                    // "Did you mean": see `suggest`.
                    diags.push(
                        Diagnostic::new(
                            Code::UndefinedRole,
                            file,
                            h.role.span,
                            format!(
                                "handoff `{}` goes to `{}`, which is not a role",
                                n.name.name, h.role.name
                            ),
                        )
                        .with_help(format!(
                            "define it: `role {} \"Отдел продаж\" {{ contact \"…\", \"…\" }}`",
                            h.role.name
                        )),
                    );
                }
                let mut v = self.values(diags);
                let within = h.within.map(|w| v.duration(w));
                let tasks = h.tasks.into_iter().map(|t| task(&mut v, t)).collect();
                let fallback = h.fallback.map(|f| Target {
                    name: f,
                    node: self.index.get(f.name),
                    span: f.span,
                });
                NodeKind::Handoff(Box::new(Handoff {
                    role: h.role,
                    role_id,
                    invalid_within: matches!(within, Some(None)),
                    within: within.flatten(),
                    lines: h.lines,
                    pass: h.pass,
                    summary: h.summary,
                    tasks,
                    fallback,
                }))
            }
            ast::NodeKind::End(e) => {
                let mut v = self.values(diags);
                let tasks = e.tasks.into_iter().map(|t| task(&mut v, t)).collect();
                NodeKind::End(End {
                    outcome: e.outcome,
                    lines: e.lines,
                    tasks,
                })
            }
        };
        for line in kind_lines(&kind) {
            if let Some(f) = line.field
                && BUILTIN_FIELDS.contains(&f.name)
            {
                diags.push(
                    Diagnostic::new(
                        Code::DuplicateName,
                        file,
                        f.span,
                        format!("`{}` is a built-in field and cannot be asked for", f.name),
                    )
                    .with_help(format!(
                        "`{{{}}}` is filled in by the operator tool; give the collected field another name",
                        f.name
                    )),
                );
            }
        }
        Node {
            duplicate: self.repeated_names.binary_search(&i).is_ok(),
            name: n.name,
            header: n.header,
            span: n.span,
            kind,
        }
    }

    /// Could `name` be a role that failed to parse?
    fn role_may_be_broken(&self, name: &str) -> bool {
        self.program
            .broken
            .roles
            .iter()
            .any(|r| r.is_none_or(|r| r == name))
    }
}

fn kind_lines<'a, 's>(kind: &'a NodeKind<'s>) -> &'a [Line<'s>] {
    match kind {
        NodeKind::Step(s) => &s.lines,
        NodeKind::Handoff(h) => &h.lines,
        NodeKind::End(e) => &e.lines,
    }
}

fn task<'s>(v: &mut Values<'_>, t: ast::Task<'s>) -> Task<'s> {
    Task {
        text: t.text,
        within: v.duration(t.within),
        span: t.span,
    }
}
