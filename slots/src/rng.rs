//! SplitMix64, evict's one seeded generator and mixer: random eviction draws from it, and
//! the simulator's and the benchmarks' workloads and the tests' key streams come from it,
//! so every sequence is the same on every machine.

/// SplitMix64 (Steele, Lea and Flood, "Fast splittable pseudorandom number generators",
/// OOPSLA 2014): 8 bytes of state, one add, two multiplies and three xor-shifts per draw,
/// passes BigCrush, period 2^64, and the same output on every platform. Not for anything
/// that must be unpredictable.
///
/// ```
/// use evict_slots::SplitMix64;
///
/// let mut a = SplitMix64::new(7);
/// let mut b = SplitMix64::new(7);
/// assert_eq!(a.next_u64(), b.next_u64());
/// assert!(a.next_f64() < 1.0);
/// assert!(a.below(10) < 10);
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SplitMix64 {
    state: u64,
}

/// The increment of SplitMix64's state: the 64-bit golden ratio, `2^64 / φ`.
pub const GOLDEN_GAMMA: u64 = 0x9E37_79B9_7F4A_7C15;

/// SplitMix64's finaliser: a bijection of `u64` that scatters neighbours (distinct inputs
/// give distinct outputs, consecutive inputs outputs that look random to any hasher).
/// `SplitMix64::new(s).next_u64()` is `mix64(s + GOLDEN_GAMMA)`.
///
/// ```
/// use evict_slots::{GOLDEN_GAMMA, SplitMix64, mix64};
///
/// assert_ne!(mix64(1), mix64(2));
/// assert_eq!(SplitMix64::new(5).next_u64(), mix64(5 + GOLDEN_GAMMA));
/// ```
#[inline]
pub const fn mix64(mut z: u64) -> u64 {
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

impl SplitMix64 {
    /// A generator whose whole output is fixed by `seed`.
    pub const fn new(seed: u64) -> Self {
        Self { state: seed }
    }

    /// The next 64 random bits.
    #[inline]
    pub fn next_u64(&mut self) -> u64 {
        self.state = self.state.wrapping_add(GOLDEN_GAMMA);
        mix64(self.state)
    }

    /// A uniform float in `[0, 1)`: the top 53 bits of a draw.
    #[inline]
    pub fn next_f64(&mut self) -> f64 {
        (self.next_u64() >> 11) as f64 * (1.0 / (1u64 << 53) as f64)
    }

    /// A uniform integer in `0..n` (`n > 0`), without bias: Lemire's multiply-and-reject
    /// ("Fast random integer generation in an interval", ACM TOMACS 2019). With a 64-bit
    /// draw and `n < 2^32`, a redraw happens with probability below `2^-32`.
    #[inline]
    pub fn below(&mut self, n: u32) -> u32 {
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
    ///
    /// ```
    /// use evict_slots::SplitMix64;
    ///
    /// let mut rng = SplitMix64::new(3);
    /// let next = rng.peek_below(100);
    /// assert_eq!(rng.below(100), next);
    /// ```
    #[inline]
    pub fn peek_below(&self, n: u32) -> u32 {
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

    #[test]
    fn floats_are_in_the_unit_interval() {
        let mut rng = SplitMix64::new(1);
        assert!(
            (0..1000)
                .map(|_| rng.next_f64())
                .all(|x| (0.0..1.0).contains(&x))
        );
    }
}
