//! The command line: arguments, reading the project, printing reports,
//! exit codes. Everything that touches the outside world lives here (and
//! in `files.rs`); the library stays pure.

use std::io::{IsTerminal, Write};
use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand, ValueEnum};

use callscript::render::{self, Sources, Style};
use callscript::{Diagnostic, Options, Severity, SourceFile};

use crate::files;

/// Exit codes: the sources are fine (warnings allowed).
pub const EXIT_OK: u8 = 0;
/// The sources have errors (or warnings, with `--deny-warnings`).
pub const EXIT_ERRORS: u8 = 1;
/// Bad usage, or an I/O failure.
pub const EXIT_USAGE: u8 = 2;

#[derive(Parser, Debug)]
#[command(
    name = "callscript",
    version,
    about = "Compile call-center dialogue scripts: prove them, emit operator JSON and contract annexes",
    long_about = None,
    after_help = "Exit codes: 0 success (warnings allowed), 1 the sources have errors, 2 bad usage or an I/O failure.\nDocumentation: docs/language.md, docs/diagnostics.md"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand, Debug)]
enum Command {
    /// Check a project and report every problem
    Check {
        /// Files and folders (folders are searched for *.script)
        #[arg(required = true, value_name = "PATHS")]
        paths: Vec<PathBuf>,
        /// How to print the diagnostics
        #[arg(long, value_enum, default_value_t = Format::Human)]
        format: Format,
        /// Treat warnings as errors (exit 1 when there are any)
        #[arg(long)]
        deny_warnings: bool,
        /// When to colour the report
        #[arg(long, value_enum, default_value_t = Color::Auto)]
        color: Color,
    },
    /// Check a project and write the operator JSON (DIR/operator.json);
    /// nothing is written when the project has errors
    Build {
        /// Files and folders (folders are searched for *.script)
        #[arg(required = true, value_name = "PATHS")]
        paths: Vec<PathBuf>,
        /// The folder to write operator.json into (created if missing)
        #[arg(long, value_name = "DIR")]
        out: PathBuf,
        /// Treat warnings as errors (write nothing, exit 1)
        #[arg(long)]
        deny_warnings: bool,
        /// When to colour the report
        #[arg(long, value_enum, default_value_t = Color::Auto)]
        color: Color,
    },
}

#[derive(Clone, Copy, Debug, ValueEnum)]
enum Format {
    Human,
    Json,
}

#[derive(Clone, Copy, Debug, ValueEnum)]
enum Color {
    Auto,
    Always,
    Never,
}

/// A failure of the command itself (exit 2), with one clear line.
#[derive(Debug)]
pub struct Failure(pub String);

impl std::fmt::Display for Failure {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

pub fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => {
            // clap prints usage errors and exits 2; --help/--version exit 0.
            e.exit();
        }
    };
    match run(cli) {
        Ok(code) => ExitCode::from(code),
        Err(Failure(message)) => {
            eprintln!("error: {message}");
            ExitCode::from(EXIT_USAGE)
        }
    }
}

fn run(cli: Cli) -> Result<u8, Failure> {
    match cli.command {
        Command::Check {
            paths,
            format,
            deny_warnings,
            color,
        } => {
            let sources = files::read_project(&paths)?;
            let (_, diagnostics) = callscript::compile(&sources, &Options::default());
            report(&sources, &diagnostics, format, color)?;
            Ok(exit_code(&diagnostics, deny_warnings))
        }
        Command::Build {
            paths,
            out,
            deny_warnings,
            color,
        } => {
            let sources = files::read_project(&paths)?;
            let (project, diagnostics) = callscript::compile(&sources, &Options::default());
            let code = exit_code(&diagnostics, deny_warnings);
            let project = match project {
                Some(p) if code == EXIT_OK => p,
                _ => {
                    report(&sources, &diagnostics, Format::Human, color)?;
                    eprintln!("nothing written");
                    return Ok(EXIT_ERRORS);
                }
            };
            if !diagnostics.is_empty() {
                report(&sources, &diagnostics, Format::Human, color)?;
            }
            let json = callscript::emit::json::to_string(&project);
            let path = files::write_atomically(&out, "operator.json", json.as_bytes())?;
            eprintln!(
                "wrote {}: {}, {}",
                path.display(),
                plural(project.program.scripts.len(), "script", "scripts"),
                plural(project.program.roles.len(), "role", "roles")
            );
            Ok(EXIT_OK)
        }
    }
}

fn exit_code(diagnostics: &[Diagnostic], deny_warnings: bool) -> u8 {
    let failing = |d: &&Diagnostic| d.severity == Severity::Error || deny_warnings;
    if diagnostics.iter().any(|d| failing(&d)) {
        EXIT_ERRORS
    } else {
        EXIT_OK
    }
}

/// Print the diagnostics: JSON on stdout, or the human report and a summary
/// line on stderr.
fn report(
    sources: &[SourceFile],
    diagnostics: &[Diagnostic],
    format: Format,
    color: Color,
) -> Result<(), Failure> {
    let view = Sources::new(sources);
    match format {
        Format::Json => {
            let text = render::json(diagnostics, &view);
            write_stream(std::io::stdout().lock(), &text)
        }
        Format::Human => {
            let color = match color {
                Color::Always => true,
                Color::Never => false,
                Color::Auto => {
                    std::io::stderr().is_terminal() && std::env::var_os("NO_COLOR").is_none()
                }
            };
            let mut text = render::human(
                diagnostics,
                &view,
                Style {
                    color,
                    ..Style::default()
                },
            );
            text.push_str(&summary(sources, diagnostics));
            write_stream(std::io::stderr().lock(), &text)
        }
    }
}

fn write_stream(mut w: impl Write, text: &str) -> Result<(), Failure> {
    match w.write_all(text.as_bytes()).and_then(|_| w.flush()) {
        Ok(()) => Ok(()),
        // A closed pipe (`callscript check … | head`) is not our failure.
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Ok(()),
        Err(e) => Err(Failure(format!("cannot write the report: {e}"))),
    }
}

/// `2 errors, 1 warning in 3 files` / `3 files checked: no problems`.
fn summary(sources: &[SourceFile], diagnostics: &[Diagnostic]) -> String {
    let errors = diagnostics.iter().filter(|d| d.is_error()).count();
    let warnings = diagnostics.len() - errors;
    let files = plural(sources.len(), "file", "files");
    if errors == 0 && warnings == 0 {
        return format!("{files} checked: no problems\n");
    }
    format!(
        "{}, {} in {files}\n",
        plural(errors, "error", "errors"),
        plural(warnings, "warning", "warnings")
    )
}

pub fn plural(n: usize, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}
