//! Syntax diagnostics a script writer understands.
//!
//! pest reports the furthest position it reached and the rules it tried
//! there. This module turns that into "expected a step name after `goto`,
//! found `}`": the rules become words of the language, the token found is
//! quoted, and the keyword before the error gives the context. Broken
//! strings (unterminated, bad escapes, bad `{field}`) get messages of
//! their own.

use pest::error::{ErrorVariant, InputLocation};

use super::ast::Script;
use super::lexer::{self, Token, TokenKind};
use super::parser::{ITEM_KEYWORDS, MEMBER_KEYWORDS, Rule};
use crate::diagnostic::{Code, Diagnostic};
use crate::source::{FileId, Span};
use crate::suggest::closest;

/// What a rule stands for, in the words of the language reference.
fn describe(rule: Rule) -> Option<&'static str> {
    use Rule::*;
    Some(match rule {
        contract => "`contract`",
        role => "`role`",
        script | script_head => "`script`",
        customer => "`customer`",
        contractor => "`contractor`",
        operators => "`operators`",
        assistance => "`assistance`",
        crm => "`crm`",
        priority => "`priority`",
        client_base => "`client_base`",
        schedule => "`schedule`",
        timezone => "`timezone`",
        volume => "`volume`",
        handoff_sla => "`handoff_sla`",
        quality => "`quality`",
        mandatory => "`mandatory`",
        contact => "`contact`",
        channel => "`channel`",
        hours => "`hours`",
        kind => "`kind`",
        deadline => "`deadline`",
        start => "`start`",
        step => "`step`",
        handoff => "`handoff`",
        end => "`end`",
        otherwise => "`otherwise`",
        goto => "`goto`",
        kw_contract => "`contract`",
        kw_customer => "`customer`",
        kw_contractor => "`contractor`",
        kw_operators => "`operators`",
        kw_assistance => "`assistance`",
        kw_crm => "`crm`",
        kw_priority => "`priority`",
        kw_client_base => "`client_base`",
        kw_schedule => "`schedule`",
        kw_timezone => "`timezone`",
        kw_volume => "`volume`",
        kw_handoff_sla => "`handoff_sla`",
        kw_quality => "`quality`",
        kw_mandatory => "`mandatory`",
        kw_role => "`role`",
        kw_contact => "`contact`",
        kw_channel => "`channel`",
        kw_hours => "`hours`",
        kw_script => "`script`",
        kw_kind => "`kind`",
        kw_deadline => "`deadline`",
        kw_start => "`start`",
        always | window => "a schedule such as `mon-fri 09:00-18:00` or `24/7`",
        days | day => "a day such as `mon`",
        time_range | time => "a time such as `09:00`",
        duration | within => "a duration (`30s`, `5m`, `1h30m`)",
        number | max_count => "a number",
        name => "a name",
        target | on_target | otherwise_target | goto_target | fallback_target => "a step name",
        role_ref => "a role name",
        ask_field | pass_field => "a field name",
        word => "a word",
        string => "a quoted string",
        answer => "the client's answer in quotes",
        outcome => "the outcome in quotes",
        say_text | ask_text | note_text | summary_text | task_text => "a quoted text",
        _ => return None,
    })
}

/// Groups of expectations that read better as one phrase.
const GROUPS: &[(&[&str], &str)] = &[
    (
        &[
            "`customer`",
            "`contractor`",
            "`operators`",
            "`assistance`",
            "`crm`",
            "`priority`",
            "`client_base`",
            "`schedule`",
            "`timezone`",
            "`volume`",
            "`handoff_sla`",
            "`quality`",
            "`mandatory`",
        ],
        "a contract field (`customer`, `contractor`, `operators`, `schedule`, `handoff_sla`, `quality`, …)",
    ),
    (
        &["`contact`", "`channel`", "`hours`"],
        "`contact`, `channel`, `hours`",
    ),
];

/// Literal tokens worth naming in "expected …".
fn describe_literal(tok: &str) -> Option<&'static str> {
    Some(match tok {
        "{" => "`{`",
        "}" => "`}`",
        "->" => "`->`",
        "," => "`,`",
        "/" => "`/`",
        "-" => "`-`",
        "step" => "`step`",
        "handoff" => "`handoff`",
        "end" => "`end`",
        "max" => "`max`",
        "say" => "`say`",
        "ask" => "`ask`",
        "note" => "`note`",
        "on" => "`on`",
        "otherwise" => "`otherwise`",
        "goto" => "`goto`",
        "to" => "`to`",
        "within" => "`within`",
        "pass" => "`pass`",
        "summary" => "`summary`",
        "task" => "`task`",
        "fallback" => "`fallback`",
        _ => return None,
    })
}

/// A syntax diagnostic from a pest failure of `rule`, run on the text of
/// `src` from `base`.
pub fn from_pest(
    file: FileId,
    src: &str,
    base: usize,
    rule: Rule,
    err: &pest::error::Error<Rule>,
) -> Diagnostic {
    let (mut at, mut expected) = expectations(src, base, err);
    // When the error is at a word (or inside one that merely starts like a
    // keyword: `gotoo`, where `goto` matched and the word boundary did
    // not), ask pest what it accepts where the word starts, by parsing up
    // to the word followed by a character no rule accepts. That names every
    // alternative, which the furthest-failure record alone may not.
    if let Some(t) = lexer::tokens(src, base)
        .take_while(|t| t.start <= at)
        .last()
        .filter(|t| t.kind == TokenKind::Word && t.end > at)
    {
        if let Some(e) = probe(src, base, rule, t.start) {
            expected = e;
        }
        at = t.start;
    }
    let found = lexer::token_at(src, at).filter(|t| t.start == at);

    // A broken string explains itself better than "expected …".
    if let Some(t) = found
        && let TokenKind::Str { .. } = t.kind
        && let Some(d) = string_problem(file, src, t)
    {
        return d;
    }

    let span = found.map_or(Span::new(at, at), |t| Span::new(t.start, t.end));
    let found_text = match found {
        None => "the end of the file".to_string(),
        Some(t) => describe_found(src, t),
    };
    let before = previous_token(src, base, at);
    let help = help_for(src, &expected, found, before);
    let mut message = format!("expected {}", phrase(&mut expected));
    if let Some(prev) = before {
        message.push_str(&format!(" after `{prev}`"));
    }
    message.push_str(&format!(", found {found_text}"));
    let mut d = Diagnostic::new(Code::Syntax, file, span, message);
    if let Some(help) = help {
        d = d.with_help(help);
    }
    d
}

/// Where pest failed (an absolute offset, after trivia) and what it
/// expected there, in the language's words.
fn expectations(
    src: &str,
    base: usize,
    err: &pest::error::Error<Rule>,
) -> (usize, Vec<&'static str>) {
    let rule_pos = match err.location {
        InputLocation::Pos(p) => p,
        InputLocation::Span((s, _)) => s,
    };
    let positives: &[Rule] = match &err.variant {
        ErrorVariant::ParsingError { positives, .. } => positives,
        ErrorVariant::CustomError { .. } => &[],
    };
    let attempts = err.parse_attempts();
    let literals: Vec<&'static str> = attempts
        .as_ref()
        .map(|a| {
            a.expected_tokens()
                .iter()
                .filter_map(|t| describe_literal(&t.to_string()))
                .collect()
        })
        .unwrap_or_default();
    let max_position = attempts.as_ref().map_or(rule_pos, |a| a.max_position);

    // pest's rule-level position can lag behind the furthest point it
    // reached inside a rule (`on "x" s1` fails at `s1`, missing `->`, but
    // the rule `on` is what failed). Prefer the furthest point when pest
    // knows which punctuation or keyword it wanted there.
    let rule_token = lexer::token_at(src, base + rule_pos);
    let inside_rule_token = |p: usize| {
        rule_token.is_some_and(|t| matches!(t.kind, TokenKind::Str { .. }) || base + p < t.end)
    };
    let mut expected: Vec<&'static str> = Vec::new();
    if max_position > rule_pos && !inside_rule_token(max_position) {
        if !literals.is_empty() {
            for l in &literals {
                push_unique(&mut expected, l);
            }
            return (lexer::skip_trivia(src, base + max_position), expected);
        }
        // Inside a word that began like a keyword: the caller probes.
        let inside_word = lexer::tokens(src, base)
            .take_while(|t| t.start < base + max_position)
            .last()
            .is_some_and(|t| t.kind == TokenKind::Word && t.end > base + max_position);
        if inside_word {
            return (base + max_position, expected);
        }
    }
    for r in positives {
        if let Some(d) = describe(*r) {
            push_unique(&mut expected, d);
        }
    }
    if max_position == rule_pos {
        for l in &literals {
            push_unique(&mut expected, l);
        }
    }
    (lexer::skip_trivia(src, base + rule_pos), expected)
}

/// What `rule`, run from `base`, expects at `at`: the text up to `at`
/// followed by a character no rule accepts, parsed with pest's detail.
fn probe(src: &str, base: usize, rule: Rule, at: usize) -> Option<Vec<&'static str>> {
    use pest::Parser as _;
    let mut input = String::with_capacity(at - base + 1);
    input.push_str(&src[base..at]);
    input.push('\u{1}');
    let err = super::parser::CallscriptParser::parse(rule, &input).err()?;
    let (pos, expected) = expectations(&input, 0, &err);
    (pos == at - base && !expected.is_empty()).then_some(expected)
}

fn push_unique(v: &mut Vec<&'static str>, e: &'static str) {
    if !v.contains(&e) {
        v.push(e);
    }
}

/// The order in which expectations are listed: the order a writer types
/// them in; others keep their order, after these.
const ORDER: &[&str] = &[
    "`say`",
    "`ask`",
    "`note`",
    "`on`",
    "`otherwise`",
    "`goto`",
    "`pass`",
    "`summary`",
    "`task`",
    "`fallback`",
    "`->`",
    "`,`",
    "`{`",
    "`}`",
];

/// Join expectations into "a, b or c", folding known groups.
fn phrase(expected: &mut Vec<&'static str>) -> String {
    expected.sort_by_key(|e| ORDER.iter().position(|o| o == e).map_or(0, |i| i + 1));
    for (members, name) in GROUPS {
        let present = members.iter().filter(|m| expected.contains(m)).count();
        if present >= 3 {
            let first = expected
                .iter()
                .position(|e| members.contains(e))
                .unwrap_or(0);
            expected.retain(|e| !members.contains(e));
            expected.insert(first.min(expected.len()), name);
        }
    }
    match expected.len() {
        0 => "something else".to_string(),
        1 => expected[0].to_string(),
        n => format!("{} or {}", expected[..n - 1].join(", "), expected[n - 1]),
    }
}

fn describe_found(src: &str, t: Token) -> String {
    match t.kind {
        TokenKind::Str { .. } => "a string".to_string(),
        TokenKind::Punct(c) if c.is_control() || c == '\u{FEFF}' => {
            format!("the character U+{:04X}", c as u32)
        }
        _ => {
            let text = t.text(src);
            let short: String = text.chars().take(40).collect();
            if short.len() < text.len() {
                format!("`{short}…`")
            } else {
                format!("`{short}`")
            }
        }
    }
}

/// The keyword or arrow right before `at`, within the run that started at
/// `base`, when it gives the error its context.
fn previous_token(src: &str, base: usize, at: usize) -> Option<&str> {
    let last = lexer::tokens(src, base)
        .take_while(|t| t.end <= at)
        .last()?;
    let text = last.text(src);
    let is_keyword = matches!(
        text,
        "goto"
            | "start"
            | "fallback"
            | "to"
            | "within"
            | "max"
            | "pass"
            | "say"
            | "ask"
            | "note"
            | "summary"
            | "task"
            | "on"
            | "otherwise"
            | "kind"
            | "deadline"
            | "schedule"
            | "hours"
            | "step"
            | "handoff"
            | "end"
            | "role"
            | "script"
            | "contract"
            | "customer"
            | "contractor"
            | "operators"
            | "assistance"
            | "crm"
            | "priority"
            | "client_base"
            | "timezone"
            | "volume"
            | "handoff_sla"
            | "quality"
            | "mandatory"
            | "contact"
            | "channel"
    );
    (is_keyword && last.kind == TokenKind::Word || last.kind == TokenKind::Arrow).then_some(text)
}

fn help_for(
    src: &str,
    expected: &[&str],
    found: Option<Token>,
    before: Option<&str>,
) -> Option<String> {
    let found_text = found.map(|t| t.text(src));
    let is_number =
        found_text.is_some_and(|w| !w.is_empty() && w.bytes().all(|b| b.is_ascii_digit()));
    if is_number && expected.iter().any(|e| e.starts_with("a duration")) {
        return Some(format!(
            "a duration needs a unit: `{n}s`, `{n}m`, `{n}h` or `{n}d`",
            n = found_text.unwrap_or_default()
        ));
    }
    if expected.contains(&"`->`") && found.is_some_and(|t| t.kind == TokenKind::Word) {
        return Some("write the exit as `on \"answer\" -> step`".into());
    }
    if before == Some("on") && found.is_some_and(|t| t.kind == TokenKind::Word) {
        return Some("the client's answer is quoted: `on \"Да\" -> next_step`".into());
    }
    if let Some(w) = found_text
        && found.is_some_and(|t| t.kind == TokenKind::Word)
    {
        let candidates: Vec<&str> = expected
            .iter()
            .filter_map(|e| e.strip_prefix('`').and_then(|e| e.strip_suffix('`')))
            .collect();
        if let Some(best) = closest(w, &candidates) {
            return Some(crate::suggest::did_you_mean(best));
        }
        if MEMBER_KEYWORDS.contains(&w) && expected.contains(&"`}`") {
            return Some(format!(
                "`{w}` starts a new part of the script: is a `}}` missing above?"
            ));
        }
    }
    None
}

/// What is wrong with the string token `t`, if anything: an unknown
/// escape, or no closing quote on its line.
fn string_problem(file: FileId, src: &str, t: Token) -> Option<Diagnostic> {
    let TokenKind::Str { terminated } = t.kind else {
        return None;
    };
    let inner_end = if terminated { t.end - 1 } else { t.end };
    let body = &src[t.start + 1..inner_end];
    if let Some(d) = body_problem(file, t.start + 1, body, false) {
        return Some(d);
    }
    (!terminated).then(|| {
        Diagnostic::new(Code::Syntax, file, Span::new(t.start, t.end), "unterminated string")
            .with_help("a string ends on the line it starts: close it with `\"`, and write `\\n` for a line break")
    })
}

/// What is wrong with operator text whose braces `text_body` rejects.
pub fn text_problem(file: FileId, span: Span, raw: &str) -> Diagnostic {
    body_problem(file, span.start as usize + 1, raw, true).unwrap_or_else(|| {
        Diagnostic::new(
            Code::Syntax,
            file,
            span,
            "malformed `{field}` interpolation",
        )
        .with_help("`{name}` inserts the field `name`; write `\\{` and `\\}` for literal braces")
    })
}

/// The first problem in the content of a string starting at byte `start`:
/// an unknown escape, and in operator text (`is_text`) a brace that is not
/// part of a `{field}`.
fn body_problem(file: FileId, start: usize, body: &str, is_text: bool) -> Option<Diagnostic> {
    let bytes = body.as_bytes();
    let at = |i: usize, len: usize| Span::new(start + i, start + i + len);
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'\\' => {
                let next = body[i + 1..].chars().next();
                match next {
                    Some('"' | '\\' | 'n' | '{' | '}') => i += 2,
                    Some(c) => {
                        return Some(
                            Diagnostic::new(
                                Code::Syntax,
                                file,
                                at(i, 1 + c.len_utf8()),
                                format!("unknown escape `\\{c}` in a string"),
                            )
                            .with_help(
                                "the escapes are `\\\"`, `\\\\`, `\\n`, `\\{` and `\\}`; write `\\\\` for a backslash",
                            ),
                        );
                    }
                    None => i += 1,
                }
            }
            b'{' if is_text => {
                let rest = &body[i + 1..];
                let close = rest.find(['}', '{', '"']);
                let name = close.map(|c| &rest[..c]);
                let closed = close.is_some_and(|c| rest.as_bytes()[c] == b'}');
                let valid = closed && name.is_some_and(is_identifier);
                if !valid {
                    let len = if closed {
                        name.map_or(1, |n| n.len() + 2)
                    } else {
                        1
                    };
                    let message = if !closed {
                        "`{` in a text must start a `{field}` interpolation".to_string()
                    } else if name == Some("") {
                        "empty interpolation `{}`".to_string()
                    } else {
                        format!("`{{{}}}` is not a field name", name.unwrap_or_default())
                    };
                    return Some(
                        Diagnostic::new(Code::Syntax, file, at(i, len), message).with_help(
                            "`{name}` inserts the field `name`; write `\\{` and `\\}` for literal braces",
                        ),
                    );
                }
                i += 1 + name.map_or(0, str::len) + 1;
            }
            b'}' if is_text => {
                return Some(
                    Diagnostic::new(Code::Syntax, file, at(i, 1), "unmatched `}` in a text")
                        .with_help("write `\\}` for a literal brace"),
                );
            }
            _ => i += 1,
        }
    }
    None
}

fn is_identifier(s: &str) -> bool {
    let mut chars = s.chars();
    chars
        .next()
        .is_some_and(|c| c == '_' || unicode_ident::is_xid_start(c))
        && chars.all(unicode_ident::is_xid_continue)
}

/// Text at the top level that starts no item.
pub fn unexpected_top_level(file: FileId, src: &str, at: usize) -> Diagnostic {
    let tok = lexer::token_at(src, at);
    let span = tok.map_or(Span::new(at, at), |t| Span::new(t.start, t.end));
    let found = tok.map_or("the end of the file".to_string(), |t| {
        describe_found(src, t)
    });
    let word = tok
        .filter(|t| t.kind == TokenKind::Word)
        .map(|t| t.text(src));
    let mut d = Diagnostic::new(
        Code::Syntax,
        file,
        span,
        format!("expected `contract`, `role` or `script`, found {found}"),
    );
    if let Some(w) = word {
        if MEMBER_KEYWORDS.contains(&w) {
            d = d.with_help(format!(
                "`{w}` belongs inside a `script {{ … }}`: is a `}}` closing the script too early above?"
            ));
        } else if let Some(best) = closest(w, ITEM_KEYWORDS) {
            d = d.with_help(crate::suggest::did_you_mean(best));
        }
    }
    d
}

/// A script member that starts with no member keyword.
pub fn unexpected_member(file: FileId, src: &str, at: usize) -> Diagnostic {
    let tok = lexer::token_at(src, at);
    let span = tok.map_or(Span::new(at, at), |t| Span::new(t.start, t.end));
    let found = tok.map_or("the end of the file".to_string(), |t| {
        describe_found(src, t)
    });
    let mut d = Diagnostic::new(
        Code::Syntax,
        file,
        span,
        format!(
            "expected a `step`, `handoff`, `end` or a script setting (`kind`, `schedule`, `deadline`, `start`, `mandatory`), found {found}"
        ),
    );
    if let Some(w) = tok
        .filter(|t| t.kind == TokenKind::Word)
        .map(|t| t.text(src))
    {
        if let Some(best) = closest(w, MEMBER_KEYWORDS) {
            d = d.with_help(crate::suggest::did_you_mean(best));
        } else if matches!(w, "say" | "ask" | "note" | "on" | "otherwise" | "goto") {
            d = d.with_help(format!(
                "`{w}` belongs inside a step: is a `}}` closing the step too early above?"
            ));
        }
    }
    d
}

/// A script whose closing brace never came.
pub fn unclosed_script(file: FileId, src: &str, script: &Script<'_>, at: usize) -> Diagnostic {
    let message = if at >= src.len() {
        format!(
            "script `{}` is not closed: expected `}}` before the end of the file",
            script.name.name
        )
    } else {
        format!(
            "script `{}` is not closed: expected `}}` before the next item",
            script.name.name
        )
    };
    let span = lexer::token_at(src, at)
        .filter(|t| t.start == at)
        .map_or(Span::new(at, at), |t| Span::new(t.start, t.end));
    Diagnostic::new(Code::Syntax, file, span, message)
        .with_label(script.header, "the script starts here")
        .with_help("every `{` needs its `}`: check that each step and the script itself are closed")
}
