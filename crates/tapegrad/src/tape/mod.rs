//! The tape: an arena of recorded nodes and their values.
//!
//! Every op appends one [`Node`] and writes its result into one growing
//! buffer of values. Creation order is a topological order (an op can only
//! read nodes that already exist), so the backward pass is a plain reverse
//! loop over this arena. [`Tape::clear`] keeps every buffer's capacity: a
//! training loop that reuses its tape stops allocating after the first step.

pub(crate) mod anomaly;
pub(crate) mod grad_buffers;
mod var;
mod var_assign;

pub(crate) use grad_buffers::GradBuffers;
pub use var::Var;

use crate::ops::custom::CustomOp;
use crate::ops::{leaf::Leaf, Op};
use crate::{Float, Shape, Tensor};
use std::cell::{Cell, RefCell};
use std::panic::Location;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;

/// Index of a node in its tape.
pub(crate) type NodeId = u32;

/// The index of the 0-d shape `[]` in every tape's shape table: it is
/// entry 0 from the start and survives [`Tape::clear`], so recording a
/// scalar never searches the table, and a kernel recognises a 0-d node
/// by one integer compare.
pub(crate) const SCALAR: u32 = 0;

/// One recorded operation: what produced it, where its value lives, and
/// whether a gradient can flow into it.
#[derive(Clone, Debug)]
pub(crate) struct Node {
    pub op: Op,
    pub offset: usize,
    /// Index of the node's shape in [`Inner::shapes`]: runs of nodes with
    /// one shape share one entry, which keeps a node at 48 bytes (a 10M-op
    /// scalar chain fits in well under 1 GB).
    pub shape: u32,
    /// Some parameter lies upstream, so backward must visit this node.
    pub requires_grad: bool,
    /// A leaf created by [`Tape::param`]: its gradient is reported.
    pub is_param: bool,
    /// A gradient hook is registered on it (see `Var::register_hook`).
    pub has_hook: bool,
}

/// A function that sees, and may change, a node's gradient in backward.
pub(crate) type GradHook<T> = Box<dyn FnMut(&mut [T]) + Send>;

pub(crate) struct Inner<T: Float> {
    pub nodes: Vec<Node>,
    pub values: Vec<T>,
    pub shapes: Vec<Shape>,
    /// `numels[k]` is `shapes[k].numel()`, kept so that finding a node's
    /// values costs one load instead of a product over its dimensions.
    pub numels: Vec<usize>,
    /// The user's source line that recorded each node, apart from the nodes
    /// so that the reverse walk streams through 48-byte nodes only.
    pub locations: Vec<&'static Location<'static>>,
    /// The inputs of ops with more than fit inline (see `ops::Link`).
    pub links: Vec<NodeId>,
    /// The user-defined ops recorded so far (see `ops::custom`).
    pub customs: Vec<Arc<dyn CustomOp<T>>>,
    /// Gradient hooks, by node (see `Var::register_hook`).
    pub hooks: Vec<(NodeId, GradHook<T>)>,
    pub grads: GradBuffers<T>,
    /// The first `leaf_prefix` nodes are leaves (see [`Tape::truncate`]).
    pub leaf_prefix: usize,
}

static NEXT_TAPE_ID: AtomicUsize = AtomicUsize::new(1);

/// A recording of operations, with their values, for reverse-mode autodiff.
///
/// Create leaves with [`param`](Tape::param) (gradient wanted) or
/// [`constant`](Tape::constant) (no gradient), combine the returned [`Var`]
/// handles with ops, and call [`Var::backward`] on a scalar result.
///
/// ```
/// use tapegrad::Tape;
/// let tape = Tape::<f64>::new();
/// let a = tape.scalar(2.0);
/// let y = (a * a + 3.0).elu(1.0);
/// let g = y.backward();
/// assert_eq!(y.item(), 7.0);
/// assert_eq!(g[a].item(), 4.0);
/// ```
///
/// # Threads
/// A `Tape` is `Send` but not `Sync`: it can be moved to another thread
/// (one tape per data-parallel worker), but recording mutates it through a
/// `RefCell`, so two threads cannot record on one tape at once. A [`Var`]
/// is neither `Send` nor `Sync`: it borrows its tape. [`Gradients`] and the
/// tensors it holds are `Send + Sync`, so gradients computed on a worker
/// thread can be sent to the one that updates the parameters. Compile-time
/// assertions in `tests/thread_safety.rs` keep these facts from changing
/// silently.
///
/// ```
/// fn send<T: Send>(_: T) {}
/// send(tapegrad::Tape::<f32>::new());
/// ```
///
/// [`Gradients`]: crate::Gradients
pub struct Tape<T: Float = f32> {
    pub(crate) inner: RefCell<Inner<T>>,
    id: usize,
    generation: Cell<u64>,
    no_grad_depth: Cell<u32>,
    anomaly: Cell<bool>,
}

impl<T: Float> Default for Tape<T> {
    fn default() -> Self {
        Self::new()
    }
}

impl<T: Float> Tape<T> {
    /// An empty tape.
    ///
    /// ```
    /// let tape = tapegrad::Tape::<f32>::new();
    /// assert!(tape.is_empty());
    /// ```
    #[must_use]
    pub fn new() -> Self {
        Tape {
            inner: RefCell::new(Inner {
                nodes: Vec::new(),
                values: Vec::new(),
                shapes: vec![Shape::scalar()],
                numels: vec![1],
                locations: Vec::new(),
                links: Vec::new(),
                customs: Vec::new(),
                hooks: Vec::new(),
                grads: GradBuffers::default(),
                leaf_prefix: 0,
            }),
            id: NEXT_TAPE_ID.fetch_add(1, Ordering::Relaxed),
            generation: Cell::new(0),
            no_grad_depth: Cell::new(0),
            anomaly: Cell::new(false),
        }
    }

    /// Number of recorded nodes.
    ///
    /// ```
    /// let tape = tapegrad::Tape::<f32>::new();
    /// let x = tape.scalar(1.0);
    /// let _ = x.exp() + 1.0;
    /// assert_eq!(tape.len(), 3); // x, exp, add_scalar
    /// ```
    #[must_use]
    pub fn len(&self) -> usize {
        self.inner.borrow().nodes.len()
    }

    /// Number of scalar values the tape holds (all nodes' values together):
    /// its value storage, as [`Tape::checkpoint`] reduces it.
    ///
    /// ```
    /// let tape = tapegrad::Tape::<f32>::new();
    /// let x = tape.param(tapegrad::Tensor::zeros([2, 3]));
    /// let _ = x.exp();
    /// assert_eq!(tape.stored_values(), 12);
    /// ```
    #[must_use]
    pub fn stored_values(&self) -> usize {
        self.inner.borrow().values.len()
    }

    /// Whether nothing is recorded.
    ///
    /// ```
    /// let tape = tapegrad::Tape::<f32>::new();
    /// assert!(tape.is_empty());
    /// let _ = tape.scalar(1.0);
    /// assert!(!tape.is_empty());
    /// ```
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Forgets every node but keeps all buffers' capacity, so that the next
    /// recording of the same computation allocates nothing. Taking `&mut`
    /// guarantees no [`Var`] of the old recording is still alive. The same
    /// as [`truncate(0)`](Tape::truncate).
    ///
    /// ```
    /// let mut tape = tapegrad::Tape::<f32>::new();
    /// let _ = tape.scalar(1.0);
    /// tape.clear();
    /// assert!(tape.is_empty());
    /// ```
    pub fn clear(&mut self) {
        self.truncate(0);
    }

    /// Forgets every node from index `n` on and keeps the first `n`, which
    /// must all be leaves ([`param`](Tape::param), [`constant`](Tape::constant),
    /// [`scalar`](Tape::scalar), …): their values, shapes, source lines and
    /// gradient hooks stay, so a training loop records its parameters once
    /// and re-records only the computation on them, with no copy of the
    /// parameters per step (the leaves a PyTorch module or a JAX pytree
    /// holds across steps). Everything recorded later is dropped with its
    /// links, custom ops and hooks; buffers keep their capacity, as in
    /// [`clear`](Tape::clear). Gradients of the old recording can no longer
    /// be indexed, even by a [`Var`] of a kept leaf: take fresh handles with
    /// [`var`](Tape::var). With `n ≥` [`len`](Tape::len) every node is
    /// kept (as `Vec::truncate`), if all are leaves.
    ///
    /// # Panics
    /// When one of the first `n` nodes is not a leaf, naming it, its op and
    /// the line that recorded it.
    ///
    /// ```
    /// use tapegrad::Tape;
    /// let mut tape = Tape::<f64>::new();
    /// let _w = tape.scalar(3.0); // node 0, kept across steps
    /// for step in 0..3 {
    ///     tape.truncate(1);
    ///     let w = tape.var(0);
    ///     let loss = w * w; // ∂/∂w = 2w
    ///     let g = loss.backward()[w].item();
    ///     assert_eq!(tape.len(), 2);
    ///     tape.leaf_values_mut(0)[0] -= 0.25 * g; // SGD: w ← w/2
    ///     assert_eq!(tape.var(0).item(), 3.0 / f64::from(2 << step));
    /// }
    /// ```
    #[track_caller]
    pub fn truncate(&mut self, n: usize) {
        let inner = self.inner.get_mut();
        let n = n.min(inner.nodes.len());
        // Leaves recorded first are counted as they are recorded, so the
        // common case checks nothing per kept node.
        if n > inner.leaf_prefix {
            let not_leaf = inner.nodes[inner.leaf_prefix..n]
                .iter()
                .position(|node| !matches!(node.op, Op::Leaf(_)));
            if let Some(k) = not_leaf {
                let k = inner.leaf_prefix + k;
                panic!(
                    "tapegrad: truncate: node {k} ({}, recorded at {}) is not a leaf, so the first {n} nodes cannot be kept (at {})",
                    inner.nodes[k].op.shown_name(&inner.customs),
                    inner.locations[k],
                    Location::caller()
                );
            }
        }
        inner.leaf_prefix = n;
        let (values, shapes) = match inner.nodes[..n].last() {
            None => (0, 1),
            Some(last) => {
                let top = inner.nodes[..n].iter().map(|node| node.shape).max();
                (
                    last.offset + inner.numels[last.shape as usize],
                    top.map_or(1, |s| s as usize + 1),
                )
            }
        };
        inner.nodes.truncate(n);
        inner.values.truncate(values);
        inner.shapes.truncate(shapes);
        inner.numels.truncate(shapes);
        inner.locations.truncate(n);
        // Leaves read no links and no custom ops.
        inner.links.clear();
        inner.customs.clear();
        inner.hooks.retain(|(id, _)| (*id as usize) < n);
        self.generation.set(self.generation.get() + 1);
    }

    /// A handle to node `index` (its [`Var::index`]), e.g. a leaf kept by
    /// [`truncate`](Tape::truncate).
    ///
    /// # Panics
    /// When `index` is not below [`len`](Tape::len).
    ///
    /// ```
    /// let tape = tapegrad::Tape::<f32>::new();
    /// let w = tape.scalar(2.0);
    /// assert_eq!(tape.var(w.index()).item(), 2.0);
    /// ```
    #[must_use]
    #[track_caller]
    pub fn var(&self, index: usize) -> Var<'_, T> {
        let len = self.len();
        assert!(
            index < len,
            "tapegrad: var: index {index} is out of range for a tape of {len} nodes (at {})",
            Location::caller()
        );
        Var::new(self, index as NodeId)
    }

    /// The values of leaf `index`, to update in place (an optimizer step):
    /// no copy of the parameter, and its gradients just computed stay
    /// indexable. Nodes recorded after the leaf keep the values computed
    /// from the old ones, so update after the backward pass and
    /// [`truncate`](Tape::truncate) before recording again.
    ///
    /// # Panics
    /// When `index` is not below [`len`](Tape::len), or node `index` is not a
    /// leaf.
    ///
    /// ```
    /// use tapegrad::{Tape, Tensor};
    /// let mut tape = Tape::<f32>::new();
    /// let w = tape.param(Tensor::from_vec(vec![1.0, 2.0], [2])).index();
    /// tape.leaf_values_mut(w)[1] = 5.0;
    /// assert_eq!(tape.var(w).sum().item(), 6.0);
    /// ```
    #[must_use]
    #[track_caller]
    pub fn leaf_values_mut(&mut self, index: usize) -> &mut [T] {
        let inner = self.inner.get_mut();
        let len = inner.nodes.len();
        assert!(
            index < len,
            "tapegrad: leaf_values_mut: index {index} is out of range for a tape of {len} nodes (at {})",
            Location::caller()
        );
        let node = &inner.nodes[index];
        assert!(
            matches!(node.op, Op::Leaf(_)),
            "tapegrad: leaf_values_mut: node {index} ({}, recorded at {}) is not a leaf (at {})",
            node.op.shown_name(&inner.customs),
            inner.locations[index],
            Location::caller()
        );
        let start = node.offset;
        let end = start + inner.numels[node.shape as usize];
        &mut inner.values[start..end]
    }

    /// A leaf whose gradient is wanted (a trainable parameter or input).
    ///
    /// ```
    /// use tapegrad::{Tape, Tensor};
    /// let tape = Tape::new();
    /// let w = tape.param(Tensor::from_vec(vec![1.0f32, 2.0], [2]));
    /// let g = w.sum().backward();
    /// assert_eq!(g[w].data(), &[1.0, 1.0]);
    /// ```
    #[must_use]
    #[track_caller]
    pub fn param(&self, value: Tensor<T>) -> Var<'_, T> {
        self.param_slice(value.data(), value.shape().clone())
    }

    /// Like [`param`](Tape::param), copying from a slice (no allocation once
    /// the tape's buffers have grown).
    ///
    /// # Panics
    /// When `data.len()` does not match `shape`.
    ///
    /// ```
    /// let tape = tapegrad::Tape::<f32>::new();
    /// let weights = [0.5f32, -0.5, 1.0, 2.0];
    /// let w = tape.param_slice(&weights, [2, 2]);
    /// assert_eq!(w.sum().backward()[w].data(), &[1.0; 4]);
    /// ```
    #[must_use]
    #[track_caller]
    pub fn param_slice(&self, data: &[T], shape: impl Into<Shape>) -> Var<'_, T> {
        let grad = self.no_grad_depth.get() == 0;
        self.leaf(data, shape.into(), grad)
    }

    /// A leaf that receives no gradient: data, targets, frozen weights.
    ///
    /// ```
    /// use tapegrad::{Tape, Tensor};
    /// let tape = Tape::new();
    /// let x = tape.constant(Tensor::from_vec(vec![3.0f64], [1]));
    /// let w = tape.param(Tensor::from_vec(vec![2.0f64], [1]));
    /// let g = (x * w).sum().backward();
    /// assert_eq!(g[w].data(), &[3.0]);
    /// assert!(g.get(x).is_none());
    /// ```
    #[must_use]
    #[track_caller]
    pub fn constant(&self, value: Tensor<T>) -> Var<'_, T> {
        self.leaf(value.data(), value.shape().clone(), false)
    }

    /// Like [`constant`](Tape::constant), copying from a slice.
    ///
    /// # Panics
    /// When `data.len()` does not match `shape`.
    ///
    /// ```
    /// let tape = tapegrad::Tape::<f64>::new();
    /// let x = tape.constant_slice(&[1.0, 2.0, 3.0], [3]);
    /// assert_eq!(x.sum().item(), 6.0);
    /// assert!(!x.requires_grad());
    /// ```
    #[must_use]
    #[track_caller]
    pub fn constant_slice(&self, data: &[T], shape: impl Into<Shape>) -> Var<'_, T> {
        self.leaf(data, shape.into(), false)
    }

    /// A 0-d parameter: the micrograd-style scalar `Value`.
    ///
    /// ```
    /// let tape = tapegrad::Tape::<f64>::new();
    /// let x = tape.scalar(-4.0);
    /// let z = x * 2.0 + 2.0 + x;
    /// let y = (z * z).relu() + z * x;
    /// let g = y.backward();
    /// assert_eq!((y.item(), g[x].item()), (140.0, -82.0));
    /// ```
    #[must_use]
    #[track_caller]
    pub fn scalar(&self, value: T) -> Var<'_, T> {
        self.leaf_scalar(value, self.no_grad_depth.get() == 0)
    }

    /// A 0-d constant.
    ///
    /// ```
    /// let tape = tapegrad::Tape::<f64>::new();
    /// let (w, c) = (tape.scalar(3.0), tape.constant_scalar(2.0));
    /// let g = (w * c).backward();
    /// assert_eq!(g[w].item(), 2.0);
    /// assert!(g.get(c).is_none());
    /// ```
    #[must_use]
    #[track_caller]
    pub fn constant_scalar(&self, value: T) -> Var<'_, T> {
        self.leaf_scalar(value, false)
    }

    /// Runs `f` with recording switched off: every op inside evaluates its
    /// value but keeps no link to its inputs and requires no gradient, as for
    /// inference or an evaluation loop.
    ///
    /// ```
    /// use tapegrad::{Tape, Tensor};
    /// let tape = Tape::<f32>::new();
    /// let w = tape.param(Tensor::ones([2]));
    /// let y = tape.no_grad(|| (w * 3.0).sum());
    /// assert_eq!(y.item(), 6.0);
    /// assert!(!y.requires_grad());
    /// ```
    pub fn no_grad<R>(&self, f: impl FnOnce() -> R) -> R {
        struct Restore<'a>(&'a Cell<u32>);
        impl Drop for Restore<'_> {
            fn drop(&mut self) {
                self.0.set(self.0.get() - 1);
            }
        }
        self.no_grad_depth.set(self.no_grad_depth.get() + 1);
        let _restore = Restore(&self.no_grad_depth);
        f()
    }

    /// Anomaly mode: every op checks its result, and backward every gradient
    /// it produces; the first NaN or infinity panics with the op's name, its
    /// input shapes and the source line that recorded it. Slower; for
    /// debugging.
    ///
    /// ```should_panic
    /// let tape = tapegrad::Tape::<f64>::new();
    /// tape.set_anomaly_detection(true);
    /// let x = tape.scalar(-1.0);
    /// let _ = x.sqrt(); // panics: "sqrt produced NaN ... recorded at ..."
    /// ```
    pub fn set_anomaly_detection(&self, on: bool) {
        self.anomaly.set(on);
    }

    /// Whether anomaly mode is on.
    ///
    /// ```
    /// let tape = tapegrad::Tape::<f32>::new();
    /// assert!(!tape.anomaly_detection());
    /// tape.set_anomaly_detection(true);
    /// assert!(tape.anomaly_detection());
    /// ```
    #[must_use]
    pub fn anomaly_detection(&self) -> bool {
        self.anomaly.get()
    }

    pub(crate) fn id(&self) -> usize {
        self.id
    }

    pub(crate) fn generation(&self) -> u64 {
        self.generation.get()
    }

    #[track_caller]
    fn leaf(&self, data: &[T], shape: Shape, is_param: bool) -> Var<'_, T> {
        assert!(
            data.len() == shape.numel(),
            "tapegrad: leaf: {} values do not fill shape {shape} (at {})",
            data.len(),
            Location::caller()
        );
        let mut inner = self.inner.borrow_mut();
        let inner = &mut *inner;
        let offset = inner.values.len();
        // One element is pushed, not copied: `extend_from_slice` calls
        // `memcpy` for a length it cannot see.
        match data {
            [x] => inner.values.push(*x),
            _ => inner.values.extend_from_slice(data),
        }
        let id = inner.nodes.len() as NodeId;
        inner.leaf_prefix += usize::from(inner.leaf_prefix == id as usize);
        let shape = shape_index(&mut inner.shapes, &mut inner.numels, shape);
        inner.nodes.push(Node {
            op: Op::Leaf(Leaf),
            offset,
            shape,
            requires_grad: is_param,
            is_param,
            has_hook: false,
        });
        inner.locations.push(Location::caller());
        Var::new(self, id)
    }

    /// A 0-d leaf: [`leaf`](Tape::leaf) without a `Shape` to build, check
    /// or intern, the cost of a micrograd `Value`.
    #[inline]
    #[track_caller]
    fn leaf_scalar(&self, value: T, is_param: bool) -> Var<'_, T> {
        let mut inner = self.inner.borrow_mut();
        let inner = &mut *inner;
        let id = inner.nodes.len() as NodeId;
        inner.leaf_prefix += usize::from(inner.leaf_prefix == id as usize);
        inner.nodes.push(Node {
            op: Op::Leaf(Leaf),
            offset: inner.values.len(),
            shape: SCALAR,
            requires_grad: is_param,
            is_param,
            has_hook: false,
        });
        inner.values.push(value);
        inner.locations.push(Location::caller());
        Var::new(self, id)
    }

    /// Records `op` on the 0-d nodes `ids` with value `f` of their values,
    /// or returns `None` (recording nothing) when one of them is not 0-d.
    /// One borrow, one shape compare per input, and the inputs'
    /// `requires_grad` read while loading their values: no `Shape`, no
    /// broadcast, no `Op::inputs` dispatch, no closure over the arena.
    #[inline(always)]
    #[track_caller]
    pub(crate) fn record_scalar<const N: usize>(
        &self,
        op: Op,
        ids: [NodeId; N],
        f: impl FnOnce([T; N]) -> T,
    ) -> Option<Var<'_, T>> {
        let location = Location::caller();
        let mut inner = self.inner.borrow_mut();
        let inner = &mut *inner;
        let mut xs = [T::zero(); N];
        let mut upstream = false;
        for (x, &i) in xs.iter_mut().zip(&ids) {
            let n = &inner.nodes[i as usize];
            if n.shape != SCALAR {
                return None;
            }
            upstream |= n.requires_grad;
            *x = inner.values[n.offset];
        }
        let y = f(xs);
        if self.anomaly.get() {
            anomaly::check_forward(
                &inner.nodes,
                &inner.shapes,
                &inner.links,
                op.shown_name(&inner.customs),
                &op,
                &[y],
                location,
            );
        }
        let recording = self.no_grad_depth.get() == 0;
        let id = inner.nodes.len() as NodeId;
        inner.nodes.push(Node {
            op: if recording { op } else { Op::Leaf(Leaf) },
            offset: inner.values.len(),
            shape: SCALAR,
            requires_grad: recording && upstream,
            is_param: false,
            has_hook: false,
        });
        inner.values.push(y);
        inner.locations.push(location);
        Some(Var::new(self, id))
    }

    /// Appends a node whose value `fill` computes from the values recorded
    /// so far. Inputs decide whether it needs a gradient; in no-grad mode
    /// the node is stored as a leaf, without links to its inputs.
    #[track_caller]
    pub(crate) fn record(
        &self,
        op: Op,
        shape: Shape,
        fill: impl FnOnce(&Values<'_, T>, &mut [T]),
    ) -> Var<'_, T> {
        let location = Location::caller();
        let mut inner = self.inner.borrow_mut();
        let inner = &mut *inner;
        let recording = self.no_grad_depth.get() == 0;
        let requires_grad = recording
            && op
                .inputs(&inner.links)
                .iter()
                .any(|&i| inner.nodes[i as usize].requires_grad);
        let offset = inner.values.len();
        // A 0-d result is pushed: `resize` runs a fill loop.
        match shape.rank() {
            0 => inner.values.push(T::zero()),
            _ => inner.values.resize(offset + shape.numel(), T::zero()),
        }
        let (before, out) = inner.values.split_at_mut(offset);
        fill(
            &Values {
                nodes: &inner.nodes,
                values: before,
                shapes: &inner.shapes,
                numels: &inner.numels,
                links: &inner.links,
                customs: &inner.customs,
            },
            out,
        );
        if self.anomaly.get() {
            anomaly::check_forward(
                &inner.nodes,
                &inner.shapes,
                &inner.links,
                op.shown_name(&inner.customs),
                &op,
                out,
                location,
            );
        }
        let id = inner.nodes.len() as NodeId;
        let shape = shape_index(&mut inner.shapes, &mut inner.numels, shape);
        inner.nodes.push(Node {
            op: if requires_grad || recording {
                op
            } else {
                Op::Leaf(Leaf)
            },
            offset,
            shape,
            requires_grad,
            is_param: false,
            has_hook: false,
        });
        inner.locations.push(location);
        Var::new(self, id)
    }

    /// A 1-d constant of `n` elements computed by `f`, written straight
    /// into the arena.
    #[track_caller]
    pub(crate) fn constant_slice_from_fn(&self, n: usize, f: impl Fn(usize) -> T) -> Var<'_, T> {
        self.record(Op::Leaf(Leaf), Shape::from([n]), |_, o| {
            for (i, e) in o.iter_mut().enumerate() {
                *e = f(i);
            }
        })
    }

    pub(crate) fn shape_of(&self, id: NodeId) -> Shape {
        let inner = self.inner.borrow();
        inner.shapes[inner.nodes[id as usize].shape as usize].clone()
    }
}

/// The index of `shape` in `shapes`: [`SCALAR`] for `[]` without a call,
/// else what [`intern`] finds or appends.
#[inline(always)]
fn shape_index(shapes: &mut Vec<Shape>, numels: &mut Vec<usize>, shape: Shape) -> u32 {
    if shape.rank() == 0 {
        SCALAR
    } else {
        intern(shapes, numels, shape)
    }
}

/// The index of a shape of rank ≥ 1 in `shapes`, appending it unless one
/// of the last few entries already holds it (consecutive ops mostly share
/// shapes).
#[inline(never)]
fn intern(shapes: &mut Vec<Shape>, numels: &mut Vec<usize>, shape: Shape) -> u32 {
    let recent = shapes.len().saturating_sub(4).max(1);
    match shapes[recent..].iter().rposition(|s| *s == shape) {
        Some(i) => (recent + i) as u32,
        None => {
            numels.push(shape.numel());
            shapes.push(shape);
            (shapes.len() - 1) as u32
        }
    }
}

/// Read access to recorded nodes and their values, for kernels.
pub(crate) struct Values<'a, T: Float> {
    pub nodes: &'a [Node],
    pub values: &'a [T],
    pub shapes: &'a [Shape],
    pub numels: &'a [usize],
    pub links: &'a [NodeId],
    pub customs: &'a [Arc<dyn CustomOp<T>>],
}

impl<T: Float> Values<'_, T> {
    #[inline]
    pub fn val(&self, id: NodeId) -> &[T] {
        let n = &self.nodes[id as usize];
        &self.values[n.offset..n.offset + self.numels[n.shape as usize]]
    }

    /// Whether node `id` is 0-d.
    #[inline]
    pub fn is_scalar(&self, id: NodeId) -> bool {
        self.nodes[id as usize].shape == SCALAR
    }

    /// The value of 0-d node `id`.
    #[inline]
    pub fn scalar(&self, id: NodeId) -> T {
        self.values[self.nodes[id as usize].offset]
    }

    #[inline]
    pub fn shape(&self, id: NodeId) -> &Shape {
        &self.shapes[self.nodes[id as usize].shape as usize]
    }
}

#[cfg(test)]
mod tests {
    /// A 10M-op scalar chain must fit well under 1 GB: the node stays at
    /// 48 bytes however many ops the list grows to.
    #[test]
    fn node_stays_48_bytes() {
        assert_eq!(std::mem::size_of::<super::Node>(), 48);
    }
}
