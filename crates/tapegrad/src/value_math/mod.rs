//! `Tensor` as a value type: arithmetic, reductions, products and
//! conversions without a tape in sight.
//!
//! Every op that the tape has runs *the tape's own op* on a reused,
//! thread-local scratch tape ([`scratch`]), so `&a + &b` broadcasts, rounds
//! and panics exactly as `Var::add` does, with the same message naming the
//! caller's line. Only what the tape lacks (max/argmax, comparisons, `map`)
//! has a small kernel here.

mod arith;
mod closure;
mod convert;
mod elementwise;
mod reduce;
mod scratch;

#[cfg(feature = "ndarray")]
mod ndarray_interop;
#[cfg(feature = "serde")]
mod serde_interop;

pub use closure::{var_fn, var_fn2};
