//! The reverse walk: one loop over the tape from the output back to the
//! first node, one call per node into that op's rule.

use crate::tape::grad_buffers::Taken;
use crate::tape::{GradBuffers, Inner, NodeId, Values, SCALAR};
use crate::Shape;
use crate::{Float, Gradients, Tape, Tensor, Var};

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
        run(self.tape, self.id, None, grads, false, None);
    }

    /// [`backward_into`](Var::backward_into) that **adds** this pass's
    /// gradients into those already in `grads` instead of replacing them:
    /// gradient accumulation over micro-batches.
    ///
    /// Gradients are matched to parameters **by node index**: the gradient
    /// of the parameter created k-th on this tape is added to whatever
    /// `grads` holds for node k, whichever recording (or tape) put it there.
    /// Re-record each micro-batch the same way — the same parameters created
    /// first, in the same order, as a training loop does after
    /// [`Tape::clear`](crate::Tape::clear) — and the sums belong to the same
    /// parameters. Afterwards `grads` can be indexed with this recording's
    /// `Var`s. An empty store (a new one) simply receives the gradients.
    ///
    /// # Panics
    /// When the value is not a single element, or a parameter's shape
    /// differs from the gradient kept for its node index.
    ///
    /// ```
    /// use tapegrad::{Gradients, Tape, Tensor};
    /// let mut tape = Tape::<f64>::new();
    /// let mut grads = Gradients::new();
    /// for x in [1.0, 2.0, 3.0] {
    ///     tape.clear();
    ///     let w = tape.param(Tensor::from_vec(vec![0.5], [1]));
    ///     (w * x).sum().backward_add_into(&mut grads); // d(w·x)/dw = x
    /// }
    /// let w = tape.param(Tensor::from_vec(vec![0.5], [1]));
    /// assert_eq!(grads.iter().next().unwrap().1.data(), &[6.0]); // 1 + 2 + 3
    /// # let _ = w;
    /// ```
    #[track_caller]
    pub fn backward_add_into(self, grads: &mut Gradients<T>) {
        let n = self.numel();
        assert!(
            n == 1,
            "tapegrad: backward_add_into() needs a scalar, this value has shape {}; use backward_with_add_into(seed)",
            self.shape()
        );
        run(self.tape, self.id, None, grads, true, None);
    }

    /// [`backward_add_into`](Var::backward_add_into) seeded with an explicit
    /// upstream gradient (see [`backward_with`](Var::backward_with)).
    ///
    /// # Panics
    /// When `seed`'s shape differs from this value's, or a parameter's
    /// shape differs from the gradient kept for its node index.
    ///
    /// ```
    /// use tapegrad::{Gradients, Tape, Tensor};
    /// let tape = Tape::<f64>::new();
    /// let x = tape.param(Tensor::from_vec(vec![1.0, 2.0], [2]));
    /// let mut grads = Gradients::new();
    /// let seed = Tensor::from_vec(vec![1.0, 10.0], [2]);
    /// (x * 3.0).backward_with_add_into(&seed, &mut grads);
    /// (x * 3.0).backward_with_add_into(&seed, &mut grads);
    /// assert_eq!(grads[x].data(), &[6.0, 60.0]);
    /// ```
    #[track_caller]
    pub fn backward_with_add_into(self, seed: &Tensor<T>, grads: &mut Gradients<T>) {
        let shape = self.shape();
        assert!(
            seed.shape() == &shape,
            "tapegrad: backward_with_add_into: seed shape {} differs from the value's shape {shape}",
            seed.shape()
        );
        run(self.tape, self.id, Some(seed.data()), grads, true, None);
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
        run(self.tape, self.id, Some(seed.data()), grads, false, None);
    }
}

/// Sees each visited node's finished gradient.
pub(crate) type Observer<'a, T> = &'a mut dyn FnMut(NodeId, &[T]);

/// The reverse walk. Creation order is topological, so visiting ids from
/// `root` down guarantees every consumer of a node has added its share
/// before the node passes its gradient on. With `add`, the gradients go
/// into those `out` holds (matched by node index) instead of replacing them.
/// `observe`, when given, sees every node's finished gradient (the graph
/// explainers report them per node).
pub(crate) fn run<T: Float>(
    tape: &Tape<T>,
    root: NodeId,
    seed: Option<&[T]>,
    out: &mut Gradients<T>,
    add: bool,
    mut observe: Option<Observer<'_, T>>,
) {
    let anomaly = tape.anomaly_detection();
    let mut inner = tape.inner.borrow_mut();
    let Inner {
        nodes,
        values,
        shapes,
        numels,
        locations,
        links,
        customs,
        hooks,
        grads,
        leaf_prefix: _,
    } = &mut *inner;
    if add {
        out.reopen(tape.id(), tape.generation(), nodes.len());
    } else {
        out.reset(tape.id(), tape.generation(), nodes.len());
    }
    grads.reset(root as usize + 1);
    let v = Values {
        nodes,
        values,
        shapes,
        numels,
        links,
        customs,
    };
    if let Some(buf) = grads.acc(&v, root) {
        match seed {
            Some(s) => buf.copy_from_slice(s),
            None => buf.fill(T::one()),
        }
    }
    // Runs of 0-d nodes without hooks go through the scalar lane's own
    // loop; an observer or anomaly mode sees every node in the general one.
    let lane = observe.is_none() && !anomaly;
    let mut next = Some(root);
    while let Some(top) = next {
        let id = if lane {
            match scalar_run(top, &v, grads, out, add) {
                Some(id) => id,
                None => break,
            }
        } else {
            top
        };
        next = id.checked_sub(1);
        let node = &nodes[id as usize];
        if !node.requires_grad {
            continue;
        }
        let Some(mut g) = grads.take(id) else {
            if node.is_param {
                store(out, add, id, None, v.shape(id));
            }
            continue;
        };
        if node.has_hook {
            for (_, hook) in hooks.iter_mut().filter(|(h, _)| *h == id) {
                hook(&mut g);
            }
        }
        if let Some(f) = observe.as_mut() {
            f(id, &g);
        }
        if node.is_param {
            match &mut g {
                // A replacing pass hands the buffer itself over.
                Taken::Buf(_, buf) if !add => out.store_buf(id, buf, v.shape(id)),
                _ => store(out, add, id, Some(&g), v.shape(id)),
            }
        } else {
            node.op.backward(id, &g, &v, grads);
            if anomaly {
                crate::tape::anomaly::check_backward(&v, locations, id, grads);
            }
        }
        grads.give_back(g);
    }
}

/// The walk from `top` down over 0-d nodes without hooks, each gradient
/// one element of the scalar lane: no buffer to move out and hand back, no
/// observer or anomaly check to test per node. Out of line, so that its
/// few pointers stay in registers. Returns the first node it leaves to
/// the general walk, or `None` when it has visited node 0.
#[inline(never)]
fn scalar_run<T: Float>(
    top: NodeId,
    v: &Values<'_, T>,
    grads: &mut GradBuffers<T>,
    out: &mut Gradients<T>,
    add: bool,
) -> Option<NodeId> {
    let nodes = &v.nodes[..=top as usize];
    let mut lane = grads.lane();
    for id in (0..=top).rev() {
        let node = &nodes[id as usize];
        if !node.requires_grad {
            continue;
        }
        if node.shape != SCALAR || node.has_hook {
            return Some(id);
        }
        let g = lane.take(id);
        if node.is_param {
            match g {
                Some(x) if !add => out.store_scalar(id, x),
                g => store(
                    out,
                    add,
                    id,
                    g.as_ref().map(std::slice::from_ref),
                    v.shape(id),
                ),
            }
        } else if let Some(x) = g {
            if !node.op.backward_scalar(id, x, v, &mut lane) {
                return Some(id);
            }
        }
    }
    None
}

/// Hands a parameter's gradient to `out`: added to the kept one with `add`,
/// else stored. A plain branch rather than a function pointer, so both
/// inline into the walk.
#[inline(always)]
fn store<T: Float>(out: &mut Gradients<T>, add: bool, id: NodeId, g: Option<&[T]>, shape: &Shape) {
    if add {
        out.add(id, g, shape);
    } else {
        out.store(id, g, shape);
    }
}
