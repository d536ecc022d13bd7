//! Comparisons of two broadcast tensors, `gt ge lt le eq ne`: masks of 0
//! and 1 in the value type, with derivative zero (they carry no gradient),
//! for [`where_`](crate::where_), `mask * x` and the like.

use super::binary::binary_family;
use crate::Var;

binary_family! {
    /// Comparisons: masks with derivative zero.
    enum CompareFn;

    /// 1 where `self > rhs`, else 0 (in the value type), broadcasting: a
    /// mask with no gradient (derivative zero for both operands). NaN
    /// compares as IEEE says (only `ne` is 1).
    ///
    /// # Panics
    /// When the shapes cannot be broadcast together.
    ///
    /// ```
    /// use tapegrad::{Tape, Tensor};
    /// let tape = Tape::<f64>::new();
    /// let a = tape.constant(Tensor::from_vec(vec![1.0, 2.0, 3.0], [3]));
    /// let b = tape.constant_scalar(2.0);
    /// assert_eq!(a.gt(b).value().data(), &[0.0, 0.0, 1.0]);
    /// ```
    #[allow(clippy::should_implement_trait)] // a mask of two tensors, not an ordering of Vars
    pub fn gt(self, rhs: Var<'t, T>) -> Var<'t, T> {
        self.binary(CompareFn::Gt {}, rhs)
    }
    Gt {} = "gt",
    forward |a, b| if a > b { T::one() } else { T::zero() },
    vjp_a |g, a, b, y| g.scale(0.0),
    vjp_b |g, a, b, y| g.scale(0.0);

    /// 1 where `self >= rhs`, else 0 (in the value type), broadcasting: a
    /// mask with no gradient (derivative zero for both operands). NaN
    /// compares as IEEE says (only `ne` is 1).
    ///
    /// # Panics
    /// When the shapes cannot be broadcast together.
    ///
    /// ```
    /// use tapegrad::{Tape, Tensor};
    /// let tape = Tape::<f64>::new();
    /// let a = tape.constant(Tensor::from_vec(vec![1.0, 2.0, 3.0], [3]));
    /// let b = tape.constant_scalar(2.0);
    /// assert_eq!(a.ge(b).value().data(), &[0.0, 1.0, 1.0]);
    /// ```
    #[allow(clippy::should_implement_trait)] // a mask of two tensors, not an ordering of Vars
    pub fn ge(self, rhs: Var<'t, T>) -> Var<'t, T> {
        self.binary(CompareFn::Ge {}, rhs)
    }
    Ge {} = "ge",
    forward |a, b| if a >= b { T::one() } else { T::zero() },
    vjp_a |g, a, b, y| g.scale(0.0),
    vjp_b |g, a, b, y| g.scale(0.0);

    /// 1 where `self < rhs`, else 0 (in the value type), broadcasting: a
    /// mask with no gradient (derivative zero for both operands). NaN
    /// compares as IEEE says (only `ne` is 1).
    ///
    /// # Panics
    /// When the shapes cannot be broadcast together.
    ///
    /// ```
    /// use tapegrad::{Tape, Tensor};
    /// let tape = Tape::<f64>::new();
    /// let a = tape.constant(Tensor::from_vec(vec![1.0, 2.0, 3.0], [3]));
    /// let b = tape.constant_scalar(2.0);
    /// assert_eq!(a.lt(b).value().data(), &[1.0, 0.0, 0.0]);
    /// ```
    #[allow(clippy::should_implement_trait)] // a mask of two tensors, not an ordering of Vars
    pub fn lt(self, rhs: Var<'t, T>) -> Var<'t, T> {
        self.binary(CompareFn::Lt {}, rhs)
    }
    Lt {} = "lt",
    forward |a, b| if a < b { T::one() } else { T::zero() },
    vjp_a |g, a, b, y| g.scale(0.0),
    vjp_b |g, a, b, y| g.scale(0.0);

    /// 1 where `self <= rhs`, else 0 (in the value type), broadcasting: a
    /// mask with no gradient (derivative zero for both operands). NaN
    /// compares as IEEE says (only `ne` is 1).
    ///
    /// # Panics
    /// When the shapes cannot be broadcast together.
    ///
    /// ```
    /// use tapegrad::{Tape, Tensor};
    /// let tape = Tape::<f64>::new();
    /// let a = tape.constant(Tensor::from_vec(vec![1.0, 2.0, 3.0], [3]));
    /// let b = tape.constant_scalar(2.0);
    /// assert_eq!(a.le(b).value().data(), &[1.0, 1.0, 0.0]);
    /// ```
    #[allow(clippy::should_implement_trait)] // a mask of two tensors, not an ordering of Vars
    pub fn le(self, rhs: Var<'t, T>) -> Var<'t, T> {
        self.binary(CompareFn::Le {}, rhs)
    }
    Le {} = "le",
    forward |a, b| if a <= b { T::one() } else { T::zero() },
    vjp_a |g, a, b, y| g.scale(0.0),
    vjp_b |g, a, b, y| g.scale(0.0);

    /// 1 where `self == rhs`, else 0 (in the value type), broadcasting: a
    /// mask with no gradient (derivative zero for both operands). NaN
    /// compares as IEEE says (only `ne` is 1).
    ///
    /// # Panics
    /// When the shapes cannot be broadcast together.
    ///
    /// ```
    /// use tapegrad::{Tape, Tensor};
    /// let tape = Tape::<f64>::new();
    /// let a = tape.constant(Tensor::from_vec(vec![1.0, 2.0, 3.0], [3]));
    /// let b = tape.constant_scalar(2.0);
    /// assert_eq!(a.eq(b).value().data(), &[0.0, 1.0, 0.0]);
    /// ```
    #[allow(clippy::should_implement_trait)] // a mask of two tensors, not an ordering of Vars
    pub fn eq(self, rhs: Var<'t, T>) -> Var<'t, T> {
        self.binary(CompareFn::Eq {}, rhs)
    }
    Eq {} = "eq",
    forward |a, b| if a == b { T::one() } else { T::zero() },
    vjp_a |g, a, b, y| g.scale(0.0),
    vjp_b |g, a, b, y| g.scale(0.0);

    /// 1 where `self != rhs`, else 0 (in the value type), broadcasting: a
    /// mask with no gradient (derivative zero for both operands). NaN
    /// compares as IEEE says (only `ne` is 1).
    ///
    /// # Panics
    /// When the shapes cannot be broadcast together.
    ///
    /// ```
    /// use tapegrad::{Tape, Tensor};
    /// let tape = Tape::<f64>::new();
    /// let a = tape.constant(Tensor::from_vec(vec![1.0, 2.0, 3.0], [3]));
    /// let b = tape.constant_scalar(2.0);
    /// assert_eq!(a.ne(b).value().data(), &[1.0, 0.0, 1.0]);
    /// ```
    #[allow(clippy::should_implement_trait)] // a mask of two tensors, not an ordering of Vars
    pub fn ne(self, rhs: Var<'t, T>) -> Var<'t, T> {
        self.binary(CompareFn::Ne {}, rhs)
    }
    Ne {} = "ne",
    forward |a, b| if a != b { T::one() } else { T::zero() },
    vjp_a |g, a, b, y| g.scale(0.0),
    vjp_b |g, a, b, y| g.scale(0.0);
}
