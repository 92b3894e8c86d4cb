//! The seeded generator behind every eviction choice.

/// SplitMix64 (Steele, Lea and Flood, "Fast splittable pseudorandom number generators",
/// OOPSLA 2014): 8 bytes of state, one add, two multiplies and three xor-shifts per draw,
/// passes BigCrush, period 2^64, and the same output on every platform.
#[derive(Clone, Debug)]
pub(crate) struct SplitMix64 {
    state: u64,
}

impl SplitMix64 {
    pub(crate) fn new(seed: u64) -> Self {
        Self { state: seed }
    }

    #[inline]
    pub(crate) fn next_u64(&mut self) -> u64 {
        self.state = self.state.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.state;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// A uniform integer in `0..n` (`n > 0`), without bias: Lemire's multiply-and-reject
    /// ("Fast random integer generation in an interval", ACM TOMACS 2019). With a 64-bit
    /// draw and `n < 2^32`, a redraw happens with probability below `2^-32`.
    #[inline]
    pub(crate) fn below(&mut self, n: u32) -> u32 {
        debug_assert!(n > 0);
        let n = u64::from(n);
        let mut m = u128::from(self.next_u64()) * u128::from(n);
        if (m as u64) < n {
            // Reject the low `2^64 mod n` values of the low half so every result has
            // exactly the same number of preimages.
            let threshold = n.wrapping_neg() % n;
            while (m as u64) < threshold {
                m = u128::from(self.next_u64()) * u128::from(n);
            }
        }
        (m >> 64) as u32
    }

    /// What [`below`](Self::below) would return now, without advancing the generator: the
    /// next call of `below(n)` returns the same number and consumes the draws as before.
    #[inline]
    pub(crate) fn peek_below(&self, n: u32) -> u32 {
        self.clone().below(n)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splitmix64_matches_the_published_reference_outputs() {
        // The reference outputs for seed 1234567 (Vigna's splitmix64.c, as tabulated on
        // Rosetta Code, "Pseudo-random numbers/Splitmix64").
        let mut rng = SplitMix64::new(1_234_567);
        let want = [
            6457827717110365317,
            3203168211198807973,
            9817491932198370423,
            4593380528125082431,
            16408922859458223821,
        ];
        for w in want {
            assert_eq!(rng.next_u64(), w);
        }
    }

    #[test]
    fn below_stays_in_range_and_hits_every_value() {
        let mut rng = SplitMix64::new(5);
        for n in [1u32, 2, 3, 7, 10, 1000] {
            let mut seen = alloc::vec![false; n as usize];
            for _ in 0..20 * n {
                let x = rng.below(n);
                assert!(x < n, "below({n}) gave {x}");
                seen[x as usize] = true;
            }
            assert!(seen.iter().all(|&s| s), "below({n}) missed a value");
        }
        // Large bounds: the multiply keeps the high half, so the top of the range is reached.
        let n = u32::MAX - 1;
        assert!((0..10_000).any(|_| rng.below(n) > n / 2 + n / 4));
    }

    #[test]
    fn peek_below_is_the_next_below_and_consumes_nothing() {
        let mut rng = SplitMix64::new(9);
        let mut twin = SplitMix64::new(9);
        for n in [1u32, 2, 5, 1000, u32::MAX - 1] {
            for _ in 0..100 {
                let peeked = rng.peek_below(n);
                assert_eq!(rng.peek_below(n), peeked);
                assert_eq!(rng.below(n), peeked);
                assert_eq!(twin.below(n), peeked);
            }
        }
    }
}
