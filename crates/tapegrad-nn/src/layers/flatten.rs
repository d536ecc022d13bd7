//! `Flatten` and `Unflatten`: reshapes between a batch of feature vectors
//! and a batch of images (no parameters).

use crate::module::{Cx, Module};
use tapegrad::{Float, Var};

/// Merges the axes `start..=end` into one (PyTorch's `nn.Flatten`, by
/// default every axis but the batch axis: `[N, C, H, W]` → `[N, C·H·W]`).
/// The values keep their row-major order, so the gradient is the incoming
/// one reshaped back.
///
/// ```
/// use tapegrad::Tensor;
/// use tapegrad_nn::{Flatten, Model};
/// let m = Model::<f32, _>::build(0, |_| Flatten::new());
/// assert_eq!(m.predict(&Tensor::zeros([2, 3, 4, 5])).shape().dims(), &[2, 60]);
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Flatten {
    start: isize,
    end: isize,
}

impl Flatten {
    /// Flattens every axis after the first (`start_dim = 1, end_dim = -1`).
    ///
    /// ```
    /// use tapegrad_nn::{Flatten, Module};
    /// assert_eq!(Module::<f64>::torch(&tapegrad_nn::Flatten::new()), "nn.Flatten()");
    /// ```
    #[must_use]
    pub fn new() -> Self {
        Flatten { start: 1, end: -1 }
    }

    /// Flattens the axes `start..=end` (negative counts from the end).
    ///
    /// ```
    /// use tapegrad::Tensor;
    /// use tapegrad_nn::{Flatten, Model};
    /// let m = Model::<f32, _>::build(0, |_| Flatten::axes(0, 1));
    /// assert_eq!(m.predict(&Tensor::zeros([2, 3, 4])).shape().dims(), &[6, 4]);
    /// ```
    #[must_use]
    pub fn axes(start: isize, end: isize) -> Self {
        Flatten { start, end }
    }
}

impl Default for Flatten {
    fn default() -> Self {
        Flatten::new()
    }
}

impl<T: Float> Module<T> for Flatten {
    #[track_caller]
    fn call<'t>(&self, x: Var<'t, T>, _cx: &mut Cx<'_, 't, T>) -> Var<'t, T> {
        x.flatten(self.start, self.end)
    }

    fn torch(&self) -> String {
        if (self.start, self.end) == (1, -1) {
            "nn.Flatten()".into()
        } else {
            format!("nn.Flatten({}, {})", self.start, self.end)
        }
    }
}

/// Splits axis 1 into `shape` (PyTorch's `nn.Unflatten(1, shape)`): e.g.
/// the 64 features of an 8×8 image `[N, 64]` → `[N, 1, 8, 8]` before a
/// convolution. The gradient is the incoming one reshaped back.
///
/// ```
/// use tapegrad::Tensor;
/// use tapegrad_nn::{Model, Unflatten};
/// let m = Model::<f32, _>::build(0, |_| Unflatten::new(&[1, 8, 8]));
/// assert_eq!(m.predict(&Tensor::zeros([5, 64])).shape().dims(), &[5, 1, 8, 8]);
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Unflatten {
    shape: Vec<usize>,
}

impl Unflatten {
    /// Splits axis 1 into `shape`.
    ///
    /// ```
    /// use tapegrad_nn::{Module, Unflatten};
    /// assert_eq!(Module::<f32>::torch(&Unflatten::new(&[2, 3])), "nn.Unflatten(1, (2, 3))");
    /// ```
    #[must_use]
    pub fn new(shape: &[usize]) -> Self {
        Unflatten {
            shape: shape.to_vec(),
        }
    }
}

impl<T: Float> Module<T> for Unflatten {
    #[track_caller]
    fn call<'t>(&self, x: Var<'t, T>, _cx: &mut Cx<'_, 't, T>) -> Var<'t, T> {
        let dims = x.shape().dims().to_vec();
        let inner: usize = self.shape.iter().product();
        assert!(
            dims.len() >= 2 && dims[1] == inner,
            "tapegrad-nn: Unflatten: input of shape {:?} has no axis 1 of size {inner} to split into {:?}",
            dims,
            self.shape
        );
        let mut out = vec![dims[0]];
        out.extend_from_slice(&self.shape);
        out.extend_from_slice(&dims[2..]);
        x.reshape(out)
    }

    fn torch(&self) -> String {
        let dims: Vec<String> = self.shape.iter().map(ToString::to_string).collect();
        let tuple = if dims.len() == 1 {
            format!("({},)", dims[0])
        } else {
            format!("({})", dims.join(", "))
        };
        format!("nn.Unflatten(1, {tuple})")
    }
}
