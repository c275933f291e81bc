//! "Did you mean …?": the nearest candidate by edit distance.

use crate::diagnostic::Diagnostic;

/// The help that suggests `name`.
pub fn did_you_mean(name: &str) -> String {
    format!("did you mean `{name}`?")
}

/// The most names of one kind that one script misses and that still get a
/// "did you mean": more is a script broken wholesale (a bulk rename gone
/// wrong), where a suggestion each would cost misses × names.
pub const MOST_SUGGESTED: usize = 200;

/// "Did you mean …?" for the findings `misses` points at (an index into
/// `found`, and the name that was not found), from `names`: the help of
/// each finding whose name has a near one says so; the others keep theirs.
/// Nothing is suggested past [`MOST_SUGGESTED`] misses.
pub fn suggest_misses<'a>(
    found: &mut [Diagnostic],
    misses: &[(usize, &str)],
    names: impl IntoIterator<Item = &'a str>,
) {
    if misses.is_empty() || misses.len() > MOST_SUGGESTED {
        return;
    }
    let names = Candidates::new(names);
    for &(i, name) in misses {
        if let Some(best) = names.closest(name) {
            found[i].help = Some(did_you_mean(best));
        }
    }
}

/// The candidate closest to `word` by edit distance, if close enough to be
/// a likely typo.
pub fn closest<'a>(word: &str, candidates: &[&'a str]) -> Option<&'a str> {
    let mut near = Near::new(word);
    let (len, limit) = (near.word.len(), near.limit);
    // An edit changes the length by one at most: a candidate whose length
    // differs by more than the limit cannot be near.
    near.best(
        candidates
            .iter()
            .copied()
            .filter(|c| c.chars().count().abs_diff(len) <= limit),
    )
}

/// How many edits still make a likely typo of a word of `len` characters.
fn limit(len: usize) -> usize {
    (len / 3).max(1)
}

/// Candidates asked again and again (a script's node names, for each
/// target that is not one): sorted by length once, so that each question
/// looks only at names of a length within reach. The same answers as
/// [`closest`].
pub struct Candidates<'a> {
    /// (length in characters, name), sorted.
    by_len: Vec<(usize, &'a str)>,
}

impl<'a> Candidates<'a> {
    pub fn new(names: impl IntoIterator<Item = &'a str>) -> Self {
        let mut by_len: Vec<(usize, &'a str)> =
            names.into_iter().map(|n| (n.chars().count(), n)).collect();
        by_len.sort_unstable();
        Candidates { by_len }
    }

    /// [`closest`] over these candidates.
    pub fn closest(&self, word: &str) -> Option<&'a str> {
        let mut near = Near::new(word);
        let (len, limit) = (near.word.len(), near.limit);
        let from = self.by_len.partition_point(|&(l, _)| l + limit < len);
        near.best(
            self.by_len[from..]
                .iter()
                .take_while(|&&(l, _)| l <= len + limit)
                .map(|&(_, c)| c),
        )
    }
}

/// Edit distances from one word to candidate after candidate, within the
/// limit of a likely typo: the rows of the table are reused, and a
/// candidate is given up as soon as no cell can come back under the limit.
struct Near {
    word: Vec<char>,
    limit: usize,
    candidate: Vec<char>,
    /// Rows i-2, i-1 and i of the table.
    rows: [Vec<usize>; 3],
}

impl Near {
    fn new(word: &str) -> Self {
        let word: Vec<char> = word.chars().collect();
        Near {
            limit: limit(word.len()),
            word,
            candidate: Vec::new(),
            rows: [Vec::new(), Vec::new(), Vec::new()],
        }
    }

    /// The nearest of `candidates` within the limit (not the word itself);
    /// of equally near ones, the first in sort order.
    fn best<'a>(&mut self, candidates: impl Iterator<Item = &'a str>) -> Option<&'a str> {
        candidates
            .filter_map(|c| Some((self.within(c)?, c)))
            .filter(|&(d, _)| d > 0)
            .min()
            .map(|(_, c)| c)
    }

    /// The optimal string alignment distance (see [`edit_distance`]) to
    /// `c`, if it is at most the limit.
    fn within(&mut self, c: &str) -> Option<usize> {
        self.candidate.clear();
        self.candidate.extend(c.chars());
        let (a, b, limit) = (&self.word, &self.candidate, self.limit);
        let w = b.len() + 1;
        let [older, prev, cur] = &mut self.rows;
        for r in [&mut *older, &mut *prev, &mut *cur] {
            r.clear();
            r.resize(w, 0);
        }
        for (j, cell) in prev.iter_mut().enumerate() {
            *cell = j;
        }
        let mut prev_min = 0;
        for i in 1..=a.len() {
            cur[0] = i;
            let mut row_min = i;
            for j in 1..w {
                let cost = usize::from(a[i - 1] != b[j - 1]);
                let mut v = (prev[j] + 1).min(cur[j - 1] + 1).min(prev[j - 1] + cost);
                if i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] {
                    v = v.min(older[j - 2] + 1);
                }
                cur[j] = v;
                row_min = row_min.min(v);
            }
            // Every cell of the next row is at least one of these rows'
            // cells (plus nothing or one): once two rows in a row are over
            // the limit, so is the rest of the table.
            if row_min > limit && prev_min > limit {
                return None;
            }
            prev_min = row_min;
            std::mem::swap(older, prev);
            std::mem::swap(prev, cur);
        }
        let d = prev[w - 1];
        (d <= limit).then_some(d)
    }
}

/// Optimal string alignment distance: insertions, deletions, substitutions
/// and swaps of neighbours (`nmae` → `name` is one edit) each count 1. The
/// whole table: the reference [`Near`] is tested against.
#[cfg(test)]
fn edit_distance(a: &str, b: &str) -> usize {
    let a: Vec<char> = a.chars().collect();
    let b: Vec<char> = b.chars().collect();
    let w = b.len() + 1;
    let mut d = vec![0usize; (a.len() + 1) * w];
    for i in 0..=a.len() {
        d[i * w] = i;
    }
    for (j, cell) in d.iter_mut().enumerate().take(w) {
        *cell = j;
    }
    for i in 1..=a.len() {
        for j in 1..=b.len() {
            let cost = usize::from(a[i - 1] != b[j - 1]);
            let mut v = (d[(i - 1) * w + j] + 1)
                .min(d[i * w + j - 1] + 1)
                .min(d[(i - 1) * w + j - 1] + cost);
            if i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] {
                v = v.min(d[(i - 2) * w + j - 2] + 1);
            }
            d[i * w + j] = v;
        }
    }
    d[a.len() * w + b.len()]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn suggests_near_words_only() {
        assert_eq!(
            closest("scrpt", &["contract", "role", "script"]),
            Some("script")
        );
        assert_eq!(closest("xyz", &["contract", "role", "script"]), None);
        assert_eq!(closest("script", &["script"]), None);
        assert_eq!(closest("nmae", &["name", "phone"]), Some("name"));
    }

    #[test]
    fn near_gives_the_distance_within_the_limit() {
        let words = [
            "",
            "a",
            "ab",
            "ba",
            "abc",
            "acb",
            "bca",
            "name",
            "nmae",
            "names",
            "k12",
            "k123",
            "k1234x",
            "привет",
            "првиет",
            "приветствие",
            "abcdefghij",
            "bacdefghji",
            "xyzxyzxyzxyz",
        ];
        for w in words {
            let mut near = Near::new(w);
            for c in words {
                let d = edit_distance(w, c);
                let expected = (d <= near.limit).then_some(d);
                assert_eq!(near.within(c), expected, "{w:?} → {c:?}");
            }
        }
    }

    #[test]
    fn candidates_answer_as_closest_does() {
        let names = [
            "приветствие",
            "привет",
            "прощание",
            "a",
            "ab",
            "abc",
            "abd",
            "bcd",
            "name",
            "nmae",
            "names",
            "k1",
            "k12",
            "k123",
            "передача_менеджеру",
        ];
        let c = Candidates::new(names.iter().copied());
        for word in names.iter().copied().chain([
            "",
            "x",
            "ac",
            "abcd",
            "nam",
            "приветсвие",
            "k13",
            "k1234",
            "передача_менеджер",
        ]) {
            assert_eq!(c.closest(word), closest(word, &names), "{word:?}");
        }
    }
}
