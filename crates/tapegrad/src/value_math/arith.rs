//! `+ - * /` (with broadcasting), negation, scalars on either side, and
//! `matmul`, each the tape's op run on the scratch tape.

use super::scratch::Scratch;
use crate::{Float, Tensor};
use std::ops::{Add, Div, Mul, Neg, Sub};

macro_rules! tensor_operator {
    ($trait:ident, $method:ident, $scalar:ident) => {
        impl<T: Float> $trait<&Tensor<T>> for &Tensor<T> {
            type Output = Tensor<T>;
            /// Elementwise, with NumPy broadcasting, as the `Var` op.
            ///
            /// # Panics
            /// When the shapes cannot be broadcast together; the message
            /// names both shapes and the caller's line.
            #[track_caller]
            fn $method(self, rhs: &Tensor<T>) -> Tensor<T> {
                let s = Scratch::take();
                let (a, b) = (s.constant(self), s.constant(rhs));
                s.value(a.$method(b))
            }
        }
        impl<T: Float> $trait<Tensor<T>> for Tensor<T> {
            type Output = Tensor<T>;
            #[track_caller]
            fn $method(self, rhs: Tensor<T>) -> Tensor<T> {
                (&self).$method(&rhs)
            }
        }
        impl<T: Float> $trait<&Tensor<T>> for Tensor<T> {
            type Output = Tensor<T>;
            #[track_caller]
            fn $method(self, rhs: &Tensor<T>) -> Tensor<T> {
                (&self).$method(rhs)
            }
        }
        impl<T: Float> $trait<Tensor<T>> for &Tensor<T> {
            type Output = Tensor<T>;
            #[track_caller]
            fn $method(self, rhs: Tensor<T>) -> Tensor<T> {
                self.$method(&rhs)
            }
        }
        impl<T: Float> $trait<T> for &Tensor<T> {
            type Output = Tensor<T>;
            fn $method(self, c: T) -> Tensor<T> {
                let s = Scratch::take();
                let a = s.constant(self);
                s.value($scalar(a, c))
            }
        }
        impl<T: Float> $trait<T> for Tensor<T> {
            type Output = Tensor<T>;
            fn $method(self, c: T) -> Tensor<T> {
                (&self).$method(c)
            }
        }
    };
}

use crate::Var;
fn add_scalar<T: Float>(x: Var<'_, T>, c: T) -> Var<'_, T> {
    x.add_scalar(c)
}
// `x - c` as `Var`'s `-` operator computes it.
fn sub_scalar<T: Float>(x: Var<'_, T>, c: T) -> Var<'_, T> {
    x.add_scalar(-c)
}
fn mul_scalar<T: Float>(x: Var<'_, T>, c: T) -> Var<'_, T> {
    x.mul_scalar(c)
}
fn div_scalar<T: Float>(x: Var<'_, T>, c: T) -> Var<'_, T> {
    x.div_scalar(c)
}

tensor_operator!(Add, add, add_scalar);
tensor_operator!(Sub, sub, sub_scalar);
tensor_operator!(Mul, mul, mul_scalar);
tensor_operator!(Div, div, div_scalar);

/// A plain number on the left: `2.0 - &t`, `1.0 / t`.
macro_rules! scalar_left {
    ($t:ty) => {
        impl Add<&Tensor<$t>> for $t {
            type Output = Tensor<$t>;
            fn add(self, x: &Tensor<$t>) -> Tensor<$t> {
                x + self
            }
        }
        impl Add<Tensor<$t>> for $t {
            type Output = Tensor<$t>;
            fn add(self, x: Tensor<$t>) -> Tensor<$t> {
                &x + self
            }
        }
        impl Mul<&Tensor<$t>> for $t {
            type Output = Tensor<$t>;
            fn mul(self, x: &Tensor<$t>) -> Tensor<$t> {
                x * self
            }
        }
        impl Mul<Tensor<$t>> for $t {
            type Output = Tensor<$t>;
            fn mul(self, x: Tensor<$t>) -> Tensor<$t> {
                &x * self
            }
        }
        impl Sub<&Tensor<$t>> for $t {
            type Output = Tensor<$t>;
            fn sub(self, x: &Tensor<$t>) -> Tensor<$t> {
                let s = Scratch::take();
                let a = s.constant(x);
                s.value(a.rsub_scalar(self))
            }
        }
        impl Sub<Tensor<$t>> for $t {
            type Output = Tensor<$t>;
            fn sub(self, x: Tensor<$t>) -> Tensor<$t> {
                self - &x
            }
        }
        impl Div<&Tensor<$t>> for $t {
            type Output = Tensor<$t>;
            fn div(self, x: &Tensor<$t>) -> Tensor<$t> {
                let s = Scratch::take();
                let a = s.constant(x);
                s.value(a.rdiv_scalar(self))
            }
        }
        impl Div<Tensor<$t>> for $t {
            type Output = Tensor<$t>;
            fn div(self, x: Tensor<$t>) -> Tensor<$t> {
                self / &x
            }
        }
    };
}
scalar_left!(f32);
scalar_left!(f64);

impl<T: Float> Neg for &Tensor<T> {
    type Output = Tensor<T>;
    fn neg(self) -> Tensor<T> {
        let s = Scratch::take();
        let a = s.constant(self);
        s.value(a.neg())
    }
}

impl<T: Float> Neg for Tensor<T> {
    type Output = Tensor<T>;
    fn neg(self) -> Tensor<T> {
        -&self
    }
}

impl<T: Float> Tensor<T> {
    /// Matrix product, 2-D or batched, exactly as [`Var::matmul`] (the same
    /// kernels, the same shape rules and messages).
    ///
    /// # Panics
    /// When the shapes do not multiply; the message names both shapes and
    /// the caller's line.
    ///
    /// ```
    /// use tapegrad::Tensor;
    /// let a = Tensor::from_vec(vec![1.0f32, 2.0, 3.0, 4.0], [2, 2]);
    /// let b = Tensor::from_vec(vec![1.0f32, 1.0], [2, 1]);
    /// assert_eq!(a.matmul(&b).to_vec2(), vec![vec![3.0], vec![7.0]]);
    /// ```
    #[must_use]
    #[track_caller]
    pub fn matmul(&self, rhs: &Tensor<T>) -> Tensor<T> {
        let s = Scratch::take();
        let (a, b) = (s.constant(self), s.constant(rhs));
        s.value(a.matmul(b))
    }

    /// Evaluates any expression of `Var` ops on this tensor, on the scratch
    /// tape, and returns its value: every op of the tape is a value op too.
    ///
    /// ```
    /// use tapegrad::Tensor;
    /// let x = Tensor::from_vec(vec![-1.0f64, 0.0, 2.0], [3]);
    /// let y = x.apply(|v| (v.exp() - 1.0).relu());
    /// assert_eq!(y.data(), &[0.0, 0.0, 2f64.exp() - 1.0]);
    /// ```
    #[must_use]
    pub fn apply<F>(&self, f: F) -> Tensor<T>
    where
        F: for<'t> FnOnce(Var<'t, T>) -> Var<'t, T>,
    {
        let s = Scratch::take();
        let a = s.constant(self);
        s.value(f(a))
    }
}
