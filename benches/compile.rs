//! Parse, check and build on generated projects of 1k, 10k and 100k steps.
//!
//! The workload is `benches/workload/gen_callscript.py` (python3 is needed),
//! the same dialogue graph the peer compiler, inkjs, is measured on. The
//! generated files are kept in `target/bench-workload/`. Run:
//!
//! ```sh
//! cargo bench --bench compile            # everything
//! cargo bench --bench compile -- parse   # one group
//! ```
//!
//! Throughput is reported in bytes of source per second. The numbers and
//! the whole-process measurements are in docs/performance.md.

use std::path::{Path, PathBuf};
use std::process::Command;

use callscript::emit::json;
use callscript::{FileId, Options, SourceFile};
use criterion::{BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};

// The same allocator as the binary, so that library and CLI numbers agree.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

const SIZES: [usize; 3] = [1_000, 10_000, 100_000];

/// The generated project of `steps` steps (cached).
fn workload(steps: usize) -> Vec<u8> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let dir = root.join("target/bench-workload");
    std::fs::create_dir_all(&dir).expect("target/ is writable");
    let path: PathBuf = dir.join(format!("b{steps}.script"));
    if !path.exists() {
        let status = Command::new("python3")
            .arg(root.join("benches/workload/gen_callscript.py"))
            .arg(steps.to_string())
            .arg(&path)
            .status()
            .expect("python3 runs the workload generator");
        assert!(status.success(), "the workload generator failed");
    }
    std::fs::read(&path).expect("the generated workload is readable")
}

fn benches(c: &mut Criterion) {
    for steps in SIZES {
        let bytes = workload(steps);
        let text = std::str::from_utf8(&bytes).expect("UTF-8");
        let sources = vec![SourceFile::new("bench.script", bytes.clone())];
        let samples = if steps >= 100_000 { 10 } else { 20 };

        let mut g = c.benchmark_group("parse");
        g.sample_size(samples)
            .throughput(Throughput::Bytes(bytes.len() as u64));
        g.bench_with_input(BenchmarkId::from_parameter(steps), text, |b, text| {
            b.iter(|| callscript::syntax::parse(FileId(0), text))
        });
        g.finish();

        let mut g = c.benchmark_group("check");
        g.sample_size(samples)
            .throughput(Throughput::Bytes(bytes.len() as u64));
        g.bench_with_input(BenchmarkId::from_parameter(steps), &sources, |b, s| {
            b.iter(|| {
                let (project, diags) = callscript::compile(s, &Options::default());
                assert!(diags.is_empty());
                project
            })
        });
        g.finish();

        let mut g = c.benchmark_group("build");
        g.sample_size(samples)
            .throughput(Throughput::Bytes(bytes.len() as u64));
        g.bench_with_input(BenchmarkId::from_parameter(steps), &sources, |b, s| {
            // As `callscript build` does it: compact, the JSON's
            // fingerprints and first nodes made while the graphs are, the
            // rest written while the checks run.
            b.iter(|| {
                let (project, _, out) = callscript::compile_alongside(
                    s,
                    &Options::default(),
                    |p| json::ahead(p, json::Layout::Compact),
                    |analysed, ahead, _| {
                        let mut out = std::io::Cursor::new(Vec::new());
                        json::write_with(analysed, ahead, &mut out)
                            .expect("writing into memory cannot fail");
                        out.into_inner()
                    },
                );
                (
                    project.expect("no errors"),
                    out.expect("written beside the checks"),
                )
            })
        });
        g.finish();
    }
}

criterion_group!(compile, benches);
criterion_main!(compile);
