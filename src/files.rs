//! Finding and reading a project's files, and writing outputs atomically.

use std::collections::HashSet;
use std::path::{Path, PathBuf};

use callscript::SourceFile;
use callscript::emit::json::Output;
use callscript::source::MAX_FILE_SIZE;

use crate::cli::Failure;

/// The extension of source files.
const EXTENSION: &str = "script";

/// Read every source of a project: files as given, folders searched
/// recursively for `*.script` in sorted order. A path given twice (or a
/// file also found in a folder) is read once.
pub fn read_project(paths: &[PathBuf]) -> Result<Vec<SourceFile>, Failure> {
    let mut found = Vec::new();
    let mut seen = HashSet::new();
    for path in paths {
        let meta = std::fs::metadata(path).map_err(|e| {
            Failure(format!(
                "cannot read `{}`: {}",
                path.display(),
                io_reason(&e)
            ))
        })?;
        let files = if meta.is_dir() {
            let files = scripts_in(path)?;
            if files.is_empty() {
                return Err(Failure(format!(
                    "`{}` contains no .{EXTENSION} files",
                    path.display()
                )));
            }
            files
        } else {
            vec![path.clone()]
        };
        for f in files {
            let key = std::fs::canonicalize(&f).unwrap_or_else(|_| f.clone());
            if seen.insert(key) {
                found.push(f);
            }
        }
    }
    // Read in parallel; the first failure in the order given is reported.
    use rayon::prelude::*;
    let read: Vec<Result<SourceFile, Failure>> = found.par_iter().map(|p| read_source(p)).collect();
    read.into_iter().collect()
}

fn read_source(path: &Path) -> Result<SourceFile, Failure> {
    let fail = |e: std::io::Error| {
        Failure(format!(
            "cannot read `{}`: {}",
            path.display(),
            io_reason(&e)
        ))
    };
    let meta = std::fs::metadata(path).map_err(fail)?;
    if meta.len() > MAX_FILE_SIZE as u64 {
        return Err(Failure(format!(
            "`{}` is larger than 4 GiB, the largest source callscript reads",
            path.display()
        )));
    }
    let bytes = read_bytes(path).map_err(fail)?;
    Ok(SourceFile::new(display_name(path), bytes))
}

/// Files of this size and more are read in two halves at once: copying a
/// large file out of the page cache is a good part of reading it.
const SPLIT_READ: u64 = 1 << 20;

/// The bytes of the file at `path`.
fn read_bytes(path: &Path) -> std::io::Result<Vec<u8>> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::FileExt;
        let file = std::fs::File::open(path)?;
        let len = file.metadata()?.len();
        if let Ok(n) = usize::try_from(len)
            && len >= SPLIT_READ
        {
            let mut bytes = vec![0; n];
            let (first, second) = bytes.split_at_mut(n / 2);
            let (a, b) = rayon::join(
                || file.read_exact_at(first, 0),
                || file.read_exact_at(second, (n / 2) as u64),
            );
            // Unless the file changed while it was read: then read it
            // again, whole.
            if a.is_ok() && b.is_ok() && file.read_at(&mut [0], len).is_ok_and(|k| k == 0) {
                return Ok(bytes);
            }
        }
    }
    std::fs::read(path)
}

/// The name diagnostics show: the path as given, with `/` separators.
fn display_name(path: &Path) -> String {
    let s = path.to_string_lossy().replace('\\', "/");
    s.strip_prefix("./").map(str::to_string).unwrap_or(s)
}

/// `*.script` files under `dir`, recursively, sorted by path. Symbolic
/// links to folders are not followed (they could loop).
fn scripts_in(dir: &Path) -> Result<Vec<PathBuf>, Failure> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        let entries = std::fs::read_dir(&d).map_err(|e| {
            Failure(format!(
                "cannot read the folder `{}`: {}",
                d.display(),
                io_reason(&e)
            ))
        })?;
        for entry in entries {
            let entry = entry.map_err(|e| {
                Failure(format!(
                    "cannot read the folder `{}`: {}",
                    d.display(),
                    io_reason(&e)
                ))
            })?;
            let path = entry.path();
            let kind = entry.file_type().map_err(|e| {
                Failure(format!(
                    "cannot read `{}`: {}",
                    path.display(),
                    io_reason(&e)
                ))
            })?;
            if kind.is_dir() {
                stack.push(path);
            } else if path.extension().is_some_and(|e| e == EXTENSION)
                && (kind.is_file() || path.is_file())
            {
                out.push(path);
            }
        }
    }
    out.sort();
    Ok(out)
}

/// The reason of an I/O error without Rust's "(os error 2)" suffix.
pub fn io_reason(e: &std::io::Error) -> String {
    match e.kind() {
        std::io::ErrorKind::NotFound => "no such file or folder".into(),
        std::io::ErrorKind::PermissionDenied => "permission denied".into(),
        _ => {
            let s = e.to_string();
            match s.find(" (os error") {
                Some(i) => s[..i].to_string(),
                None => s,
            }
        }
    }
}

/// Write `bytes` to `dir/name` all at once: into a temporary file in the
/// same folder, then renamed over the target, so a reader (or a failed
/// run) never sees a half-written file and a previous output survives any
/// failure. Creates `dir` if needed. Returns the path written.
pub fn write_atomically(dir: &Path, name: &str, bytes: &[u8]) -> Result<PathBuf, Failure> {
    stage(dir, name, || false, |w| w.write_all(bytes))?.commit()
}

/// The first half of [`write_atomically`], with the content written by
/// `write` as it is produced (a large output need not be held in memory
/// first): it goes beside `dir/name`, into a temporary file, and is made
/// durable, but not put in place: [`Staged::commit`] does that, and
/// dropping the [`Staged`] removes the temporary file. `build` stages its
/// output while the checks run and commits it only if they pass.
///
/// `unwanted` is asked before each write; once it says yes, writing stops
/// and staging fails (the caller no longer wants the file).
pub fn stage(
    dir: &Path,
    name: &str,
    unwanted: impl Fn() -> bool + Sync,
    write: impl FnOnce(&mut dyn Output) -> std::io::Result<()>,
) -> Result<Staged, Failure> {
    if dir.exists() && !dir.is_dir() {
        return Err(Failure(format!(
            "cannot write to `{}`: it is a file, not a folder",
            dir.display()
        )));
    }
    std::fs::create_dir_all(dir).map_err(|e| {
        Failure(format!(
            "cannot create the folder `{}`: {}",
            dir.display(),
            io_reason(&e)
        ))
    })?;
    let target = dir.join(name);
    if target.is_dir() {
        return Err(Failure(format!(
            "cannot write `{}`: a folder of that name is in the way",
            target.display()
        )));
    }
    let temp = dir.join(format!(".{name}.{}.tmp", std::process::id()));
    let file = std::fs::File::create(&temp).map_err(|e| write_failure(&target, &e))?;
    // From here on, dropping it removes the temporary file.
    let staged = Staged {
        temp,
        target,
        committed: false,
    };
    let mut f = Durable::new(file, &unwanted);
    write(&mut f)
        .and_then(|()| f.file.sync_all())
        .map_err(|e| write_failure(&staged.target, &e))?;
    Ok(staged)
}

fn write_failure(target: &Path, e: &std::io::Error) -> Failure {
    Failure(format!(
        "cannot write `{}`: {}",
        target.display(),
        io_reason(e)
    ))
}

/// A file written and made durable beside its target by [`stage`], not
/// yet in place. Dropped without [`commit`](Staged::commit), it is
/// removed.
#[must_use = "a staged file is removed unless committed"]
pub struct Staged {
    temp: PathBuf,
    target: PathBuf,
    committed: bool,
}

impl Staged {
    /// Put the file in place, replacing any previous one at once (a
    /// rename). Returns the path written.
    pub fn commit(mut self) -> Result<PathBuf, Failure> {
        std::fs::rename(&self.temp, &self.target).map_err(|e| write_failure(&self.target, &e))?;
        self.committed = true;
        Ok(self.target.clone())
    }
}

impl Drop for Staged {
    fn drop(&mut self) {
        if !self.committed {
            let _ = std::fs::remove_file(&self.temp);
        }
    }
}

/// A file being written that will be `fsync`ed: on Linux, the kernel is
/// asked to start writing each megabyte to disk as soon as it is written
/// (`sync_file_range`), so the final `fsync` waits for the last stretch
/// only, not for the whole file. The output stays as durable as with a
/// plain `fsync`; the disk works while the rest is produced.
struct Durable<'u> {
    file: std::fs::File,
    /// Whether the file is still wanted (see [`stage`]).
    unwanted: &'u (dyn Fn() -> bool + Sync),
    /// Bytes written so far, and up to where writeback was started.
    written: u64,
    started: u64,
}

/// How much is written before the kernel is asked to write it back.
const WRITEBACK: u64 = 1 << 20;

impl<'u> Durable<'u> {
    fn new(file: std::fs::File, unwanted: &'u (dyn Fn() -> bool + Sync)) -> Self {
        Durable {
            file,
            unwanted,
            written: 0,
            started: 0,
        }
    }

    /// Start writing back what was written since the last call. A hint:
    /// its failure is not an error (the final `fsync` reports any).
    #[cfg(target_os = "linux")]
    fn start_writeback(&mut self) {
        use std::os::fd::AsRawFd;
        let (Ok(offset), Ok(len)) = (
            i64::try_from(self.started),
            i64::try_from(self.written - self.started),
        ) else {
            return;
        };
        // SAFETY: a plain system call on a file descriptor this value owns;
        // it reads and writes no memory of ours.
        unsafe {
            libc::sync_file_range(
                self.file.as_raw_fd(),
                offset,
                len,
                libc::SYNC_FILE_RANGE_WRITE,
            );
        }
        self.started = self.written;
    }

    #[cfg(not(target_os = "linux"))]
    fn start_writeback(&mut self) {}
}

impl std::io::Write for Durable<'_> {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.write_vectored(&[std::io::IoSlice::new(buf)])
    }

    fn write_vectored(&mut self, bufs: &[std::io::IoSlice<'_>]) -> std::io::Result<usize> {
        if (self.unwanted)() {
            return Err(std::io::Error::other("no longer wanted"));
        }
        let n = self.file.write_vectored(bufs)?;
        self.written += n as u64;
        if self.written - self.started >= WRITEBACK {
            self.start_writeback();
        }
        Ok(n)
    }

    /// What is written so far goes to the disk (writeback starts).
    fn flush(&mut self) -> std::io::Result<()> {
        self.file.flush()?;
        if self.written > self.started {
            self.start_writeback();
        }
        Ok(())
    }
}

/// Seeking is for going back to patch a few bytes (the fingerprints of
/// the operator JSON); writeback keeps counting what was written.
impl std::io::Seek for Durable<'_> {
    fn seek(&mut self, to: std::io::SeekFrom) -> std::io::Result<u64> {
        self.file.seek(to)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_file_read_in_halves_is_the_file() {
        let dir = tempfile::tempdir().unwrap();
        // Every byte different from its neighbours; sizes around the
        // threshold, odd and even.
        for len in [
            0,
            1,
            4097,
            SPLIT_READ as usize - 1,
            SPLIT_READ as usize,
            (3 << 20) + 1,
        ] {
            let bytes: Vec<u8> = (0..len).map(|i| (i * 7 + i / 251) as u8).collect();
            let path = dir.path().join(format!("f{len}"));
            std::fs::write(&path, &bytes).unwrap();
            assert!(read_bytes(&path).unwrap() == bytes, "{len} bytes");
        }
    }
}
