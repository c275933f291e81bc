//! Ordered parallel rendering: a long list (a script's nodes) rendered a
//! chunk at a time on rayon, its bytes handed on in order, a round of
//! chunks consumed while the next round renders.
//!
//! The operator JSON's nodes and a fingerprint's canonical text are made
//! this way: rendering runs on every core while the bytes are written (or
//! hashed), and only two rounds of buffers exist at a time, reused from
//! round to round, however long the script.

use rayon::prelude::*;

/// The chunks of `items` not rendered yet, and how to render one.
pub(crate) struct Ordered<'a, T, F> {
    chunks: std::slice::Chunks<'a, T>,
    per_round: usize,
    render: F,
}

impl<'a, T, F> Ordered<'a, T, F>
where
    T: Sync,
    F: Fn(&[T], &mut Vec<u8>) + Sync + Send,
{
    /// `items` in chunks of `per_chunk`, `per_round` chunks rendered at a
    /// time; `render` appends the bytes of a chunk to a buffer.
    pub(crate) fn new(items: &'a [T], per_chunk: usize, per_round: usize, render: F) -> Self {
        Ordered {
            chunks: items.chunks(per_chunk.max(1)),
            per_round: per_round.max(1),
            render,
        }
    }

    /// Skip the first `n` chunks (rendered elsewhere, in advance).
    pub(crate) fn skip(&mut self, n: usize) {
        if n > 0 {
            self.chunks.nth(n - 1);
        }
    }

    /// Render the next round into `bufs` (emptied, reused): one buffer per
    /// chunk, in order. Returns an empty vector when nothing is left.
    pub(crate) fn next_round(&mut self, bufs: Vec<Vec<u8>>) -> Vec<Vec<u8>> {
        self.next_chunks(bufs, self.per_round)
    }

    /// [`next_round`](Self::next_round), of `n` chunks.
    fn next_chunks(&mut self, mut bufs: Vec<Vec<u8>>, n: usize) -> Vec<Vec<u8>> {
        let round: Vec<&[T]> = self.chunks.by_ref().take(n).collect();
        bufs.resize_with(round.len(), Vec::new);
        let render = &self.render;
        round
            .par_iter()
            .zip(bufs.par_iter_mut())
            .for_each(|(c, b)| {
                b.clear();
                render(c, b);
            });
        bufs
    }

    /// Hand `first` (chunks rendered in advance, in order; may be empty)
    /// and then every remaining chunk to `consume`, in order: each round is
    /// consumed while the next one renders, a round as long as the one
    /// being consumed (so that rendering keeps up with a long `first`).
    /// Stops at the first error.
    pub(crate) fn run<E: Send>(
        mut self,
        first: Vec<Vec<u8>>,
        mut consume: impl FnMut(&[u8]) -> Result<(), E> + Send,
    ) -> Result<(), E> {
        let mut current = if first.is_empty() {
            self.next_round(first)
        } else {
            first
        };
        let mut spare = Vec::new();
        while !current.is_empty() {
            let n = current.len().max(self.per_round);
            let (consumed, next) = rayon::join(
                || current.iter().try_for_each(|b| consume(b)),
                || self.next_chunks(spare, n),
            );
            consumed?;
            spare = std::mem::replace(&mut current, next);
        }
        Ok(())
    }
}

/// Make room for `additional` bytes in `buf`, as `Vec::reserve` does but
/// for the buffers [`Ordered`] reuses: an empty buffer too small for the
/// next chunk is replaced by one an eighth larger than asked for, which
/// the chunks after it, about as long, then fit. Growing it would double
/// its capacity and copy the bytes it no longer holds, all fresh memory.
pub(crate) fn room(buf: &mut Vec<u8>, additional: usize) {
    if buf.is_empty() && buf.capacity() < additional {
        *buf = Vec::with_capacity(additional + additional / 8);
    } else {
        buf.reserve(additional);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn render(c: &[u32], b: &mut Vec<u8>) {
        for n in c {
            b.extend_from_slice(format!("{n},").as_bytes());
        }
    }

    fn all(items: &[u32], per_chunk: usize, per_round: usize, ahead: usize) -> String {
        let mut o = Ordered::new(items, per_chunk, per_round, render);
        let mut first = Vec::new();
        for _ in 0..ahead {
            first.extend(o.next_round(Vec::new()));
        }
        let mut out = Vec::new();
        o.run::<()>(first, |b| {
            out.extend_from_slice(b);
            Ok(())
        })
        .unwrap();
        String::from_utf8(out).unwrap()
    }

    #[test]
    fn room_replaces_an_empty_buffer_rather_than_doubling_it() {
        let mut buf = Vec::with_capacity(100);
        room(&mut buf, 120);
        assert!((135..200).contains(&buf.capacity()), "{}", buf.capacity());
        buf.extend_from_slice(b"kept");
        room(&mut buf, 1000);
        assert_eq!(buf, b"kept");
        assert!(buf.capacity() >= 1004);
    }

    #[test]
    fn bytes_come_in_order_whatever_the_chunking() {
        let items: Vec<u32> = (0..1000).collect();
        let expected: String = items.iter().map(|n| format!("{n},")).collect();
        for (per_chunk, per_round, ahead) in
            [(1, 1, 0), (7, 3, 0), (7, 3, 2), (64, 8, 1), (5000, 2, 0)]
        {
            assert_eq!(all(&items, per_chunk, per_round, ahead), expected);
        }
        assert_eq!(all(&[], 4, 4, 0), "");
    }

    #[test]
    fn skipping_leaves_the_rest() {
        let items: Vec<u32> = (0..10).collect();
        let mut o = Ordered::new(&items, 3, 2, render);
        o.skip(2);
        let mut out = Vec::new();
        o.run::<()>(Vec::new(), |b| {
            out.extend_from_slice(b);
            Ok(())
        })
        .unwrap();
        assert_eq!(String::from_utf8(out).unwrap(), "6,7,8,9,");
        let mut o = Ordered::new(&items, 3, 2, render);
        o.skip(5);
        assert!(o.next_round(Vec::new()).is_empty());
    }

    #[test]
    fn the_first_error_stops_it() {
        let items: Vec<u32> = (0..100).collect();
        let o = Ordered::new(&items, 10, 2, render);
        let mut seen = 0;
        let first = vec![b"x".to_vec()];
        let r = o.run(first, |_| {
            seen += 1;
            if seen == 3 { Err("full") } else { Ok(()) }
        });
        assert_eq!(r, Err("full"));
        assert_eq!(seen, 3);
    }
}
