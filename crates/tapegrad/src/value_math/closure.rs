//! Helpers for closures that take and return `Var`s.
//!
//! A closure written on its own, `let f = |x: Var<f64>| x * x;`, fails to
//! compile with *"lifetime may not live long enough … returning this value
//! requires that `'1` must outlive `'2`"*: Rust gives the argument's tape
//! lifetime and the result's two unrelated lifetimes. The closure has to be
//! generic over the tape's lifetime (`for<'t> Fn(Var<'t, T>) -> Var<'t, T>`),
//! which Rust infers only when the closure is passed straight to a function
//! that asks for it — these do, and hand the closure back unchanged.

use crate::{Float, Var};

/// Returns `f`, making it a closure over any tape's `Var`s (see the module
/// docs of the error this avoids).
///
/// ```
/// use tapegrad::{var_fn, Tape};
/// let square = var_fn(|x| x * x); // without var_fn: a lifetime error
/// let tape = Tape::<f64>::new();
/// let x = tape.scalar(3.0);
/// assert_eq!(square(x).backward()[x].item(), 6.0);
/// let other = Tape::<f64>::new(); // the same closure on another tape
/// assert_eq!(square(other.scalar(2.0)).item(), 4.0);
/// ```
pub fn var_fn<T: Float, F>(f: F) -> F
where
    F: for<'t> Fn(Var<'t, T>) -> Var<'t, T>,
{
    f
}

/// Like [`var_fn`], for closures of two `Var`s.
///
/// ```
/// use tapegrad::{var_fn2, Tape};
/// let hypot = var_fn2(|a, b| (a * a + b * b).sqrt());
/// let tape = Tape::<f64>::new();
/// let (a, b) = (tape.scalar(3.0), tape.scalar(4.0));
/// let h = hypot(a, b);
/// assert_eq!(h.item(), 5.0);
/// assert!((h.backward()[a].item() - 0.6).abs() < 1e-12); // a / h
/// ```
pub fn var_fn2<T: Float, F>(f: F) -> F
where
    F: for<'t> Fn(Var<'t, T>, Var<'t, T>) -> Var<'t, T>,
{
    f
}
