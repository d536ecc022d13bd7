//! The element types a tape can hold: `f32` and `f64`.

use std::fmt::{Debug, Display, LowerExp};
use std::iter::Sum;
use std::ops::{AddAssign, DivAssign, MulAssign, SubAssign};

/// A floating-point element type of tensors and tapes (`f32` or `f64`).
///
/// Sealed: the matrix kernels hand slices of it to `gemm`, which is sound
/// for exactly these two types, so no other crate may add a third.
///
/// Everything numeric in tapegrad is generic over this trait; op parameters
/// (α of ELU, a scalar addend, …) are stored as `f64` and converted with
/// [`Float::from_f64`] so that one recorded op describes both precisions.
///
/// ```
/// use tapegrad::Float;
/// assert_eq!(<f32 as Float>::from_f64(0.5), 0.5f32);
/// assert_eq!(2.0f64.to_f64(), 2.0);
/// ```
pub trait Float:
    sealed::Sealed
    + num_traits::Float
    + num_traits::FloatConst
    + Default
    + Debug
    + Display
    + LowerExp
    + Send
    + Sync
    + 'static
    + AddAssign
    + SubAssign
    + MulAssign
    + DivAssign
    + Sum
{
    /// `"f32"` or `"f64"`, as safetensors and error messages spell it.
    const NAME: &'static str;
    /// Rounds an `f64` to this type.
    fn from_f64(x: f64) -> Self;
    /// Widens this value to `f64` (exact for both types).
    fn to_f64(self) -> f64;
}

mod sealed {
    /// Implemented for `f32` and `f64` only; private, so `Float` cannot be
    /// implemented outside this crate. It carries the crate's branch-free
    /// `exp`, which generic kernels reach through `Float`.
    pub trait Sealed: crate::tensor::poly_exp::PolyExp {}
    impl Sealed for f32 {}
    impl Sealed for f64 {}
}

impl Float for f32 {
    const NAME: &'static str = "f32";
    #[inline(always)]
    fn from_f64(x: f64) -> Self {
        x as f32
    }
    #[inline(always)]
    fn to_f64(self) -> f64 {
        f64::from(self)
    }
}

impl Float for f64 {
    const NAME: &'static str = "f64";
    #[inline(always)]
    fn from_f64(x: f64) -> Self {
        x
    }
    #[inline(always)]
    fn to_f64(self) -> f64 {
        self
    }
}
