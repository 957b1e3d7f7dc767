//! A least-significant-digit radix sort of plain integers, one byte per
//! pass. Bytes that are the same in every word are skipped, so a million
//! words whose values differ in five bytes take five passes: a few
//! milliseconds, where a comparison sort takes tens.

/// An unsigned integer the radix sort takes apart byte by byte.
pub trait Word: Copy + Default + Send + Sync {
    const BYTES: usize;
    /// The `n`th byte, counted from the least significant.
    fn byte(self, n: usize) -> usize;
}

impl Word for u64 {
    const BYTES: usize = 8;
    fn byte(self, n: usize) -> usize {
        ((self >> (8 * n)) & 0xff) as usize
    }
}

impl Word for u128 {
    const BYTES: usize = 16;
    fn byte(self, n: usize) -> usize {
        ((self >> (8 * n)) & 0xff) as usize
    }
}

/// Sorts `words` in ascending order. Equal words are equal, so the sort
/// need not be stable for the caller; each pass is, as LSD sorting needs.
pub fn sort<W: Word>(words: &mut Vec<W>) {
    sort_above(words, 0);
}

/// Sorts `words` by their bytes from `low_bytes` up, equal ones in the order
/// given: when the bytes below already rise from word to word, as a row's
/// position does under its key, that is the ascending order, in fewer passes.
pub fn sort_above<W: Word>(words: &mut Vec<W>, low_bytes: usize) {
    let n = words.len();
    if n < 2 {
        return;
    }
    let counts = byte_counts(words, low_bytes);
    let mut scratch: Vec<W> = Vec::new();
    let mut in_words = true;
    for (byte, count) in counts.iter().enumerate().skip(low_bytes) {
        // A byte every word shares would move nothing.
        if count.contains(&n) {
            continue;
        }
        if scratch.is_empty() {
            scratch = vec![W::default(); n];
        }
        if in_words {
            scatter(words, &mut scratch, byte, count);
        } else {
            scatter(&scratch, words, byte, count);
        }
        in_words = !in_words;
    }
    if !in_words {
        std::mem::swap(words, &mut scratch);
    }
}

/// How many words have each value of each byte from `low_bytes` up, all
/// bytes in one pass (those below are left at zero).
fn byte_counts<W: Word>(words: &[W], low_bytes: usize) -> Vec<[usize; 256]> {
    let mut counts = vec![[0usize; 256]; W::BYTES];
    for &word in words {
        for (byte, count) in counts.iter_mut().enumerate().skip(low_bytes) {
            count[word.byte(byte)] += 1;
        }
    }
    counts
}

/// One stable pass: `from` into `to` by the value of `byte`.
fn scatter<W: Word>(from: &[W], to: &mut [W], byte: usize, count: &[usize; 256]) {
    let mut next = [0usize; 256];
    let mut start = 0;
    for (slot, &c) in next.iter_mut().zip(count) {
        *slot = start;
        start += c;
    }
    for &word in from {
        let digit = word.byte(byte);
        to[next[digit]] = word;
        next[digit] += 1;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sorts_as_the_standard_sort_does() {
        let mut rng = fastrand::Rng::with_seed(13);
        for len in [0, 1, 2, 3, 255, 256, 257, 5_000] {
            for spread in [1u64, 7, 300, 1 << 20, u64::MAX] {
                let words: Vec<u64> = (0..len).map(|_| rng.u64(..=spread - 1)).collect();
                let mut radix = words.clone();
                sort(&mut radix);
                let mut expected = words;
                expected.sort_unstable();
                assert_eq!(radix, expected, "{len} words below {spread}");
            }
        }
    }

    #[test]
    fn low_bytes_that_rise_with_the_order_are_left_as_given() {
        let mut rng = fastrand::Rng::with_seed(8);
        // A key above each word's position, as the latest rows pack them.
        let words: Vec<u64> = (0..20_000u64)
            .map(|position| (rng.u64(..500) << 30) | position)
            .collect();
        let mut radix = words.clone();
        sort_above(&mut radix, 3);
        let mut expected = words;
        expected.sort_unstable();
        assert_eq!(radix, expected);
    }

    #[test]
    fn wide_words_sort_on_their_high_bytes_too() {
        let mut rng = fastrand::Rng::with_seed(5);
        let words: Vec<u128> = (0..3_000)
            .map(|_| (u128::from(rng.u64(..)) << rng.u32(0..64)) | u128::from(rng.u8(..)))
            .collect();
        let mut radix = words.clone();
        sort(&mut radix);
        let mut expected = words;
        expected.sort_unstable();
        assert_eq!(radix, expected);
    }
}
