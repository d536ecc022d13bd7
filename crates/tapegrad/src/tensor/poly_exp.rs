//! `eˣ` and `eˣ − 1` of one element without a call or a branch, so a loop
//! over a slice that uses them vectorizes (libm's `exp`/`expm1` are opaque
//! calls that keep every activation loop scalar: a third of W4's step).
//!
//! Method (Cody–Waite): `x = n·ln 2 + r` with `n = round(x/ln 2)` and
//! `|r| ≤ ln 2/2`; `eʳ − 1` from its Taylor series (degree 8 in f32, 13 in
//! f64, truncation below half an ulp on that interval); then
//! `eˣ = 2ⁿ·(1 + (eʳ − 1))` and `eˣ − 1 = 2ⁿ·(eʳ − 1) + (2ⁿ − 1)`, which keeps
//! full relative accuracy for tiny `|x|` (there `n = 0`, and the second term
//! is exactly 0). `2ⁿ` is applied as
//! two factors `2^⌊n/2⌋·2^⌈n/2⌉`, each a normal number, so results that
//! overflow become `inf` and results in the subnormal range round once more
//! instead of flushing. `n·ln 2` is subtracted in two parts whose high part
//! has enough trailing zero bits that `n·ln2_hi` is exact, so no FMA is
//! needed (the default target has none). NaN propagates; `±inf`, huge and
//! tiny arguments land on `inf`/`0`/`−1` through the clamp; `expm1(−0) = −0`.
//! Accuracy against glibc: within 2 ulp (tested in `tests` below).

/// The branch-free `exp`/`expm1` of an element type.
pub trait PolyExp: Copy {
    /// `eˣ`.
    fn poly_exp(self) -> Self;
    /// `eˣ − 1`, accurate for tiny `|x|`.
    fn poly_exp_m1(self) -> Self;
    /// `tanh x`, from [`poly_exp_m1`](PolyExp::poly_exp_m1).
    fn poly_tanh(self) -> Self;
}

macro_rules! poly_exp_impl {
    (
        $t:ty, $bits:ty, $mantissa:expr, $bias:expr,
        lo: $lo:expr, hi: $hi:expr,
        ln2_hi: $ln2_hi:expr, ln2_lo: $ln2_lo:expr,
        taylor: [$($c:expr),+]
    ) => {
        // ln 2 in two parts: `ln2_hi` (ln 2 to 0.69314575 in f32, to
        // 0.6931471803691 in f64) ends in enough zero bits that `n·ln2_hi`
        // is exact for every `n` the clamp allows; `ln2_lo` is the rest.
        impl PolyExp for $t {
            #[inline(always)]
            fn poly_exp(self) -> Self {
                let (e, s1, s2) = reduce(self);
                ((1.0 + e) * s1) * s2
            }

            #[inline(always)]
            fn poly_exp_m1(self) -> Self {
                let (e, s1, s2) = reduce(self);
                // 2ⁿ·e + 2ⁿ − 1 = s1·(e·s2 + (s2 − 1/s1)): the sum is rounded
                // once and scaled after, so it neither overflows where the
                // result is finite nor cancels for n = 0 (s1 = s2 = 1).
                let r = s1 * (e * s2 + (s2 - recip(s1)));
                // `r` has lost the sign of a zero argument.
                if self == 0.0 {
                    self
                } else {
                    r
                }
            }

            #[inline(always)]
            fn poly_tanh(self) -> Self {
                // tanh |x| = −m/(m + 2) with m = e^(−2|x|) − 1 in (−1, 0]:
                // nothing cancels for tiny |x|, and the quotient is exactly
                // 1 once m rounds to −1. The sign is put back last, so
                // tanh(−0) = −0.
                let m = (-2.0 * self.abs()).poly_exp_m1();
                (-m / (m + 2.0)).copysign(self)
            }
        }

        /// `1/s` of a power of two `s` in the normal range, exactly: its
        /// exponent negated.
        #[inline(always)]
        fn recip(s: $t) -> $t {
            let k = (s.to_bits() >> $mantissa) as $bits - $bias;
            <$t>::from_bits(((-k + $bias) << $mantissa) as _)
        }

        /// `(eʳ − 1, 2^⌊n/2⌋, 2^⌈n/2⌉)` with `x = n·ln 2 + r`.
        #[inline(always)]
        fn reduce(x: $t) -> ($t, $t, $t) {
            // A comparison chain, not `min`/`max`: those would turn NaN
            // into the bound.
            let x = if x > $hi {
                $hi
            } else if x < $lo {
                $lo
            } else {
                x
            };
            // Adding 1.5·2^mantissa rounds to an integer (ties to even) and
            // leaves that integer in the low bits.
            let magic: $t = 1.5 * (1u64 << $mantissa) as $t;
            let t = x * std::f64::consts::LOG2_E as $t + magic;
            let n = t - magic;
            let ni = t.to_bits().wrapping_sub(magic.to_bits()) as $bits;
            let r = (x - n * $ln2_hi) - n * $ln2_lo;
            let taylor: &[$t] = &[$($c),+];
            let mut q: $t = 0.0;
            for &c in taylor.iter().rev() {
                q = q * r + c;
            }
            let e = r + r * r * q;
            let n1 = ni >> 1;
            let n2 = ni - n1;
            let s1 = <$t>::from_bits(((n1 + $bias) << $mantissa) as _);
            let s2 = <$t>::from_bits(((n2 + $bias) << $mantissa) as _);
            (e, s1, s2)
        }
    };
}

/// f32: `eˣ` overflows above 88.72 and is below half the least subnormal
/// under −103.97, so the clamp bounds change no result.
mod single {
    use super::PolyExp;
    poly_exp_impl!(
        f32, i32, 23, 127,
        lo: -104.0f32, hi: 89.0f32,
        ln2_hi: f32::from_bits(0x3f31_7200), ln2_lo: f32::from_bits(0x35bf_be8e),
        taylor: [
            1.0 / 2.0, 1.0 / 6.0, 1.0 / 24.0, 1.0 / 120.0, 1.0 / 720.0,
            1.0 / 5040.0, 1.0 / 40320.0
        ]
    );
}

/// f64: overflow above 709.78, below half the least subnormal under −745.13.
mod double {
    use super::PolyExp;
    poly_exp_impl!(
        f64, i64, 52, 1023,
        lo: -746.0f64, hi: 710.0f64,
        ln2_hi: f64::from_bits(0x3fe6_2e42_fee0_0000), ln2_lo: f64::from_bits(0x3dea_39ef_3579_3c76),
        taylor: [
            1.0 / 2.0, 1.0 / 6.0, 1.0 / 24.0, 1.0 / 120.0, 1.0 / 720.0,
            1.0 / 5040.0, 1.0 / 40320.0, 1.0 / 362_880.0, 1.0 / 3_628_800.0,
            1.0 / 39_916_800.0, 1.0 / 479_001_600.0, 1.0 / 6_227_020_800.0
        ]
    );
}

#[cfg(test)]
mod tests {
    use super::PolyExp;
    use rand::{Rng, SeedableRng};

    /// The distance in ulp between two values of the same sign class
    /// (`0` when both are NaN or equal, including `±0` vs `±0` only when
    /// identical).
    fn ulp32(a: f32, b: f32) -> u64 {
        if a.is_nan() && b.is_nan() {
            return 0;
        }
        let key = |x: f32| {
            let i = x.to_bits() as i32;
            i64::from(if i < 0 { i32::MIN - i } else { i })
        };
        key(a).abs_diff(key(b))
    }

    fn ulp64(a: f64, b: f64) -> u64 {
        if a.is_nan() && b.is_nan() {
            return 0;
        }
        let key = |x: f64| {
            let i = x.to_bits() as i64;
            i128::from(if i < 0 { i64::MIN - i } else { i })
        };
        key(a).abs_diff(key(b)) as u64
    }

    fn args32() -> Vec<f32> {
        let mut v: Vec<f32> = (-220_000..=190_000).map(|i| i as f32 * 5e-4).collect();
        let mut rng = rand::rngs::StdRng::seed_from_u64(1);
        // Random bit patterns: every exponent, tiny and huge, both signs.
        v.extend((0..200_000).map(|_| f32::from_bits(rng.random())));
        v.extend((0..100_000).map(|_| rng.random_range(-1.0f32..1.0) * 1e-6));
        v.extend([
            0.0,
            -0.0,
            f32::MIN_POSITIVE,
            -f32::MIN_POSITIVE,
            1e-45,
            -1e-45,
            88.72,
            88.7228,
            88.73,
            -87.3,
            -103.9,
            -103.98,
            -104.5,
            1e30,
            -1e30,
            f32::INFINITY,
            f32::NEG_INFINITY,
            f32::NAN,
            f32::MAX,
            f32::MIN,
        ]);
        v
    }

    fn args64() -> Vec<f64> {
        let mut v: Vec<f64> = (-1_500_000..=1_450_000).map(|i| i as f64 * 5e-4).collect();
        let mut rng = rand::rngs::StdRng::seed_from_u64(2);
        v.extend((0..200_000).map(|_| f64::from_bits(rng.random())));
        v.extend((0..100_000).map(|_| rng.random_range(-1.0f64..1.0) * 1e-9));
        v.extend([
            0.0,
            -0.0,
            f64::MIN_POSITIVE,
            -f64::MIN_POSITIVE,
            5e-324,
            -5e-324,
            709.78,
            709.79,
            -708.4,
            -745.1,
            -745.2,
            -746.5,
            1e300,
            -1e300,
            f64::INFINITY,
            f64::NEG_INFINITY,
            f64::NAN,
            f64::MAX,
            f64::MIN,
        ]);
        v
    }

    #[test]
    fn f32_matches_libm_within_2_ulp() {
        for x in args32() {
            let (e, m) = (x.poly_exp(), x.poly_exp_m1());
            assert!(
                ulp32(e, x.exp()) <= 2,
                "exp({x:e}) = {e:e}, libm {:e}",
                x.exp()
            );
            assert!(
                ulp32(m, x.exp_m1()) <= 2,
                "expm1({x:e}) = {m:e}, libm {:e}",
                x.exp_m1()
            );
        }
    }

    #[test]
    fn f64_matches_libm_within_2_ulp() {
        for x in args64() {
            let (e, m) = (x.poly_exp(), x.poly_exp_m1());
            assert!(
                ulp64(e, x.exp()) <= 2,
                "exp({x:e}) = {e:e}, libm {:e}",
                x.exp()
            );
            assert!(
                ulp64(m, x.exp_m1()) <= 2,
                "expm1({x:e}) = {m:e}, libm {:e}",
                x.exp_m1()
            );
        }
    }

    #[test]
    fn tanh_matches_libm_within_3_ulp() {
        for x in args32() {
            let t = x.poly_tanh();
            assert!(
                ulp32(t, x.tanh()) <= 3,
                "tanh({x:e}) = {t:e}, libm {:e}",
                x.tanh()
            );
        }
        for x in args64() {
            let t = x.poly_tanh();
            assert!(
                ulp64(t, x.tanh()) <= 3,
                "tanh({x:e}) = {t:e}, libm {:e}",
                x.tanh()
            );
        }
        assert!((-0.0f32).poly_tanh().is_sign_negative() && 0.0f64.poly_tanh().is_sign_positive());
        assert_eq!(
            (f64::INFINITY.poly_tanh(), f32::NEG_INFINITY.poly_tanh()),
            (1.0, -1.0)
        );
        assert!(f32::NAN.poly_tanh().is_nan());
    }

    #[test]
    fn special_values_are_exact() {
        assert_eq!(f32::INFINITY.poly_exp(), f32::INFINITY);
        assert_eq!(f32::NEG_INFINITY.poly_exp(), 0.0);
        assert_eq!(f32::NEG_INFINITY.poly_exp_m1(), -1.0);
        assert_eq!(f64::INFINITY.poly_exp_m1(), f64::INFINITY);
        assert_eq!((-1e3f64).poly_exp_m1(), -1.0);
        assert_eq!(0.0f64.poly_exp(), 1.0);
        assert!(f32::NAN.poly_exp().is_nan() && f64::NAN.poly_exp_m1().is_nan());
        assert!((-0.0f32).poly_exp_m1().is_sign_negative());
        assert!((-0.0f64).poly_exp_m1().is_sign_negative());
        assert_eq!(1e-300f64.poly_exp_m1(), 1e-300);
        assert_eq!(5e-324f64.poly_exp_m1(), 5e-324);
    }
}
