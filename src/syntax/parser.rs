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
    let (ast, diags, _) = parse_with(file, src, true, MIN_PIECE);
    (ast, diags)
}

/// The least text, in bytes, a piece of a script scanned on a core of its
/// own gets (see [`FileParser::fast_nodes`]).
const MIN_PIECE: usize = 256 * 1024;

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
    parse_with(file, src, fast_path, MIN_PIECE)
}

/// [`parse_with_fast_path`], with the least piece of a script that is
/// scanned in parallel (`usize::MAX`: never in parallel). The result does
/// not depend on it: the tests and the `fast_path` fuzz target split
/// small inputs into tiny pieces to check that.
#[doc(hidden)]
pub fn parse_with(
    file: FileId,
    src: &str,
    fast_path: bool,
    min_piece: usize,
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
        fast_path,
        fast_members: 0,
        min_piece: min_piece.max(1),
        declined: None,
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
    /// Whether members are first tried with the fast path.
    fast_path: bool,
    /// How many members the fast path took.
    fast_members: usize,
    /// The least piece of a script scanned on a core of its own.
    min_piece: usize,
    /// Where the fast path last declined a member: pest parses it.
    declined: Option<usize>,
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
        // Only a script's first run of nodes is cut into pieces: finding
        // the cuts reads ahead, which must not happen at every run.
        let mut cut_once = false;
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
                if let Some(Rule::step | Rule::handoff | Rule::end) = rule
                    && self.fast_path
                    && self.declined != Some(pos)
                {
                    let run = self.fast_nodes(pos, !cut_once);
                    cut_once = true;
                    if run.declined {
                        self.declined = Some(run.next);
                    }
                    self.fast_members += run.nodes.len();
                    script.broken |= run.broken;
                    if script.nodes.is_empty() {
                        script.nodes = run.nodes;
                    } else {
                        script.nodes.extend(run.nodes);
                    }
                    self.diags.extend(run.diags);
                    pos = run.end;
                    continue;
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

    /// The steps, handoffs and ends from `pos` on that the fast path
    /// takes, up to the first member it does not.
    ///
    /// `in_pieces`: a long run is scanned in pieces, one per core: the text ahead is cut
    /// where lines start with a node keyword, and each piece is scanned
    /// from its cut. Each piece's nodes are used only if the piece before
    /// ended exactly at its cut, so the result is what one scan from `pos`
    /// gives; a cut that falls inside a member (say, in a string) costs its
    /// pieces, never correctness.
    fn fast_nodes(&self, pos: usize, in_pieces: bool) -> Run<'s> {
        // One piece per core; tests that ask for tiny pieces get many.
        let pieces = if !in_pieces {
            1
        } else if self.min_piece < MIN_PIECE {
            16
        } else {
            rayon::current_num_threads()
        };
        let cuts = cuts(self.text, pos, self.min_piece, pieces);
        if cuts.is_empty() {
            return fast_run(self.file, self.src, self.text, pos, usize::MAX);
        }
        use rayon::prelude::*;
        let starts: Vec<usize> = std::iter::once(pos).chain(cuts.iter().copied()).collect();
        let runs: Vec<Run<'s>> = starts
            .par_iter()
            .enumerate()
            .map(|(i, &start)| {
                let stop = starts.get(i + 1).copied().unwrap_or(usize::MAX);
                fast_run(self.file, self.src, self.text, start, stop)
            })
            .collect();
        let mut runs = runs.into_iter();
        let mut all = runs.next().unwrap_or_else(|| Run::at(pos));
        all.nodes
            .reserve(runs.as_slice().iter().map(|r| r.nodes.len()).sum());
        for (run, cut) in runs.zip(cuts) {
            if all.next != cut {
                break;
            }
            all.append(run);
        }
        all
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

/// Consecutive nodes taken by the fast path (see
/// [`FileParser::fast_nodes`]).
struct Run<'s> {
    nodes: Vec<Node<'s>>,
    diags: Vec<Diagnostic>,
    /// Whether a node had a problem (its script is then marked broken).
    broken: bool,
    /// Where the last node ends.
    end: usize,
    /// Where the member after the run starts (after trivia).
    next: usize,
    /// Whether the run stopped because the fast path declined that member.
    declined: bool,
}

impl Run<'_> {
    fn at(pos: usize) -> Self {
        Run {
            nodes: Vec::new(),
            diags: Vec::new(),
            broken: false,
            end: pos,
            next: pos,
            declined: false,
        }
    }

    /// `self` followed by `later`, which starts where `self` stops.
    fn append(&mut self, later: Self) {
        if !later.nodes.is_empty() {
            self.end = later.end;
        }
        self.next = later.next;
        self.declined = later.declined;
        self.broken |= later.broken;
        self.nodes.extend(later.nodes);
        self.diags.extend(later.diags);
    }
}

/// The nodes the fast path takes from `pos` on, stopping before a member
/// that starts at or after `stop`.
fn fast_run<'s>(file: FileId, src: &'s str, text: &str, mut pos: usize, stop: usize) -> Run<'s> {
    let mut run = Run::at(pos);
    // Room for the nodes of a typical script (a step of two lines and a
    // few answers is 200 bytes or more), so that a long run is not copied
    // from vector to vector as it grows; capacity is not memory touched.
    run.nodes
        .reserve((stop.min(text.len()).saturating_sub(pos)) / BYTES_PER_NODE);
    let mut toks = Vec::new();
    loop {
        let at = lexer::skip_trivia(text, pos);
        run.next = at;
        if at >= stop || at >= text.len() {
            break;
        }
        let Some(rule @ (Rule::step | Rule::handoff | Rule::end)) =
            member_rule(ascii_word_at(text, at))
        else {
            break;
        };
        let Some(end) = fast::member(text, at, rule, &mut toks) else {
            run.declined = true;
            break;
        };
        let mut b = Builder {
            base: at,
            file,
            src,
            diags: &mut run.diags,
            verbatim: escape_free(&src.as_bytes()[at..end]),
        };
        let (node, broken) = b.node_checked(rule, Span::new(at, end), &toks);
        run.broken |= broken;
        run.nodes.push(node);
        run.end = end;
        pos = end;
    }
    run
}

/// The fewest bytes a node takes in the scripts [`fast_run`] reserves
/// room for.
const BYTES_PER_NODE: usize = 128;

/// Where to cut the text after `pos` into at most `pieces` pieces of at
/// least `min_piece` bytes, for [`FileParser::fast_nodes`]: starts of lines
/// that begin with `step`, `handoff` or `end` (after indentation), before
/// the next item at the start of a line (a cut past the script's end would
/// be wasted). Increasing; empty when the text is too short.
fn cuts(text: &str, pos: usize, min_piece: usize, pieces: usize) -> Vec<usize> {
    let bytes = text.as_bytes();
    if pieces < 2 || bytes.len() - pos < 2 * min_piece {
        return Vec::new();
    }
    let limit = next_item_line(bytes, pos);
    let len = limit - pos;
    let pieces = pieces.min(len / min_piece);
    let mut cuts = Vec::new();
    if pieces < 2 {
        return cuts;
    }
    for k in 1..pieces {
        let from = (pos + len / pieces * k).max(cuts.last().map_or(pos + 1, |&c| c + 1));
        if let Some(cut) = line_of_node(bytes, from, limit) {
            cuts.push(cut);
        }
    }
    cuts
}

/// Where the first line after `pos` that starts with an item keyword
/// (`script `, `role `, `contract `) starts, or the end of the text.
///
/// Item lines are rare: each keyword is searched for after a line break
/// with `memmem` (a few bytes compared per block), not line by line (a
/// branch per line). On a 3.5 MB script that is ~0.15 ms a keyword
/// instead of ~1 ms, and it runs before the script's pieces can start.
fn next_item_line(bytes: &[u8], pos: usize) -> usize {
    let mut best = bytes.len();
    for kw in ITEM_KEYWORDS {
        let needle = [b"\n", kw.as_bytes()].concat();
        // Only a line that starts before the best so far can be better.
        let end = (best + kw.len()).min(bytes.len());
        let Some(hay) = bytes.get(pos..end) else {
            continue;
        };
        let found = memchr::memmem::find_iter(hay, &needle)
            .map(|i| pos + i + 1)
            .find(|&at| matches!(bytes.get(at + kw.len()), Some(b' ' | b'\t')));
        if let Some(at) = found {
            best = best.min(at);
        }
    }
    best
}

/// The first start of a line at or after `from` (before `limit`) whose
/// first word is a node keyword followed by a space or tab.
fn line_of_node(bytes: &[u8], mut from: usize, limit: usize) -> Option<usize> {
    while from < limit {
        let nl = from + memchr::memchr(b'\n', &bytes[from..limit])?;
        let mut at = nl + 1;
        while at < limit && matches!(bytes[at], b' ' | b'\t') {
            at += 1;
        }
        let word = &bytes[at..limit];
        for kw in [&b"step"[..], b"handoff", b"end"] {
            if word.starts_with(kw) && matches!(word.get(kw.len()), Some(b' ' | b'\t')) {
                return Some(at);
            }
        }
        from = nl + 1;
    }
    None
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
    /// The text being built holds no backslash and no control character
    /// but line feeds ([`escape_free`]): every string in it is verbatim
    /// ([`Str::is_verbatim`]) without being scanned.
    verbatim: bool,
}

impl<'p, 's> Builder<'p, 's> {
    fn new(parser: &'p mut FileParser<'s, '_>, base: usize) -> Self {
        Builder {
            base,
            file: parser.file,
            src: parser.src,
            diags: &mut parser.diags,
            verbatim: false,
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
        let raw = &self.src[span.start as usize + 1..span.end as usize - 1];
        if self.verbatim {
            Str::new_verbatim(raw, span)
        } else {
            Str::new(raw, span)
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
        let (node, broken) = self.node_checked(rule, span, toks);
        script.broken |= broken;
        script.nodes.push(node);
    }

    /// The node, and whether it had a problem.
    fn node_checked(&mut self, rule: Rule, span: Span, toks: &[Tok]) -> (Node<'s>, bool) {
        let before = self.diags.len();
        let node = self.node(rule, span, &mut toks.iter().copied());
        (node, self.diags.len() > before)
    }

    fn node(&mut self, rule: Rule, span: Span, inner: &mut Toks<'_>) -> Node<'s> {
        let name = self.ident_at(take(inner).span);
        let header = Span::new(span.start as usize, name.span.end as usize);
        let kind = match rule {
            Rule::step => NodeKind::Step(self.step(inner)),
            Rule::handoff => NodeKind::Handoff(Box::new(self.handoff(name, inner))),
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
        let s = self.string_at(t.span);
        let braces = memchr::memchr2(b'{', b'}', s.raw.as_bytes()).is_some();
        let text = Text::of(s, braces);
        if braces && CallscriptParser::parse(Rule::text_body, text.raw).is_err() {
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
            lines: Vec::with_capacity(count(inner, LINE_TEXTS)),
            exits: Vec::with_capacity(count(inner, &[Rule::answer, Rule::otherwise, Rule::goto])),
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
                        .with_label(first_exit.target.span, "the exits start here")
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
                    first.target.span,
                    "`otherwise` without any `on` answer",
                )
                .with_help(format!(
                    "`otherwise` is the exit for answers not listed; to always continue to the same step, write `goto {}`",
                    first.target.name.name
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
            let d = Diagnostic::new(Code::Syntax, self.file, exit.target.span, msg)
                .with_label(prev.target.span, label)
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
                    kind: ExitKind::On(answer),
                    target: Target {
                        span: Span::new(answer.span.start as usize, target.span.end as usize),
                        name: target,
                        node: None,
                    },
                }
            }
            rule => Exit {
                kind: if rule == Rule::otherwise {
                    ExitKind::Otherwise
                } else {
                    ExitKind::Goto
                },
                target: Target {
                    name: self.ident_at(take(inner).span),
                    node: None,
                    span,
                },
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
            lines: Vec::with_capacity(count(inner, LINE_TEXTS)),
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
            lines: Vec::with_capacity(count(inner, LINE_TEXTS)),
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

/// The token that ends each operator line: one per line.
const LINE_TEXTS: &[Rule] = &[Rule::say_text, Rule::ask_text, Rule::note_text];

/// How many of the tokens left are of one of `rules`: a node's vectors
/// are made at their size (growing one by one, a vector of three lines
/// would have room for four), and a large script has many of them.
fn count(toks: &Toks<'_>, rules: &[Rule]) -> usize {
    toks.clone().filter(|t| rules.contains(&t.rule)).count()
}

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

#[cfg(test)]
mod tests {
    use super::*;

    /// Line by line: the definition [`next_item_line`] must agree with.
    fn next_item_line_naive(bytes: &[u8], pos: usize) -> usize {
        for nl in memchr::memchr_iter(b'\n', &bytes[pos..]) {
            let at = pos + nl + 1;
            let word = &bytes[at..];
            if ITEM_KEYWORDS.iter().any(|kw| {
                word.starts_with(kw.as_bytes()) && matches!(word.get(kw.len()), Some(b' ' | b'\t'))
            }) {
                return at;
            }
        }
        bytes.len()
    }

    #[test]
    fn the_next_item_line_is_the_first_line_that_starts_an_item() {
        let text = "script a \"A\" {\n  step s {}\n}\nscripts\n script x\nrole\tr \"R\"\n\
                    contract \"C\" {}\nrole r2 \"R\"\nscript b \"B\" {\n}\nscript";
        let bytes = text.as_bytes();
        for pos in 0..bytes.len() {
            assert_eq!(
                next_item_line(bytes, pos),
                next_item_line_naive(bytes, pos),
                "from {pos}"
            );
        }
    }

    proptest::proptest! {
        #[test]
        fn the_next_item_line_agrees_with_a_line_by_line_search(
            parts in proptest::collection::vec(
                proptest::sample::select(vec![
                    "\n", "script", "role", "contract", " ", "\t", "x", "step", "{", "}",
                    "\nscript ", "\nrole\t", "\ncontract ", "\nscriptx",
                ]),
                0..40,
            ),
            pos in 0usize..200,
        ) {
            let text: String = parts.concat();
            let pos = pos.min(text.len());
            proptest::prop_assert_eq!(
                next_item_line(text.as_bytes(), pos),
                next_item_line_naive(text.as_bytes(), pos)
            );
        }
    }
}
