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
use std::sync::atomic::{AtomicBool, Ordering};

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
    let (project, diagnostics, _) = compile_alongside(sources, options, |_| (), |_, (), _| ());
    (project, diagnostics)
}

/// [`compile`], with work of the caller's beside the compiler's, on the
/// cores it leaves idle: `early` runs on the model while the graphs and
/// worst cases are made, then `late` on the analysed project (and what
/// `early` returned) while the checks run.
///
/// Both run only when the model has no errors (work for a build that is
/// going to fail is not started), and `late` is told when the checks have
/// found an error ([`Alongside::unwanted`]): the project is then not
/// returned, and what it makes is not wanted. Returns what `late`
/// returned, if it ran.
///
/// `callscript build` renders the first nodes of the operator JSON early
/// ([`emit::json::ahead`]), then writes the JSON, fingerprints and all,
/// while the checks run ([`emit::json::write_with`]).
pub fn compile_alongside<'s, E: Send, R: Send>(
    sources: &'s [SourceFile],
    options: &Options,
    early: impl FnOnce(&Program<'s>) -> E + Send,
    late: impl FnOnce(Analysed<'_, 's>, E, &Alongside) -> R + Send,
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
    let status = Alongside {
        unwanted: AtomicBool::new(false),
    };
    let ((graphs, worst), early) =
        rayon::join(|| analyse(&program), || clean.then(|| early(&program)));
    let (found, along) = rayon::join(
        || {
            let found = check::run(&check::Context {
                program: &program,
                graphs: &graphs,
                worst: &worst,
                options: *options,
            });
            if found.iter().any(Diagnostic::is_error) {
                status.unwanted.store(true, Ordering::Relaxed);
            }
            found
        },
        || {
            early.map(|early| {
                let analysed = Analysed {
                    program: &program,
                    worst: &worst,
                };
                late(analysed, early, &status)
            })
        },
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

type Worst = Result<WorstCase, Unbounded>;

/// Each script's graph and worst case.
fn analyse(program: &Program<'_>) -> (Vec<ScriptGraph>, Vec<Worst>) {
    let graphs: Vec<ScriptGraph> = program.scripts.par_iter().map(ScriptGraph::new).collect();
    let worst = program
        .scripts
        .par_iter()
        .zip(&graphs)
        .map(|(s, g)| graph::worst_case(s, g))
        .collect();
    (graphs, worst)
}

/// A project analysed, its checks not yet done: what the `late` work of
/// [`compile_alongside`] is given.
#[derive(Clone, Copy, Debug)]
pub struct Analysed<'a, 's> {
    pub program: &'a Program<'s>,
    /// One per script, in the order of `program.scripts`.
    pub worst: &'a [Result<WorstCase, Unbounded>],
}

impl<'s> Project<'s> {
    /// The model and worst cases, as [`compile_alongside`] gives them.
    pub fn analysed(&self) -> Analysed<'_, 's> {
        Analysed {
            program: &self.program,
            worst: &self.worst,
        }
    }
}

/// What the work beside the checks is told (see [`compile_alongside`]).
#[derive(Debug)]
pub struct Alongside {
    unwanted: AtomicBool,
}

impl Alongside {
    /// Whether the checks have found an error: the project will not be
    /// returned, and work on it may stop. Once true, it stays true.
    pub fn unwanted(&self) -> bool {
        self.unwanted.load(Ordering::Relaxed)
    }
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
