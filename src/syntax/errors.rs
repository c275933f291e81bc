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
        member => "a step or a script setting",
        kind => "`kind`",
        deadline => "`deadline`",
        start => "`start`",
        step => "`step`",
        max => "`max`",
        say => "`say`",
        ask => "`ask`",
        note => "`note`",
        on => "`on`",
        otherwise => "`otherwise`",
        goto => "`goto`",
        handoff => "`handoff`",
        within => "`within`",
        pass => "`pass`",
        summary => "`summary`",
        task => "`task`",
        fallback => "`fallback`",
        end => "`end`",
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
        kw_step => "`step`",
        kw_max => "`max`",
        kw_say => "`say`",
        kw_ask => "`ask`",
        kw_note => "`note`",
        kw_on => "`on`",
        kw_otherwise => "`otherwise`",
        kw_goto => "`goto`",
        kw_handoff => "`handoff`",
        kw_to => "`to`",
        kw_within => "`within`",
        kw_pass => "`pass`",
        kw_summary => "`summary`",
        kw_task => "`task`",
        kw_fallback => "`fallback`",
        kw_end => "`end`",
        always | window => "a schedule such as `mon-fri 09:00-18:00` or `24/7`",
        days | day => "a day such as `mon`",
        time_range | time => "a time such as `09:00`",
        duration => "a duration (`30s`, `5m`, `1h30m`)",
        number => "a number",
        name => "a name",
        target => "a step name",
        role_ref => "a role name",
        field => "a field name",
        word => "a word",
        string => "a quoted string",
        text => "a quoted text",
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
        "\"" => "a quoted string",
        _ => return None,
    })
}

/// A syntax diagnostic from a pest failure. `base` is where the pest run
/// started in `src`.
pub fn from_pest(
    file: FileId,
    src: &str,
    base: usize,
    err: &pest::error::Error<Rule>,
) -> Diagnostic {
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

    // pest's rule-level position can lag behind the furthest point it
    // reached inside a rule (`on "x" s1` fails at `s1`, missing `->`, but
    // the rule `on` is what failed). Prefer the furthest point when pest
    // knows which punctuation it wanted there.
    let mut expected: Vec<&'static str> = Vec::new();
    let rule_token = lexer::token_at(src, base + rule_pos);
    let inside_rule_token = |p: usize| {
        rule_token.is_some_and(|t| matches!(t.kind, TokenKind::Str { .. }) || base + p < t.end)
    };
    let rel = match &attempts {
        Some(a)
            if a.max_position > rule_pos
                && !literals.is_empty()
                && !inside_rule_token(a.max_position) =>
        {
            for l in &literals {
                push_unique(&mut expected, l);
            }
            a.max_position
        }
        _ => {
            for r in positives {
                if let Some(d) = describe(*r) {
                    push_unique(&mut expected, d);
                }
            }
            if attempts
                .as_ref()
                .is_some_and(|a| a.max_position == rule_pos)
            {
                for l in &literals {
                    push_unique(&mut expected, l);
                }
            }
            rule_pos
        }
    };
    let at = lexer::skip_trivia(src, base + rel);
    let found = lexer::token_at(src, at).filter(|t| t.start == at);

    // A broken string explains itself better than "expected …".
    if let Some(t) = found
        && let TokenKind::Str { .. } = t.kind
        && let Some(d) = string_problem(file, src, t, expected.contains(&"a quoted text"))
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

fn push_unique(v: &mut Vec<&'static str>, e: &'static str) {
    if !v.contains(&e) {
        v.push(e);
    }
}

/// Join expectations into "a, b or c", folding known groups.
fn phrase(expected: &mut Vec<&'static str>) -> String {
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
            return Some(format!("did you mean `{best}`?"));
        }
        if MEMBER_KEYWORDS.contains(&w) && expected.contains(&"`}`") {
            return Some(format!(
                "`{w}` starts a new part of the script: is a `}}` missing above?"
            ));
        }
    }
    None
}

/// What is wrong with the string token `t`, if anything.
fn string_problem(file: FileId, src: &str, t: Token, is_text: bool) -> Option<Diagnostic> {
    let TokenKind::Str { terminated } = t.kind else {
        return None;
    };
    let whole = Span::new(t.start, t.end);
    let inner_end = if terminated { t.end - 1 } else { t.end };
    let body = &src[t.start + 1..inner_end];
    let bytes = body.as_bytes();
    let at = |i: usize, len: usize| Span::new(t.start + 1 + i, t.start + 1 + i + len);
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
    if !terminated {
        return Some(
            Diagnostic::new(Code::Syntax, file, whole, "unterminated string")
                .with_help("a string ends on the line it starts: close it with `\"`, and write `\\n` for a line break"),
        );
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
            d = d.with_help(format!("did you mean `{best}`?"));
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
