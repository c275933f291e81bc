//! The hot path's scanner: steps, handoffs and ends — nearly all of a large
//! script — recognised without pest's per-combinator machinery.
//!
//! The grammar stays the definition of the language. This module is a
//! direct transcription of the grammar's `step`, `handoff` and `end` rules
//! (and the rules they use) into byte-level code with the same PEG
//! semantics, and it produces exactly the tokens pest would: the same
//! rules, the same spans, in the same (pre)order as
//! `pair.into_inner().flatten()`. It never reports anything: whenever a
//! member does not parse, [`member`] returns `None` and the caller runs
//! pest on it, which then either accepts it or reports the error with all
//! of its detail. So the scanner may be *less* accepting than the grammar,
//! never more, and never different.
//!
//! That contract is tested by comparing the two on every member of the
//! fixtures, the example project, generated and mutated projects
//! (`tests/fast_path.rs`) and by a differential fuzz target
//! (`fuzz/fuzz_targets/fast_path.rs`). Identifier characters are pest's own
//! tables (`pest::unicode`), so the two cannot disagree on a Unicode
//! version.
//!
//! Why: pest checks its call limit and the remaining native stack, and
//! snapshots its own stack, on every sequence, repetition and option, and
//! builds a line index on every parse. On the benchmark workload that was
//! two thirds of `check`'s time (see docs/performance.md).

use super::parser::Rule;
use crate::source::Span;

/// A token of a member: a grammar rule and its absolute span, as pest's
/// flattened pairs give it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Tok {
    pub rule: Rule,
    pub span: Span,
}

/// Scan the member starting at `pos` of `text` (comments already blanked
/// out), whose rule is `rule`. On success `out` holds the member's inner
/// tokens (the member's own token excluded) and the member's end offset
/// is returned; `None` means "ask pest". `out` is cleared first.
pub fn member(text: &str, pos: usize, rule: Rule, out: &mut Vec<Tok>) -> Option<usize> {
    out.clear();
    let mut s = Scanner {
        text,
        b: text.as_bytes(),
        out,
    };
    match rule {
        Rule::step => s.step(pos),
        Rule::handoff => s.handoff(pos),
        Rule::end => s.end(pos),
        _ => None,
    }
}

struct Scanner<'a, 'o> {
    text: &'a str,
    b: &'a [u8],
    out: &'o mut Vec<Tok>,
}

impl Scanner<'_, '_> {
    fn push(&mut self, rule: Rule, start: usize, end: usize) {
        self.out.push(Tok {
            rule,
            span: Span::new(start, end),
        });
    }

    fn byte(&self, i: usize) -> Option<u8> {
        self.b.get(i).copied()
    }

    /// The character at `i`, if any (`i` is always a character boundary).
    fn char_at(&self, i: usize) -> Option<char> {
        self.text.get(i..).and_then(|s| s.chars().next())
    }

    /// `XID_CONTINUE` at `i`.
    fn xid_continue_at(&self, i: usize) -> bool {
        match self.byte(i) {
            None => false,
            Some(c) if c.is_ascii() => c.is_ascii_alphanumeric() || c == b'_',
            Some(_) => self.char_at(i).is_some_and(pest::unicode::XID_CONTINUE),
        }
    }

    /// `sp`: space, tab, line feed, carriage return.
    fn sp(&self, mut i: usize) -> usize {
        while let Some(b' ' | b'\t' | b'\n' | b'\r') = self.byte(i) {
            i += 1;
        }
        i
    }

    /// `KW ~ !XID_CONTINUE`.
    fn kw(&self, i: usize, kw: &str) -> Option<usize> {
        let end = i + kw.len();
        (self.b.get(i..end) == Some(kw.as_bytes()) && !self.xid_continue_at(end)).then_some(end)
    }

    /// `ident`: `(XID_START | "_") ~ XID_CONTINUE*`.
    fn ident(&self, i: usize) -> Option<usize> {
        let first = self.byte(i)?;
        let mut j = if first.is_ascii() {
            if !(first.is_ascii_alphabetic() || first == b'_') {
                return None;
            }
            i + 1
        } else {
            let c = self.char_at(i)?;
            if !pest::unicode::XID_START(c) {
                return None;
            }
            i + c.len_utf8()
        };
        loop {
            match self.byte(j) {
                Some(c) if c.is_ascii_alphanumeric() || c == b'_' => j += 1,
                Some(c) if !c.is_ascii() => match self.char_at(j) {
                    Some(ch) if pest::unicode::XID_CONTINUE(ch) => j += ch.len_utf8(),
                    _ => return Some(j),
                },
                _ => return Some(j),
            }
        }
    }

    /// `string_lit`: one line between quotes, escapes `\" \\ \n \{ \}`.
    fn string(&self, i: usize) -> Option<usize> {
        if self.byte(i)? != b'"' {
            return None;
        }
        let mut j = i + 1;
        loop {
            j += memchr::memchr3(b'"', b'\\', b'\n', &self.b[j..])?;
            match self.b[j] {
                b'"' => return Some(j + 1),
                b'\\' => match self.byte(j + 1)? {
                    b'"' | b'\\' | b'n' | b'{' | b'}' => j += 2,
                    _ => return None,
                },
                _ => return None,
            }
        }
    }

    /// `duration_lit`:
    /// `(ASCII_DIGIT+ ~ (!ASCII_DIGIT ~ XID_CONTINUE)+)+ ~ !XID_CONTINUE`.
    fn duration(&self, i: usize) -> Option<usize> {
        let mut j = i;
        loop {
            let mut k = j;
            while self.byte(k).is_some_and(|c| c.is_ascii_digit()) {
                k += 1;
            }
            if k == j {
                break;
            }
            let digits_end = k;
            while self.xid_continue_at(k) && !self.byte(k).is_some_and(|c| c.is_ascii_digit()) {
                k += self.char_at(k).map_or(1, char::len_utf8);
            }
            if k == digits_end {
                break;
            }
            j = k;
        }
        (j > i && !self.xid_continue_at(j)).then_some(j)
    }

    /// `ASCII_DIGIT+ ~ !XID_CONTINUE`.
    fn count(&self, i: usize) -> Option<usize> {
        let mut j = i;
        while self.byte(j).is_some_and(|c| c.is_ascii_digit()) {
            j += 1;
        }
        (j > i && !self.xid_continue_at(j)).then_some(j)
    }

    /// An atomic rule over `ident` at `i`, pushed as `rule`.
    fn ident_tok(&mut self, i: usize, rule: Rule) -> Option<usize> {
        let end = self.ident(i)?;
        self.push(rule, i, end);
        Some(end)
    }

    /// An atomic rule over `string_lit` at `i`, pushed as `rule`.
    fn string_tok(&mut self, i: usize, rule: Rule) -> Option<usize> {
        let end = self.string(i)?;
        self.push(rule, i, end);
        Some(end)
    }

    /// `within` (a deadline) at `i`.
    fn within_tok(&mut self, i: usize) -> Option<usize> {
        let end = self.duration(i)?;
        self.push(Rule::within, i, end);
        Some(end)
    }

    // ------------------------------------------------------------ members

    /// `"step" ~ !XID_CONTINUE ~ sp ~ name ~ sp ~ (duration ~ sp)?
    ///  ~ ("max" ~ !XID_CONTINUE ~ sp ~ max_count ~ sp)?
    ///  ~ "{" ~ sp ~ (step_stmt ~ sp)* ~ "}"`
    fn step(&mut self, i: usize) -> Option<usize> {
        let i = self.kw(i, "step")?;
        let i = self.sp(i);
        let i = self.ident_tok(i, Rule::name)?;
        let mut i = self.sp(i);
        if let Some(end) = self.duration(i) {
            self.push(Rule::duration, i, end);
            i = self.sp(end);
        }
        if let Some(k) = self.kw(i, "max") {
            let k = self.sp(k);
            if let Some(end) = self.count(k) {
                self.push(Rule::max_count, k, end);
                i = self.sp(end);
            }
        }
        self.block(i, Scanner::step_stmt)
    }

    /// `"{" ~ sp ~ (stmt ~ sp)* ~ "}"` at `i`; returns the end.
    fn block(&mut self, i: usize, stmt: fn(&mut Self, usize) -> Option<usize>) -> Option<usize> {
        if self.byte(i)? != b'{' {
            return None;
        }
        let mut i = self.sp(i + 1);
        loop {
            if self.byte(i)? == b'}' {
                return Some(i + 1);
            }
            // A statement that does not parse ends the repetition, and
            // then `}` cannot match where it starts: pest fails too.
            let end = stmt(self, i)?;
            i = self.sp(end);
        }
    }

    /// The ASCII letters of the statement keyword at `i` (the boundary is
    /// checked by `kw`).
    fn keyword(&self, i: usize) -> &[u8] {
        let rest = &self.b[i..];
        let len = rest
            .iter()
            .position(|c| !c.is_ascii_lowercase())
            .unwrap_or(rest.len());
        &rest[..len]
    }

    /// `on | say | otherwise | ask | note | goto`
    fn step_stmt(&mut self, i: usize) -> Option<usize> {
        match self.keyword(i) {
            b"on" => self.on(i),
            b"say" => self.text_stmt(i, "say", Rule::say_text),
            b"otherwise" => self.otherwise(i),
            b"ask" => self.ask(i),
            b"note" => self.text_stmt(i, "note", Rule::note_text),
            b"goto" => self.goto(i),
            _ => None,
        }
    }

    /// `KW ~ !XID_CONTINUE ~ sp ~ RULE` where RULE is a string: `say`,
    /// `note`, `summary`.
    fn text_stmt(&mut self, i: usize, kw: &str, rule: Rule) -> Option<usize> {
        let i = self.kw(i, kw)?;
        let i = self.sp(i);
        self.string_tok(i, rule)
    }

    /// `"on" ~ !XID_CONTINUE ~ sp ~ answer ~ sp ~ "->" ~ sp ~ on_target`
    fn on(&mut self, i: usize) -> Option<usize> {
        let i = self.kw(i, "on")?;
        let i = self.sp(i);
        let i = self.string_tok(i, Rule::answer)?;
        let i = self.arrow(i)?;
        self.ident_tok(i, Rule::on_target)
    }

    /// `sp ~ "->" ~ sp` at `i`.
    fn arrow(&self, i: usize) -> Option<usize> {
        let i = self.sp(i);
        (self.b.get(i..i + 2)? == b"->").then(|| self.sp(i + 2))
    }

    /// `otherwise = ${ "otherwise" ~ !XID_CONTINUE ~ sp ~ "->" ~ sp ~
    /// otherwise_target }`: a token of its own, then its target's.
    fn otherwise(&mut self, start: usize) -> Option<usize> {
        let at = self.out.len();
        self.push(Rule::otherwise, start, start);
        let i = self.kw(start, "otherwise")?;
        let i = self.arrow(i)?;
        let end = self.ident_tok(i, Rule::otherwise_target)?;
        self.out[at].span = Span::new(start, end);
        Some(end)
    }

    /// `goto = ${ "goto" ~ !XID_CONTINUE ~ sp ~ goto_target }`
    fn goto(&mut self, start: usize) -> Option<usize> {
        let at = self.out.len();
        self.push(Rule::goto, start, start);
        let i = self.kw(start, "goto")?;
        let i = self.sp(i);
        let end = self.ident_tok(i, Rule::goto_target)?;
        self.out[at].span = Span::new(start, end);
        Some(end)
    }

    /// `"ask" ~ !XID_CONTINUE ~ sp ~ (ask_field ~ sp)? ~ ask_text`
    fn ask(&mut self, i: usize) -> Option<usize> {
        let i = self.kw(i, "ask")?;
        let mut i = self.sp(i);
        if let Some(end) = self.ident(i) {
            self.push(Rule::ask_field, i, end);
            i = self.sp(end);
        }
        self.string_tok(i, Rule::ask_text)
    }

    /// `"handoff" ~ !XID_CONTINUE ~ sp ~ name ~ sp ~ "to" ~ !XID_CONTINUE
    ///  ~ sp ~ role_ref ~ (sp ~ "within" ~ !XID_CONTINUE ~ sp ~ within)?
    ///  ~ (sp ~ handoff_block | !(sp ~ "{"))`
    fn handoff(&mut self, i: usize) -> Option<usize> {
        let i = self.kw(i, "handoff")?;
        let i = self.sp(i);
        let i = self.ident_tok(i, Rule::name)?;
        let i = self.sp(i);
        let i = self.kw(i, "to")?;
        let i = self.sp(i);
        let mut i = self.ident_tok(i, Rule::role_ref)?;
        if let Some(k) = self.kw(self.sp(i), "within") {
            let k = self.sp(k);
            if let Some(end) = self.within_tok(k) {
                i = end;
            }
        }
        self.optional_block(i, Scanner::handoff_stmt)
    }

    /// `(sp ~ BLOCK | !(sp ~ "{"))` after a member's last token at `i`.
    fn optional_block(
        &mut self,
        i: usize,
        stmt: fn(&mut Self, usize) -> Option<usize>,
    ) -> Option<usize> {
        let j = self.sp(i);
        if self.byte(j) == Some(b'{') {
            self.block(j, stmt)
        } else {
            Some(i)
        }
    }

    /// `say | ask | note | pass | summary | task | fallback`
    fn handoff_stmt(&mut self, i: usize) -> Option<usize> {
        match self.keyword(i) {
            b"say" => self.text_stmt(i, "say", Rule::say_text),
            b"ask" => self.ask(i),
            b"note" => self.text_stmt(i, "note", Rule::note_text),
            b"pass" => self.pass(i),
            b"summary" => self.text_stmt(i, "summary", Rule::summary_text),
            b"task" => self.task(i),
            b"fallback" => {
                let i = self.kw(i, "fallback")?;
                let i = self.sp(i);
                self.ident_tok(i, Rule::fallback_target)
            }
            _ => None,
        }
    }

    /// `"pass" ~ !XID_CONTINUE ~ sp ~ pass_field ~ (sp ~ "," ~ sp ~ pass_field)*`
    fn pass(&mut self, i: usize) -> Option<usize> {
        let i = self.kw(i, "pass")?;
        let i = self.sp(i);
        let mut i = self.ident_tok(i, Rule::pass_field)?;
        loop {
            let j = self.sp(i);
            if self.byte(j) != Some(b',') {
                return Some(i);
            }
            let k = self.sp(j + 1);
            match self.ident(k) {
                Some(end) => {
                    self.push(Rule::pass_field, k, end);
                    i = end;
                }
                None => return Some(i),
            }
        }
    }

    /// `"task" ~ !XID_CONTINUE ~ sp ~ task_text ~ sp ~ "within" ~
    /// !XID_CONTINUE ~ sp ~ within`
    fn task(&mut self, i: usize) -> Option<usize> {
        let i = self.kw(i, "task")?;
        let i = self.sp(i);
        let i = self.string_tok(i, Rule::task_text)?;
        let i = self.sp(i);
        let i = self.kw(i, "within")?;
        let i = self.sp(i);
        self.within_tok(i)
    }

    /// `"end" ~ !XID_CONTINUE ~ sp ~ name ~ sp ~ outcome
    ///  ~ (sp ~ end_block | !(sp ~ "{"))`
    fn end(&mut self, i: usize) -> Option<usize> {
        let i = self.kw(i, "end")?;
        let i = self.sp(i);
        let i = self.ident_tok(i, Rule::name)?;
        let i = self.sp(i);
        let i = self.string_tok(i, Rule::outcome)?;
        self.optional_block(i, Scanner::end_stmt)
    }

    /// `say | ask | note | task`
    fn end_stmt(&mut self, i: usize) -> Option<usize> {
        match self.keyword(i) {
            b"say" => self.text_stmt(i, "say", Rule::say_text),
            b"ask" => self.ask(i),
            b"note" => self.text_stmt(i, "note", Rule::note_text),
            b"task" => self.task(i),
            _ => None,
        }
    }
}
