//! The recorded reverse walk: the same rules as [`super::backward`], each
//! written with differentiable ops, so gradients are `Var`s that can be
//! differentiated again.

use crate::tape::NodeId;
use crate::{Float, Tensor, Var};

impl<'t, T: Float> Var<'t, T> {
    /// Gradients of this scalar with respect to `wrt`, computed by a
    /// backward pass that is itself **recorded** on the tape: the results are
    /// `Var`s that can be combined with other ops and differentiated again,
    /// to any order (PyTorch's `create_graph=True`, JAX's `grad(grad(f))`).
    ///
    /// Each op's backward rule is written with differentiable ops for this
    /// purpose; [`backward`](Var::backward) keeps its fused kernels.
    ///
    /// `wrt` may name parameters and values computed from them (an
    /// intermediate, the output itself); a parameter the output does not
    /// depend on gets a zero gradient. As in PyTorch's
    /// `torch.autograd.grad`, naming a constant is an error: record a value
    /// you differentiate with respect to — a network's input for a gradient
    /// penalty, say — with [`Tape::param`](crate::Tape::param). The same
    /// rule holds for [`backward`](Var::backward), whose [`Gradients`](crate::Gradients)
    /// hold parameters only.
    ///
    /// # Panics
    /// When the value is not a single element, or a `wrt` handle is on
    /// another tape or does not depend on any parameter (a constant).
    ///
    /// ```
    /// let tape = tapegrad::Tape::<f64>::new();
    /// let x = tape.scalar(3.0);
    /// let y = x.powi(3);                    // y = x³
    /// let dy = y.grad_graph(&[x])[0];       // 3x² = 27
    /// let d2y = dy.grad_graph(&[x])[0];     // 6x = 18
    /// assert_eq!(dy.item(), 27.0);
    /// assert_eq!(d2y.item(), 18.0);
    /// assert_eq!(d2y.backward()[x].item(), 6.0);
    /// ```
    #[must_use]
    #[track_caller]
    pub fn grad_graph(self, wrt: &[Var<'t, T>]) -> Vec<Var<'t, T>> {
        assert!(
            self.numel() == 1,
            "tapegrad: grad_graph() needs a scalar, this value has shape {}; use grad_graph_with(seed, ..)",
            self.shape()
        );
        let seed = self.tape.constant_slice(&[T::one()], self.shape());
        self.grad_graph_with(seed, wrt)
    }

    /// [`grad_graph`](Var::grad_graph) seeded with an upstream gradient
    /// `seed` (a `Var` of this value's shape, itself differentiable).
    ///
    /// # Panics
    /// When `seed`'s shape differs from this value's, handles are on
    /// another tape, or a `wrt` handle is a constant (see
    /// [`grad_graph`](Var::grad_graph)).
    ///
    /// ```
    /// use tapegrad::{Tape, Tensor};
    /// let tape = Tape::<f64>::new();
    /// let x = tape.param(Tensor::from_vec(vec![1.0, 2.0], [2]));
    /// let y = x.powi(2);                                   // elementwise, not a scalar
    /// let seed = tape.constant(Tensor::ones([2]));
    /// let g = y.grad_graph_with(seed, &[x])[0];            // 2x, recorded
    /// assert_eq!(g.value().data(), &[2.0, 4.0]);
    /// assert_eq!(g.sum().backward()[x].data(), &[2.0, 2.0]);
    /// ```
    #[must_use]
    #[track_caller]
    pub fn grad_graph_with(self, seed: Var<'t, T>, wrt: &[Var<'t, T>]) -> Vec<Var<'t, T>> {
        let tape = self.tape;
        self.same_tape(&seed, "grad_graph");
        assert!(
            seed.shape() == self.shape(),
            "tapegrad: grad_graph_with: seed shape {} differs from the value's shape {}",
            seed.shape(),
            self.shape()
        );
        for (i, w) in wrt.iter().enumerate() {
            self.same_tape(w, "grad_graph");
            assert!(
                w.requires_grad(),
                "tapegrad: grad_graph: wrt[{i}] (node #{}) is a constant (it depends on no \
                 parameter), so it has no gradient; record it with Tape::param to differentiate \
                 with respect to it",
                w.id
            );
        }
        let root = self.id as usize;
        let mut g: Vec<Option<Var<'t, T>>> = vec![None; root + 1];
        g[root] = Some(seed);
        let stop = wrt.iter().map(|w| w.id as usize).min().unwrap_or(root + 1);
        for id in (stop..=root).rev() {
            let (op, requires_grad) = {
                let inner = tape.inner.borrow();
                let n = &inner.nodes[id];
                (n.op, n.requires_grad)
            };
            let Some(gi) = g[id] else { continue };
            if !requires_grad {
                continue;
            }
            op.backward_graph(tape, id as NodeId, gi, &mut |input, contrib| {
                if Var::new(tape, input).requires_grad() {
                    let slot = &mut g[input as usize];
                    *slot = Some(match *slot {
                        Some(prev) => prev + contrib,
                        None => contrib,
                    });
                }
            });
        }
        wrt.iter()
            .map(|w| match g.get(w.id as usize).copied().flatten() {
                Some(gw) => gw,
                None => tape.constant(Tensor::zeros(w.shape())),
            })
            .collect()
    }
}
