//! `+=`, `-=`, `*=`, `/=` on `Var`: `x += y` records `x + y` and makes `x`
//! the handle of the new node, exactly as `x = x + y` (the old node stays on
//! the tape, and gradients flow through both). With a `Var` or a plain
//! number on the right.

use crate::{Float, Var};
use std::ops::{AddAssign, DivAssign, MulAssign, SubAssign};

macro_rules! assign_operator {
    ($trait:ident, $method:ident, $op:ident, $scalar:ident $(, $neg:tt)?) => {
        impl<'t, T: Float> $trait<Var<'t, T>> for Var<'t, T> {
            /// Records the op and rebinds the handle to its result.
            ///
            /// ```
            /// let tape = tapegrad::Tape::<f64>::new();
            /// let w = tape.scalar(3.0);
            /// let mut y = tape.constant_scalar(1.0);
            /// y += w; // 1 + w
            /// y *= w; // (1 + w)·w
            /// y -= w; // w²
            /// y /= tape.constant_scalar(2.0);
            /// assert_eq!(y.item(), 4.5);
            /// assert_eq!(y.backward()[w].item(), 3.0);
            /// ```
            ///
            /// # Panics
            /// As the binary op: shapes that do not broadcast, or operands
            /// on two tapes.
            #[track_caller]
            fn $method(&mut self, rhs: Var<'t, T>) {
                *self = Var::$op(*self, rhs);
            }
        }
        impl<'t, T: Float> $trait<T> for Var<'t, T> {
            /// With a plain number: `x += 1.0` records `x + 1.0`.
            ///
            /// ```
            /// let tape = tapegrad::Tape::<f32>::new();
            /// let mut x = tape.scalar(2.0);
            /// x += 1.0;
            /// x -= 0.5;
            /// x *= 4.0;
            /// x /= 2.0;
            /// assert_eq!(x.item(), 5.0);
            /// ```
            #[track_caller]
            fn $method(&mut self, c: T) {
                *self = Var::$scalar(*self, $($neg)? c);
            }
        }
    };
}

assign_operator!(AddAssign, add_assign, add, add_scalar);
// `x - c` as `Var`'s `-` operator records it.
assign_operator!(SubAssign, sub_assign, sub, add_scalar, -);
assign_operator!(MulAssign, mul_assign, mul, mul_scalar);
assign_operator!(DivAssign, div_assign, div, div_scalar);

#[cfg(test)]
mod tests {
    use crate::{Tape, Tensor};

    #[test]
    fn compound_assignment_accumulates_and_differentiates() {
        let tape = Tape::<f64>::new();
        let w = tape.scalar(3.0);
        let mut acc = tape.constant_scalar(0.0);
        for _ in 0..4 {
            acc += w * w; // 4·w²
        }
        acc -= w; // 4w² − w
        acc *= 2.0; // 8w² − 2w
        acc /= tape.constant_scalar(4.0); // 2w² − w/2
        acc += 1.0;
        acc -= 0.5;
        assert_eq!(acc.item(), 2.0 * 9.0 - 1.5 + 0.5);
        assert_eq!(acc.backward()[w].item(), 4.0 * 3.0 - 0.5);
    }

    #[test]
    fn compound_assignment_broadcasts_like_the_operator() {
        let tape = Tape::<f32>::new();
        let b = tape.param(Tensor::from_vec(vec![1.0, 2.0], [2]));
        let mut x = tape.constant(Tensor::zeros([3, 2]));
        x += b;
        x *= b;
        assert_eq!(x.value().data(), &[1.0, 4.0, 1.0, 4.0, 1.0, 4.0]);
        // d/db Σ (b·b) over 3 rows = 3·2b
        assert_eq!(x.sum().backward()[b].data(), &[6.0, 12.0]);
    }
}
