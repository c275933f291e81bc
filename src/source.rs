//! Source files, byte spans and the mapping from byte offsets to the
//! 1-based line and character column a person sees in an editor.

use std::ops::Range;

/// A byte range in one source file. Offsets are `u32`: a source file is at
/// most 4 GiB (the driver refuses larger files before parsing).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Span {
    pub start: u32,
    pub end: u32,
}

impl Span {
    /// A span from byte offsets. Offsets must fit in `u32`, which
    /// [`decode`] guarantees for every source it accepts.
    pub fn new(start: usize, end: usize) -> Span {
        debug_assert!(start <= end);
        Span {
            start: start as u32,
            end: end as u32,
        }
    }

    pub fn range(self) -> Range<usize> {
        self.start as usize..self.end as usize
    }

    pub fn len(self) -> usize {
        (self.end - self.start) as usize
    }

    pub fn is_empty(self) -> bool {
        self.start == self.end
    }

    /// The smallest span covering both.
    pub fn to(self, other: Span) -> Span {
        Span {
            start: self.start.min(other.start),
            end: self.end.max(other.end),
        }
    }

    /// This span moved `by` bytes to the right.
    pub fn shift(self, by: usize) -> Span {
        Span::new(self.start as usize + by, self.end as usize + by)
    }
}

/// Index of a file in the project, in the order the files were given.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct FileId(pub u32);

impl FileId {
    pub fn index(self) -> usize {
        self.0 as usize
    }
}

/// A source file as the driver read it: a display name and its raw bytes.
/// Decoding (UTF-8 validation) is the library's job, so that invalid UTF-8
/// is an ordinary diagnostic.
#[derive(Clone, Debug)]
pub struct SourceFile {
    pub name: String,
    pub bytes: Vec<u8>,
}

impl SourceFile {
    pub fn new(name: impl Into<String>, bytes: impl Into<Vec<u8>>) -> SourceFile {
        SourceFile {
            name: name.into(),
            bytes: bytes.into(),
        }
    }
}

/// The largest source file accepted, in bytes (spans are `u32`).
pub const MAX_FILE_SIZE: usize = u32::MAX as usize;

/// UTF-8 byte order mark.
pub const BOM: &str = "\u{FEFF}";

/// Why a file's bytes are not a source text.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DecodeError {
    /// Not UTF-8: the offset of the first invalid byte.
    InvalidUtf8 { offset: usize },
    /// Larger than [`MAX_FILE_SIZE`].
    TooLarge,
}

/// The text of a file, borrowed from its bytes.
pub fn decode(bytes: &[u8]) -> Result<&str, DecodeError> {
    if bytes.len() > MAX_FILE_SIZE {
        return Err(DecodeError::TooLarge);
    }
    std::str::from_utf8(bytes).map_err(|e| DecodeError::InvalidUtf8 {
        offset: e.valid_up_to(),
    })
}

/// 1-based line and column; the column counts characters, not bytes.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct LineCol {
    pub line: usize,
    pub column: usize,
}

/// Line starts of one text, for turning byte offsets into [`LineCol`].
#[derive(Clone, Debug)]
pub struct LineIndex {
    line_starts: Vec<usize>,
    /// The number of characters before each multiple of [`BLOCK`] bytes,
    /// so that a column on a very long line costs at most one block's scan
    /// (a report with many findings on one megabyte-long line stays linear).
    chars_before_block: Vec<usize>,
}

/// The stride of [`LineIndex`]'s character checkpoints, in bytes.
const BLOCK: usize = 4096;

/// The characters that start in `bytes`: every byte but UTF-8
/// continuation bytes.
fn char_starts(bytes: &[u8]) -> usize {
    bytes.iter().filter(|&&b| (b as i8) >= -0x40).count()
}

impl LineIndex {
    pub fn new(text: &str) -> LineIndex {
        let mut line_starts = vec![0];
        line_starts.extend(memchr::memchr_iter(b'\n', text.as_bytes()).map(|i| i + 1));
        let mut chars_before_block = vec![0];
        let mut total = 0;
        for block in text.as_bytes().chunks(BLOCK) {
            total += char_starts(block);
            chars_before_block.push(total);
        }
        LineIndex {
            line_starts,
            chars_before_block,
        }
    }

    /// The characters that start before byte `offset` of `text`.
    fn chars_before(&self, text: &str, offset: usize) -> usize {
        let block = offset / BLOCK;
        self.chars_before_block[block] + char_starts(&text.as_bytes()[block * BLOCK..offset])
    }

    /// Byte offset where the 0-based line `line` starts (the end of the
    /// text past the last line).
    pub fn line_start(&self, line: usize) -> usize {
        self.line_starts
            .get(line)
            .copied()
            .unwrap_or_else(|| *self.line_starts.last().unwrap_or(&0))
    }

    /// Line and character column of `offset` in `text` (the text this index
    /// was built from). An offset inside a character counts as that
    /// character; a byte order mark does not count as a column.
    pub fn line_col(&self, text: &str, offset: usize) -> LineCol {
        let offset = offset.min(text.len());
        let line = self.line_starts.partition_point(|&s| s <= offset) - 1;
        let mut start = self.line_starts[line];
        if line == 0 && text.starts_with(BOM) && offset >= BOM.len() {
            start = BOM.len();
        }
        // The characters that start in `start..offset`: counted directly on
        // an ordinary line, through the checkpoints on a long one.
        let start = start.min(offset);
        let column = if offset - start <= BLOCK {
            char_starts(&text.as_bytes()[start..offset])
        } else {
            self.chars_before(text, offset) - self.chars_before(text, start)
        };
        LineCol {
            line: line + 1,
            column: column + 1,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn columns_count_characters() {
        let text = "ab\nпривет мир\n";
        let idx = LineIndex::new(text);
        assert_eq!(idx.line_col(text, 0), LineCol { line: 1, column: 1 });
        assert_eq!(idx.line_col(text, 3), LineCol { line: 2, column: 1 });
        let mir = text.find("мир").unwrap();
        assert_eq!(idx.line_col(text, mir), LineCol { line: 2, column: 8 });
        assert_eq!(
            idx.line_col(text, text.len()),
            LineCol { line: 3, column: 1 }
        );
    }

    #[test]
    fn columns_on_long_lines_match_a_plain_count() {
        // Lines longer than a checkpoint block, with multi-byte characters
        // straddling the block boundaries, and offsets inside characters.
        let text = format!("\u{FEFF}{}\n{}\nx", "aя€😀".repeat(2000), "я".repeat(5000));
        let idx = LineIndex::new(&text);
        for offset in (0..=text.len()).step_by(7).chain([text.len()]) {
            let mut start = text.as_bytes()[..offset]
                .iter()
                .rposition(|&b| b == b'\n')
                .map_or(0, |i| i + 1);
            if start == 0 && offset >= BOM.len() {
                start = BOM.len();
            }
            let column = text[start..]
                .char_indices()
                .take_while(|&(i, _)| start + i < offset)
                .count();
            assert_eq!(idx.line_col(&text, offset).column, column + 1, "{offset}");
        }
    }

    #[test]
    fn bom_is_not_a_column() {
        let text = "\u{FEFF}script";
        let idx = LineIndex::new(text);
        assert_eq!(idx.line_col(text, 3), LineCol { line: 1, column: 1 });
        assert_eq!(idx.line_col(text, 4), LineCol { line: 1, column: 2 });
    }

    #[test]
    fn invalid_utf8_offset() {
        assert_eq!(
            decode(b"ok\xffno"),
            Err(DecodeError::InvalidUtf8 { offset: 2 })
        );
    }
}
