//! A JSON writer that produces exactly the bytes of
//! `serde_json::to_writer_pretty` (two-space indent, `": "` after keys,
//! `{}`/`[]` when empty, serde_json's string escapes) or, in the compact
//! [`Layout`], of `serde_json::to_writer`, straight into a byte buffer and
//! from any nesting depth.
//!
//! Why not serde_json itself: the operator JSON of a large project is
//! several times the size of its sources, and serde_json's formatter goes
//! through `io::Write` for every indent level and string fragment. Writing
//! into a `Vec<u8>` directly is several times faster, and starting at any
//! depth lets a script's nodes be rendered in parallel chunks. The output
//! structs in `emit::json` keep deriving `Serialize`: serde_json on them is
//! the reference these bytes are tested against.

use super::template_cow;
use crate::model::{Str, Text};
use crate::syntax::ast::has_special;

/// How a JSON document is laid out.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Layout {
    /// On one line, no spaces: `serde_json::to_writer`.
    Compact,
    /// Two-space indented: `serde_json::to_writer_pretty`.
    Pretty,
}

/// Writes JSON values into `out`, pretty-printed or compact.
pub struct Pretty<'o> {
    out: &'o mut Vec<u8>,
    depth: usize,
    /// No entry written yet in the innermost open object or array.
    first: bool,
    compact: bool,
}

const SPACES: &[u8; 64] = b"                                                                ";

impl<'o> Pretty<'o> {
    /// A writer in `layout` whose values sit at nesting `depth` (0 for a
    /// document).
    pub fn new(out: &'o mut Vec<u8>, depth: usize, layout: Layout) -> Self {
        Pretty {
            out,
            depth,
            first: true,
            compact: layout == Layout::Compact,
        }
    }

    fn indent(&mut self) {
        if self.compact {
            return;
        }
        let mut n = self.depth * 2;
        while n > 0 {
            let k = n.min(SPACES.len());
            self.out.extend_from_slice(&SPACES[..k]);
            n -= k;
        }
    }

    /// The line break (and comma) before an entry of an object or array.
    fn entry(&mut self) {
        if self.compact {
            if !self.first {
                self.out.push(b',');
            }
        } else if self.first {
            self.out.push(b'\n');
        } else {
            self.out.extend_from_slice(b",\n");
        }
        self.first = false;
        self.indent();
    }

    pub fn begin_object(&mut self) {
        self.open(b'{');
    }

    pub fn end_object(&mut self) {
        self.close(b'}');
    }

    pub fn begin_array(&mut self) {
        self.open(b'[');
    }

    pub fn end_array(&mut self) {
        self.close(b']');
    }

    fn open(&mut self, bracket: u8) {
        self.out.push(bracket);
        self.depth += 1;
        self.first = true;
    }

    fn close(&mut self, bracket: u8) {
        self.depth -= 1;
        if !self.first && !self.compact {
            self.out.push(b'\n');
            self.indent();
        }
        self.out.push(bracket);
        // The closed value is an entry of its parent.
        self.first = false;
    }

    /// An object key; its value follows. Keys are the format's own ASCII
    /// names and need no escaping.
    pub fn key(&mut self, key: &str) {
        debug_assert!(key.bytes().all(|b| ESCAPE[b as usize] == 0));
        self.entry();
        self.out.push(b'"');
        self.out.extend_from_slice(key.as_bytes());
        self.out
            .extend_from_slice(if self.compact { b"\":" } else { b"\": " });
    }

    /// The start of an array element; its value follows.
    pub fn element(&mut self) {
        self.entry();
    }

    /// Elements rendered apart for the array open here (see
    /// [`Pretty::depth`]), in the same layout, handed to `sink` after what
    /// is written so far: `rendered` starts as the array's first element
    /// would (with its line break, when pretty).
    pub fn elements_to(
        &mut self,
        rendered: &[u8],
        sink: &mut dyn std::io::Write,
    ) -> std::io::Result<()> {
        if rendered.is_empty() {
            return Ok(());
        }
        if !self.first {
            self.out.push(b',');
        }
        self.first = false;
        // One system call for both when `sink` is a file: what is written
        // so far is often just the comma.
        write_both(sink, self.out, rendered)?;
        self.out.clear();
        Ok(())
    }

    /// The current nesting depth: elements of an array rendered apart
    /// for [`Pretty::elements_to`] are written by a `Pretty::new(buf,
    /// depth, layout)` with the depth of the open array.
    pub fn depth(&self) -> usize {
        self.depth
    }

    /// How many bytes are in the buffer.
    pub fn written(&self) -> usize {
        self.out.len()
    }

    /// Hand what is written so far to `sink` and empty the buffer, so
    /// that a large document is never held whole in memory.
    pub fn drain_to(&mut self, sink: &mut dyn std::io::Write) -> std::io::Result<()> {
        sink.write_all(self.out)?;
        self.out.clear();
        Ok(())
    }

    pub fn null(&mut self) {
        self.out.extend_from_slice(b"null");
    }

    pub fn bool(&mut self, v: bool) {
        self.out
            .extend_from_slice(if v { b"true" as &[u8] } else { b"false" });
    }

    pub fn u64(&mut self, v: u64) {
        decimal_into(self.out, v);
    }

    pub fn str(&mut self, s: &str) {
        escape_into(self.out, s);
    }

    /// A name (see [`ident_into`]).
    pub fn ident(&mut self, name: &str) {
        ident_into(self.out, name);
    }

    pub fn opt_ident(&mut self, name: Option<&str>) {
        match name {
            Some(n) => self.ident(n),
            None => self.null(),
        }
    }

    /// Operator text as its template (see [`template_into`]).
    pub fn template(&mut self, t: &Text<'_>) {
        template_into(self.out, t);
    }

    /// A plain string's value (see [`value_into`]).
    pub fn value(&mut self, s: &Str<'_>) {
        value_into(self.out, s);
    }

    pub fn opt_str(&mut self, s: Option<&str>) {
        match s {
            Some(s) => self.str(s),
            None => self.null(),
        }
    }

    pub fn opt_u64(&mut self, v: Option<u64>) {
        match v {
            Some(v) => self.u64(v),
            None => self.null(),
        }
    }

    /// An array of strings.
    pub fn strs<'a>(&mut self, items: impl IntoIterator<Item = &'a str>) {
        self.begin_array();
        for s in items {
            self.element();
            self.str(s);
        }
        self.end_array();
    }
}

/// `a` then `b`, in as few vectored writes as `sink` takes.
fn write_both(sink: &mut dyn std::io::Write, a: &[u8], b: &[u8]) -> std::io::Result<()> {
    use std::io::{ErrorKind, IoSlice};
    let mut slices = [IoSlice::new(a), IoSlice::new(b)];
    let mut left = &mut slices[..];
    IoSlice::advance_slices(&mut left, 0);
    while !left.is_empty() {
        match sink.write_vectored(left) {
            Ok(0) => return Err(ErrorKind::WriteZero.into()),
            Ok(n) => IoSlice::advance_slices(&mut left, n),
            Err(e) if e.kind() == ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
    Ok(())
}

/// What each byte becomes in a JSON string: 0 stays as it is, `u` is
/// `\u00XX`, anything else `\` followed by that byte — serde_json's table.
static ESCAPE: [u8; 256] = {
    let mut t = [0u8; 256];
    let mut i = 0;
    while i < 0x20 {
        t[i] = b'u';
        i += 1;
    }
    t[0x08] = b'b';
    t[0x09] = b't';
    t[0x0a] = b'n';
    t[0x0c] = b'f';
    t[0x0d] = b'r';
    t[b'"' as usize] = b'"';
    t[b'\\' as usize] = b'\\';
    t
};

/// `v` in decimal digits.
pub fn decimal_into(out: &mut Vec<u8>, v: u64) {
    let mut buf = [0u8; 20];
    let mut i = buf.len();
    let mut v = v;
    loop {
        i -= 1;
        buf[i] = b'0' + (v % 10) as u8;
        v /= 10;
        if v == 0 {
            break;
        }
    }
    out.extend_from_slice(&buf[i..]);
}

/// Operator text as its template ([`template_cow`]), JSON-quoted. Nearly
/// every text has no escape and no brace: then the template is the source
/// text, which needs no JSON escape either, and is copied as it is.
pub fn template_into(out: &mut Vec<u8>, t: &Text<'_>) {
    if t.is_verbatim() {
        quote_into(out, t.raw);
    } else {
        escape_into(out, &template_cow(t));
    }
}

/// A plain string's value, JSON-quoted: the source text when it has no
/// escape.
pub fn value_into(out: &mut Vec<u8>, s: &Str<'_>) {
    if s.is_verbatim() {
        quote_into(out, s.raw);
    } else {
        escape_into(out, &s.value());
    }
}

/// A name as a JSON string: an identifier of the language (letters,
/// digits and `_`, by the grammar's `XID` rules) never needs an escape, so
/// it is copied without being scanned.
pub fn ident_into(out: &mut Vec<u8>, name: &str) {
    quote_into(out, name);
}

/// `v` in decimal, or `null`.
pub fn opt_u64_into(out: &mut Vec<u8>, v: Option<u64>) {
    match v {
        Some(v) => decimal_into(out, v),
        None => out.extend_from_slice(b"null"),
    }
}

/// `s` between quotes; `s` needs no escape.
fn quote_into(out: &mut Vec<u8>, s: &str) {
    debug_assert!(!needs_escape(s.as_bytes()));
    out.reserve(s.len() + 2);
    out.push(b'"');
    out.extend_from_slice(s.as_bytes());
    out.push(b'"');
}

/// Does any byte need an escape (a control character, `"` or `\\`)?
fn needs_escape(bytes: &[u8]) -> bool {
    has_special(bytes, false)
}

/// `s` as a JSON string, quotes included, escaped as serde_json does.
pub fn escape_into(out: &mut Vec<u8>, s: &str) {
    let bytes = s.as_bytes();
    // Nearly every string needs no escape: test eight bytes at a time,
    // then copy the string at once.
    if !needs_escape(bytes) {
        quote_into(out, s);
        return;
    }
    out.reserve(bytes.len() + 2);
    out.push(b'"');
    let mut start = 0;
    for (i, &b) in bytes.iter().enumerate() {
        let e = ESCAPE[b as usize];
        if e == 0 {
            continue;
        }
        out.extend_from_slice(&bytes[start..i]);
        if e == b'u' {
            const HEX: &[u8; 16] = b"0123456789abcdef";
            out.extend_from_slice(b"\\u00");
            out.push(HEX[(b >> 4) as usize]);
            out.push(HEX[(b & 0xf) as usize]);
        } else {
            out.push(b'\\');
            out.push(e);
        }
        start = i + 1;
    }
    out.extend_from_slice(&bytes[start..]);
    out.push(b'"');
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn strings_are_escaped_as_serde_json_escapes_them() {
        let all: String = (0u32..0x80)
            .filter_map(char::from_u32)
            .chain("é\u{2028}я\u{7f}".chars())
            .collect();
        for s in ["", "plain", "a\"b\\c\nd\te\u{1}\u{1f}", all.as_str()] {
            let mut out = Vec::new();
            escape_into(&mut out, s);
            assert_eq!(
                String::from_utf8(out).unwrap(),
                serde_json::to_string(s).unwrap()
            );
        }
    }

    #[test]
    fn every_byte_that_needs_an_escape_is_found_at_every_offset() {
        for b in 0u8..=255 {
            let needs = ESCAPE[b as usize] != 0;
            for len in 1..20 {
                for at in 0..len {
                    let mut v = vec![b'a'; len];
                    v[at] = b;
                    assert_eq!(needs_escape(&v), needs, "byte {b:#x} at {at} of {len}");
                }
            }
        }
        assert!(!needs_escape("Здравствуйте, это длинная строка".as_bytes()));
        for b in 0u8..=255 {
            let needs = ESCAPE[b as usize] != 0 || b == b'{' || b == b'}';
            for len in 1..20 {
                for at in 0..len {
                    let mut v = vec![b'a'; len];
                    v[at] = b;
                    assert_eq!(has_special(&v, true), needs, "byte {b:#x} at {at} of {len}");
                }
            }
        }
    }

    /// Takes at most three bytes a call, from one slice at a time.
    struct Trickle(Vec<u8>);

    impl std::io::Write for Trickle {
        fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
            let n = buf.len().min(3);
            self.0.extend_from_slice(&buf[..n]);
            Ok(n)
        }

        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }

    #[test]
    fn elements_rendered_apart_reach_a_sink_that_takes_a_little_at_a_time() {
        // Both the comma and the elements get through, in order, whether
        // the sink takes both at once (a vector) or three bytes at a time.
        fn written(out: &mut dyn std::io::Write) {
            let mut buf = Vec::new();
            let mut w = Pretty::new(&mut buf, 0, Layout::Compact);
            w.begin_array();
            w.elements_to(b"1", out).unwrap();
            w.elements_to(b"", out).unwrap();
            w.elements_to(b"22,333", out).unwrap();
            w.end_array();
            w.drain_to(out).unwrap();
        }
        let mut trickle = Trickle(Vec::new());
        written(&mut trickle);
        assert_eq!(trickle.0, b"[1,22,333]");
        let mut at_once = std::io::Cursor::new(Vec::new());
        written(&mut at_once);
        assert_eq!(at_once.into_inner(), b"[1,22,333]");
    }

    #[test]
    fn layout_matches_serde_json_pretty() {
        layout_matches(Layout::Pretty);
    }

    #[test]
    fn layout_matches_serde_json_compact() {
        layout_matches(Layout::Compact);
    }

    fn layout_matches(layout: Layout) {
        let mut out = Vec::new();
        let mut w = Pretty::new(&mut out, 0, layout);
        w.begin_object();
        w.key("a");
        w.begin_array();
        w.end_array();
        w.key("b");
        w.begin_object();
        w.end_object();
        w.key("c");
        w.strs(["x", "y"]);
        w.key("d");
        w.begin_array();
        w.element();
        w.begin_object();
        w.key("f");
        w.opt_str(None);
        w.key("n");
        w.u64(u64::MAX);
        w.key("t");
        w.bool(true);
        w.key("z");
        w.u64(0);
        w.end_object();
        w.end_array();
        w.end_object();
        let reference = serde_json::json!({
            "a": [], "b": {}, "c": ["x", "y"],
            "d": [{"n": u64::MAX, "z": 0, "t": true, "f": null}],
        });
        // serde_json's `json!` map is sorted by key unless preserve_order;
        // the keys above are in sorted order.
        let expected = match layout {
            Layout::Pretty => serde_json::to_string_pretty(&reference),
            Layout::Compact => serde_json::to_string(&reference),
        };
        assert_eq!(String::from_utf8(out).unwrap(), expected.unwrap());
    }
}
