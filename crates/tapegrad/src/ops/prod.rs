//! `prod` over one axis or all, exact with zeros: its derivative is the
//! product of the other elements, which is not `prod / x` where `x` is 0.

use super::along::{constant_from, resolve_axis, spread, Along};
use super::{Acc, Inputs, Rule};
use crate::tape::{GradBuffers, NodeId, Values};
use crate::{Float, Shape, Tape, Var};

impl<'t, T: Float> Var<'t, T> {
    /// The product of the elements along `axis` (`None`: of all elements),
    /// keeping the axis as 1 when `keepdim`: `torch.prod`. Over an empty
    /// axis the product is 1.
    ///
    /// Derivative: ∂/∂xᵢ = Πⱼ≠ᵢ xⱼ, exact with zeros: with no zero in the
    /// lane it is `prod / xᵢ`; with one zero, the zero element gets the
    /// product of the others and the rest 0; with several, all 0. The
    /// second derivatives are the products of all but two elements.
    ///
    /// # Panics
    /// When the axis is out of range.
    ///
    /// ```
    /// use tapegrad::{Tape, Tensor};
    /// let tape = Tape::<f64>::new();
    /// let x = tape.param(Tensor::from_vec(vec![2.0, 0.0, 3.0], [3]));
    /// let p = x.prod(None, false);
    /// assert_eq!(p.item(), 0.0);
    /// assert_eq!(p.backward()[x].data(), &[0.0, 6.0, 0.0]);
    /// ```
    #[must_use]
    #[track_caller]
    pub fn prod(self, axis: Option<isize>, keepdim: bool) -> Var<'t, T> {
        let xs = self.shape();
        let axis = axis.map(|a| resolve_axis(&xs, a, "prod") as u32);
        let out = match axis {
            Some(a) => xs.reduced(a as usize, keepdim),
            None if keepdim => Shape::ones(xs.rank()),
            None => Shape::scalar(),
        };
        self.prod_into(axis, out)
    }

    #[track_caller]
    fn prod_into(self, axis: Option<u32>, out: Shape) -> Var<'t, T> {
        let x = self.id;
        let along = Along::of(&self.shape(), axis);
        self.tape.record(Prod { x, axis }.into(), out, |v, o| {
            let xv = v.val(x);
            // Sequential products, as PyTorch multiplies.
            along.lanes(|k, base| o[k] = along.lane(base).fold(T::one(), |p, i| p * xv[i]));
        })
    }
}

/// The product of `x` over one axis, or all.
#[derive(Clone, Copy, Debug, PartialEq)]
pub(crate) struct Prod {
    x: NodeId,
    axis: Option<u32>,
}

impl Rule for Prod {
    fn name(&self) -> &'static str {
        "prod"
    }
    fn inputs<'a>(&'a self, _: &'a [NodeId]) -> Inputs<'a> {
        Inputs::of(&[self.x])
    }
    fn backward<T: Float>(&self, id: NodeId, g: &[T], v: &Values<'_, T>, gb: &mut GradBuffers<T>) {
        let along = Along::of(v.shape(self.x), self.axis);
        let (xv, y) = (v.val(self.x), v.val(id));
        if let Some(gx) = gb.acc(v, self.x) {
            along.lanes(|k, base| {
                let mut zeros = along.lane(base).filter(|&i| xv[i] == T::zero());
                match (zeros.next(), zeros.next()) {
                    (None, _) => {
                        for i in along.lane(base) {
                            gx[i] += g[k] * y[k] / xv[i];
                        }
                    }
                    (Some(z), None) => {
                        let others = along
                            .lane(base)
                            .filter(|&i| i != z)
                            .fold(T::one(), |p, i| p * xv[i]);
                        gx[z] += g[k] * others;
                    }
                    // Two zeros or more: every product of the others is 0.
                    (Some(_), Some(_)) => {}
                }
            });
        }
    }
    fn backward_graph<'t, T: Float>(
        &self,
        tape: &'t Tape<T>,
        _: NodeId,
        g: Var<'t, T>,
        acc: Acc<'_, 't, T>,
    ) {
        // Πⱼ≠ᵢ xⱼ for every i as a product itself: lane i of an n×n layout
        // holds x with its own element replaced by 1. That keeps the rule a
        // polynomial of x (exact with zeros to every order), at n² elements
        // in the recorded graph only.
        let xs = tape.shape_of(self.x);
        let Along { outer, n, inner } = Along::of(&xs, self.axis);
        let grid = Shape::from([1, n, n, 1]);
        let off = constant_from(tape, grid.clone(), |_, o| {
            for (k, e) in o.iter_mut().enumerate() {
                *e = if k / n == k % n { T::zero() } else { T::one() };
            }
        });
        let diag = constant_from(tape, grid, |_, o| {
            for (k, e) in o.iter_mut().enumerate() {
                *e = if k / n == k % n { T::one() } else { T::zero() };
            }
        });
        let rows = Var::new(tape, self.x)
            .reshape([outer, 1, n, inner])
            .broadcast_to([outer, n, n, inner]);
        let others = (rows * off + diag).prod_into(Some(2), Shape::from([outer, n, inner]));
        acc(self.x, spread(g, &xs, self.axis) * others.reshape(xs));
    }
}
