//! The Markdown and HTML annex: the view model rendered through a
//! minijinja template, the built-in one or a company's own.
//!
//! Every value a template prints is escaped for its format, so script
//! text can never turn into markup: HTML by minijinja's HTML
//! auto-escaping, Markdown by [`escape_markdown`] (a custom auto-escape
//! mode). Undefined variables are errors when printed or iterated, so a
//! misspelt variable in a company's template is reported, not silently
//! left blank.

use minijinja::syntax::SyntaxConfig;
use minijinja::value::{Serde, Value};
use minijinja::{AutoEscape, Environment, UndefinedBehavior, escape_formatter};

use super::{Annex, Error, Template};

/// The built-in Markdown template.
pub const MARKDOWN_TEMPLATE: &str = include_str!("templates/annex.md.j2");
/// The built-in HTML template.
pub const HTML_TEMPLATE: &str = include_str!("templates/annex.html.j2");

/// The name of the custom auto-escape mode for Markdown.
const MARKDOWN: &str = "markdown";

pub fn markdown(annex: &Annex, template: Option<Template<'_>>) -> Result<String, Error> {
    let template = template.unwrap_or(Template {
        name: "annex.md.j2",
        source: MARKDOWN_TEMPLATE,
    });
    let text = run(annex, template, AutoEscape::Custom(MARKDOWN.into()))?;
    Ok(tidy_markdown(&text))
}

/// Collapse runs of blank lines into one and end with exactly one newline.
/// Blank lines carry no meaning in Markdown beyond separating blocks, and
/// this frees templates from counting the newlines their blocks and macros
/// leave.
fn tidy_markdown(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut blank = false;
    for line in text.trim().lines() {
        let line = line.trim_end();
        if line.is_empty() {
            blank = true;
            continue;
        }
        if blank {
            out.push('\n');
        }
        blank = false;
        out.push_str(line);
        out.push('\n');
    }
    out
}

pub fn html(annex: &Annex, template: Option<Template<'_>>) -> Result<String, Error> {
    let template = template.unwrap_or(Template {
        name: "annex.html.j2",
        source: HTML_TEMPLATE,
    });
    run(annex, template, AutoEscape::Html)
}

/// Compile and render `template` over the annex, escaping as `escape`
/// says whatever the template's name.
fn run(annex: &Annex, template: Template<'_>, escape: AutoEscape) -> Result<String, Error> {
    let mut env = Environment::new();
    env.set_undefined_behavior(UndefinedBehavior::SemiStrict);
    env.set_auto_escape_callback(move |_| escape.clone());
    env.set_formatter(format_value);
    env.add_filter("md", md_filter);
    env.set_syntax(syntax());
    env.add_template(template.name, template.source)
        .map_err(|e| Error(describe(&e)))?;
    let compiled = env
        .get_template(template.name)
        .map_err(|e| Error(describe(&e)))?;
    compiled
        .render(Value::from(Serde(annex)))
        .map_err(|e| Error(describe(&e)))
}

/// Block tags take their line with them (`trim_blocks`,
/// `lstrip_blocks`), so templates can be laid out readably; a template's
/// final newline is kept.
fn syntax() -> SyntaxConfig {
    SyntaxConfig::builder()
        .trim_blocks(true)
        .lstrip_blocks(true)
        .keep_trailing_newline(true)
        .build()
        .unwrap_or_default()
}

/// Print a value: Markdown-escaped in the Markdown mode, else as
/// minijinja does (HTML-escaped in HTML).
fn format_value(
    out: &mut minijinja::Output<'_>,
    state: &mut minijinja::State<'_, '_>,
    value: &Value,
) -> Result<(), minijinja::Error> {
    match state.auto_escape() {
        AutoEscape::Custom(mode) if mode == MARKDOWN => {
            let text = match value.as_str() {
                Some(s) if value.is_safe() => return write(out, s),
                Some(s) => escape_markdown(s),
                None => escape_markdown(&value.to_string()),
            };
            write(out, &text)
        }
        _ => escape_formatter(out, state, value),
    }
}

fn write(out: &mut minijinja::Output<'_>, s: &str) -> Result<(), minijinja::Error> {
    out.write_str(s).map_err(minijinja::Error::from)
}

/// `{{ x|md }}`: Markdown-escape a value explicitly (the result is not
/// escaped again).
fn md_filter(value: &Value) -> Value {
    let text = match value.as_str() {
        Some(s) => escape_markdown(s),
        None => escape_markdown(&value.to_string()),
    };
    Value::from_safe_string(text)
}

/// One line: the problem, and where in the template it is.
fn describe(e: &minijinja::Error) -> String {
    let mut message = e.to_string();
    let mut source = std::error::Error::source(e);
    while let Some(cause) = source {
        message.push_str(": ");
        message.push_str(&cause.to_string());
        source = cause.source();
    }
    message.replace('\n', " ")
}

/// Escape text for Markdown (CommonMark and GitHub's dialect) so that it
/// reads exactly as written wherever a template puts it, table cells
/// included:
///
/// - `\` `` ` `` `*` `_` `[` `]` `#` `|` `~` `$` get a backslash;
/// - `<`, `>` and `&` become `&lt;`, `&gt;`, `&amp;`;
/// - a `-`, `+` or `=` at the start, or the `.`/`)` after leading digits,
///   gets a backslash, so that the text never starts a list or heading;
/// - a line break becomes `<br>` (a new line would end a table row or a
///   paragraph); a carriage return is dropped.
pub fn escape_markdown(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + s.len() / 8);
    let leading_digits = s.chars().take_while(char::is_ascii_digit).count();
    for (i, c) in s.chars().enumerate() {
        match c {
            '\\' | '`' | '*' | '_' | '[' | ']' | '#' | '|' | '~' | '$' => {
                out.push('\\');
                out.push(c);
            }
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '&' => out.push_str("&amp;"),
            '\n' => out.push_str("<br>"),
            '\r' => {}
            '-' | '+' | '=' if i == 0 => {
                out.push('\\');
                out.push(c);
            }
            '.' | ')' if i == leading_digits && i > 0 => {
                out.push('\\');
                out.push(c);
            }
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::escape_markdown;

    #[test]
    fn markdown_escaping_keeps_text_literal() {
        assert_eq!(
            escape_markdown("<b>&amp;</b>"),
            "&lt;b&gt;&amp;amp;&lt;/b&gt;"
        );
        assert_eq!(escape_markdown("a | b"), r"a \| b");
        assert_eq!(escape_markdown("*x* _y_ `z`"), r"\*x\* \_y\_ \`z\`");
        assert_eq!(escape_markdown("[a](b)"), r"\[a\](b)");
        assert_eq!(escape_markdown("# not a heading"), r"\# not a heading");
        assert_eq!(escape_markdown("- not a list"), r"\- not a list");
        assert_eq!(escape_markdown("1. not a list"), r"1\. not a list");
        assert_eq!(escape_markdown("3-5 минут"), "3-5 минут");
        assert_eq!(escape_markdown("строка\nстрока"), "строка<br>строка");
        assert_eq!(escape_markdown("ООО «Ромашка»"), "ООО «Ромашка»");
        assert_eq!(escape_markdown(r"C:\path"), r"C:\\path");
    }
}
