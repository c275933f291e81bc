//! A light lexer used only off the hot path: to resynchronise after a
//! syntax error and to describe the token a syntax error points at.
//!
//! It knows just enough of the language to be trusted there: white space,
//! `//` comments, one-line strings with escapes, words and single
//! punctuation characters.

/// What a token is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TokenKind {
    /// A run of identifier characters or digits (`step`, `1h30m`, `09`).
    Word,
    /// A string, with its quotes. `terminated` is false when the line ended
    /// first.
    Str { terminated: bool },
    /// `->`
    Arrow,
    /// Any other single character.
    Punct(char),
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Token {
    pub kind: TokenKind,
    pub start: usize,
    pub end: usize,
    /// True when only white space precedes the token on its line.
    pub line_start: bool,
}

impl Token {
    pub fn text<'a>(&self, src: &'a str) -> &'a str {
        &src[self.start..self.end]
    }
}

fn is_word_char(c: char) -> bool {
    c == '_' || c.is_alphanumeric() || unicode_ident_continue(c)
}

/// Characters that continue identifiers beyond `is_alphanumeric` (combining
/// marks and the like); the grammar's XID_CONTINUE is the authority, this
/// only has to agree on what ends a word in practice.
fn unicode_ident_continue(c: char) -> bool {
    !c.is_ascii() && !c.is_whitespace() && !c.is_control() && !is_unicode_punct(c)
}

fn is_unicode_punct(c: char) -> bool {
    matches!(
        c,
        '«' | '»' | '“' | '”' | '„' | '—' | '–' | '…' | '\u{FEFF}' | '\u{A0}'
    )
}

/// Skip white space and comments from `pos`; the offset of the next token
/// (or the end of the text).
pub fn skip_trivia(src: &str, mut pos: usize) -> usize {
    let bytes = src.as_bytes();
    while pos < bytes.len() {
        match bytes[pos] {
            b' ' | b'\t' | b'\r' | b'\n' => pos += 1,
            b'/' if bytes.get(pos + 1) == Some(&b'/') => {
                pos = memchr::memchr(b'\n', &bytes[pos..]).map_or(bytes.len(), |i| pos + i);
            }
            _ => break,
        }
    }
    pos
}

/// Tokens from `pos` on.
pub fn tokens(src: &str, pos: usize) -> Tokens<'_> {
    let line_start = src[..pos].rfind('\n').map_or(0, |i| i + 1);
    let at_line_start = src[line_start..pos].trim().is_empty();
    Tokens {
        src,
        pos,
        line_start: at_line_start,
    }
}

/// The token at `pos` (after trivia), if any.
pub fn token_at(src: &str, pos: usize) -> Option<Token> {
    tokens(src, pos).next()
}

pub struct Tokens<'a> {
    src: &'a str,
    pos: usize,
    line_start: bool,
}

impl Iterator for Tokens<'_> {
    type Item = Token;

    fn next(&mut self) -> Option<Token> {
        let bytes = self.src.as_bytes();
        // Trivia, noting whether a line break was crossed.
        loop {
            let &b = bytes.get(self.pos)?;
            match b {
                b'\n' => {
                    self.line_start = true;
                    self.pos += 1;
                }
                b' ' | b'\t' | b'\r' => self.pos += 1,
                b'/' if bytes.get(self.pos + 1) == Some(&b'/') => {
                    self.pos = memchr::memchr(b'\n', &bytes[self.pos..])
                        .map_or(bytes.len(), |i| self.pos + i);
                }
                _ => break,
            }
        }
        let start = self.pos;
        let rest = &self.src[start..];
        let c = rest.chars().next()?;
        let (kind, end) = if c == '"' {
            let mut i = 1;
            let mut terminated = false;
            while i < rest.len() {
                match rest.as_bytes()[i] {
                    b'\\' => i += 2,
                    b'"' => {
                        i += 1;
                        terminated = true;
                        break;
                    }
                    b'\n' => break,
                    _ => i += 1,
                }
            }
            let mut end = start + i.min(rest.len());
            if !terminated {
                // Up to the end of the line, without a CR.
                while end > start + 1 && bytes[end - 1] == b'\r' {
                    end -= 1;
                }
            }
            while !self.src.is_char_boundary(end) {
                end += 1;
            }
            (TokenKind::Str { terminated }, end)
        } else if rest.starts_with("->") {
            (TokenKind::Arrow, start + 2)
        } else if is_word_char(c) {
            let len = rest
                .char_indices()
                .find(|&(_, ch)| !is_word_char(ch))
                .map_or(rest.len(), |(i, _)| i);
            (TokenKind::Word, start + len)
        } else {
            (TokenKind::Punct(c), start + c.len_utf8())
        };
        let tok = Token {
            kind,
            start,
            end,
            line_start: self.line_start,
        };
        self.line_start = false;
        self.pos = end;
        Some(tok)
    }
}

/// The word at `pos`, if the token there is a word.
pub fn word_at(src: &str, pos: usize) -> Option<&str> {
    let tok = tokens(src, pos).next()?;
    (tok.start == pos && tok.kind == TokenKind::Word).then(|| tok.text(src))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kinds(src: &str) -> Vec<(TokenKind, &str, bool)> {
        tokens(src, 0)
            .map(|t| (t.kind, t.text(src), t.line_start))
            .collect()
    }

    #[test]
    fn lexes_words_strings_and_punctuation() {
        let src = "step шаг 1h30m { // c\n  on \"a \\\" b\" -> x\n}";
        assert_eq!(
            kinds(src),
            vec![
                (TokenKind::Word, "step", true),
                (TokenKind::Word, "шаг", false),
                (TokenKind::Word, "1h30m", false),
                (TokenKind::Punct('{'), "{", false),
                (TokenKind::Word, "on", true),
                (TokenKind::Str { terminated: true }, "\"a \\\" b\"", false),
                (TokenKind::Arrow, "->", false),
                (TokenKind::Word, "x", false),
                (TokenKind::Punct('}'), "}", true),
            ]
        );
    }

    #[test]
    fn unterminated_string_stops_at_line_end() {
        let src = "say \"abc\r\nnext";
        let toks = kinds(src);
        assert_eq!(
            toks[1],
            (TokenKind::Str { terminated: false }, "\"abc", false)
        );
        assert_eq!(toks[2], (TokenKind::Word, "next", true));
    }
}

/// The text with every `//` comment replaced by spaces, byte for byte, or
/// `None` when there is no comment. Offsets, lines and columns stay the
/// same, so spans into the result are spans into `src`.
///
/// The parser runs pest on the blanked text (see the grammar's header): a
/// comment is white space, and blanking it beforehand spares the hot path
/// of the grammar a comment check between every two tokens. A `//` inside
/// a string is not a comment; strings end on their line, so a line's
/// prefix tells whether a `//` is inside one.
pub fn blank_comments(src: &str) -> Option<String> {
    let bytes = src.as_bytes();
    let mut out: Option<Vec<u8>> = None;
    let mut blanked_to = 0;
    for at in memchr::memmem::find_iter(bytes, b"//") {
        if at < blanked_to {
            continue;
        }
        let line_start = memchr::memrchr(b'\n', &bytes[..at]).map_or(0, |i| i + 1);
        if in_string(&bytes[line_start..at]) {
            continue;
        }
        let end = memchr::memchr(b'\n', &bytes[at..]).map_or(bytes.len(), |i| at + i);
        let buf = out.get_or_insert_with(|| bytes.to_vec());
        buf[at..end].fill(b' ');
        blanked_to = end;
    }
    // Only whole comments (to the end of a line) were replaced, and only
    // by ASCII spaces: the result is UTF-8.
    out.map(|b| String::from_utf8(b).unwrap_or_default())
}

/// Does a line that starts with `prefix` end inside a string?
fn in_string(prefix: &[u8]) -> bool {
    let mut inside = false;
    let mut i = 0;
    while i < prefix.len() {
        match prefix[i] {
            b'\\' if inside => i += 1,
            b'"' => inside = !inside,
            _ => {}
        }
        i += 1;
    }
    inside
}

#[cfg(test)]
mod blank_tests {
    use super::blank_comments;

    #[test]
    fn comments_become_spaces_and_strings_keep_their_slashes() {
        assert_eq!(blank_comments("no comment here"), None);
        assert_eq!(blank_comments("say \"http://x\""), None);
        let src = "a // привет\nsay \"a\\\"//b\" // c\r\nd";
        let out = blank_comments(src).unwrap();
        assert_eq!(out.len(), src.len());
        // A CR before the line break is part of the comment, and white space.
        assert_eq!(
            out,
            format!(
                "a {}\nsay \"a\\\"//b\" {}\nd",
                " ".repeat("// привет".len()),
                "     "
            )
        );
    }
}
