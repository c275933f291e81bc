//! Helpers shared by the integration tests: the example project, and the
//! `callscript` binary run as a user runs it.
#![allow(dead_code)] // each test file uses its own subset

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use callscript::SourceFile;

/// The repository root.
pub fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// Every `.script` file under `dir`, at any depth, sorted.
pub fn script_files(dir: &Path) -> Vec<PathBuf> {
    let mut paths = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(d).unwrap() {
            let p = e.unwrap().path();
            if p.is_dir() {
                stack.push(p);
            } else if p.extension().is_some_and(|e| e == "script") {
                paths.push(p);
            }
        }
    }
    paths.sort();
    paths
}

/// The example project's sources (`scripts/`), in the order the CLI reads
/// them, named by their path from the repository root.
pub fn example() -> Vec<SourceFile> {
    script_files(&root().join("scripts"))
        .iter()
        .map(|p| {
            let name = p
                .strip_prefix(root())
                .unwrap()
                .to_string_lossy()
                .into_owned();
            SourceFile::new(name, std::fs::read(p).unwrap())
        })
        .collect()
}

/// The step after step `s{i}` of a chain of `n` (`s0`, `s1`, …): `s{i+1}`,
/// or `last` after the last one.
pub fn next_step(i: usize, n: usize, last: &str) -> String {
    if i + 1 < n {
        format!("s{}", i + 1)
    } else {
        last.to_string()
    }
}

/// `(id, fingerprint)` of every script in an operator JSON document.
pub fn script_fingerprints(operator_json: &str) -> Vec<(String, String)> {
    let json: serde_json::Value = serde_json::from_str(operator_json).unwrap();
    json["scripts"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| {
            (
                s["id"].as_str().unwrap().to_string(),
                s["fingerprint"].as_str().unwrap().to_string(),
            )
        })
        .collect()
}

/// Run the `callscript` binary from the repository root.
pub fn callscript(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_callscript"))
        .args(args)
        .current_dir(root())
        .output()
        .unwrap()
}

/// A path as a `&str` argument.
pub fn s(p: &Path) -> &str {
    p.to_str().unwrap()
}

/// What a run printed on stderr.
pub fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}
