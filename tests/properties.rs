//! Property tests (proptest), run by `cargo test` (docs/robustness.md).
//!
//! * Random valid projects, generated as graphs and written as source
//!   text, check clean, build the same bytes twice, and their
//!   fingerprints do not depend on layout or comments; the hot-path
//!   scanner takes all their steps and terminals and agrees with pest.
//! * Random mutations of the example project never panic the compiler,
//!   nor the operator JSON and the annex when the mutant compiles, and
//!   parse the same with and without the hot-path scanner.

use std::fmt::Write as _;

use callscript::emit::annex;
use callscript::syntax::ast::Item;
use callscript::syntax::{parse_with, parse_with_fast_path};
use callscript::{FileId, Options, SourceFile};
use proptest::prelude::*;

mod common;
use common::example;
use proptest::test_runner::Config;

fn config(cases: u32) -> Config {
    Config {
        cases,
        // Failures are reported with their minimal input; no files.
        failure_persistence: None,
        ..Config::default()
    }
}

// ------------------------------------------------------- valid projects

#[derive(Clone, Debug)]
struct StepSpec {
    /// The step that leads here (index modulo this step's index): every
    /// step is reachable from the first.
    parent: usize,
    /// A terminal this step can exit to: every step can end the call.
    terminal: usize,
    /// More exits, to any node (steps or terminals): loops, self-loops.
    extra: Vec<usize>,
    seconds: u32,
    max: u32,
    /// Exit with `goto` when the step has exactly one exit.
    goto: bool,
    /// Extra `say`/`note` lines, interpolating fields of the first step.
    lines: Vec<(bool, usize)>,
    /// Collects a field of its own.
    asks: bool,
}

#[derive(Clone, Debug)]
struct TermSpec {
    handoff: bool,
    role: usize,
    within: Option<u32>,
    /// Fields of the first step passed on.
    pass: Vec<usize>,
    task: Option<u32>,
    /// The step that leads here.
    from: usize,
    block: bool,
}

#[derive(Clone, Debug)]
struct ScriptSpec {
    steps: Vec<StepSpec>,
    terms: Vec<TermSpec>,
    /// Fields the first step collects (so every path has them).
    fields: usize,
    deadline: bool,
    kind: usize,
    schedule: bool,
    mandatory: bool,
    /// Members are written rotated by this much, with an explicit `start`.
    rotate: usize,
}

#[derive(Clone, Debug)]
struct ProjectSpec {
    roles: Vec<bool>,
    contract: bool,
    scripts: Vec<ScriptSpec>,
    /// Names from this family: ASCII, Cyrillic, keywords as names.
    names: usize,
}

fn step_spec() -> impl Strategy<Value = StepSpec> {
    (
        any::<usize>(),
        any::<usize>(),
        prop::collection::vec(any::<usize>(), 0..3),
        1u32..=3600,
        1u32..=4,
        any::<bool>(),
        prop::collection::vec((any::<bool>(), any::<usize>()), 0..3),
        any::<bool>(),
    )
        .prop_map(
            |(parent, terminal, extra, seconds, max, goto, lines, asks)| StepSpec {
                parent,
                terminal,
                extra,
                seconds,
                max,
                goto,
                lines,
                asks,
            },
        )
}

fn term_spec() -> impl Strategy<Value = TermSpec> {
    (
        any::<bool>(),
        any::<usize>(),
        prop::option::of(1u32..=3600),
        prop::collection::vec(any::<usize>(), 0..3),
        prop::option::of(1u32..=31_536_000),
        any::<usize>(),
        any::<bool>(),
    )
        .prop_map(
            |(handoff, role, within, pass, task, from, block)| TermSpec {
                handoff,
                role,
                within,
                pass,
                task,
                from,
                block,
            },
        )
}

fn script_spec() -> impl Strategy<Value = ScriptSpec> {
    (
        prop::collection::vec(step_spec(), 1..10),
        prop::collection::vec(term_spec(), 0..4),
        0usize..3,
        any::<bool>(),
        0usize..3,
        any::<bool>(),
        any::<bool>(),
        0usize..16,
    )
        .prop_map(
            |(steps, terms, fields, deadline, kind, schedule, mandatory, rotate)| ScriptSpec {
                steps,
                terms,
                fields,
                deadline,
                kind,
                schedule,
                mandatory,
                rotate,
            },
        )
}

fn project_spec() -> impl Strategy<Value = ProjectSpec> {
    (
        prop::collection::vec(any::<bool>(), 1..4),
        any::<bool>(),
        prop::collection::vec(script_spec(), 1..4),
        0usize..4,
    )
        .prop_map(|(roles, contract, scripts, names)| ProjectSpec {
            roles,
            contract,
            scripts,
            names,
        })
}

/// How the source is laid out; the fingerprints must not see it.
#[derive(Clone, Copy)]
enum Layout {
    /// One statement a line, indented, with comments.
    Lines,
    /// Each member on one line, single spaces.
    Compact,
}

struct Writer {
    layout: Layout,
    out: String,
}

impl Writer {
    fn line(&mut self, indent: usize, text: &str) {
        match self.layout {
            Layout::Lines => {
                let _ = writeln!(self.out, "{}{text} // {indent}", "  ".repeat(indent));
            }
            Layout::Compact => {
                self.out.push_str(text);
                self.out.push(' ');
            }
        }
    }
    fn end_member(&mut self) {
        if let Layout::Compact = self.layout {
            self.out.push('\n');
        }
    }
}

/// `3725` → `1h2m5s`.
fn duration(seconds: u32) -> String {
    let (d, h, m, s) = (
        seconds / 86_400,
        seconds / 3600 % 24,
        seconds / 60 % 60,
        seconds % 60,
    );
    let mut out = String::new();
    for (n, unit) in [(d, "d"), (h, "h"), (m, "m"), (s, "s")] {
        if n > 0 {
            let _ = write!(out, "{n}{unit}");
        }
    }
    out
}

fn step_name(family: usize, i: usize) -> String {
    match (family, i) {
        // Keywords are contextual: a step may be called `end` or `volume`.
        (3, 0) => "end".into(),
        (3, 1) => "volume".into(),
        (0, _) => format!("s{i}"),
        (1, _) => format!("шаг_{i}"),
        (2, _) => format!("_step{i}"),
        _ => format!("goto{i}"),
    }
}

const MANDATORY: &str = "Разговор записывается";

/// The source files of a project: the contract and roles in one file, each
/// script in its own.
fn write_project(p: &ProjectSpec, layout: Layout) -> Vec<SourceFile> {
    let mut files = Vec::new();
    let mut w = Writer {
        layout,
        out: String::new(),
    };
    if p.contract {
        w.line(0, "contract \"Договор № 1\" {");
        for l in [
            "customer \"ООО «Ромашка»\"",
            "contractor \"ООО \\\"КоллПро\\\"\"",
            "operators trained",
            "assistance yes",
            "crm \"amoCRM\"",
            "priority \"VIP\", \"Постоянный\"",
            "client_base customer",
            "schedule mon-fri 09:00-21:00, sat 10:00-16:00",
            "timezone \"Europe/Moscow\"",
            "volume 300/day",
            "handoff_sla 1h",
            "quality contractor \"Иванов И. И.\", \"Руководитель смены\"",
            "quality customer \"Петрова А. С.\", \"Менеджер\"",
        ] {
            w.line(1, l);
        }
        w.line(1, &format!("mandatory \"{MANDATORY}\""));
        w.line(0, "}");
        w.end_member();
    }
    for (i, hours) in p.roles.iter().enumerate() {
        if *hours {
            w.line(0, &format!("role r{i} \"Роль {i}\" {{"));
            w.line(1, "contact \"Смирнов\", \"Руководитель\"");
            w.line(1, "hours 24/7");
            w.line(0, "}");
        } else {
            w.line(0, &format!("role r{i} \"Роль {i}\""));
        }
        w.end_member();
    }
    files.push(SourceFile::new("project.script", w.out));
    for (k, s) in p.scripts.iter().enumerate() {
        let mut w = Writer {
            layout,
            out: String::new(),
        };
        write_script(&mut w, p, k, s);
        files.push(SourceFile::new(format!("script{k}.script"), w.out));
    }
    files
}

fn write_script(w: &mut Writer, p: &ProjectSpec, k: usize, s: &ScriptSpec) {
    let n = s.steps.len();
    // Terminals: `bye` (every handoff's fallback), then the spec's.
    let mut terms = vec![TermSpec {
        handoff: false,
        role: 0,
        within: None,
        pass: vec![],
        task: Some(86_400),
        from: 0,
        block: true,
    }];
    terms.extend(s.terms.iter().cloned());
    let term_name = |t: usize| {
        if t == 0 {
            "bye".to_string()
        } else {
            format!("t{t}")
        }
    };
    let node_name = |i: usize| {
        if i < n {
            step_name(p.names, i)
        } else {
            term_name(i - n)
        }
    };
    let field = |f: usize| format!("поле{f}");

    // Each step's exits, as node indices.
    let mut exits: Vec<Vec<usize>> = vec![Vec::new(); n];
    for (i, st) in s.steps.iter().enumerate().skip(1) {
        exits[st.parent % i].push(i);
    }
    for (t, term) in terms.iter().enumerate() {
        exits[term.from % n].push(n + t);
    }
    for (i, st) in s.steps.iter().enumerate() {
        exits[i].push(n + st.terminal % terms.len());
        for e in &st.extra {
            exits[i].push(e % (n + terms.len()));
        }
    }

    let kind = ["inbound", "outbound", "telemarketing"][s.kind];
    w.line(0, &format!("script sc{k} \"Скрипт {k}: \\\"тест\\\"\" {{"));
    let mut members: Vec<Vec<(usize, String)>> = Vec::new();
    members.push(vec![(1, format!("kind {kind}"))]);
    members.push(vec![(1, format!("start {}", node_name(0)))]);
    if s.deadline {
        let total: u64 = s
            .steps
            .iter()
            .map(|st| u64::from(st.seconds) * u64::from(st.max))
            .sum();
        members.push(vec![(1, format!("deadline {}", duration(total as u32)))]);
    }
    if s.schedule {
        members.push(vec![(1, "schedule mon-fri 10:00-20:00".to_string())]);
    }
    if s.mandatory {
        members.push(vec![(1, "mandatory \"Спасибо\"".to_string())]);
    }
    for (i, st) in s.steps.iter().enumerate() {
        let mut m = Vec::new();
        let mut head = format!("step {}", node_name(i));
        if s.deadline || st.seconds % 3 != 0 {
            head.push(' ');
            head.push_str(&duration(st.seconds));
        }
        if s.deadline || st.max % 2 == 0 {
            let _ = write!(head, " max {}", st.max);
        }
        head.push_str(" {");
        m.push((1, head));
        if i == 0 {
            m.push((
                2,
                format!("say \"Здравствуйте! {{company}}, {{operator}}. {MANDATORY}. Спасибо. \\{{\\}}\""),
            ));
            for f in 0..s.fields {
                m.push((2, format!("ask {} \"Вопрос {f}?\"", field(f))));
            }
        }
        if st.asks {
            m.push((2, format!("ask own_{i} \"Свой вопрос\"")));
            m.push((2, format!("note \"{{own_{i}}}\"")));
        }
        for (say, f) in &st.lines {
            let text = if s.fields > 0 {
                format!("{{{}}} и \\\"кавычки\\\"", field(f % s.fields))
            } else {
                "\\\\ обратная черта".to_string()
            };
            let kw = if *say { "say" } else { "note" };
            m.push((2, format!("{kw} \"{text}\"")));
        }
        let mut ex = exits[i].clone();
        if ex.len() == 1 && !st.goto {
            // `otherwise` alone is an error: answer and otherwise, same target.
            ex.push(ex[0]);
        }
        if ex.len() == 1 {
            m.push((2, format!("goto {}", node_name(ex[0]))));
        } else {
            for (a, e) in ex[..ex.len() - 1].iter().enumerate() {
                m.push((2, format!("on \"Ответ {a}\" -> {}", node_name(*e))));
            }
            m.push((2, format!("otherwise -> {}", node_name(ex[ex.len() - 1]))));
        }
        m.push((1, "}".to_string()));
        members.push(m);
    }
    for (t, term) in terms.iter().enumerate() {
        let mut m = Vec::new();
        if term.handoff && t > 0 {
            let mut head = format!("handoff {} to r{}", term_name(t), term.role % p.roles.len());
            if let Some(within) = term.within {
                let _ = write!(head, " within {}", duration(within));
            }
            head.push_str(" {");
            m.push((1, head));
            m.push((2, "say \"Передаю\"".to_string()));
            if s.fields > 0 && !term.pass.is_empty() {
                let mut names: Vec<String> =
                    term.pass.iter().map(|f| field(f % s.fields)).collect();
                names.dedup();
                m.push((2, format!("pass {}", names.join(", "))));
                m.push((2, format!("summary \"{{{}}} готов\"", names[0])));
            }
            if let Some(task) = term.task {
                m.push((2, format!("task \"Перезвонить\" within {}", duration(task))));
            }
            m.push((2, "fallback bye".to_string()));
            m.push((1, "}".to_string()));
        } else {
            let head = format!("end {} \"Итог {t}\"", term_name(t));
            if term.block {
                m.push((1, format!("{head} {{")));
                m.push((2, "say \"Спасибо\"".to_string()));
                if let Some(task) = term.task {
                    m.push((2, format!("task \"Задача\" within {}", duration(task))));
                }
                m.push((1, "}".to_string()));
            } else {
                m.push((1, head));
            }
        }
        members.push(m);
    }
    let len = members.len();
    members.rotate_left(s.rotate % len);
    for m in members {
        for (indent, l) in m {
            w.line(indent, &l);
        }
        w.end_member();
    }
    w.line(0, "}");
}

fn fingerprints(json: &str) -> Vec<String> {
    common::script_fingerprints(json)
        .into_iter()
        .map(|(_, f)| f)
        .collect()
}

proptest! {
    #![proptest_config(config(200))]

    #[test]
    fn random_valid_projects_check_clean_and_build_deterministically(p in project_spec()) {
        let sources = write_project(&p, Layout::Lines);
        let (project, diagnostics) = callscript::compile(&sources, &Options::default());
        let listing = || {
            let mut s = String::new();
            for d in &diagnostics {
                let _ = writeln!(s, "{} {} {:?}", d.code.as_str(), d.message, d.span);
            }
            for f in &sources {
                let _ = writeln!(s, "--- {}\n{}", f.name, String::from_utf8_lossy(&f.bytes));
            }
            s
        };
        prop_assert!(diagnostics.is_empty(), "{}", listing());
        let project = project.expect("no diagnostics, so a project");
        let json = callscript::emit::json::to_string(&project);

        // The same sources again: the same bytes.
        let (again, _) = callscript::compile(&sources, &Options::default());
        prop_assert_eq!(&json, &callscript::emit::json::to_string(&again.unwrap()));

        // Laid out differently, without comments: the same fingerprints.
        let compact = write_project(&p, Layout::Compact);
        let (other, diags) = callscript::compile(&compact, &Options::default());
        prop_assert!(diags.is_empty(), "{:?}", diags);
        let other_json = callscript::emit::json::to_string(&other.unwrap());
        prop_assert_eq!(fingerprints(&json), fingerprints(&other_json));

        // The hot-path scanner takes every step, handoff and end of both
        // layouts, and gives what pest gives.
        for f in sources.iter().chain(&compact) {
            let text = std::str::from_utf8(&f.bytes).unwrap();
            let (fast, fast_diags, taken) = parse_with_fast_path(FileId(0), text, true);
            let (slow, slow_diags, _) = parse_with_fast_path(FileId(0), text, false);
            prop_assert_eq!(&fast, &slow);
            prop_assert_eq!(fast_diags.len(), slow_diags.len());
            let (pieces, _, pieces_taken) = parse_with(FileId(0), text, true, 1);
            prop_assert_eq!(&pieces, &fast);
            prop_assert_eq!(pieces_taken, taken);
            let nodes: usize = fast.items.iter().map(|i| match i {
                Item::Script(s) => s.nodes.len(),
                _ => 0,
            }).sum();
            prop_assert_eq!(taken, nodes, "{}", text);
        }

        // With a contract, the annex's requirements hold too, and it renders.
        if p.contract {
            let options = Options { require_contract: true };
            let (project, diags) = callscript::compile(&sources, &options);
            prop_assert!(diags.is_empty(), "{:?}", diags);
            let view = annex::annex(&project.unwrap(), &annex::Options::default());
            prop_assert!(annex::markdown(&view, None).is_ok());
        }
    }
}

// ------------------------------------------------------------ mutations

/// Pieces of the language and of hostile text to insert.
const TOKENS: &[&str] = &[
    "{",
    "}",
    "->",
    "\"",
    "\\",
    ",",
    "step",
    "script",
    "role",
    "contract",
    "end",
    "handoff",
    "goto",
    "on",
    "otherwise",
    "max",
    "within",
    "fallback",
    "pass",
    "\u{FEFF}",
    "\0",
    "\r\n",
    "//",
    "{x}",
    "{}",
    "\\x",
    "99999999999999999999d",
    "0s",
    "366d",
    "25:00",
    "24/7",
    "я",
    "\u{301}",
    "\n",
    " ",
];

#[derive(Clone, Debug)]
enum Mutation {
    /// Flip bits of the byte at this position (may break UTF-8).
    Flip(usize, u8),
    /// Delete a run of bytes.
    Delete(usize, usize),
    /// Insert a token.
    Insert(usize, usize),
    /// Duplicate the line at this position.
    DuplicateLine(usize),
    /// Delete the line at this position.
    DeleteLine(usize),
    /// Swap two lines.
    SwapLines(usize, usize),
}

fn mutation() -> impl Strategy<Value = Mutation> {
    prop_oneof![
        (any::<usize>(), 1u8..=255).prop_map(|(p, b)| Mutation::Flip(p, b)),
        (any::<usize>(), 1usize..64).prop_map(|(p, n)| Mutation::Delete(p, n)),
        (any::<usize>(), any::<usize>()).prop_map(|(p, t)| Mutation::Insert(p, t)),
        any::<usize>().prop_map(Mutation::DuplicateLine),
        any::<usize>().prop_map(Mutation::DeleteLine),
        (any::<usize>(), any::<usize>()).prop_map(|(a, b)| Mutation::SwapLines(a, b)),
    ]
}

fn apply(bytes: &mut Vec<u8>, m: &Mutation) {
    if bytes.is_empty() {
        return;
    }
    let at = |p: usize| p % bytes.len();
    match *m {
        Mutation::Flip(p, b) => {
            let i = at(p);
            bytes[i] ^= b;
        }
        Mutation::Delete(p, n) => {
            let i = at(p);
            let end = (i + n).min(bytes.len());
            bytes.drain(i..end);
        }
        Mutation::Insert(p, t) => {
            let i = at(p);
            let tok = TOKENS[t % TOKENS.len()].as_bytes();
            bytes.splice(i..i, tok.iter().copied());
        }
        Mutation::DuplicateLine(p) | Mutation::DeleteLine(p) => {
            let mut lines: Vec<Vec<u8>> =
                bytes.split(|&b| b == b'\n').map(<[u8]>::to_vec).collect();
            let i = p % lines.len();
            if let Mutation::DuplicateLine(_) = m {
                let l = lines[i].clone();
                lines.insert(i, l);
            } else {
                lines.remove(i);
            }
            *bytes = lines.join(&b'\n');
        }
        Mutation::SwapLines(a, b) => {
            let mut lines: Vec<Vec<u8>> =
                bytes.split(|&b| b == b'\n').map(<[u8]>::to_vec).collect();
            let n = lines.len();
            lines.swap(a % n, b % n);
            *bytes = lines.join(&b'\n');
        }
    }
}

proptest! {
    #![proptest_config(config(300))]

    #[test]
    fn mutated_example_files_never_panic(
        file in any::<usize>(),
        mutations in prop::collection::vec(mutation(), 1..8),
    ) {
        let mut sources = example();
        let i = file % sources.len();
        for m in &mutations {
            apply(&mut sources[i].bytes, m);
        }
        // The hot-path scanner agrees with pest on the broken file.
        if let Ok(text) = std::str::from_utf8(&sources[i].bytes) {
            let (fast, fast_diags, _) = parse_with_fast_path(FileId(0), text, true);
            let (slow, slow_diags, _) = parse_with_fast_path(FileId(0), text, false);
            prop_assert_eq!(&fast, &slow);
            prop_assert_eq!(format!("{fast_diags:?}"), format!("{slow_diags:?}"));
            let (pieces, pieces_diags, _) = parse_with(FileId(0), text, true, 1);
            prop_assert_eq!(&pieces, &fast);
            prop_assert_eq!(format!("{pieces_diags:?}"), format!("{fast_diags:?}"));
        }
        for require_contract in [false, true] {
            let (project, diagnostics) =
                callscript::compile(&sources, &Options { require_contract });
            let view = callscript::render::Sources::new(&sources);
            let _ = callscript::render::json(&diagnostics, &view);
            let _ = callscript::render::human(&diagnostics, &view, Default::default());
            if let Some(project) = project {
                let _ = callscript::emit::json::to_string(&project);
                let view = annex::annex(&project, &annex::Options::default());
                prop_assert!(annex::markdown(&view, None).is_ok());
                prop_assert!(annex::html(&view, None).is_ok());
            }
        }
    }
}
