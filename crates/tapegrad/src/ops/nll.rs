//! The negative log-likelihood loss of log-probabilities and class
//! indices, built on `gather` along the class axis.

use super::reduction::Reduction;
use crate::{Float, Indices, Shape, Var};

impl<'t, T: Float> Var<'t, T> {
    /// Negative log-likelihood of log-probabilities `self` against class
    /// indices: `F.nll_loss(input, targets, reduction=…)`. The class axis
    /// is axis 1: `input` `[N, C]` or `[N, C, d₁, …]` with `targets`
    /// `[N]` or `[N, d₁, …]`; an unbatched `[C]` input takes a 0-d target
    /// and gives a 0-d result for every reduction.
    ///
    /// Each term is `−input[n, targets[n, d…], d…]`; [`Reduction::Mean`]
    /// divides by the number of terms, `N·d₁·…`. No class weights and no
    /// ignored index.
    ///
    /// Derivative: `−1` (÷ the term count for the mean) at each target
    /// position, 0 elsewhere; a constant, so the second derivative is 0.
    ///
    /// # Panics
    /// When the target shape is not the input shape without axis 1 (or 0-d
    /// for a `[C]` input), or a target is not a class index.
    ///
    /// ```
    /// use tapegrad::{Indices, Reduction, Tape, Tensor};
    /// let tape = Tape::<f64>::new();
    /// let x = tape.param(Tensor::from_vec(vec![-0.5, -1.0, -2.0, -0.25], [2, 2]));
    /// let l = x.nll_loss(&Indices::new(vec![1, 0], [2]), Reduction::Mean);
    /// assert_eq!(l.item(), 1.5);
    /// assert_eq!(l.backward()[x].data(), &[0.0, -0.5, -0.5, 0.0]);
    /// ```
    #[must_use]
    #[track_caller]
    pub fn nll_loss(self, targets: &Indices, reduction: Reduction) -> Var<'t, T> {
        let xs = self.shape();
        let ts = targets.shape();
        let (want, c, class_axis) = match xs.dims() {
            [c] => (Shape::scalar(), *c, 0),
            [n, c, rest @ ..] => {
                let mut d = vec![*n];
                d.extend_from_slice(rest);
                (Shape::from(d), *c, 1)
            }
            [] => (Shape::scalar(), 0, 0),
        };
        assert!(
            xs.rank() >= 1 && *ts == want,
            "tapegrad: nll_loss: targets shape {ts} does not fit input shape {xs} (expected {want}, the input without its class axis 1) (at {})",
            std::panic::Location::caller()
        );
        if let Some(&bad) = targets.data().iter().find(|&&t| t >= c) {
            panic!(
                "tapegrad: nll_loss: target {bad} is not a class of input shape {xs} ({c} classes, targets shape {ts}) (at {})",
                std::panic::Location::caller()
            );
        }
        let mut picked = xs.dims().to_vec();
        picked[class_axis] = 1;
        let index = Indices::new(targets.data().to_vec(), picked);
        let terms = -self.gather(class_axis as isize, &index).reshape(want);
        reduction.apply(terms)
    }
}
