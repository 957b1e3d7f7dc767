//! A radix sort of packed keys: a million numbers sorted in a few passes over
//! them, where a comparison sort takes several times as long.

/// Bits sorted on in one pass: the counts fit in the first level of cache.
const RADIX_BITS: u32 = 11;

/// Sorts `keys` by their bits from `from` upwards, stably: the bits below
/// `from` are carried along and keys equal above them keep their order (so a
/// position packed into the low bits of keys made in order stays ascending).
pub fn sort_by_bits_from(keys: &mut Vec<u64>, from: u32) {
    let Some(&highest) = keys.iter().max() else {
        return;
    };
    let top = u64::BITS - highest.leading_zeros();
    let mut scratch = vec![0u64; keys.len()];
    let mut counts = vec![0usize; 1 << RADIX_BITS];
    let mut shift = from;
    while shift < top {
        let (at_bit, mask) = (shift, (1u64 << RADIX_BITS) - 1);
        let digit = |key: u64| ((key >> at_bit) & mask) as usize;
        counts.fill(0);
        for &key in keys.iter() {
            counts[digit(key)] += 1;
        }
        shift += RADIX_BITS;
        if counts.contains(&keys.len()) {
            // Every key has the same digit here: the pass would change nothing.
            continue;
        }
        let mut start = 0;
        for count in counts.iter_mut() {
            (*count, start) = (start, start + *count);
        }
        for &key in keys.iter() {
            let at = &mut counts[digit(key)];
            scratch[*at] = key;
            *at += 1;
        }
        std::mem::swap(keys, &mut scratch);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sorts_as_a_stable_sort_on_the_high_bits_does() {
        let mut rng = fastrand::Rng::with_seed(9);
        for from in [0, 7, 30, 40] {
            for len in [0, 1, 2, 100, 5000] {
                let mut keys: Vec<u64> = (0..len)
                    .map(|i| (rng.u64(..1 << 36) << from.min(27)) ^ (i as u64 & 0x7f))
                    .collect();
                let mut expected = keys.clone();
                expected.sort_by_key(|k| k >> from);
                sort_by_bits_from(&mut keys, from);
                assert_eq!(keys, expected, "from bit {from}, {len} keys");
            }
        }
    }

    #[test]
    fn equal_keys_and_the_widest_keys_are_sorted() {
        let mut keys = vec![u64::MAX, 5, u64::MAX - 1, 5, 0, 1 << 63];
        sort_by_bits_from(&mut keys, 0);
        assert_eq!(keys, [0, 5, 5, 1 << 63, u64::MAX - 1, u64::MAX]);
        let mut same = vec![42u64; 10];
        sort_by_bits_from(&mut same, 0);
        assert_eq!(same, [42; 10]);
    }
}
