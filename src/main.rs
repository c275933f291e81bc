//! The `callscript` command. See `callscript --help` and the README.

mod cli;
mod files;

// The compiler allocates many small, short-lived objects (pest's token
// queues, AST vectors); mimalloc handles them markedly faster than the
// system allocator (see docs/performance.md).
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> std::process::ExitCode {
    cli::main()
}
