//! How a loss folds its per-element terms into its result.

use crate::{Float, Var};

/// How a loss reduces its terms, as PyTorch's `reduction=` argument:
/// `Mean` (the default) and `Sum` give a 0-d result, `None` keeps one term
/// per element. The mean of no terms is NaN (0/0), as in PyTorch.
///
/// ```
/// use tapegrad::{Reduction, Tape, Tensor};
/// let tape = Tape::<f64>::new();
/// let x = tape.param(Tensor::from_vec(vec![1.0, -3.0], [2]));
/// let t = tape.constant(Tensor::zeros([2]));
/// assert_eq!(Reduction::default(), Reduction::Mean);
/// assert_eq!(x.l1_loss(t, Reduction::Mean).item(), 2.0);
/// assert_eq!(x.l1_loss(t, Reduction::Sum).item(), 4.0);
/// assert_eq!(x.l1_loss(t, Reduction::None).value().data(), &[1.0, 3.0]);
/// ```
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub enum Reduction {
    /// The mean of all terms, 0-d; its gradient divides by their number.
    #[default]
    Mean,
    /// The sum of all terms, 0-d.
    Sum,
    /// Every term, in the shape of the terms.
    None,
}

impl Reduction {
    /// Folds `terms` as this reduction says.
    pub(crate) fn apply<'t, T: Float>(self, terms: Var<'t, T>) -> Var<'t, T> {
        match self {
            Reduction::Mean => terms.mean(),
            Reduction::Sum => terms.sum(),
            Reduction::None => terms,
        }
    }
}
