//! The store of one backward pass's gradients, indexed by `Var`.

use crate::tape::grad_buffers::NONE;
use crate::tape::NodeId;
use crate::{Float, Shape, Tensor, Var};
use std::ops::Index;

/// The gradients of one backward pass, indexed by the parameters' [`Var`]s.
///
/// Reuse one store across training steps with [`Var::backward_into`]: its
/// tensors keep their allocations.
///
/// **Threads:** `Gradients` is `Send` and `Sync` — it owns plain buffers and
/// no reference to its tape — so gradients computed by workers, each on its
/// own (`Send`, not `Sync`) [`Tape`](crate::Tape), can be sent back and
/// summed.
///
/// ```
/// use tapegrad::{Gradients, Tape, Tensor};
/// let tape = Tape::<f64>::new();
/// let w = tape.param(Tensor::from_vec(vec![1.0, 2.0], [2]));
/// let mut grads = Gradients::new();
/// (w * w).sum().backward_into(&mut grads);
/// assert_eq!(grads[w].data(), &[2.0, 4.0]);
/// assert_eq!(grads.len(), 1);
/// ```
pub struct Gradients<T: Float> {
    tape_id: usize,
    generation: u64,
    index: Vec<u32>,
    tensors: Vec<Tensor<T>>,
    ids: Vec<NodeId>,
    len: usize,
}

impl<T: Float> Default for Gradients<T> {
    fn default() -> Self {
        Self::new()
    }
}

impl<T: Float> Gradients<T> {
    /// An empty store, to be filled by [`Var::backward_into`].
    ///
    /// ```
    /// let g = tapegrad::Gradients::<f32>::new();
    /// assert!(g.is_empty());
    /// ```
    #[must_use]
    pub fn new() -> Self {
        Gradients {
            tape_id: 0,
            generation: 0,
            index: Vec::new(),
            tensors: Vec::new(),
            ids: Vec::new(),
            len: 0,
        }
    }

    /// Number of parameters that have a gradient.
    ///
    /// ```
    /// let tape = tapegrad::Tape::<f64>::new();
    /// let (a, b) = (tape.scalar(1.0), tape.scalar(2.0));
    /// assert_eq!((a * b).backward().len(), 2);
    /// ```
    #[must_use]
    pub fn len(&self) -> usize {
        self.len
    }

    /// Whether no parameter has a gradient.
    ///
    /// ```
    /// let tape = tapegrad::Tape::<f64>::new();
    /// let c = tape.constant_scalar(3.0);
    /// assert!((c * c).backward().is_empty()); // no parameter, no gradient
    /// ```
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// The gradient of `var`, or `None` when it is not a parameter of the
    /// differentiated recording (a constant, or an intermediate value).
    ///
    /// # Panics
    /// When `var` belongs to another tape, or to a recording since cleared.
    ///
    /// ```
    /// let tape = tapegrad::Tape::<f64>::new();
    /// let (w, x) = (tape.scalar(2.0), tape.constant_scalar(5.0));
    /// let y = w * x;
    /// let g = y.backward();
    /// assert_eq!(g.get(w).map(|t| t.item()), Some(5.0));
    /// assert!(g.get(x).is_none() && g.get(y).is_none());
    /// ```
    #[must_use]
    #[track_caller]
    pub fn get(&self, var: Var<'_, T>) -> Option<&Tensor<T>> {
        assert!(
            var.tape.id() == self.tape_id && var.tape.generation() == self.generation,
            "tapegrad: these gradients come from another tape or an earlier recording"
        );
        match self.index.get(var.id as usize) {
            Some(&k) if k != NONE => Some(&self.tensors[k as usize]),
            _ => None,
        }
    }

    /// The gradients in the order their parameters were created, with each
    /// parameter's tape index.
    ///
    /// ```
    /// let tape = tapegrad::Tape::<f32>::new();
    /// let (a, b) = (tape.scalar(1.0), tape.scalar(2.0));
    /// let g = (a * b).backward();
    /// let v: Vec<f32> = g.iter().map(|(_, t)| t.item()).collect();
    /// assert_eq!(v, [2.0, 1.0]);
    /// ```
    pub fn iter(&self) -> impl Iterator<Item = (usize, &Tensor<T>)> {
        let mut order: Vec<usize> = (0..self.len).collect();
        order.sort_by_key(|&k| self.ids[k]);
        order
            .into_iter()
            .map(|k| (self.ids[k] as usize, &self.tensors[k]))
    }

    pub(crate) fn reset(&mut self, tape_id: usize, generation: u64, n_nodes: usize) {
        self.tape_id = tape_id;
        self.generation = generation;
        self.index.clear();
        self.index.resize(n_nodes, NONE);
        self.len = 0;
        self.ids.clear();
    }

    /// Readies the store for a pass that adds into it: the gradients kept
    /// so far stay, matched to the new recording by node index.
    pub(crate) fn reopen(&mut self, tape_id: usize, generation: u64, n_nodes: usize) {
        self.tape_id = tape_id;
        self.generation = generation;
        if self.index.len() < n_nodes {
            self.index.resize(n_nodes, NONE);
        }
    }

    /// Adds `data` (zero when `None`) into the gradient kept for node `id`,
    /// or stores it when there is none yet.
    ///
    /// # Panics
    /// When the kept gradient's shape differs from `shape` (the recordings
    /// do not match node by node).
    pub(crate) fn add(&mut self, id: NodeId, data: Option<&[T]>, shape: &Shape) {
        let k = self.index[id as usize];
        if k == NONE {
            self.store(id, data, shape);
            return;
        }
        let t = &mut self.tensors[k as usize];
        assert!(
            t.shape() == shape,
            "tapegrad: backward_add_into: node #{id} has shape {shape} but the gradient kept for it \
             has shape {}: the recordings do not match node by node",
            t.shape()
        );
        if let Some(d) = data {
            for (a, &b) in t.data_mut().iter_mut().zip(d) {
                *a += b;
            }
        }
    }

    /// [`store`](Self::store) of a finished gradient buffer by exchanging
    /// it with the storage kept for this slot from the last pass: no copy,
    /// and `buf` comes back holding the old storage for the buffer pool.
    pub(crate) fn store_buf(&mut self, id: NodeId, buf: &mut Vec<T>, shape: &Shape) {
        if self.len == self.tensors.len() {
            self.tensors.push(Tensor::zeros(shape.clone()));
        }
        self.tensors[self.len].swap_data(buf, shape);
        self.index[id as usize] = self.len as u32;
        self.ids.push(id);
        self.len += 1;
    }

    /// [`store`](Self::store) of a 0-d gradient `x`: one element written in
    /// place once the store has a tensor for this position.
    #[inline]
    pub(crate) fn store_scalar(&mut self, id: NodeId, x: T) {
        match self.tensors.get_mut(self.len) {
            Some(t) => t.assign_scalar(x),
            None => self.tensors.push(Tensor::scalar(x)),
        }
        self.index[id as usize] = self.len as u32;
        self.ids.push(id);
        self.len += 1;
    }

    pub(crate) fn store(&mut self, id: NodeId, data: Option<&[T]>, shape: &Shape) {
        if self.len == self.tensors.len() {
            self.tensors.push(Tensor::zeros(shape.clone()));
        }
        let t = &mut self.tensors[self.len];
        match data {
            Some(d) => t.assign_from(d, shape),
            None => {
                t.assign_from(&[], shape);
                t.resize_zeroed(shape.numel());
            }
        }
        self.index[id as usize] = self.len as u32;
        self.ids.push(id);
        self.len += 1;
    }
}

impl<'t, T: Float> Index<Var<'t, T>> for Gradients<T> {
    type Output = Tensor<T>;

    /// # Panics
    /// When `var` has no gradient here (see [`Gradients::get`]).
    #[track_caller]
    fn index(&self, var: Var<'t, T>) -> &Tensor<T> {
        // A `match`, not `unwrap_or_else`: a panic inside a closure would
        // name this file instead of the caller's line.
        match self.get(var) {
            Some(g) => g,
            None if !var.requires_grad() => panic!(
                "tapegrad: no gradient for node #{}: it is a constant; only parameters \
                 (Tape::param, Tape::scalar) get one",
                var.id
            ),
            None => panic!(
                "tapegrad: no gradient for node #{}: it is not a parameter the differentiated \
                 value depends on; only parameters (Tape::param, Tape::scalar) get one \
                 (grad_graph differentiates with respect to intermediate values)",
                var.id
            ),
        }
    }
}
