//! The four operations of two tensors, `+ − · /`, with NumPy broadcasting.
//!
//! | op | forward | ∂/∂a | ∂/∂b |
//! |---|---|---|---|
//! | add | a + b | 1 | 1 |
//! | sub | a − b | 1 | −1 |
//! | mul | a · b | b | a |
//! | div | a / b | 1/b | −a/b² (as PyTorch: −g·(y/b)/… with y = a/b) |

use super::binary::binary_family;
use crate::{Float, Var};
use std::ops::{Add, Div, Mul, Neg, Sub};

binary_family! {
    /// `+ − · /`.
    enum BasicFn;

    /// Elementwise `self + rhs`, broadcasting. Also the `+` operator.
    ///
    /// ∂/∂a = 1, ∂/∂b = 1, each summed back to its operand's shape.
    ///
    /// # Panics
    /// When the shapes cannot be broadcast together; the message names both
    /// shapes and the caller's line.
    ///
    /// ```
    /// use tapegrad::{Tape, Tensor};
    /// let tape = Tape::<f32>::new();
    /// let a = tape.param(Tensor::zeros([2, 3]));
    /// let b = tape.param(Tensor::from_vec(vec![1.0, 2.0, 3.0], [3]));
    /// let g = a.add(b).sum().backward();
    /// assert_eq!(g[b].data(), &[2.0, 2.0, 2.0]);
    /// ```
    #[allow(clippy::should_implement_trait)] // the operators are implemented too; these are for method chains
    pub fn add(self, rhs: Var<'t, T>) -> Var<'t, T> {
        self.binary(BasicFn::Add {}, rhs)
    }
    Add {} = "add",
    forward |a, b| a + b,
    vjp_a |g, a, b, y| g,
    vjp_b |g, a, b, y| g;

    /// Elementwise `self − rhs`, broadcasting. Also the `-` operator.
    ///
    /// ∂/∂a = 1, ∂/∂b = −1.
    ///
    /// # Panics
    /// When the shapes cannot be broadcast together.
    ///
    /// ```
    /// let tape = tapegrad::Tape::<f64>::new();
    /// let (a, b) = (tape.scalar(5.0), tape.scalar(2.0));
    /// let g = a.sub(b).backward();
    /// assert_eq!((g[a].item(), g[b].item()), (1.0, -1.0));
    /// ```
    #[allow(clippy::should_implement_trait)] // the operators are implemented too; these are for method chains
    pub fn sub(self, rhs: Var<'t, T>) -> Var<'t, T> {
        self.binary(BasicFn::Sub {}, rhs)
    }
    Sub {} = "sub",
    forward |a, b| a - b,
    vjp_a |g, a, b, y| g,
    vjp_b |g, a, b, y| -g;

    /// Elementwise `self · rhs`, broadcasting. Also the `*` operator.
    ///
    /// ∂/∂a = b, ∂/∂b = a.
    ///
    /// # Panics
    /// When the shapes cannot be broadcast together.
    ///
    /// ```
    /// let tape = tapegrad::Tape::<f64>::new();
    /// let (a, b) = (tape.scalar(3.0), tape.scalar(4.0));
    /// let g = a.mul(b).backward();
    /// assert_eq!((g[a].item(), g[b].item()), (4.0, 3.0));
    /// ```
    #[allow(clippy::should_implement_trait)] // the operators are implemented too; these are for method chains
    pub fn mul(self, rhs: Var<'t, T>) -> Var<'t, T> {
        self.binary(BasicFn::Mul {}, rhs)
    }
    Mul {} = "mul",
    forward |a, b| a * b,
    vjp_a |g, a, b, y| g * b,
    vjp_b |g, a, b, y| g * a;

    /// Elementwise `self / rhs`, broadcasting. Also the `/` operator.
    ///
    /// ∂/∂a = 1/b, ∂/∂b = −a/b².
    ///
    /// # Panics
    /// When the shapes cannot be broadcast together.
    ///
    /// ```
    /// let tape = tapegrad::Tape::<f64>::new();
    /// let (a, b) = (tape.scalar(3.0), tape.scalar(2.0));
    /// let g = a.div(b).backward();
    /// assert_eq!((g[a].item(), g[b].item()), (0.5, -0.75));
    /// ```
    #[allow(clippy::should_implement_trait)] // the operators are implemented too; these are for method chains
    pub fn div(self, rhs: Var<'t, T>) -> Var<'t, T> {
        self.binary(BasicFn::Div {}, rhs)
    }
    Div {} = "div",
    forward |a, b| a / b,
    vjp_a |g, a, b, y| g / b,
    vjp_b |g, a, b, y| -g * (y / b);
}

macro_rules! var_operator {
    ($trait:ident, $method:ident) => {
        impl<'t, T: Float> $trait<Var<'t, T>> for Var<'t, T> {
            type Output = Var<'t, T>;
            #[track_caller]
            fn $method(self, rhs: Var<'t, T>) -> Var<'t, T> {
                Var::$method(self, rhs)
            }
        }
    };
}
var_operator!(Add, add);
var_operator!(Sub, sub);
var_operator!(Mul, mul);
var_operator!(Div, div);

impl<'t, T: Float> Neg for Var<'t, T> {
    type Output = Var<'t, T>;
    #[track_caller]
    fn neg(self) -> Var<'t, T> {
        Var::neg(self)
    }
}
