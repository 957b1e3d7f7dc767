//! A fast hash for the short keys a report repeats (codes, municipality and
//! area names), seeded anew for each table.

use std::hash::{BuildHasher, Hasher};

/// SipHash was a tenth of the start of a million rows. Keys of a few bytes
/// and a seed drawn for each table leave little room for crafted collisions.
pub struct ShortKeys(u64);

impl ShortKeys {
    pub fn seeded() -> Self {
        Self(fastrand::u64(..))
    }
}

impl BuildHasher for ShortKeys {
    type Hasher = ShortKeyHasher;

    fn build_hasher(&self) -> ShortKeyHasher {
        ShortKeyHasher(self.0)
    }
}

pub struct ShortKeyHasher(u64);

impl Hasher for ShortKeyHasher {
    fn write(&mut self, bytes: &[u8]) {
        const K: u64 = 0x517c_c1b7_2722_0a95;
        for chunk in bytes.chunks(8) {
            let mut word = [0u8; 8];
            word[..chunk.len()].copy_from_slice(chunk);
            self.0 = (self.0.rotate_left(5) ^ u64::from_le_bytes(word)).wrapping_mul(K);
        }
    }

    fn finish(&self) -> u64 {
        // The table takes its buckets from the high bits: fold the low ones in.
        self.0 ^ (self.0 >> 29)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_that_differ_hash_apart_and_equal_keys_alike() {
        let hashing = ShortKeys::seeded();
        let hash = |key: &[u8]| hashing.hash_one(key);
        assert_eq!(hash("千代田区".as_bytes()), hash("千代田区".as_bytes()));
        let names = [
            "千代田区",
            "中央区",
            "港区",
            "新宿区",
            "八王子市",
            "",
            "a",
            "ab",
        ];
        let mut hashes: Vec<u64> = names.iter().map(|n| hash(n.as_bytes())).collect();
        hashes.sort_unstable();
        hashes.dedup();
        assert_eq!(hashes.len(), names.len());
    }
}
