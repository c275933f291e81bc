//! The `callscript` command. See `callscript --help` and the README.

mod cli;
mod files;

fn main() -> std::process::ExitCode {
    cli::main()
}
