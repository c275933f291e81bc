//! The abstract syntax tree: what the writer typed, with a byte [`Span`] on
//! every node. Names and texts borrow from the source; escapes and
//! interpolations are decoded on demand ([`Str::value`], [`Text::segments`]),
//! so building the tree allocates only its vectors.
//!
//! Nothing here is checked beyond the grammar: values are raw (`Duration`
//! holds `1h30m` as written), names are unresolved. `crate::model` turns
//! this into checked values.

use std::borrow::Cow;

use crate::source::Span;

/// An identifier as written.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Ident<'s> {
    pub name: &'s str,
    pub span: Span,
}

/// A plain string literal. `raw` is the text between the quotes, escapes
/// still in it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Str<'s> {
    pub raw: &'s str,
    pub span: Span,
    /// See [`Str::is_verbatim`]: known from `raw` when the string is made.
    verbatim: bool,
}

impl<'s> Str<'s> {
    /// The string whose text between the quotes is `raw`, at `span`.
    pub fn new(raw: &'s str, span: Span) -> Self {
        Str {
            raw,
            span,
            verbatim: !has_special(raw.as_bytes(), false),
        }
    }

    /// [`Str::new`], for a `raw` known to hold no backslash and no control
    /// character (the parser knows it of most nodes as a whole): nothing
    /// to scan.
    pub(crate) fn new_verbatim(raw: &'s str, span: Span) -> Self {
        debug_assert!(!has_special(raw.as_bytes(), false), "{raw:?}");
        Str {
            raw,
            span,
            verbatim: true,
        }
    }

    /// Whether the string is its own value and its own JSON string body:
    /// no escape to decode, no character JSON escapes (a control character,
    /// `"` or `\`). Nearly every string is; outputs then copy `raw` as it
    /// is, and nothing scans it again.
    pub fn is_verbatim(&self) -> bool {
        self.verbatim
    }

    /// The string's value, escapes decoded.
    pub fn value(&self) -> Cow<'s, str> {
        if self.verbatim {
            Cow::Borrowed(self.raw)
        } else {
            unescape(self.raw)
        }
    }
}

/// Operator text: a string in which `{field}` interpolates a field.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Text<'s> {
    pub raw: &'s str,
    pub span: Span,
    /// See [`Text::is_verbatim`]: known from `raw` when the text is made.
    verbatim: bool,
}

/// A piece of operator text.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Segment<'s> {
    /// Literal text, escapes decoded.
    Literal(Cow<'s, str>),
    /// `{name}`: the name and the span of the whole `{name}`.
    Field(Ident<'s>),
}

impl<'s> Text<'s> {
    /// The text whose source between the quotes is `raw`, at `span`.
    pub fn new(raw: &'s str, span: Span) -> Self {
        Text {
            raw,
            span,
            verbatim: !has_special(raw.as_bytes(), true),
        }
    }

    /// The text of string `s`, which has a brace or not (`braces`: the
    /// parser looks for them anyway).
    pub(crate) fn of(s: Str<'s>, braces: bool) -> Self {
        debug_assert_eq!(
            braces,
            memchr::memchr2(b'{', b'}', s.raw.as_bytes()).is_some()
        );
        Text {
            raw: s.raw,
            span: s.span,
            verbatim: s.verbatim && !braces,
        }
    }

    /// Whether the text is its own template and its own JSON string body:
    /// a verbatim string ([`Str::is_verbatim`]) without a brace, so without
    /// a field. Nearly every text is.
    pub fn is_verbatim(&self) -> bool {
        self.verbatim
    }

    /// Byte offset of the first character after the opening quote.
    fn content_start(&self) -> usize {
        self.span.start as usize + 1
    }

    /// The text's pieces in order. Adjacent literal pieces are merged.
    pub fn segments(&self) -> Vec<Segment<'s>> {
        let raw = self.raw;
        if self.verbatim || memchr::memchr2(b'{', b'\\', raw.as_bytes()).is_none() {
            return vec![Segment::Literal(Cow::Borrowed(raw))];
        }
        let mut out = Vec::new();
        let mut lit = String::new();
        let mut lit_start = 0;
        let mut i = 0;
        let bytes = raw.as_bytes();
        while i < bytes.len() {
            match bytes[i] {
                b'\\' if i + 1 < bytes.len() => {
                    lit.push_str(&raw[lit_start..i]);
                    lit.push(escaped(bytes[i + 1]));
                    i += 2;
                    lit_start = i;
                }
                b'{' => {
                    let close = raw[i..].find('}').map(|c| i + c);
                    let Some(close) = close else { break };
                    lit.push_str(&raw[lit_start..i]);
                    if !lit.is_empty() {
                        out.push(Segment::Literal(Cow::Owned(std::mem::take(&mut lit))));
                    }
                    let base = self.content_start();
                    out.push(Segment::Field(Ident {
                        name: &raw[i + 1..close],
                        span: Span::new(base + i, base + close + 1),
                    }));
                    i = close + 1;
                    lit_start = i;
                }
                _ => i += 1,
            }
        }
        lit.push_str(&raw[lit_start..]);
        if !lit.is_empty() {
            out.push(Segment::Literal(Cow::Owned(lit)));
        }
        out
    }

    /// Whether the text may interpolate a field: false means
    /// [`fields`](Self::fields) is empty, without looking further.
    pub fn may_name_fields(&self) -> bool {
        !self.verbatim && memchr::memchr(b'{', self.raw.as_bytes()).is_some()
    }

    /// The fields the text interpolates, in order.
    pub fn fields(&self) -> Vec<Ident<'s>> {
        if !self.may_name_fields() {
            return Vec::new();
        }
        self.segments()
            .into_iter()
            .filter_map(|s| match s {
                Segment::Field(id) => Some(id),
                Segment::Literal(_) => None,
            })
            .collect()
    }

    /// The text with escapes decoded and fields shown as `{name}`: what a
    /// reader of the annex sees.
    pub fn display(&self) -> Cow<'s, str> {
        if self.verbatim || memchr::memchr(b'\\', self.raw.as_bytes()).is_none() {
            return Cow::Borrowed(self.raw);
        }
        let mut s = String::with_capacity(self.raw.len());
        for seg in self.segments() {
            match seg {
                Segment::Literal(l) => s.push_str(&l),
                Segment::Field(f) => {
                    s.push('{');
                    s.push_str(f.name);
                    s.push('}');
                }
            }
        }
        Cow::Owned(s)
    }
}

fn escaped(c: u8) -> char {
    match c {
        b'n' => '\n',
        other => other as char,
    }
}

/// Does any byte need a JSON escape (a control character, `"`, `\`), or,
/// with `braces`, is any a brace? Eight bytes at a time.
pub(crate) fn has_special(bytes: &[u8], braces: bool) -> bool {
    const ONES: u64 = 0x0101_0101_0101_0101;
    const HIGH: u64 = 0x8080_8080_8080_8080;
    // A byte of `x` is below `n` (n <= 128): the classic SWAR test, exact
    // as a yes/no answer for the whole word.
    let below = |x: u64, n: u64| x.wrapping_sub(ONES * n) & !x & HIGH;
    let has = |x: u64, b: u8| below(x ^ (ONES * u64::from(b)), 1);
    let special =
        |b: u8| b < 0x20 || b == b'"' || b == b'\\' || (braces && (b == b'{' || b == b'}'));
    let mut words = bytes.chunks_exact(8);
    for w in &mut words {
        let x = u64::from_le_bytes([w[0], w[1], w[2], w[3], w[4], w[5], w[6], w[7]]);
        let mut hit = below(x, 0x20) | has(x, b'"') | has(x, b'\\');
        if braces {
            hit |= has(x, b'{') | has(x, b'}');
        }
        if hit != 0 {
            return true;
        }
    }
    words.remainder().iter().any(|&b| special(b))
}

/// Whether `bytes` hold no backslash and no control character but the
/// line feed: then no string among them has an escape or needs one in
/// JSON (a string cannot hold a line feed). One pass the compiler
/// vectorises, over a node at a time.
pub(crate) fn escape_free(bytes: &[u8]) -> bool {
    bytes.iter().fold(0u8, |acc, &b| {
        acc | u8::from(b == b'\\' || (b < 0x20 && b != b'\n'))
    }) == 0
}

/// Decode the escapes of a string's raw text.
pub fn unescape(raw: &str) -> Cow<'_, str> {
    if memchr::memchr(b'\\', raw.as_bytes()).is_none() {
        return Cow::Borrowed(raw);
    }
    let mut out = String::with_capacity(raw.len());
    let mut chars = raw.chars();
    while let Some(c) = chars.next() {
        if c == '\\' {
            if let Some(e) = chars.next() {
                out.push(if e == 'n' { '\n' } else { e });
            }
        } else {
            out.push(c);
        }
    }
    Cow::Owned(out)
}

/// A value written as a bare token and checked later (`1h30m`, `09:00`,
/// `300`, `trained`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Raw<'s> {
    pub raw: &'s str,
    pub span: Span,
}

/// A parsed source file.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct File<'s> {
    pub items: Vec<Item<'s>>,
    /// Top-level items dropped because of a syntax error. Later stages use
    /// them to stay quiet about what the error already explains (a role
    /// that failed to parse is not also an undefined role).
    pub broken: Vec<BrokenItem<'s>>,
}

impl File<'_> {
    /// A file that could not be read as text: it may have defined any role
    /// or the contract, so later stages treat those as broken.
    pub fn unreadable() -> Self {
        let item = |keyword| BrokenItem {
            keyword,
            name: None,
            span: crate::source::Span::default(),
        };
        File {
            items: Vec::new(),
            broken: vec![item("contract"), item("role")],
        }
    }
}

/// A top-level item that did not parse.
#[derive(Clone, Debug, PartialEq)]
pub struct BrokenItem<'s> {
    /// `contract`, `role`, `script`, or the unexpected word.
    pub keyword: &'s str,
    /// The item's name, when its header got that far.
    pub name: Option<&'s str>,
    pub span: Span,
}

#[derive(Clone, Debug, PartialEq)]
pub enum Item<'s> {
    Contract(Contract<'s>),
    Role(Role<'s>),
    Script(Script<'s>),
}

/// `contract "title" { … }`
#[derive(Clone, Debug, PartialEq)]
pub struct Contract<'s> {
    /// `contract "title"`: where contract-level findings point.
    pub header: Span,
    pub title: Str<'s>,
    pub fields: Vec<ContractField<'s>>,
    pub span: Span,
}

#[derive(Clone, Debug, PartialEq)]
pub struct ContractField<'s> {
    pub kind: ContractFieldKind<'s>,
    pub span: Span,
}

#[derive(Clone, Debug, PartialEq)]
pub enum ContractFieldKind<'s> {
    Customer(Str<'s>),
    Contractor(Str<'s>),
    Operators(Raw<'s>),
    Assistance(Raw<'s>),
    Crm(Str<'s>),
    Priority(Vec<Str<'s>>),
    ClientBase(Raw<'s>),
    Schedule(Schedule<'s>),
    Timezone(Str<'s>),
    Volume {
        count: Raw<'s>,
        per: Raw<'s>,
    },
    HandoffSla(Raw<'s>),
    Quality {
        side: Raw<'s>,
        name: Str<'s>,
        position: Str<'s>,
    },
    Mandatory(Str<'s>),
}

impl ContractFieldKind<'_> {
    /// The keyword that introduces the field.
    pub fn keyword(&self) -> &'static str {
        match self {
            ContractFieldKind::Customer(_) => "customer",
            ContractFieldKind::Contractor(_) => "contractor",
            ContractFieldKind::Operators(_) => "operators",
            ContractFieldKind::Assistance(_) => "assistance",
            ContractFieldKind::Crm(_) => "crm",
            ContractFieldKind::Priority(_) => "priority",
            ContractFieldKind::ClientBase(_) => "client_base",
            ContractFieldKind::Schedule(_) => "schedule",
            ContractFieldKind::Timezone(_) => "timezone",
            ContractFieldKind::Volume { .. } => "volume",
            ContractFieldKind::HandoffSla(_) => "handoff_sla",
            ContractFieldKind::Quality { .. } => "quality",
            ContractFieldKind::Mandatory(_) => "mandatory",
        }
    }
}

/// `24/7` or a list of windows.
#[derive(Clone, Debug, PartialEq)]
pub struct Schedule<'s> {
    pub kind: ScheduleKind<'s>,
    pub span: Span,
}

#[derive(Clone, Debug, PartialEq)]
pub enum ScheduleKind<'s> {
    Always,
    Windows(Vec<Window<'s>>),
}

/// `mon-fri 09:00-18:00`; without days, every day.
#[derive(Clone, Debug, PartialEq)]
pub struct Window<'s> {
    pub days: Option<Days<'s>>,
    pub from: Raw<'s>,
    pub to: Raw<'s>,
    pub span: Span,
}

/// `mon` or `mon-fri`.
#[derive(Clone, Debug, PartialEq)]
pub struct Days<'s> {
    pub first: Raw<'s>,
    pub last: Option<Raw<'s>>,
    pub span: Span,
}

/// `role name "title" { … }`
#[derive(Clone, Debug, PartialEq)]
pub struct Role<'s> {
    pub name: Ident<'s>,
    pub title: Str<'s>,
    /// `role name`: where role-level findings point.
    pub header: Span,
    pub fields: Vec<RoleField<'s>>,
    pub span: Span,
}

#[derive(Clone, Debug, PartialEq)]
pub struct RoleField<'s> {
    pub kind: RoleFieldKind<'s>,
    pub span: Span,
}

#[derive(Clone, Debug, PartialEq)]
pub enum RoleFieldKind<'s> {
    Contact { name: Str<'s>, position: Str<'s> },
    Channel(Str<'s>),
    Hours(Schedule<'s>),
}

/// `script name "title" { … }`
#[derive(Clone, Debug, PartialEq)]
pub struct Script<'s> {
    pub name: Ident<'s>,
    pub title: Str<'s>,
    /// `script name`: where script-level findings point.
    pub header: Span,
    pub settings: Vec<Setting<'s>>,
    pub nodes: Vec<Node<'s>>,
    /// From `script` to the closing brace (or as far as the script got).
    pub span: Span,
    /// Some member had a syntax error and was left out: the script's graph
    /// is incomplete, so checks of its graph are skipped.
    pub broken: bool,
}

/// A script-level statement other than a step or terminal.
#[derive(Clone, Debug, PartialEq)]
pub struct Setting<'s> {
    pub kind: SettingKind<'s>,
    pub span: Span,
}

#[derive(Clone, Debug, PartialEq)]
pub enum SettingKind<'s> {
    Kind(Raw<'s>),
    Schedule(Schedule<'s>),
    Deadline(Raw<'s>),
    Start(Ident<'s>),
    Mandatory(Str<'s>),
}

impl SettingKind<'_> {
    pub fn keyword(&self) -> &'static str {
        match self {
            SettingKind::Kind(_) => "kind",
            SettingKind::Schedule(_) => "schedule",
            SettingKind::Deadline(_) => "deadline",
            SettingKind::Start(_) => "start",
            SettingKind::Mandatory(_) => "mandatory",
        }
    }
}

/// A step or a terminal.
#[derive(Clone, Debug, PartialEq)]
pub struct Node<'s> {
    pub name: Ident<'s>,
    /// `step name` / `handoff name` / `end name`: where node findings point.
    pub header: Span,
    pub kind: NodeKind<'s>,
    pub span: Span,
}

#[derive(Clone, Debug, PartialEq)]
pub enum NodeKind<'s> {
    Step(Step<'s>),
    /// Boxed: a handoff is nearly twice a step's size, and nearly all
    /// nodes are steps (an unboxed variant made every node 216 bytes).
    Handoff(Box<Handoff<'s>>),
    End(End<'s>),
}

impl NodeKind<'_> {
    pub fn keyword(&self) -> &'static str {
        match self {
            NodeKind::Step(_) => "step",
            NodeKind::Handoff(_) => "handoff",
            NodeKind::End(_) => "end",
        }
    }
}

/// `step name [duration] [max n] { lines… exits… }`
#[derive(Clone, Debug, PartialEq)]
pub struct Step<'s> {
    pub duration: Option<Raw<'s>>,
    pub max: Option<Raw<'s>>,
    pub lines: Vec<Line<'s>>,
    pub exits: Vec<Exit<'s>>,
}

/// `say "…"`, `ask [field] "…"`, `note "…"`
#[derive(Clone, Debug, PartialEq)]
pub struct Line<'s> {
    pub kind: LineKind,
    pub field: Option<Ident<'s>>,
    pub text: Text<'s>,
    pub span: Span,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LineKind {
    Say,
    Ask,
    Note,
}

impl LineKind {
    pub fn as_str(self) -> &'static str {
        match self {
            LineKind::Say => "say",
            LineKind::Ask => "ask",
            LineKind::Note => "note",
        }
    }
}

/// Where a step goes next.
#[derive(Clone, Debug, PartialEq)]
pub struct Exit<'s> {
    pub kind: ExitKind<'s>,
    pub target: Target<'s>,
}

/// An edge as written: the name it goes to and the whole statement; the
/// model resolves the name in place (the AST's vectors of exits become
/// the model's, not copied).
#[derive(Clone, Debug, PartialEq)]
pub struct Target<'s> {
    pub name: Ident<'s>,
    /// The node `name` names: `None` as parsed, and in the model when the
    /// name is undefined (reported).
    pub node: Option<usize>,
    /// The whole exit statement.
    pub span: Span,
}

#[derive(Clone, Debug, PartialEq)]
pub enum ExitKind<'s> {
    /// `on "answer" -> target`
    On(Str<'s>),
    /// `otherwise -> target`
    Otherwise,
    /// `goto target`
    Goto,
}

/// `handoff name to role [within d] { … }`
#[derive(Clone, Debug, PartialEq)]
pub struct Handoff<'s> {
    pub role: Ident<'s>,
    pub within: Option<Raw<'s>>,
    pub lines: Vec<Line<'s>>,
    /// Every `pass` statement's fields, in order.
    pub pass: Vec<Ident<'s>>,
    pub summary: Option<Text<'s>>,
    pub tasks: Vec<Task<'s>>,
    pub fallback: Option<Ident<'s>>,
}

/// `end name "outcome" { … }`
#[derive(Clone, Debug, PartialEq)]
pub struct End<'s> {
    pub outcome: Str<'s>,
    pub lines: Vec<Line<'s>>,
    pub tasks: Vec<Task<'s>>,
}

/// `task "…" within d`
#[derive(Clone, Debug, PartialEq)]
pub struct Task<'s> {
    pub text: Text<'s>,
    pub within: Raw<'s>,
    pub span: Span,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escape_free_text_has_no_backslash_and_no_control_character_but_line_feeds() {
        for b in 0u8..=255 {
            let free = b != b'\\' && (b >= 0x20 || b == b'\n');
            for len in 1..70 {
                for at in [0, len / 2, len - 1] {
                    let mut v = vec![b'a'; len];
                    v[at] = b;
                    assert_eq!(escape_free(&v), free, "byte {b:#x} at {at} of {len}");
                }
            }
        }
        assert!(escape_free(
            "step k0 {\n  say \"Здравствуйте, {name}\"\n}".as_bytes()
        ));
        assert!(escape_free(b""));
    }

    #[test]
    fn strings_and_texts_know_whether_they_are_verbatim() {
        let span = Span::new(0, 0);
        for (raw, str_verbatim, text_verbatim) in [
            ("Здравствуйте", true, true),
            ("", true, true),
            ("Привет, {name}!", true, false),
            ("a } b", true, false),
            (r#"Код \{A\}"#, false, false),
            (r#"say \"hi\""#, false, false),
            ("tab\there", false, false),
            ("cr\rhere", false, false),
        ] {
            let s = Str::new(raw, span);
            let t = Text::new(raw, span);
            assert_eq!(s.is_verbatim(), str_verbatim, "{raw:?}");
            assert_eq!(t.is_verbatim(), text_verbatim, "{raw:?}");
            if s.is_verbatim() {
                assert_eq!(s.value(), unescape(raw));
            }
            if t.is_verbatim() {
                assert_eq!(t.segments(), vec![Segment::Literal(Cow::Borrowed(raw))]);
                assert!(t.fields().is_empty());
            }
            let braces = raw.contains(['{', '}']);
            assert_eq!(Text::of(s, braces), t, "{raw:?}");
        }
    }
}
