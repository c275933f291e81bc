//! Rendering diagnostics: for people (miette's graphical report, with or
//! without colour) and for tools (the JSON document of LANGUAGE.md). Pure:
//! both return a `String`; the binary decides where it goes.

use std::cell::OnceCell;
use std::fmt;
use std::sync::Arc;

use miette::{
    GraphicalReportHandler, GraphicalTheme, LabeledSpan, MietteError, MietteSpanContents,
    SourceCode, SourceSpan, SpanContents,
};
use serde::Serialize;

use crate::diagnostic::{Diagnostic, Severity};
use crate::source::{LineCol, LineIndex, SourceFile};

/// The project's files, as diagnostics need them: names, texts (invalid
/// UTF-8 shown lossily) and line indexes, built on first use.
pub struct Sources<'a> {
    files: &'a [SourceFile],
    cache: Vec<OnceCell<Arc<Indexed>>>,
}

struct Indexed {
    text: Arc<str>,
    index: LineIndex,
}

impl<'a> Sources<'a> {
    pub fn new(files: &'a [SourceFile]) -> Sources<'a> {
        Sources {
            files,
            cache: files.iter().map(|_| OnceCell::new()).collect(),
        }
    }

    pub fn name(&self, file: crate::FileId) -> &str {
        &self.files[file.index()].name
    }

    fn indexed(&self, file: crate::FileId) -> Arc<Indexed> {
        self.cache[file.index()]
            .get_or_init(|| {
                let text: Arc<str> = display_text(&self.files[file.index()].bytes).into();
                let index = LineIndex::new(&text);
                Arc::new(Indexed { text, index })
            })
            .clone()
    }

    /// 1-based line and character column of a byte offset.
    pub fn line_col(&self, file: crate::FileId, offset: usize) -> LineCol {
        let ix = self.indexed(file);
        ix.index.line_col(&ix.text, offset)
    }
}

/// A file's text for display. Invalid UTF-8 bytes become `?`, one byte
/// each, so that byte offsets (spans) still point at the same places.
fn display_text(bytes: &[u8]) -> String {
    let mut out = String::with_capacity(bytes.len());
    for chunk in bytes.utf8_chunks() {
        out.push_str(chunk.valid());
        out.extend(std::iter::repeat_n('?', chunk.invalid().len()));
    }
    out
}

// ------------------------------------------------------------------ human

/// How to draw human-readable reports.
#[derive(Clone, Copy, Debug)]
pub struct Style {
    pub color: bool,
    pub width: usize,
}

impl Default for Style {
    fn default() -> Self {
        Style {
            color: false,
            width: 100,
        }
    }
}

/// All diagnostics as miette reports, one after another.
pub fn human(diagnostics: &[Diagnostic], sources: &Sources<'_>, style: Style) -> String {
    let theme = if style.color {
        GraphicalTheme::unicode()
    } else {
        GraphicalTheme::unicode_nocolor()
    };
    let handler = GraphicalReportHandler::new_themed(theme)
        .with_width(style.width)
        .with_links(false)
        .with_primary_span_start()
        .with_context_lines(1);
    let mut out = String::new();
    for d in diagnostics {
        let report = Report::new(d, sources);
        if handler.render_report(&mut out, &report).is_err() {
            // Rendering into a String cannot fail for I/O; fall back to the
            // plain message if miette refuses a span.
            out.push_str(&format!("{}: {}\n", d.code, d.message));
        }
        out.push('\n');
    }
    out
}

/// A source for miette that finds the lines around a span through the
/// line index, so that rendering is proportional to the snippet, not to
/// the file (miette's own `str` source scans from the start every time).
#[derive(Clone)]
struct Snippet {
    name: String,
    source: Arc<Indexed>,
}

impl SourceCode for Snippet {
    fn read_span<'a>(
        &'a self,
        span: &SourceSpan,
        before: usize,
        after: usize,
    ) -> Result<Box<dyn SpanContents<'a> + 'a>, MietteError> {
        let text = &*self.source.text;
        let index = &self.source.index;
        let lc = index.line_col(text, span.offset());
        // Show at most `WIDE` bytes on either side of the span: a finding
        // on a megabyte-long line shows part of the line, so that a report
        // of many findings stays proportional to their number.
        let lo = char_boundary_down(text, span.offset().saturating_sub(WIDE));
        let hi = char_boundary_up(text, span.offset() + span.len() + WIDE);
        let first_line = lc.line.saturating_sub(1 + before);
        let (window_start, first_line, first_column) = if index.line_start(first_line) >= lo {
            (index.line_start(first_line), first_line, 0)
        } else {
            // The window starts inside the line of `lo`.
            let at = index.line_col(text, lo);
            (lo, at.line - 1, at.column - 1)
        };
        let window = &text.as_bytes()[window_start..hi.max(window_start)];
        let local = SourceSpan::new((span.offset() - window_start).into(), span.len());
        let inner = window.read_span(&local, (lc.line - 1 - first_line).min(before), after)?;
        let inner_span = inner.span();
        let column = if inner.line() == 0 {
            inner.column() + first_column
        } else {
            inner.column()
        };
        Ok(Box::new(MietteSpanContents::new_named(
            self.name.clone(),
            inner.data(),
            SourceSpan::new(
                (inner_span.offset() + window_start).into(),
                inner_span.len(),
            ),
            inner.line() + first_line,
            column,
            inner.line_count(),
        )))
    }
}

/// The most labels of one diagnostic the human report draws.
const MAX_LABELS: usize = 64;

/// The most bytes of source shown on either side of a span.
const WIDE: usize = 1024;

/// The char boundary at or before `i` (`i` clamped to the text).
fn char_boundary_down(text: &str, i: usize) -> usize {
    let mut i = i.min(text.len());
    while !text.is_char_boundary(i) {
        i -= 1;
    }
    i
}

/// The char boundary at or after `i` (`i` clamped to the text).
fn char_boundary_up(text: &str, i: usize) -> usize {
    let mut i = i.min(text.len());
    while !text.is_char_boundary(i) {
        i += 1;
    }
    i
}

/// One diagnostic as miette sees it. Labels in other files become related
/// notes, each with its own source.
struct Report {
    code: &'static str,
    severity: Severity,
    message: String,
    help: Option<String>,
    source: Snippet,
    labels: Vec<LabeledSpan>,
    related: Vec<Report>,
}

impl Report {
    fn new(d: &Diagnostic, sources: &Sources<'_>) -> Report {
        let snippet = |file| Snippet {
            name: sources.name(file).to_string(),
            source: sources.indexed(file),
        };
        let mut labels = vec![LabeledSpan::new_primary_with_span(
            None,
            SourceSpan::new((d.span.start as usize).into(), d.span.len()),
        )];
        let mut related = Vec::new();
        // A finding on a huge script may carry thousands of labels (every
        // step of a loop); the human report shows the first ones.
        for l in d.labels.iter().take(MAX_LABELS) {
            let span = SourceSpan::new((l.span.start as usize).into(), l.span.len());
            if l.file == d.file {
                labels.push(LabeledSpan::new_with_span(Some(l.message.clone()), span));
            } else {
                related.push(Report {
                    code: "",
                    severity: Severity::Warning,
                    message: l.message.clone(),
                    help: None,
                    source: snippet(l.file),
                    labels: vec![LabeledSpan::new_with_span(Some(l.message.clone()), span)],
                    related: Vec::new(),
                });
            }
        }
        Report {
            code: d.code.as_str(),
            severity: d.severity,
            message: d.message.clone(),
            help: match d.labels.len().saturating_sub(MAX_LABELS) {
                0 => d.help.clone(),
                hidden => {
                    let note = format!(
                        "{hidden} more labels are not shown; `--format json` lists them all"
                    );
                    Some(
                        d.help
                            .as_ref()
                            .map_or(note.clone(), |h| format!("{h}\n{note}")),
                    )
                }
            },
            source: snippet(d.file),
            labels,
            related,
        }
    }
}

impl fmt::Debug for Report {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl fmt::Display for Report {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for Report {}

impl miette::Diagnostic for Report {
    fn code<'a>(&'a self) -> Option<Box<dyn fmt::Display + 'a>> {
        (!self.code.is_empty()).then(|| Box::new(self.code) as Box<dyn fmt::Display>)
    }

    fn severity(&self) -> Option<miette::Severity> {
        Some(match self.severity {
            Severity::Error => miette::Severity::Error,
            Severity::Warning if self.code.is_empty() => miette::Severity::Advice,
            Severity::Warning => miette::Severity::Warning,
        })
    }

    fn help<'a>(&'a self) -> Option<Box<dyn fmt::Display + 'a>> {
        self.help
            .as_ref()
            .map(|h| Box::new(h) as Box<dyn fmt::Display>)
    }

    fn source_code(&self) -> Option<&dyn SourceCode> {
        Some(&self.source)
    }

    fn labels(&self) -> Option<Box<dyn Iterator<Item = LabeledSpan> + '_>> {
        Some(Box::new(self.labels.iter().cloned()))
    }

    fn related<'a>(&'a self) -> Option<Box<dyn Iterator<Item = &'a dyn miette::Diagnostic> + 'a>> {
        if self.related.is_empty() {
            return None;
        }
        Some(Box::new(
            self.related.iter().map(|r| r as &dyn miette::Diagnostic),
        ))
    }
}

// ------------------------------------------------------------------ JSON

#[derive(Serialize)]
struct JsonReport<'a> {
    diagnostics: Vec<JsonDiagnostic<'a>>,
    errors: usize,
    warnings: usize,
}

#[derive(Serialize)]
struct JsonDiagnostic<'a> {
    code: &'static str,
    severity: &'static str,
    message: &'a str,
    file: &'a str,
    line: usize,
    column: usize,
    end_line: usize,
    end_column: usize,
    labels: Vec<JsonLabel<'a>>,
    help: Option<&'a str>,
}

#[derive(Serialize)]
struct JsonLabel<'a> {
    message: &'a str,
    /// The label's file (labels may point into another file than the
    /// diagnostic, e.g. the first of two duplicate scripts).
    file: &'a str,
    line: usize,
    column: usize,
    end_line: usize,
    end_column: usize,
}

/// The `--format json` document: `{"diagnostics": […], "errors": N,
/// "warnings": N}`, lines and columns 1-based, columns in characters.
pub fn json(diagnostics: &[Diagnostic], sources: &Sources<'_>) -> String {
    let report = JsonReport {
        errors: diagnostics
            .iter()
            .filter(|d| d.severity == Severity::Error)
            .count(),
        warnings: diagnostics
            .iter()
            .filter(|d| d.severity == Severity::Warning)
            .count(),
        diagnostics: diagnostics
            .iter()
            .map(|d| {
                let start = sources.line_col(d.file, d.span.start as usize);
                let end = sources.line_col(d.file, d.span.end as usize);
                JsonDiagnostic {
                    code: d.code.as_str(),
                    severity: d.severity.as_str(),
                    message: &d.message,
                    file: sources.name(d.file),
                    line: start.line,
                    column: start.column,
                    end_line: end.line,
                    end_column: end.column,
                    labels: d
                        .labels
                        .iter()
                        .map(|l| {
                            let s = sources.line_col(l.file, l.span.start as usize);
                            let e = sources.line_col(l.file, l.span.end as usize);
                            JsonLabel {
                                message: &l.message,
                                file: sources.name(l.file),
                                line: s.line,
                                column: s.column,
                                end_line: e.line,
                                end_column: e.column,
                            }
                        })
                        .collect(),
                    help: d.help.as_deref(),
                }
            })
            .collect(),
    };
    let mut s = serde_json::to_string_pretty(&report).unwrap_or_else(|_| "{}".into());
    s.push('\n');
    s
}
