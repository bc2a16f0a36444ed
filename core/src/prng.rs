//! The engine's only source of randomness: a small seeded PRNG with a pinned algorithm.
//!
//! `xoshiro256++` (Blackman and Vigna), seeded through `SplitMix64`. The algorithm is pinned
//! here rather than taken from a crate whose output could change between versions: the same
//! seed must give the same run on every machine, in every browser, in every release.

/// A deterministic pseudo-random number generator. Never seeded from the environment.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Prng {
    state: [u64; 4],
}

/// One step of `SplitMix64`: a good 64-bit mix of `x`, used for seeding and for hashing
/// identifiers into independent streams.
pub const fn splitmix64(x: u64) -> u64 {
    let mut z = x.wrapping_add(0x9e37_79b9_7f4a_7c15);
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^ (z >> 31)
}

impl Prng {
    /// A generator whose whole output is determined by `seed`.
    pub fn new(seed: u64) -> Self {
        let mut x = seed;
        let mut state = [0u64; 4];
        for word in &mut state {
            x = x.wrapping_add(0x9e37_79b9_7f4a_7c15);
            *word = splitmix64(x);
        }
        // xoshiro's state must not be all zero; SplitMix64 outputs never are four zeros.
        debug_assert!(state.iter().any(|w| *w != 0));
        Self { state }
    }

    /// The next 64 random bits.
    pub fn next_u64(&mut self) -> u64 {
        let [s0, s1, s2, s3] = self.state;
        let result = s0.wrapping_add(s3).rotate_left(23).wrapping_add(s0);
        let t = s1 << 17;
        let mut s = [s0, s1, s2 ^ s0, s3 ^ s1];
        s[1] ^= s[2];
        s[0] ^= s[3];
        s[2] ^= t;
        s[3] = s[3].rotate_left(45);
        self.state = s;
        result
    }

    /// The next 32 random bits (the high half of [`Prng::next_u64`]).
    pub fn next_u32(&mut self) -> u32 {
        (self.next_u64() >> 32) as u32
    }

    /// A uniform integer in `0..bound` (Lemire's multiply-and-reject, no modulo bias).
    ///
    /// # Panics
    /// If `bound` is 0.
    pub fn below(&mut self, bound: u64) -> u64 {
        assert!(bound > 0, "an empty range has no element");
        loop {
            let product = u128::from(self.next_u64()) * u128::from(bound);
            let low = product as u64;
            if low >= bound.wrapping_neg() % bound {
                return (product >> 64) as u64;
            }
        }
    }

    /// `true` with probability `numerator / denominator` (integer ratios, no floats).
    ///
    /// # Panics
    /// If `denominator` is 0 or `numerator > denominator`.
    pub fn chance(&mut self, numerator: u64, denominator: u64) -> bool {
        assert!(
            denominator > 0 && numerator <= denominator,
            "a probability is a ratio in [0, 1]"
        );
        self.below(denominator) < numerator
    }
}

#[cfg(test)]
mod tests {
    #[cfg(target_arch = "wasm32")]
    use wasm_bindgen_test::wasm_bindgen_test as test;

    use super::*;

    #[test]
    fn splitmix64_matches_the_reference_sequence() {
        // Reference: Vigna's splitmix64.c seeded with 1234567, first three outputs.
        let mut x: u64 = 1_234_567;
        let mut next = || {
            let out = splitmix64(x);
            x = x.wrapping_add(0x9e37_79b9_7f4a_7c15);
            out
        };
        assert_eq!(next(), 6_457_827_717_110_365_317);
        assert_eq!(next(), 3_203_168_211_198_807_973);
        assert_eq!(next(), 9_817_491_932_198_370_423);
    }

    #[test]
    fn the_same_seed_gives_the_same_stream() {
        let mut a = Prng::new(42);
        let mut b = Prng::new(42);
        let mut c = Prng::new(43);
        let xs: Vec<u64> = (0..64).map(|_| a.next_u64()).collect();
        let ys: Vec<u64> = (0..64).map(|_| b.next_u64()).collect();
        let zs: Vec<u64> = (0..64).map(|_| c.next_u64()).collect();
        assert_eq!(xs, ys);
        assert_ne!(xs, zs);
    }

    #[test]
    fn below_stays_in_range_and_covers_it() {
        let mut prng = Prng::new(7);
        let mut seen = [0u32; 6];
        for _ in 0..6_000 {
            let n = prng.below(6);
            assert!(n < 6);
            seen[n as usize] += 1;
        }
        assert!(
            seen.iter().all(|&count| (800..1200).contains(&count)),
            "{seen:?}"
        );
    }

    #[test]
    fn chance_honours_the_edges() {
        let mut prng = Prng::new(9);
        assert!((0..100).all(|_| !prng.chance(0, 5)));
        assert!((0..100).all(|_| prng.chance(5, 5)));
    }
}
