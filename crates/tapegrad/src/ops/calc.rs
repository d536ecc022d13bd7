//! Arithmetic that an element and a recorded value both understand, so that
//! each elementwise derivative is written once.
//!
//! A rule such as `vjp(g, x, y) = g · cos(x)` is a generic function over
//! [`Calc`]. The fused backward instantiates it with [`E`] (one element: the
//! loop the compiler vectorizes); the recorded backward instantiates it with
//! [`Var`] (every operation becomes a node, so the gradient can be
//! differentiated again). Masks (`step`, `sign`) are constants of the graph in
//! both: their derivative is zero, which makes second derivatives exact away
//! from the kinks.

use super::math::erf;
use super::stable::{sigmoid, softplus};
use crate::{Float, Var};
use std::ops::{Add, Div, Mul, Neg, Sub};

/// The operations a derivative may use. Constants are plain `f64`s, as op
/// parameters are stored.
pub(crate) trait Calc<T: Float>:
    Copy
    + Add<Output = Self>
    + Sub<Output = Self>
    + Mul<Output = Self>
    + Div<Output = Self>
    + Neg<Output = Self>
{
    /// `self · c`.
    fn scale(self, c: f64) -> Self;
    /// `self + c`.
    fn shift(self, c: f64) -> Self;
    /// `c − self`.
    fn rsub(self, c: f64) -> Self;
    /// `self / c`.
    fn div_c(self, c: f64) -> Self;
    /// `selfⁿ`.
    fn powi(self, n: i32) -> Self;
    /// `selfᵖ`.
    fn powf(self, p: f64) -> Self;
    /// `e^self`.
    fn exp(self) -> Self;
    /// `σ(self)`.
    fn sigmoid(self) -> Self;
    /// `tanh(self)`.
    fn tanh(self) -> Self;
    /// `softplus(self)`.
    fn softplus(self) -> Self;
    /// `1` where `self > 0`, else `0`; a constant of the graph.
    fn step(self) -> Self;
    /// `sign(self)` with `sign(0) = 0`; a constant of the graph.
    fn sign(self) -> Self;
    /// `sin(self)`.
    fn sin(self) -> Self;
    /// `cos(self)`.
    fn cos(self) -> Self;
    /// `sinh(self)`.
    fn sinh(self) -> Self;
    /// `cosh(self)`.
    fn cosh(self) -> Self;
    /// `erf(self)`.
    fn erf(self) -> Self;
    /// `ln(self)`.
    fn ln(self) -> Self;
    /// `self^e` with a variable exponent.
    fn pow(self, e: Self) -> Self;
    /// `a` where `self ≠ 0`, else `b`: a branch, not a product, so the
    /// side not taken may be inf or NaN (the "double where"). `self` is a
    /// mask and gets no gradient.
    fn select(self, a: Self, b: Self) -> Self;
}

/// One element, as the fused loops see it. A newtype so that the element
/// type's own `exp`, `ln`, … never compete with [`Calc`]'s in a kernel.
#[derive(Clone, Copy)]
pub(crate) struct E<T>(pub T);

macro_rules! element_operator {
    ($trait:ident, $method:ident) => {
        impl<T: Float> $trait for E<T> {
            type Output = E<T>;
            #[inline(always)]
            fn $method(self, rhs: E<T>) -> E<T> {
                E(self.0.$method(rhs.0))
            }
        }
    };
}
element_operator!(Add, add);
element_operator!(Sub, sub);
element_operator!(Mul, mul);
element_operator!(Div, div);

impl<T: Float> Neg for E<T> {
    type Output = E<T>;
    #[inline(always)]
    fn neg(self) -> E<T> {
        E(-self.0)
    }
}

impl<T: Float> Calc<T> for E<T> {
    #[inline(always)]
    fn scale(self, c: f64) -> Self {
        E(self.0 * T::from_f64(c))
    }
    #[inline(always)]
    fn shift(self, c: f64) -> Self {
        E(self.0 + T::from_f64(c))
    }
    #[inline(always)]
    fn rsub(self, c: f64) -> Self {
        E(T::from_f64(c) - self.0)
    }
    #[inline(always)]
    fn div_c(self, c: f64) -> Self {
        E(self.0 / T::from_f64(c))
    }
    #[inline(always)]
    fn powi(self, n: i32) -> Self {
        E(self.0.powi(n))
    }
    #[inline(always)]
    fn powf(self, p: f64) -> Self {
        E(self.0.powf(T::from_f64(p)))
    }
    #[inline(always)]
    fn exp(self) -> Self {
        // Branch-free, so the backward loops that use it vectorize.
        E(self.0.poly_exp())
    }
    #[inline(always)]
    fn sigmoid(self) -> Self {
        E(sigmoid(self.0))
    }
    #[inline(always)]
    fn tanh(self) -> Self {
        // Branch-free, so tanh's forward loop vectorizes (libm's `tanh` was
        // a ninth of the W6 step).
        E(self.0.poly_tanh())
    }
    #[inline(always)]
    fn softplus(self) -> Self {
        E(softplus(self.0))
    }
    #[inline(always)]
    fn step(self) -> Self {
        E(if self.0 > T::zero() {
            T::one()
        } else {
            T::zero()
        })
    }
    #[inline(always)]
    fn sign(self) -> Self {
        let x = self.0;
        E(if x > T::zero() {
            T::one()
        } else if x < T::zero() {
            -T::one()
        } else {
            T::zero()
        })
    }
    #[inline(always)]
    fn sin(self) -> Self {
        E(self.0.sin())
    }
    #[inline(always)]
    fn cos(self) -> Self {
        E(self.0.cos())
    }
    #[inline(always)]
    fn sinh(self) -> Self {
        E(self.0.sinh())
    }
    #[inline(always)]
    fn cosh(self) -> Self {
        E(self.0.cosh())
    }
    #[inline(always)]
    fn erf(self) -> Self {
        E(erf(self.0))
    }
    #[inline(always)]
    fn ln(self) -> Self {
        E(self.0.ln())
    }
    #[inline(always)]
    fn pow(self, e: Self) -> Self {
        E(self.0.powf(e.0))
    }
    #[inline(always)]
    fn select(self, a: Self, b: Self) -> Self {
        if self.0 != T::zero() {
            a
        } else {
            b
        }
    }
}

impl<'t, T: Float> Calc<T> for Var<'t, T> {
    #[track_caller]
    fn scale(self, c: f64) -> Self {
        self.mul_scalar(T::from_f64(c))
    }
    #[track_caller]
    fn shift(self, c: f64) -> Self {
        self.add_scalar(T::from_f64(c))
    }
    #[track_caller]
    fn rsub(self, c: f64) -> Self {
        self.rsub_scalar(T::from_f64(c))
    }
    #[track_caller]
    fn div_c(self, c: f64) -> Self {
        self.div_scalar(T::from_f64(c))
    }
    #[track_caller]
    fn powi(self, n: i32) -> Self {
        Var::powi(self, n)
    }
    #[track_caller]
    fn powf(self, p: f64) -> Self {
        Var::powf(self, p)
    }
    #[track_caller]
    fn exp(self) -> Self {
        Var::exp(self)
    }
    #[track_caller]
    fn sigmoid(self) -> Self {
        Var::sigmoid(self)
    }
    #[track_caller]
    fn tanh(self) -> Self {
        Var::tanh(self)
    }
    #[track_caller]
    fn softplus(self) -> Self {
        Var::softplus(self)
    }
    #[track_caller]
    fn step(self) -> Self {
        Var::step(self)
    }
    #[track_caller]
    fn sign(self) -> Self {
        Var::sign(self)
    }
    #[track_caller]
    fn sin(self) -> Self {
        Var::sin(self)
    }
    #[track_caller]
    fn cos(self) -> Self {
        Var::cos(self)
    }
    #[track_caller]
    fn sinh(self) -> Self {
        Var::sinh(self)
    }
    #[track_caller]
    fn cosh(self) -> Self {
        Var::cosh(self)
    }
    #[track_caller]
    fn erf(self) -> Self {
        Var::erf(self)
    }
    #[track_caller]
    fn ln(self) -> Self {
        Var::log(self)
    }
    #[track_caller]
    fn pow(self, e: Self) -> Self {
        Var::pow(self, e)
    }
    #[track_caller]
    fn select(self, a: Self, b: Self) -> Self {
        super::select::where_(self, a, b)
    }
}
