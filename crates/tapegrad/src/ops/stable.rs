//! Numerically stable scalar building blocks shared by several ops: no
//! `exp` ever overflows, and no result cancels to 0 where it should not.

use crate::Float;

/// σ(x) without overflow: `exp` only of a non-positive number.
#[inline(always)]
pub(crate) fn sigmoid<T: Float>(x: T) -> T {
    if x >= T::zero() {
        T::one() / (T::one() + (-x).exp())
    } else {
        let e = x.exp();
        e / (T::one() + e)
    }
}

/// softplus(x) = log(1 + eˣ) = max(x, 0) + log1p(e^−|x|), never overflowing.
#[inline(always)]
pub(crate) fn softplus<T: Float>(x: T) -> T {
    x.max(T::zero()) + (-x.abs()).exp().ln_1p()
}

/// `(max, log Σ e^(x−max))` of one row.
#[inline]
pub(crate) fn row_logsumexp<T: Float>(row: &[T]) -> (T, T) {
    let m = row.iter().copied().fold(T::neg_infinity(), T::max);
    (m, pairwise_sum(row, &|x| (x - m).exp()).ln())
}

/// `Σ f(xᵢ)` by halving the slice down to blocks of 64 summed in eight
/// lanes: the rounding error grows with log n, not n. A running f32 sum
/// stops growing once its terms fall below half its ulp — 16 M terms of
/// e⁻¹⁰ would add up to about 700 instead of 762 — and a wide softmax is
/// exactly such a sum.
pub(crate) fn pairwise_sum<T: Float>(xs: &[T], f: &impl Fn(T) -> T) -> T {
    if xs.len() <= 64 {
        let mut lanes = [T::zero(); 8];
        for (i, &x) in xs.iter().enumerate() {
            lanes[i % 8] += f(x);
        }
        return lanes.iter().copied().sum();
    }
    let (a, b) = xs.split_at(xs.len() / 2);
    pairwise_sum(a, f) + pairwise_sum(b, f)
}
