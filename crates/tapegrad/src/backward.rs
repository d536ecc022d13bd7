//! The reverse walk: one loop over the tape from the output back to the
//! first node, one call per node into that op's rule, and the stores that
//! hold gradients while it runs and after.

use crate::tape::{Inner, NodeId, Values};
use crate::{Float, Shape, Tape, Tensor, Var};
use std::ops::Index;

const NONE: u32 = u32::MAX;

/// Gradient buffers of the nodes still waiting to be visited. A node's
/// buffer is created on its first contribution and recycled into a pool as
/// soon as the node has passed its gradient on, so the live set stays at
/// the frontier of the walk and a repeated step allocates nothing.
#[derive(Default)]
pub(crate) struct GradBuffers<T> {
    slot: Vec<u32>,
    bufs: Vec<Vec<T>>,
    free: Vec<u32>,
}

impl<T: Float> GradBuffers<T> {
    fn reset(&mut self, n_nodes: usize) {
        self.slot.clear();
        self.slot.resize(n_nodes, NONE);
        self.free.clear();
        self.free.extend(0..self.bufs.len() as u32);
    }

    /// The gradient buffer of input `id` for accumulation, zero-filled on
    /// first use; `None` when no gradient flows into that node.
    #[inline]
    pub(crate) fn acc(&mut self, v: &Values<'_, T>, id: NodeId) -> Option<&mut [T]> {
        let node = &v.nodes[id as usize];
        if !node.requires_grad {
            return None;
        }
        let mut s = self.slot[id as usize];
        if s == NONE {
            let n = v.shapes[node.shape as usize].numel();
            s = match self
                .free
                .iter()
                .rposition(|&b| self.bufs[b as usize].len() == n)
            {
                Some(p) => {
                    let b = self.free.swap_remove(p);
                    self.bufs[b as usize].fill(T::zero());
                    b
                }
                None => {
                    self.bufs.push(vec![T::zero(); n]);
                    (self.bufs.len() - 1) as u32
                }
            };
            self.slot[id as usize] = s;
        }
        Some(&mut self.bufs[s as usize])
    }

    /// Moves out the finished gradient of `id`, if it received any.
    #[inline]
    fn take(&mut self, id: NodeId) -> Option<(u32, Vec<T>)> {
        let s = std::mem::replace(&mut self.slot[id as usize], NONE);
        (s != NONE).then(|| (s, std::mem::take(&mut self.bufs[s as usize])))
    }

    #[inline]
    fn give_back(&mut self, s: u32, buf: Vec<T>) {
        self.bufs[s as usize] = buf;
        self.free.push(s);
    }
}

/// The gradients of one backward pass, indexed by the parameters' [`Var`]s.
///
/// Reuse one store across training steps with [`Var::backward_into`]: its
/// tensors keep their allocations.
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

    fn reset(&mut self, tape_id: usize, generation: u64, n_nodes: usize) {
        self.tape_id = tape_id;
        self.generation = generation;
        self.index.clear();
        self.index.resize(n_nodes, NONE);
        self.len = 0;
        self.ids.clear();
    }

    fn store(&mut self, id: NodeId, data: Option<&[T]>, shape: &Shape) {
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
        self.get(var).unwrap_or_else(|| {
            panic!(
                "tapegrad: no gradient for node #{}: only parameters (Tape::param, Tape::scalar) get one",
                var.id
            )
        })
    }
}

impl<'t, T: Float> Var<'t, T> {
    /// Reverse pass from this scalar: the gradient of it with respect to
    /// every parameter recorded before it.
    ///
    /// Calling it again gives the same gradients (nothing accumulates
    /// across calls).
    ///
    /// # Panics
    /// When the value is not a single element (use
    /// [`backward_with`](Var::backward_with)).
    ///
    /// ```
    /// use tapegrad::{Tape, Tensor};
    /// let tape = Tape::<f64>::new();
    /// let x = tape.constant(Tensor::from_vec(vec![1.0, 2.0, 3.0, 4.0], [2, 2]));
    /// let w = tape.param(Tensor::from_vec(vec![0.5, -1.0], [2, 1]));
    /// let loss = x.matmul(w).relu().mean();
    /// let g = loss.backward();
    /// assert_eq!(g[w].shape().dims(), &[2, 1]);
    /// ```
    #[must_use]
    #[track_caller]
    pub fn backward(self) -> Gradients<T> {
        let mut g = Gradients::new();
        self.backward_into(&mut g);
        g
    }

    /// [`backward`](Var::backward) into an existing store, reusing its
    /// allocations: the form for training loops.
    ///
    /// # Panics
    /// When the value is not a single element.
    ///
    /// ```
    /// use tapegrad::{Gradients, Tape};
    /// let mut tape = Tape::<f64>::new();
    /// let mut grads = Gradients::new();
    /// let mut w = 3.0;
    /// for _ in 0..100 {
    ///     tape.clear();
    ///     let wv = tape.scalar(w);
    ///     (wv * wv).backward_into(&mut grads); // d(w²)/dw = 2w
    ///     w -= 0.1 * grads[wv].item();
    /// }
    /// assert!(w.abs() < 1e-8);
    /// ```
    #[track_caller]
    pub fn backward_into(self, grads: &mut Gradients<T>) {
        let n = self.numel();
        assert!(
            n == 1,
            "tapegrad: backward() needs a scalar, this value has shape {}; use backward_with(seed)",
            self.shape()
        );
        run(self.tape, self.id, None, grads);
    }

    /// Reverse pass seeded with an explicit upstream gradient `seed` of this
    /// value's shape: computes the gradient of `sum(self * seed)`.
    ///
    /// # Panics
    /// When `seed`'s shape differs from this value's.
    ///
    /// ```
    /// use tapegrad::{Tape, Tensor};
    /// let tape = Tape::<f32>::new();
    /// let x = tape.param(Tensor::from_vec(vec![1.0, 2.0], [2]));
    /// let g = (x * 3.0).backward_with(&Tensor::from_vec(vec![1.0, 10.0], [2]));
    /// assert_eq!(g[x].data(), &[3.0, 30.0]);
    /// ```
    #[must_use]
    #[track_caller]
    pub fn backward_with(self, seed: &Tensor<T>) -> Gradients<T> {
        let mut g = Gradients::new();
        self.backward_with_into(seed, &mut g);
        g
    }

    /// [`backward_with`](Var::backward_with) into an existing store.
    ///
    /// # Panics
    /// When `seed`'s shape differs from this value's.
    ///
    /// ```
    /// use tapegrad::{Gradients, Tape, Tensor};
    /// let tape = Tape::<f32>::new();
    /// let x = tape.param(Tensor::from_vec(vec![1.0, 2.0], [2]));
    /// let mut grads = Gradients::new();
    /// x.exp().backward_with_into(&Tensor::ones([2]), &mut grads);
    /// assert_eq!(grads[x].data(), &[1f32.exp(), 2f32.exp()]);
    /// ```
    #[track_caller]
    pub fn backward_with_into(self, seed: &Tensor<T>, grads: &mut Gradients<T>) {
        let shape = self.shape();
        assert!(
            seed.shape() == &shape,
            "tapegrad: backward_with: seed shape {} differs from the value's shape {shape}",
            seed.shape()
        );
        run(self.tape, self.id, Some(seed.data()), grads);
    }
}

/// The reverse walk. Creation order is topological, so visiting ids from
/// `root` down guarantees every consumer of a node has added its share
/// before the node passes its gradient on.
fn run<T: Float>(tape: &Tape<T>, root: NodeId, seed: Option<&[T]>, out: &mut Gradients<T>) {
    let anomaly = tape.anomaly_detection();
    let mut inner = tape.inner.borrow_mut();
    let Inner {
        nodes,
        values,
        shapes,
        grads,
    } = &mut *inner;
    out.reset(tape.id(), tape.generation(), nodes.len());
    grads.reset(root as usize + 1);
    let v = Values {
        nodes,
        values,
        shapes,
    };
    if let Some(buf) = grads.acc(&v, root) {
        match seed {
            Some(s) => buf.copy_from_slice(s),
            None => buf.fill(T::one()),
        }
    }
    for id in (0..=root).rev() {
        let node = &nodes[id as usize];
        if !node.requires_grad {
            continue;
        }
        let Some((slot, g)) = grads.take(id) else {
            if node.is_param {
                out.store(id, None, v.shape(id));
            }
            continue;
        };
        if node.is_param {
            out.store(id, Some(&g), v.shape(id));
        } else {
            node.op.backward(id, &g, &v, grads);
            if anomaly {
                crate::anomaly::check_backward(&v, id, grads);
            }
        }
        grads.give_back(slot, g);
    }
}

impl<'t, T: Float> Var<'t, T> {
    /// Gradients of this scalar with respect to `wrt`, computed by a
    /// backward pass that is itself **recorded** on the tape: the results are
    /// `Var`s that can be combined with other ops and differentiated again,
    /// to any order (PyTorch's `create_graph=True`, JAX's `grad(grad(f))`).
    ///
    /// Each op's backward rule is written with differentiable ops for this
    /// purpose; [`backward`](Var::backward) keeps its fused kernels.
    ///
    /// # Panics
    /// When the value is not a single element, or a `wrt` handle is on
    /// another tape.
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
    /// When `seed`'s shape differs from this value's, or handles are on
    /// another tape.
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
        for w in wrt {
            self.same_tape(w, "grad_graph");
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
