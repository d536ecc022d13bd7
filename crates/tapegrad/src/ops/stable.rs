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
    let s: T = row.iter().map(|&x| (x - m).exp()).sum();
    (m, s.ln())
}
