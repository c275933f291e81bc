//! "Did you mean …?": the nearest candidate by edit distance.

/// The candidate closest to `word` by edit distance, if close enough to be
/// a likely typo.
pub fn closest<'a>(word: &str, candidates: &[&'a str]) -> Option<&'a str> {
    let len = word.chars().count();
    let limit = limit(len);
    candidates
        .iter()
        // An edit changes the length by one at most: a candidate whose
        // length differs by more than the limit cannot be near.
        .filter(|c| c.chars().count().abs_diff(len) <= limit)
        .map(|c| (edit_distance(word, c), *c))
        .filter(|&(d, _)| d <= limit && d > 0)
        .min()
        .map(|(_, c)| c)
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
        let len = word.chars().count();
        let limit = limit(len);
        let from = self.by_len.partition_point(|&(l, _)| l + limit < len);
        self.by_len[from..]
            .iter()
            .take_while(|&&(l, _)| l <= len + limit)
            .map(|&(_, c)| (edit_distance(word, c), c))
            .filter(|&(d, _)| d <= limit && d > 0)
            .min()
            .map(|(_, c)| c)
    }
}

/// Optimal string alignment distance: insertions, deletions, substitutions
/// and swaps of neighbours (`nmae` → `name` is one edit) each count 1.
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
