//! The command line: arguments, reading the project, printing reports,
//! exit codes. Everything that touches the outside world lives here (and
//! in `files.rs`); the library stays pure.

use std::io::{IsTerminal, Write};
use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Args, Parser, Subcommand, ValueEnum};

use callscript::emit::{annex, json};
use callscript::render::{self, Sources, Style};
use callscript::{Analysed, Diagnostic, Options, Project, Severity, SourceFile};

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
    after_help = "Exit codes: 0 success (warnings allowed), 1 the sources have errors, 2 bad usage or an I/O failure.\nDocumentation: docs/language.md, docs/diagnostics.md, docs/annex.md"
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
        /// Indent the JSON for people to read (it is compact otherwise,
        /// about half the size)
        #[arg(long)]
        pretty: bool,
        /// Treat warnings as errors (write nothing, exit 1)
        #[arg(long)]
        deny_warnings: bool,
        /// When to colour the report
        #[arg(long, value_enum, default_value_t = Color::Auto)]
        color: Color,
    },
    /// Check a project and write the contract annex (DIR/annex.md, .html or
    /// .docx); nothing is written when the project has errors
    Annex(AnnexArgs),
}

#[derive(Clone, Copy, Debug, ValueEnum)]
enum Format {
    Human,
    Json,
}

#[derive(Args, Debug)]
struct AnnexArgs {
    /// Files and folders (folders are searched for *.script)
    #[arg(required = true, value_name = "PATHS")]
    paths: Vec<PathBuf>,
    /// The folder to write the annex into (created if missing)
    #[arg(long, value_name = "DIR")]
    out: PathBuf,
    /// The document format
    #[arg(long, value_enum, default_value_t = AnnexFormat::Md)]
    format: AnnexFormat,
    /// The language of headings and terms (script text is never translated)
    #[arg(long, value_enum, default_value_t = AnnexLang::Ru)]
    lang: AnnexLang,
    /// The annex's number in the contract, free text (3, 3-А)
    #[arg(long, value_name = "N")]
    number: Option<String>,
    /// A minijinja template of your own for md or html (see docs/annex.md)
    #[arg(long, value_name = "FILE")]
    template: Option<PathBuf>,
    /// Treat warnings as errors (write nothing, exit 1)
    #[arg(long)]
    deny_warnings: bool,
    /// When to colour the report
    #[arg(long, value_enum, default_value_t = Color::Auto)]
    color: Color,
}

#[derive(Clone, Copy, Debug, ValueEnum)]
enum AnnexFormat {
    /// Markdown
    Md,
    /// One self-contained, printable HTML page
    Html,
    /// A Word document
    Docx,
}

#[derive(Clone, Copy, Debug, ValueEnum)]
enum AnnexLang {
    /// Russian
    Ru,
    /// English
    En,
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
            use clap::error::ErrorKind;
            // --help/--version print and exit 0.
            if matches!(
                e.kind(),
                ErrorKind::DisplayHelp
                    | ErrorKind::DisplayVersion
                    | ErrorKind::DisplayHelpOnMissingArgumentOrSubcommand
            ) {
                e.exit();
            }
            eprintln!("{}", usage_error(&e.render().to_string()));
            return ExitCode::from(EXIT_USAGE);
        }
    };
    // The command runs on the thread pool, and this thread is one of its
    // workers: one thread fewer to start, and one allocator heap fewer
    // (each thread's heap faults in a 2 MiB page of its own; see
    // docs/performance.md). `RAYON_NUM_THREADS` still sets the count. Only
    // a pool built before this could make it fail, and there is none.
    let _ = rayon::ThreadPoolBuilder::new()
        .use_current_thread()
        .build_global();
    match rayon::scope(|_| run(cli)) {
        Ok(code) => ExitCode::from(code),
        Err(Failure(message)) => {
            eprintln!("error: {message}");
            ExitCode::from(EXIT_USAGE)
        }
    }
}

/// clap's report of a usage error as one line: its first paragraph, and
/// where to find help (`error: unexpected argument '--x' found; see
/// `callscript check --help``).
fn usage_error(report: &str) -> String {
    let first = report.split("\n\n").next().unwrap_or_default();
    let message = first.split_whitespace().collect::<Vec<_>>().join(" ");
    let command: Vec<&str> = report
        .lines()
        .find_map(|l| l.strip_prefix("Usage: "))
        .unwrap_or("callscript")
        .split_whitespace()
        .take_while(|w| !w.starts_with(['[', '<', '-']))
        .collect();
    let command = if command.is_empty() {
        "callscript".to_string()
    } else {
        command.join(" ")
    };
    format!("{message}; see `{command} --help`")
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
            let (project, diagnostics) = callscript::compile(&sources, &Options::default());
            exiting(project);
            report(&sources, &diagnostics, format, color)?;
            exiting(sources);
            Ok(exit_code(&diagnostics, deny_warnings))
        }
        Command::Build {
            paths,
            out,
            pretty,
            deny_warnings,
            color,
        } => {
            let layout = if pretty {
                json::Layout::Pretty
            } else {
                json::Layout::Compact
            };
            let sources = files::read_project(&paths)?;
            let options = Options::default();
            // The first nodes are rendered while the graphs are made;
            // then, into a folder that exists, the JSON is written (its
            // fingerprints hashed meanwhile) and made durable while the
            // checks run, and put in place only if they pass. A failing
            // build removes it (and creates no folder).
            let write = |project: Analysed, ahead, unwanted: &(dyn Fn() -> bool + Sync)| {
                files::stage(&out, "operator.json", unwanted, |w| {
                    json::write_with(project, ahead, w)
                })
            };
            let compiled = callscript::compile_alongside(
                &sources,
                &options,
                |program| json::ahead(program, layout),
                |project, ahead, along| {
                    out.is_dir()
                        .then(|| write(project, ahead, &|| along.unwanted()))
                },
            );
            let (Some(project), staged) = checked(&sources, compiled, deny_warnings, color)? else {
                return Ok(EXIT_ERRORS);
            };
            let staged = match staged.flatten() {
                Some(staged) => staged?,
                None => write(
                    project.analysed(),
                    json::ahead(&project.program, layout),
                    &|| false,
                )?,
            };
            let path = staged.commit()?;
            wrote(&path, &project);
            exiting(project);
            exiting(sources);
            Ok(EXIT_OK)
        }
        Command::Annex(args) => write_annex(args),
    }
}

/// `callscript annex`: prove the project with the contract terms required,
/// then write the annex in the format asked for.
fn write_annex(args: AnnexArgs) -> Result<u8, Failure> {
    let format = match args.format {
        AnnexFormat::Md => annex::Format::Markdown,
        AnnexFormat::Html => annex::Format::Html,
        AnnexFormat::Docx => annex::Format::Docx,
    };
    if args.template.is_some() && format == annex::Format::Docx {
        return Err(Failure(
            "`--template` is for `--format md` and `--format html`; a DOCX annex has no template"
                .into(),
        ));
    }
    // (name for messages, text)
    let template = match &args.template {
        Some(path) => Some((path.display().to_string(), read_template(path)?)),
        None => None,
    };
    let sources = files::read_project(&args.paths)?;
    let options = Options {
        require_contract: true,
    };
    let compiled = callscript::compile_alongside(&sources, &options, |_| (), |_, (), _| ());
    let (Some(project), _) = checked(&sources, compiled, args.deny_warnings, args.color)? else {
        return Ok(EXIT_ERRORS);
    };
    let settings = annex::Options {
        lang: match args.lang {
            AnnexLang::Ru => annex::Lang::Ru,
            AnnexLang::En => annex::Lang::En,
        },
        number: args.number.as_deref(),
    };
    let custom = template
        .as_ref()
        .map(|(name, source)| annex::Template { name, source });
    let bytes =
        annex::render(&project, &settings, format, custom).map_err(|e| match &template {
            Some((name, _)) => Failure(format!("the template `{name}`: {e}")),
            None => Failure(format!("cannot render the annex: {e}")),
        })?;
    let path = files::write_atomically(&args.out, format.file_name(), &bytes)?;
    wrote(&path, &project);
    Ok(EXIT_OK)
}

/// The text of a `--template` file.
fn read_template(path: &std::path::Path) -> Result<String, Failure> {
    let bytes = std::fs::read(path).map_err(|e| {
        Failure(format!(
            "cannot read the template `{}`: {}",
            path.display(),
            files::io_reason(&e)
        ))
    })?;
    String::from_utf8(bytes)
        .map_err(|_| Failure(format!("the template `{}` is not UTF-8", path.display())))
}

/// A compiled project (see [`callscript::compile_alongside`]); when it has
/// errors (or warnings, with `deny_warnings`), print the report and
/// `nothing written` and return `(None, None)`. Warnings of a project that
/// passes are printed too.
fn checked<'s, R>(
    sources: &'s [SourceFile],
    (project, diagnostics, along): (Option<Project<'s>>, Vec<Diagnostic>, Option<R>),
    deny_warnings: bool,
    color: Color,
) -> Result<(Option<Project<'s>>, Option<R>), Failure> {
    let code = exit_code(&diagnostics, deny_warnings);
    match project {
        Some(p) if code == EXIT_OK => {
            if !diagnostics.is_empty() {
                report(sources, &diagnostics, Format::Human, color)?;
            }
            Ok((Some(p), along))
        }
        _ => {
            report(sources, &diagnostics, Format::Human, color)?;
            eprintln!("nothing written");
            Ok((None, None))
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

/// A value the process no longer needs, just before it exits: the OS
/// reclaims its memory at once, where dropping it would free a large
/// project's vectors one by one (about a tenth of `check` on 100,000
/// steps). Compilers commonly do the same (Clang's `-disable-free`).
fn exiting<T>(value: T) {
    std::mem::forget(value);
}

/// The success line of `build` and `annex`.
fn wrote(path: &std::path::Path, project: &Project<'_>) {
    eprintln!(
        "wrote {}: {}, {}",
        path.display(),
        plural(project.program.scripts.len(), "script", "scripts"),
        plural(project.program.roles.len(), "role", "roles")
    );
}

pub fn plural(n: usize, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}
