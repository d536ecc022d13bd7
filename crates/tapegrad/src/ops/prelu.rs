//! PReLU with a trainable slope (He et al. 2015): x for x > 0, else w·x,
//! with one w shared by every element or one per channel (axis 1). The
//! slope is a `Var` of its own and gets a gradient.
//!
//!   ∂y/∂x = 1 for x > 0, else w (**w at 0**, the left side, as PyTorch)
//!   ∂y/∂w = 0 for x > 0, else x (summed over everything but the channel)

use super::binary::binary_family;
use crate::{Shape, Var};

binary_family! {
    /// PReLU.
    enum PreluFn;

    /// PReLU: `self` if it is > 0, else `weight·self`, with `weight` of
    /// shape `[1]` (or 0-d: one shared slope) or `[C]` with C = `self`'s
    /// axis 1 (one slope per channel, broadcast over the other axes), as
    /// `F.prelu`. Inputs of rank 0 and 1 take a shared slope.
    ///
    /// # Panics
    /// When `weight` is neither one slope nor one per channel of axis 1
    /// (naming both shapes and the caller's line), or is on another tape.
    ///
    /// ```
    /// use tapegrad::{Tape, Tensor};
    /// let tape = Tape::<f64>::new();
    /// let x = tape.param(Tensor::from_vec(vec![-2.0, 3.0, -1.0, 0.0], [2, 2]));
    /// let w = tape.param(Tensor::from_vec(vec![0.25, 0.5], [2]));
    /// let y = x.prelu(w);
    /// assert_eq!(y.value().data(), &[-0.5, 3.0, -0.25, 0.0]);
    /// let g = y.sum().backward();
    /// assert_eq!(g[x].data(), &[0.25, 1.0, 0.25, 0.5]);
    /// assert_eq!(g[w].data(), &[-3.0, 0.0]);
    /// ```
    pub fn prelu(self, weight: Var<'t, T>) -> Var<'t, T> {
        self.same_tape(&weight, "prelu");
        let (xs, ws) = (self.shape(), weight.shape());
        let per_channel = xs.rank() >= 2 && ws.rank() == 1 && ws.dims()[0] == xs.dims()[1];
        // One slope becomes 0-d, so that a 0-d x stays 0-d; C slopes become
        // [C, 1, …, 1], which broadcasts along axis 1 of x.
        let w = if ws.numel() == 1 && ws.rank() <= 1 {
            weight.reshape(Shape::scalar())
        } else if per_channel {
            let mut dims = vec![1; xs.rank() - 1];
            dims[0] = ws.dims()[0];
            weight.reshape(dims)
        } else {
            panic!(
                "tapegrad: prelu: weight of shape {ws} is neither one slope nor one per channel of x of shape {xs} (at {})",
                std::panic::Location::caller()
            )
        };
        self.binary(PreluFn::Prelu {}, w)
    }
    Prelu {} = "prelu",
    forward |x, w| if x > T::zero() { x } else { w * x },
    vjp_a |g, x, w, y| {
        let m = x.step();
        g * (m + m.rsub(1.0) * w)
    },
    vjp_b |g, x, w, y| g * x * x.step().rsub(1.0);
}
