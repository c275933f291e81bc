//! Source text → AST, one top-level item or script member at a time.
//!
//! The pest grammar does the matching; this module drives it item by item
//! (see the top of `grammar/callscript.pest` for why), builds the AST from
//! the pairs, and turns pest's failures into diagnostics a script writer
//! understands (`errors.rs`).

use pest::Parser as _;
use pest::iterators::{Pair, Pairs};

use super::ast::*;
use super::errors;
use super::fast::{self, Tok};
use super::lexer::{self, TokenKind};
use crate::diagnostic::{Code, Diagnostic};
use crate::source::{BOM, FileId, Span};

#[derive(pest_derive::Parser)]
#[grammar = "../grammar/callscript.pest"]
pub struct CallscriptParser;

/// Words that begin a top-level item.
pub const ITEM_KEYWORDS: &[&str] = &["contract", "role", "script"];
/// Words that begin a script member.
pub const MEMBER_KEYWORDS: &[&str] = &[
    "step",
    "handoff",
    "end",
    "kind",
    "schedule",
    "deadline",
    "start",
    "mandatory",
];

/// Parse one source file. Every syntax error is reported; items and
/// members after an error are still parsed.
pub fn parse(file: FileId, src: &str) -> (File<'_>, Vec<Diagnostic>) {
    let (ast, diags, _) = parse_with_fast_path(file, src, true);
    (ast, diags)
}

/// [`parse`], with the hot-path scanner (`fast.rs`) on or off, and how
/// many members it took. Both settings must give the same AST and the same
/// diagnostics: the differential tests and the `fast_path` fuzz target
/// check that through this function.
#[doc(hidden)]
pub fn parse_with_fast_path(
    file: FileId,
    src: &str,
    fast_path: bool,
) -> (File<'_>, Vec<Diagnostic>, usize) {
    // pest runs on the text with comments blanked out (see the grammar's
    // header); the AST borrows from `src`, at the same offsets.
    let blanked = lexer::blank_comments(src);
    let mut p = FileParser {
        src,
        text: blanked.as_deref().unwrap_or(src),
        file,
        diags: Vec::new(),
        out: File::default(),
        toks: Vec::new(),
        fast_path,
        fast_members: 0,
    };
    p.run();
    (p.out, p.diags, p.fast_members)
}

struct FileParser<'s, 't> {
    /// The source: what the AST borrows.
    src: &'s str,
    /// The source with comments blanked out: what pest and the error
    /// analysis read. Offsets are the same as in `src`.
    text: &'t str,
    file: FileId,
    diags: Vec<Diagnostic>,
    out: File<'s>,
    /// The fast path's token buffer, reused from member to member.
    toks: Vec<Tok>,
    /// Whether members are first tried with the fast path.
    fast_path: bool,
    /// How many members the fast path took.
    fast_members: usize,
}

impl<'s, 't> FileParser<'s, 't> {
    fn run(&mut self) {
        let mut pos = if self.text.starts_with(BOM) {
            BOM.len()
        } else {
            0
        };
        loop {
            pos = lexer::skip_trivia(self.text, pos);
            if pos >= self.text.len() {
                break;
            }
            pos = match lexer::word_at(self.text, pos) {
                Some("contract") => self.item(pos, Rule::contract),
                Some("role") => self.item(pos, Rule::role),
                Some("script") => self.script(pos),
                _ => {
                    self.diags
                        .push(errors::unexpected_top_level(self.file, self.text, pos));
                    let next = self.resync_item(pos);
                    self.broken(pos, next);
                    next
                }
            };
        }
    }

    /// Run pest on the text from `pos`. On failure the diagnostic is
    /// recorded and `Err` carries the absolute error offset.
    fn run_rule(&mut self, rule: Rule, pos: usize) -> Result<Pair<'t, Rule>, usize> {
        let input = &self.text[pos..];
        match CallscriptParser::parse(rule, input) {
            Ok(mut pairs) => Ok(pairs
                .next()
                .expect("a successful parse has its rule's pair")),
            Err(_) => {
                // The fast path tracks no error detail. Parse the failing
                // item again with pest's record of what it expected at the
                // furthest position, so that the message can name
                // punctuation (`{`, `->`) as well as rules. The switch is
                // global and only ever turned on, so every failing item's
                // message comes from a detailed run, whatever other threads
                // do: messages stay deterministic.
                pest::set_error_detail(true);
                let err = match CallscriptParser::parse(rule, input) {
                    Err(err) => err,
                    // pest is deterministic; were it not, the success wins.
                    Ok(mut pairs) => {
                        return Ok(pairs
                            .next()
                            .expect("a successful parse has its rule's pair"));
                    }
                };
                let diag = errors::from_pest(self.file, self.text, pos, rule, &err);
                let at = diag.span.start as usize;
                self.diags.push(diag);
                Err(at)
            }
        }
    }

    /// A whole `contract` or `role` item.
    fn item(&mut self, pos: usize, rule: Rule) -> usize {
        match self.run_rule(rule, pos) {
            Ok(pair) => {
                let end = pos + pair.as_span().end();
                let b = Builder::new(self, pos);
                let item = match rule {
                    Rule::contract => Item::Contract(b.contract(pair)),
                    _ => Item::Role(b.role(pair)),
                };
                self.out.items.push(item);
                end
            }
            Err(at) => {
                let next = self.resync_item(at.max(pos + 1));
                self.broken(pos, next);
                next
            }
        }
    }

    /// A script: its head, then member after member until `}`.
    fn script(&mut self, start: usize) -> usize {
        let head = match self.run_rule(Rule::script_head, start) {
            Ok(pair) => pair,
            Err(at) => {
                let next = self.resync_item(at.max(start + 1));
                self.broken(start, next);
                return next;
            }
        };
        let mut pos = start + head.as_span().end();
        let mut script = Builder::new(self, start).script_head(head);
        loop {
            pos = lexer::skip_trivia(self.text, pos);
            let unclosed = if pos >= self.text.len() {
                true
            } else if self.text.as_bytes()[pos] == b'}' {
                pos += 1;
                false
            } else {
                let rule = member_rule(ascii_word_at(self.text, pos));
                if rule.is_none() && self.at_item_header(pos) {
                    self.diags
                        .push(errors::unclosed_script(self.file, self.text, &script, pos));
                    script.broken = true;
                    break;
                }
                if let Some(rule @ (Rule::step | Rule::handoff | Rule::end)) = rule
                    && self.fast_path
                {
                    let mut toks = std::mem::take(&mut self.toks);
                    if let Some(end) = fast::member(self.text, pos, rule, &mut toks) {
                        Builder::new(self, pos).node_into(
                            rule,
                            Span::new(pos, end),
                            &toks,
                            &mut script,
                        );
                        self.toks = toks;
                        self.fast_members += 1;
                        pos = end;
                        continue;
                    }
                    self.toks = toks;
                }
                let result = match rule {
                    Some(rule) => self.run_rule(rule, pos),
                    None => {
                        self.diags
                            .push(errors::unexpected_member(self.file, self.text, pos));
                        Err(pos)
                    }
                };
                match result {
                    Ok(pair) => {
                        let end = pos + pair.as_span().end();
                        Builder::new(self, pos).member(pair, &mut script);
                        pos = end;
                    }
                    Err(at) => {
                        script.broken = true;
                        pos = self.resync_member(pos, at);
                    }
                }
                continue;
            };
            if unclosed {
                self.diags
                    .push(errors::unclosed_script(self.file, self.text, &script, pos));
                script.broken = true;
            }
            break;
        }
        script.span = Span::new(start, pos);
        self.out.items.push(Item::Script(script));
        pos
    }

    fn broken(&mut self, start: usize, end: usize) {
        let mut toks = lexer::tokens(self.src, start);
        let keyword = toks.next().map_or("", |t| t.text(self.src));
        let name = match keyword {
            "role" | "script" => toks
                .next()
                .filter(|t| t.kind == TokenKind::Word)
                .map(|t| t.text(self.src)),
            _ => None,
        };
        self.out.broken.push(BrokenItem {
            keyword,
            name,
            span: Span::new(start, end.max(start)),
        });
    }

    /// Does an item header (`contract "…"`, `role x "…"`, `script x "…"`)
    /// start at `pos`?
    fn at_item_header(&self, pos: usize) -> bool {
        let mut toks = lexer::tokens(self.text, pos);
        let Some(kw) = toks.next() else { return false };
        if kw.start != pos || kw.kind != TokenKind::Word {
            return false;
        }
        let is_str = |t: Option<lexer::Token>| matches!(t, Some(t) if matches!(t.kind, TokenKind::Str { .. }));
        match kw.text(self.text) {
            "contract" => is_str(toks.next()),
            "role" | "script" => {
                matches!(toks.next(), Some(t) if t.kind == TokenKind::Word) && is_str(toks.next())
            }
            _ => false,
        }
    }

    /// After a top-level error: the next item header that starts a line.
    fn resync_item(&self, from: usize) -> usize {
        lexer::tokens(self.text, from)
            .find(|t| t.line_start && t.kind == TokenKind::Word && self.at_item_header(t.start))
            .map_or(self.text.len(), |t| t.start)
    }

    /// After an error in the member starting at `start` (error at `at`):
    /// the next member keyword that starts a line, the `}` that closes the
    /// script, or the next item header, whichever comes first.
    fn resync_member(&self, start: usize, at: usize) -> usize {
        let mut depth = 0i64;
        for t in lexer::tokens(self.text, start) {
            match t.kind {
                TokenKind::Punct('{') => depth += 1,
                TokenKind::Punct('}') => {
                    depth -= 1;
                    if depth < 0 {
                        return t.start;
                    }
                }
                TokenKind::Word if t.line_start && t.start > start && t.start >= at => {
                    let w = t.text(self.text);
                    if MEMBER_KEYWORDS.contains(&w) || self.at_item_header(t.start) {
                        return t.start;
                    }
                }
                _ => {}
            }
        }
        self.text.len()
    }
}

/// The run of ASCII letters, digits and `_` at `pos`: enough to recognise
/// a keyword, without decoding characters.
fn ascii_word_at(src: &str, pos: usize) -> &str {
    let bytes = &src.as_bytes()[pos..];
    let len = bytes
        .iter()
        .position(|b| !(b.is_ascii_alphanumeric() || *b == b'_'))
        .unwrap_or(bytes.len());
    &src[pos..pos + len]
}

/// The rule of the script member that starts with `word`.
fn member_rule(word: &str) -> Option<Rule> {
    Some(match word {
        "step" => Rule::step,
        "handoff" => Rule::handoff,
        "end" => Rule::end,
        "kind" => Rule::kind,
        "schedule" => Rule::schedule,
        "deadline" => Rule::deadline,
        "start" => Rule::start,
        "mandatory" => Rule::mandatory,
        _ => return None,
    })
}

/// The first `goto`, and the first `goto` or `otherwise`, among a step's
/// exits so far (indices): what a later exit can clash with.
#[derive(Clone, Copy, Default)]
struct FirstExits {
    goto: Option<usize>,
    other: Option<usize>,
}

/// Builds AST nodes from the pairs of one pest run that started at `base`.
struct Builder<'p, 's> {
    base: usize,
    file: FileId,
    /// The source the AST borrows from (pest ran on a copy with the
    /// comments blanked out, at the same offsets).
    src: &'s str,
    diags: &'p mut Vec<Diagnostic>,
}

impl<'p, 's> Builder<'p, 's> {
    fn new(parser: &'p mut FileParser<'s, '_>, base: usize) -> Self {
        Builder {
            base,
            file: parser.file,
            src: parser.src,
            diags: &mut parser.diags,
        }
    }

    fn span(&self, p: &Pair<'_, Rule>) -> Span {
        let s = p.as_span();
        Span::new(self.base + s.start(), self.base + s.end())
    }

    fn ident(&self, p: Pair<'_, Rule>) -> Ident<'s> {
        self.ident_at(self.span(&p))
    }

    fn raw(&self, p: Pair<'_, Rule>) -> Raw<'s> {
        self.raw_at(self.span(&p))
    }

    fn string(&self, p: Pair<'_, Rule>) -> Str<'s> {
        self.string_at(self.span(&p))
    }

    /// The identifier, raw value or string literal at `span` (pest's pair
    /// or the fast path's token).
    fn ident_at(&self, span: Span) -> Ident<'s> {
        Ident {
            span,
            name: &self.src[span.range()],
        }
    }

    fn raw_at(&self, span: Span) -> Raw<'s> {
        Raw {
            span,
            raw: &self.src[span.range()],
        }
    }

    fn string_at(&self, span: Span) -> Str<'s> {
        Str {
            span,
            raw: &self.src[span.start as usize + 1..span.end as usize - 1],
        }
    }

    // ------------------------------------------------------------ contract

    fn contract(mut self, p: Pair<'_, Rule>) -> Contract<'s> {
        let span = self.span(&p);
        let mut inner = p.into_inner();
        let title = self.string(next(&mut inner));
        let header = Span::new(span.start as usize, title.span.end as usize);
        let fields = inner.map(|f| self.contract_field(f)).collect();
        Contract {
            header,
            title,
            fields,
            span,
        }
    }

    fn contract_field(&mut self, p: Pair<'_, Rule>) -> ContractField<'s> {
        let span = self.span(&p);
        let rule = p.as_rule();
        let mut inner = p.into_inner();
        let kind = match rule {
            Rule::customer => ContractFieldKind::Customer(self.string(next(&mut inner))),
            Rule::contractor => ContractFieldKind::Contractor(self.string(next(&mut inner))),
            Rule::operators => ContractFieldKind::Operators(self.raw(next(&mut inner))),
            Rule::assistance => ContractFieldKind::Assistance(self.raw(next(&mut inner))),
            Rule::crm => ContractFieldKind::Crm(self.string(next(&mut inner))),
            Rule::priority => ContractFieldKind::Priority(inner.map(|s| self.string(s)).collect()),
            Rule::client_base => ContractFieldKind::ClientBase(self.raw(next(&mut inner))),
            Rule::schedule => ContractFieldKind::Schedule(self.schedule(span, inner)),
            Rule::timezone => ContractFieldKind::Timezone(self.string(next(&mut inner))),
            Rule::volume => ContractFieldKind::Volume {
                count: self.raw(next(&mut inner)),
                per: self.raw(next(&mut inner)),
            },
            Rule::handoff_sla => ContractFieldKind::HandoffSla(self.raw(next(&mut inner))),
            Rule::quality => ContractFieldKind::Quality {
                side: self.raw(next(&mut inner)),
                name: self.string(next(&mut inner)),
                position: self.string(next(&mut inner)),
            },
            Rule::mandatory => ContractFieldKind::Mandatory(self.string(next(&mut inner))),
            other => unreachable_rule(other),
        };
        ContractField { kind, span }
    }

    /// The value of `schedule`/`hours`: the pairs after the keyword.
    fn schedule(&self, stmt: Span, inner: Pairs<'_, Rule>) -> Schedule<'s> {
        let mut windows = Vec::new();
        let mut always = false;
        let mut first = None;
        let mut last = stmt;
        for p in inner {
            let span = self.span(&p);
            first.get_or_insert(span);
            last = span;
            match p.as_rule() {
                Rule::always => always = true,
                Rule::window => windows.push(self.window(p)),
                other => unreachable_rule(other),
            }
        }
        let span = first.map_or(stmt, |f| f.to(last));
        let kind = if always {
            ScheduleKind::Always
        } else {
            ScheduleKind::Windows(windows)
        };
        Schedule { kind, span }
    }

    fn window(&self, p: Pair<'_, Rule>) -> Window<'s> {
        let span = self.span(&p);
        let mut days = None;
        let mut from = None;
        let mut to = None;
        for part in p.into_inner() {
            match part.as_rule() {
                Rule::days => {
                    let dspan = self.span(&part);
                    let mut d = part.into_inner();
                    let first = self.raw(next(&mut d));
                    let last = d.next().map(|l| self.raw(l));
                    days = Some(Days {
                        first,
                        last,
                        span: dspan,
                    });
                }
                Rule::time_range => {
                    let mut t = part.into_inner();
                    from = Some(self.raw(next(&mut t)));
                    to = Some(self.raw(next(&mut t)));
                }
                other => unreachable_rule(other),
            }
        }
        Window {
            days,
            from: from.expect("grammar: a window has a time range"),
            to: to.expect("grammar: a time range has two times"),
            span,
        }
    }

    // ------------------------------------------------------------ role

    fn role(self, p: Pair<'_, Rule>) -> Role<'s> {
        let span = self.span(&p);
        let mut inner = p.into_inner();
        let name = self.ident(next(&mut inner));
        let title = self.string(next(&mut inner));
        let header = Span::new(span.start as usize, name.span.end as usize);
        let fields = inner
            .map(|f| {
                let fspan = self.span(&f);
                let rule = f.as_rule();
                let mut i = f.into_inner();
                let kind = match rule {
                    Rule::contact => RoleFieldKind::Contact {
                        name: self.string(next(&mut i)),
                        position: self.string(next(&mut i)),
                    },
                    Rule::channel => RoleFieldKind::Channel(self.string(next(&mut i))),
                    Rule::hours => RoleFieldKind::Hours(self.schedule(fspan, i)),
                    other => unreachable_rule(other),
                };
                RoleField { kind, span: fspan }
            })
            .collect();
        Role {
            name,
            title,
            header,
            fields,
            span,
        }
    }

    // ------------------------------------------------------------ script

    fn script_head(self, p: Pair<'_, Rule>) -> Script<'s> {
        let span = self.span(&p);
        let mut inner = p.into_inner();
        let name = self.ident(next(&mut inner));
        let title = self.string(next(&mut inner));
        Script {
            header: Span::new(span.start as usize, name.span.end as usize),
            name,
            title,
            settings: Vec::new(),
            nodes: Vec::new(),
            span,
            broken: false,
        }
    }

    fn member(mut self, p: Pair<'_, Rule>, script: &mut Script<'s>) {
        let span = self.span(&p);
        let rule = p.as_rule();
        let mut inner = p.into_inner();
        let setting = match rule {
            Rule::kind => SettingKind::Kind(self.raw(next(&mut inner))),
            Rule::schedule => SettingKind::Schedule(self.schedule(span, inner)),
            Rule::deadline => SettingKind::Deadline(self.raw(next(&mut inner))),
            Rule::start => SettingKind::Start(self.ident(next(&mut inner))),
            Rule::mandatory => SettingKind::Mandatory(self.string(next(&mut inner))),
            Rule::step | Rule::handoff | Rule::end => {
                let toks: Vec<Tok> = inner
                    .flatten()
                    .map(|p| Tok {
                        rule: p.as_rule(),
                        span: self.span(&p),
                    })
                    .collect();
                self.node_into(rule, span, &toks, script);
                return;
            }
            other => unreachable_rule(other),
        };
        script.settings.push(Setting {
            kind: setting,
            span,
        });
    }

    /// A step, handoff or end from its tokens (from pest or from the fast
    /// path, which gives the same ones), added to `script`.
    fn node_into(&mut self, rule: Rule, span: Span, toks: &[Tok], script: &mut Script<'s>) {
        let before = self.diags.len();
        let node = self.node(rule, span, &mut toks.iter().copied());
        if self.diags.len() > before {
            script.broken = true;
        }
        script.nodes.push(node);
    }

    fn node(&mut self, rule: Rule, span: Span, inner: &mut Toks<'_>) -> Node<'s> {
        let name = self.ident_at(take(inner).span);
        let header = Span::new(span.start as usize, name.span.end as usize);
        let kind = match rule {
            Rule::step => NodeKind::Step(self.step(inner)),
            Rule::handoff => NodeKind::Handoff(self.handoff(name, inner)),
            _ => NodeKind::End(self.end(inner)),
        };
        Node {
            name,
            header,
            kind,
            span,
        }
    }

    /// Operator text: a string whose braces must form `{field}`
    /// interpolations (checked by the grammar's `text_body`, only when the
    /// text has a brace).
    fn text(&mut self, t: Tok) -> Text<'s> {
        let Str { span, raw } = self.string_at(t.span);
        let text = Text { span, raw };
        if memchr::memchr2(b'{', b'}', text.raw.as_bytes()).is_some()
            && CallscriptParser::parse(Rule::text_body, text.raw).is_err()
        {
            self.diags
                .push(errors::text_problem(self.file, text.span, text.raw));
        }
        text
    }

    /// A line (`say`, `ask`, `note`) starting at token `p`; an `ask` with a
    /// field takes its text from `inner`.
    fn line(&mut self, t: Tok, inner: &mut Toks<'_>) -> Line<'s> {
        let (kind, field, text) = match t.rule {
            Rule::say_text => (LineKind::Say, None, self.text(t)),
            Rule::note_text => (LineKind::Note, None, self.text(t)),
            Rule::ask_text => (LineKind::Ask, None, self.text(t)),
            _ => {
                let field = self.ident_at(t.span);
                let text = self.text(take(inner));
                (LineKind::Ask, Some(field), text)
            }
        };
        let start = field.map_or(text.span.start, |f| f.span.start);
        Line {
            kind,
            field,
            text,
            span: Span::new(start as usize, text.span.end as usize),
        }
    }

    fn step(&mut self, inner: &mut Toks<'_>) -> Step<'s> {
        let mut step = Step {
            duration: None,
            max: None,
            lines: Vec::new(),
            exits: Vec::new(),
        };
        let mut firsts = FirstExits::default();
        while let Some(t) = inner.next() {
            match t.rule {
                Rule::duration => step.duration = Some(self.raw_at(t.span)),
                Rule::max_count => step.max = Some(self.raw_at(t.span)),
                Rule::say_text | Rule::ask_text | Rule::ask_field | Rule::note_text => {
                    let line = self.line(t, inner);
                    if let Some(first_exit) = step.exits.first() {
                        let d = Diagnostic::new(
                            Code::Syntax,
                            self.file,
                            line.span,
                            format!("`{}` after the step's exits", line.kind.as_str()),
                        )
                        .with_label(first_exit.span, "the exits start here")
                        .with_help(
                            "write the operator's lines (`say`, `ask`, `note`) first, then `on`/`otherwise` or `goto`",
                        );
                        self.diags.push(d);
                    }
                    step.lines.push(line);
                }
                Rule::answer | Rule::otherwise | Rule::goto => {
                    let exit = self.exit(t, inner);
                    self.check_exit(&step.exits, firsts, &exit);
                    let i = step.exits.len();
                    match exit.kind {
                        ExitKind::On(_) => {}
                        ExitKind::Goto => {
                            firsts.goto.get_or_insert(i);
                            firsts.other.get_or_insert(i);
                        }
                        ExitKind::Otherwise => {
                            firsts.other.get_or_insert(i);
                        }
                    }
                    step.exits.push(exit);
                }
                other => unreachable_rule(other),
            }
        }
        if let Some(first) = step.exits.first() {
            let has_on = step.exits.iter().any(|e| matches!(e.kind, ExitKind::On(_)));
            let has_goto = step.exits.iter().any(|e| matches!(e.kind, ExitKind::Goto));
            if !has_on && !has_goto {
                let d = Diagnostic::new(
                    Code::Syntax,
                    self.file,
                    first.span,
                    "`otherwise` without any `on` answer",
                )
                .with_help(format!(
                    "`otherwise` is the exit for answers not listed; to always continue to the same step, write `goto {}`",
                    first.target.name
                ));
                self.diags.push(d);
            }
        }
        step
    }

    /// Syntax rules on the mix of a step's exits.
    fn check_exit(&mut self, before: &[Exit<'s>], firsts: FirstExits, exit: &Exit<'s>) {
        let clash = |k: &ExitKind<'_>| match (&exit.kind, k) {
            (ExitKind::Goto, ExitKind::Goto) => Some((
                "a step has only one `goto`",
                "the first `goto`",
                "remove one of them, or branch on the answer with `on \"…\" -> step`",
            )),
            (ExitKind::Goto, _) | (_, ExitKind::Goto) => Some((
                "`goto` cannot be combined with `on`/`otherwise`",
                "the other exit",
                "a step either always continues to one step (`goto`) or branches on the client's answer (`on`, `otherwise`)",
            )),
            (ExitKind::Otherwise, ExitKind::Otherwise) => Some((
                "a step has at most one `otherwise`",
                "the first `otherwise`",
                "remove one of them",
            )),
            _ => None,
        };
        // The first earlier exit this one clashes with, found in constant
        // time: a step may have tens of thousands of answers.
        let prev = match exit.kind {
            ExitKind::Goto => before.first(),
            ExitKind::On(_) => firsts.goto.map(|i| &before[i]),
            ExitKind::Otherwise => firsts.other.map(|i| &before[i]),
        };
        if let Some((prev, (msg, label, help))) = prev.and_then(|b| clash(&b.kind).map(|c| (b, c)))
        {
            let d = Diagnostic::new(Code::Syntax, self.file, exit.span, msg)
                .with_label(prev.span, label)
                .with_help(help);
            self.diags.push(d);
        }
    }

    /// An exit starting at token `p`: an `on` answer (whose target follows
    /// in `inner`; the span runs from the answer to the target), or an
    /// `otherwise` or `goto` statement.
    fn exit(&self, t: Tok, inner: &mut Toks<'_>) -> Exit<'s> {
        let span = t.span;
        match t.rule {
            Rule::answer => {
                let answer = self.string_at(t.span);
                let target = self.ident_at(take(inner).span);
                Exit {
                    span: Span::new(answer.span.start as usize, target.span.end as usize),
                    kind: ExitKind::On(answer),
                    target,
                }
            }
            rule => Exit {
                kind: if rule == Rule::otherwise {
                    ExitKind::Otherwise
                } else {
                    ExitKind::Goto
                },
                target: self.ident_at(take(inner).span),
                span,
            },
        }
    }

    /// `task "…" within d`, from its text token; the deadline follows.
    fn task(&mut self, t: Tok, inner: &mut Toks<'_>) -> Task<'s> {
        let text = self.text(t);
        let within = self.raw_at(take(inner).span);
        Task {
            text,
            within,
            span: Span::new(text.span.start as usize, within.span.end as usize),
        }
    }

    fn handoff(&mut self, name: Ident<'s>, inner: &mut Toks<'_>) -> Handoff<'s> {
        let role = self.ident_at(take(inner).span);
        let mut h = Handoff {
            role,
            within: None,
            lines: Vec::new(),
            pass: Vec::new(),
            summary: None,
            tasks: Vec::new(),
            fallback: None,
        };
        let mut summary_span = None;
        let mut fallback_span = None;
        while let Some(t) = inner.next() {
            match t.rule {
                Rule::within => h.within = Some(self.raw_at(t.span)),
                Rule::say_text | Rule::ask_text | Rule::ask_field | Rule::note_text => {
                    let line = self.line(t, inner);
                    h.lines.push(line);
                }
                Rule::pass_field => h.pass.push(self.ident_at(t.span)),
                Rule::summary_text => {
                    let text = self.text(t);
                    if let Some(first) = summary_span {
                        self.duplicate(text.span, first, "summary", name.name);
                    } else {
                        summary_span = Some(text.span);
                        h.summary = Some(text);
                    }
                }
                Rule::task_text => {
                    let task = self.task(t, inner);
                    h.tasks.push(task);
                }
                Rule::fallback_target => {
                    let target = self.ident_at(t.span);
                    if let Some(first) = fallback_span {
                        self.duplicate(target.span, first, "fallback", name.name);
                    } else {
                        fallback_span = Some(target.span);
                        h.fallback = Some(target);
                    }
                }
                other => unreachable_rule(other),
            }
        }
        h
    }

    /// A statement given twice where once is the rule.
    fn duplicate(&mut self, span: Span, first: Span, what: &str, node: &str) {
        self.diags.push(
            Diagnostic::new(
                Code::DuplicateName,
                self.file,
                span,
                format!("`{what}` is given twice in handoff `{node}`"),
            )
            .with_label(first, "first given here")
            .with_help(format!("a handoff has one `{what}`; remove one of them")),
        );
    }

    fn end(&mut self, inner: &mut Toks<'_>) -> End<'s> {
        let outcome = self.string_at(take(inner).span);
        let mut end = End {
            outcome,
            lines: Vec::new(),
            tasks: Vec::new(),
        };
        while let Some(t) = inner.next() {
            match t.rule {
                Rule::task_text => {
                    let task = self.task(t, inner);
                    end.tasks.push(task);
                }
                _ => {
                    let line = self.line(t, inner);
                    end.lines.push(line);
                }
            }
        }
        end
    }
}

/// The tokens of one member, read in order.
type Toks<'a> = std::iter::Copied<std::slice::Iter<'a, Tok>>;

/// The next token, which the grammar guarantees.
fn take(toks: &mut Toks<'_>) -> Tok {
    toks.next().expect("the grammar guarantees this token")
}

/// The next pair of a rule whose shape the grammar guarantees.
fn next<'s>(pairs: &mut Pairs<'s, Rule>) -> Pair<'s, Rule> {
    pairs.next().expect("the grammar guarantees this pair")
}

fn unreachable_rule(rule: Rule) -> ! {
    unreachable!("the grammar does not put {rule:?} here")
}
