//! Gradient checkpointing (`torch.utils.checkpoint`, `jax.checkpoint`): a
//! segment of the computation recorded on the tape as one node — its
//! inputs and its output only — and recomputed during backward.
//!
//! It is a [`CustomOp`]: the forward runs the segment on a scratch tape and
//! keeps only the output; the fused backward re-runs it on the scratch tape
//! with the inputs as parameters and seeds its backward with the upstream
//! gradient; the recorded rule re-runs it on the main tape and differentiates
//! that with `grad_graph_with`, so higher orders work through it. The
//! scratch tape is a fresh one per use, dropped with its values right after,
//! so at most one segment's intermediate values are alive at a time (a
//! tape kept in the op would keep its grown buffers, one per checkpoint).

use crate::{BackwardContext, CustomOp, Float, ForwardContext, Shape, Tape, Tensor, Var};
use std::sync::Arc;
use std::sync::Mutex;

/// A segment `f` of a computation, as a user-defined op.
type Segment<T> = dyn for<'s> Fn(&[Var<'s, T>]) -> Var<'s, T> + Send + Sync;

struct Checkpoint<T: Float> {
    f: Box<Segment<T>>,
    /// The output computed when the op was recorded, handed to `forward`.
    output: Mutex<Option<Tensor<T>>>,
    shape: Shape,
}

/// Runs segment `f` on a fresh scratch tape, its inputs' values as
/// parameters, and hands the inputs and the result to `then`; the scratch
/// tape and its values are dropped on return.
fn run_segment<T: Float, R>(
    f: &Segment<T>,
    inputs: &[(&[T], &Shape)],
    then: impl FnOnce(&[Var<'_, T>], Var<'_, T>) -> R,
) -> R {
    let scratch = Tape::new();
    let xs: Vec<Var<'_, T>> = inputs
        .iter()
        .map(|&(d, s)| scratch.param_slice(d, s.clone()))
        .collect();
    let y = f(&xs);
    then(&xs, y)
}

impl<T: Float> CustomOp<T> for Checkpoint<T> {
    fn name(&self) -> &'static str {
        "checkpoint"
    }

    fn output_shape(&self, _inputs: &[&Shape]) -> Result<Shape, String> {
        Ok(self.shape.clone())
    }

    fn forward(&self, _cx: &ForwardContext<'_, T>, out: &mut [T]) {
        if let Some(t) = self.output.lock().ok().and_then(|mut o| o.take()) {
            out.copy_from_slice(t.data());
        }
    }

    fn backward(&self, cx: &mut BackwardContext<'_, T>) {
        let inputs = cx.inputs();
        let ins: Vec<(&[T], &Shape)> = (0..inputs.len())
            .map(|k| (inputs.input(k), inputs.shape(k)))
            .collect();
        let seed = Tensor::from_vec(cx.grad().to_vec(), self.shape.clone());
        let grads: Vec<Vec<T>> = run_segment(&*self.f, &ins, |xs, y| {
            let g = y.backward_with(&seed);
            xs.iter().map(|&x| g[x].data().to_vec()).collect()
        });
        for (k, gk) in grads.iter().enumerate() {
            if let Some(buf) = cx.input_grad(k) {
                for (a, &b) in buf.iter_mut().zip(gk) {
                    *a += b;
                }
            }
        }
    }

    fn backward_graph<'t>(
        &self,
        g: Var<'t, T>,
        inputs: &[Var<'t, T>],
        _output: Var<'t, T>,
    ) -> Option<Vec<Var<'t, T>>> {
        let tape = g.tape();
        let y = (self.f)(inputs);
        let wanted: Vec<Var<'t, T>> = inputs
            .iter()
            .copied()
            .filter(|x| x.requires_grad())
            .collect();
        let mut grads = y.grad_graph_with(g, &wanted).into_iter();
        Some(
            inputs
                .iter()
                .map(|x| match x.requires_grad() {
                    true => grads.next().unwrap_or(*x),
                    // ignored by the caller: no gradient flows into a constant
                    false => tape.constant(Tensor::zeros(x.shape())),
                })
                .collect(),
        )
    }
}

impl<T: Float> Tape<T> {
    /// `f(inputs)` recorded as one checkpointed node: the tape keeps the
    /// output only, not the segment's intermediate values, and backward
    /// recomputes the segment (one extra forward pass of it) to get the
    /// inputs' gradients. Gradients are the same as without it; gradients
    /// of gradients ([`Var::grad_graph`]) work through it too, by
    /// recording the segment again on this tape.
    ///
    /// `f` must be a pure function of its inputs (the recomputation must
    /// give the same values); parameters it uses should be passed in
    /// `inputs`, values it captures are constants.
    ///
    /// ```
    /// use tapegrad::{Tape, Tensor};
    /// let tape = Tape::<f64>::new();
    /// let w = tape.param(Tensor::from_vec(vec![0.5, -1.0, 2.0], [3]));
    /// let y = tape.checkpoint(&[w], |v| (v[0].exp() * v[0]).tanh());
    /// let g = y.sum().backward();
    /// assert_eq!(tape.len(), 3); // w, the checkpoint, the sum
    /// let plain = (w.exp() * w).tanh().sum().backward();
    /// assert!(g[w].max_abs_diff(&plain[w]) < 1e-15);
    /// ```
    #[must_use]
    #[track_caller]
    pub fn checkpoint<'t, F>(&'t self, inputs: &[Var<'t, T>], f: F) -> Var<'t, T>
    where
        F: for<'s> Fn(&[Var<'s, T>]) -> Var<'s, T> + Send + Sync + 'static,
    {
        let values: Vec<Tensor<T>> = inputs.iter().map(Var::value).collect();
        let ins: Vec<(&[T], &Shape)> = values.iter().map(|t| (t.data(), t.shape())).collect();
        let f: Box<Segment<T>> = Box::new(f);
        let y = run_segment(&*f, &ins, |_, y| y.value());
        let op = Checkpoint {
            f,
            shape: y.shape().clone(),
            output: Mutex::new(Some(y)),
        };
        let op: Arc<dyn CustomOp<T>> = Arc::new(op);
        self.custom(&op, inputs)
    }
}
