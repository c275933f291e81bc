//! callscript: a compiler for call-center dialogue scripts.
//!
//! The library is pure: [`compile`] takes sources (a name and bytes each)
//! and returns the checked project and every diagnostic. Reading files,
//! printing and exit codes belong to the binary (`src/main.rs`,
//! `src/cli.rs`). See `docs/ARCHITECTURE.md` for the pipeline.

#![cfg_attr(not(test), deny(clippy::unwrap_used))]

pub mod check;
pub mod diagnostic;
pub mod emit;
pub mod graph;
pub mod model;
pub mod render;
pub mod source;
mod suggest;
pub mod syntax;

pub use check::Options;
pub use diagnostic::{Code, Diagnostic, Label, Severity};
pub use source::{FileId, SourceFile, Span};

use graph::{ScriptGraph, Unbounded, WorstCase};
use model::Program;
use rayon::prelude::*;

/// A project that compiled without errors: the model, each script's graph
/// and its proven worst-case talk time.
#[derive(Debug)]
pub struct Project<'s> {
    pub program: Program<'s>,
    /// One per script, in the order of `program.scripts`.
    pub graphs: Vec<ScriptGraph>,
    /// One per script, in the order of `program.scripts`.
    pub worst: Vec<Result<WorstCase, Unbounded>>,
}

/// Compile a project: parse every file, build the model, run every check.
///
/// Returns the project when there is no error (warnings allowed), and all
/// diagnostics sorted by file and position. Files are numbered in the
/// order given ([`FileId`]).
pub fn compile<'s>(
    sources: &'s [SourceFile],
    options: &Options,
) -> (Option<Project<'s>>, Vec<Diagnostic>) {
    let (project, diagnostics, _) = compile_alongside(sources, options, |_| ());
    (project, diagnostics)
}

/// [`compile`], running `alongside` on the model while the graphs are
/// built and the checks run, on the cores they leave idle, when the model
/// has no errors (work for a build that is going to fail is not started).
/// Returns what `alongside` returned, if it ran.
///
/// `callscript build` renders the part of the operator JSON that needs
/// only the model this way ([`emit::json::ahead`]).
pub fn compile_alongside<'s, R: Send>(
    sources: &'s [SourceFile],
    options: &Options,
    alongside: impl FnOnce(&Program<'s>) -> R + Send,
) -> (Option<Project<'s>>, Vec<Diagnostic>, Option<R>) {
    // Files are parsed in parallel, scripts analysed in parallel, checks run
    // in parallel (rayon; RAYON_NUM_THREADS=1 makes it one thread). Every
    // result is collected in order and diagnostics are sorted at the end,
    // so the output does not depend on scheduling.
    let parsed: Vec<_> = sources
        .par_iter()
        .enumerate()
        .map(|(i, src)| {
            let file = FileId(i as u32);
            match source::decode(&src.bytes) {
                Ok(text) => {
                    let (ast, diags) = syntax::parse(file, text);
                    ((file, ast), diags)
                }
                // What the file defines is unknown: stay quiet about roles or
                // a contract that may be in it.
                Err(e) => (
                    (file, syntax::ast::File::unreadable()),
                    vec![decode_error(file, &src.bytes, e)],
                ),
            }
        })
        .collect();
    let mut diagnostics = Vec::new();
    let mut files = Vec::with_capacity(sources.len());
    for (file, diags) in parsed {
        files.push(file);
        diagnostics.extend(diags);
    }
    let (program, diags) = model::build(files);
    diagnostics.extend(diags);
    let clean = !diagnostics.iter().any(Diagnostic::is_error);
    let ((graphs, worst, found), along) = rayon::join(
        || {
            let graphs: Vec<ScriptGraph> =
                program.scripts.par_iter().map(ScriptGraph::new).collect();
            let worst: Vec<_> = program
                .scripts
                .par_iter()
                .zip(&graphs)
                .map(|(s, g)| graph::worst_case(s, g))
                .collect();
            let found = check::run(&check::Context {
                program: &program,
                graphs: &graphs,
                worst: &worst,
                options: *options,
            });
            (graphs, worst, found)
        },
        || clean.then(|| alongside(&program)),
    );
    diagnostics.extend(found);
    diagnostic::sort(&mut diagnostics);
    let ok = !diagnostics.iter().any(Diagnostic::is_error);
    let project = ok.then_some(Project {
        program,
        graphs,
        worst,
    });
    (project, diagnostics, along)
}

fn decode_error(file: FileId, bytes: &[u8], e: source::DecodeError) -> Diagnostic {
    match e {
        source::DecodeError::InvalidUtf8 { offset } => {
            let len = bytes[offset..]
                .iter()
                .take(4)
                .take_while(|&&b| b >= 0x80)
                .count()
                .max(1);
            Diagnostic::new(
                Code::InvalidUtf8,
                file,
                Span::new(offset, offset + len),
                format!(
                    "the file is not valid UTF-8: byte {offset} (0x{:02X}) starts no character",
                    bytes[offset]
                ),
            )
            .with_help("save the file as UTF-8 (in most editors: \"Save with encoding\" → UTF-8)")
        }
        source::DecodeError::TooLarge => Diagnostic::new(
            Code::InvalidUtf8,
            file,
            Span::new(0, 0),
            "the file is larger than 4 GiB, the largest source callscript reads",
        ),
    }
}
