//! Outputs of a checked project: the operator JSON (`json`), the contract
//! annex (`annex`), and script fingerprints shared by both. Emitters are
//! pure: they return bytes or strings; the binary writes them.

pub mod annex;
pub mod fingerprint;
pub mod json;
mod pipeline;
pub mod pretty;

use crate::model::{Segment, Text};

/// Operator text as a template: `{name}` for a field, `{{` and `}}` for
/// literal braces (the convention of Rust's and Python's format strings).
/// Operator tools fill in the fields; the annex shows the template.
pub fn template(text: &Text<'_>) -> String {
    template_cow(text).into_owned()
}

/// [`template`], borrowing the source when the text has no escape and no
/// brace (most texts), so that large outputs do not copy every line.
pub fn template_cow<'s>(text: &Text<'s>) -> std::borrow::Cow<'s, str> {
    let raw = text.raw;
    // memchr: a `char` array pattern would test the text char by char.
    if text.is_verbatim() || memchr::memchr3(b'{', b'}', b'\\', raw.as_bytes()).is_none() {
        return std::borrow::Cow::Borrowed(raw);
    }
    let mut out = String::with_capacity(raw.len() + 8);
    for seg in text.segments() {
        match seg {
            Segment::Literal(l) => {
                for c in l.chars() {
                    match c {
                        '{' => out.push_str("{{"),
                        '}' => out.push_str("}}"),
                        c => out.push(c),
                    }
                }
            }
            Segment::Field(f) => {
                out.push('{');
                out.push_str(f.name);
                out.push('}');
            }
        }
    }
    std::borrow::Cow::Owned(out)
}

/// How many bytes of source `nodes` (consecutive nodes of one script)
/// span: what rendering them is sized by.
fn source_len(nodes: &[crate::model::Node<'_>]) -> usize {
    match (nodes.first(), nodes.last()) {
        (Some(first), Some(last)) => {
            (last.span.end as usize).saturating_sub(first.span.start as usize)
        }
        _ => 0,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::source::Span;

    fn text(raw: &str) -> Text<'_> {
        Text::new(raw, Span::new(0, raw.len() + 2))
    }

    #[test]
    fn templates_keep_fields_and_double_literal_braces() {
        assert_eq!(template(&text("Привет, {name}!")), "Привет, {name}!");
        assert_eq!(template(&text(r"Код \{A\}: {code}")), "Код {{A}}: {code}");
        assert_eq!(
            template(&text(r#"Кавычки \"да\"\nстрока"#)),
            "Кавычки \"да\"\nстрока"
        );
    }
}
