//! For tensor graphs: the gradient that reaches each node on the way from
//! the output back to the parameters, as a shape and a norm per node.

use super::graph::{distances, kind, norm, shape_of, value_of, UNREACHED};
use super::node_grads::node_gradients;
use crate::{Float, Shape, Var};
use std::fmt;

/// One node of a [`GradientTrace`].
///
/// ```
/// use tapegrad::{Tape, Tensor};
/// let tape = Tape::<f64>::new();
/// let w = tape.param(Tensor::from_vec(vec![3.0, 4.0], [2]));
/// let row = &w.sum().gradient_trace().rows[1];
/// assert_eq!((row.op, row.grad_norm), ("param", Some(2f64.sqrt())));
/// ```
#[derive(Clone, Debug, PartialEq)]
pub struct TraceRow {
    /// The node's index on its tape ([`Var::index`]).
    pub index: usize,
    /// The op that produced it (`param` or `const` for leaves).
    pub op: &'static str,
    /// Its shape, which is also the shape of its gradient.
    pub shape: Shape,
    /// Edges on the shortest way from the output.
    pub depth: usize,
    /// Norm of its value.
    pub value_norm: f64,
    /// Norm of the gradient of the output with respect to it; `None` when
    /// no gradient flows into it (a constant).
    pub grad_norm: Option<f64>,
    /// The source line that recorded it.
    pub location: String,
}

/// The gradient of a scalar output with respect to every node of its graph,
/// from the output back to the leaves: where a gradient vanishes or
/// explodes, and with which shape it passes each op.
///
/// ```
/// use tapegrad::{Tape, Tensor};
/// let tape = Tape::<f64>::new();
/// let x = tape.constant(Tensor::from_vec(vec![1.0, 2.0, 3.0, 4.0], [2, 2]));
/// let w = tape.param(Tensor::from_vec(vec![0.5, -1.0], [2, 1]));
/// let trace = x.matmul(w).tanh().mean().gradient_trace();
/// let ops: Vec<&str> = trace.rows.iter().map(|r| r.op).collect();
/// assert_eq!(ops, ["mean", "tanh", "matmul", "param", "const"]);
/// assert_eq!(trace.rows[3].shape.dims(), &[2, 1]);
/// assert!(trace.to_string().contains("matmul"));
/// ```
#[derive(Clone, Debug, PartialEq)]
pub struct GradientTrace {
    /// One row per node, output first, in reverse recording order.
    pub rows: Vec<TraceRow>,
}

impl<T: Float> Var<'_, T> {
    /// Runs the reverse walk from this scalar and reports, for every node
    /// it reads, the gradient's shape and norm.
    ///
    /// # Panics
    /// When the value is not a single element.
    ///
    /// ```
    /// use tapegrad::Tape;
    /// let tape = Tape::<f64>::new();
    /// let x = tape.scalar(2.0);
    /// let trace = (x * x).gradient_trace();
    /// assert_eq!(trace.rows[1].grad_norm, Some(4.0));
    /// ```
    #[must_use]
    #[track_caller]
    pub fn gradient_trace(self) -> GradientTrace {
        let grads = node_gradients(self);
        let inner = self.tape.inner.borrow();
        let depth = distances(&inner, self.id);
        let rows = (0..=self.id)
            .rev()
            .filter(|&id| depth[id as usize] != UNREACHED)
            .map(|id| TraceRow {
                index: id as usize,
                op: kind(&inner, id),
                shape: shape_of(&inner, id).clone(),
                depth: depth[id as usize] as usize,
                value_norm: norm(value_of(&inner, id)),
                grad_norm: grads[id as usize].as_deref().map(norm),
                location: inner.locations[id as usize].to_string(),
            })
            .collect();
        GradientTrace { rows }
    }
}

impl fmt::Display for GradientTrace {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(
            f,
            "{:>6}  {:<14} {:<14} {:>5}  {:>12}  {:>12}  recorded at",
            "node", "op", "shape", "depth", "‖value‖", "‖gradient‖"
        )?;
        for r in &self.rows {
            let g = r.grad_norm.map_or("-".into(), |g| format!("{g:.4e}"));
            writeln!(
                f,
                "{:>6}  {:<14} {:<14} {:>5}  {:>12.4e}  {:>12}  {}",
                r.index,
                r.op,
                r.shape.to_string(),
                r.depth,
                r.value_norm,
                g,
                r.location
            )?;
        }
        Ok(())
    }
}
