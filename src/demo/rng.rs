//! The demo's random numbers: a seeded SplitMix64, one stream per purpose and index.

const SEED: u64 = 0x6265_6462_6f61_7264; // "bedboard"

/// What a random stream is for. Each (purpose, index) has its own stream, so changing how
/// one thing is drawn does not reshuffle everything else.
#[derive(Clone, Copy)]
pub(super) enum Purpose {
    Names = 1,
    Counts,
    Times,
    Master,
    History,
}

/// SplitMix64: tiny, fast and good enough for demo data; no crate needed.
pub(super) struct Rng(u64);

impl Rng {
    pub(super) fn stream(purpose: Purpose, index: u64) -> Self {
        let p = (purpose as u64).wrapping_mul(0xD1B5_4A32_D192_ED03);
        Rng(SEED ^ p ^ index.wrapping_mul(0x9E37_79B9_7F4A_7C15))
    }

    pub(super) fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    pub(super) fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }

    /// A number in `lo..=hi`.
    pub(super) fn range(&mut self, lo: u32, hi: u32) -> u32 {
        lo + self.below(u64::from(hi - lo) + 1) as u32
    }

    pub(super) fn percent(&mut self, p: u64) -> bool {
        self.below(100) < p
    }

    pub(super) fn pick<T: Copy>(&mut self, items: &[T]) -> T {
        items[self.below(items.len() as u64) as usize]
    }
}
