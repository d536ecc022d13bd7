//! Parameters owned outside the tape: one flat value buffer per model, a
//! gradient buffer with the same layout, and a name → (offset, shape) index
//! in PyTorch's state-dict order.
//!
//! The flat layout is deliberate: an optimizer is one loop over two slices,
//! its state (momentum, Adam's moments) is flat too, and data-parallel
//! training can all-reduce the gradient buffer as it is.

use indexmap::IndexMap;
use smallvec::SmallVec;
use std::ops::{Index, Range};
use tapegrad::{Float, Gradients, Shape, Tape, Tensor, Var};

/// Where one named tensor lives in the flat buffers.
///
/// ```
/// use tapegrad::Tensor;
/// use tapegrad_nn::Params;
/// let mut p = Params::<f32>::new();
/// p.push("0.weight", Tensor::zeros([2, 3]));
/// let id = p.push("0.bias", Tensor::zeros([2]));
/// let info = p.info(id);
/// assert_eq!((info.offset, info.shape.dims()), (6, &[2][..]));
/// assert_eq!(info.range(), 6..8);
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ParamInfo {
    /// First element in the flat buffers.
    pub offset: usize,
    /// The tensor's shape (PyTorch's layout).
    pub shape: Shape,
}

impl ParamInfo {
    /// The element range of this tensor in the flat buffers.
    ///
    /// ```
    /// use tapegrad::Tensor;
    /// use tapegrad_nn::Params;
    /// let mut p = Params::<f64>::new();
    /// let w = p.push("0.weight", Tensor::from_vec(vec![1.0, 2.0, 3.0, 4.0], [2, 2]));
    /// let b = p.push("0.bias", Tensor::from_vec(vec![5.0, 6.0], [2]));
    /// assert_eq!(p.info(b).range(), 4..6);
    /// ```
    #[must_use]
    pub fn range(&self) -> Range<usize> {
        self.offset..self.offset + self.shape.numel()
    }
}

/// The handle of one parameter tensor: its position in the store's order.
///
/// ```
/// use tapegrad::Tensor;
/// use tapegrad_nn::Params;
/// let mut p = Params::<f64>::new();
/// let id = p.push("w", Tensor::ones([2]));
/// assert_eq!(id.index(), 0);
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct ParamId(usize);

impl ParamId {
    /// Position in the store (and in a [`Bound`] set of handles).
    ///
    /// ```
    /// use tapegrad::Tensor;
    /// use tapegrad_nn::Params;
    /// let mut p = Params::<f64>::new();
    /// let w = p.push("0.weight", Tensor::from_vec(vec![1.0, 2.0, 3.0, 4.0], [2, 2]));
    /// let b = p.push("0.bias", Tensor::from_vec(vec![5.0, 6.0], [2]));
    /// assert_eq!((w.index(), b.index()), (0, 1));
    /// ```
    #[must_use]
    pub fn index(self) -> usize {
        self.0
    }
}

/// All parameters of a model in one flat buffer, with a gradient buffer of
/// the same layout and PyTorch-style names.
///
/// Each training step binds the values onto a (reused) tape with
/// [`bind`](Params::bind), runs the forward and backward, and copies the
/// gradients back with [`store_grads`](Params::store_grads); an optimizer
/// then updates [`values_and_grads`](Params::values_and_grads) in place.
///
/// ```
/// use tapegrad::{Gradients, Tape, Tensor};
/// use tapegrad_nn::Params;
/// let mut p = Params::<f64>::new();
/// let w = p.push("w", Tensor::from_vec(vec![1.0, 2.0], [2]));
/// let mut tape = Tape::new();
/// let mut grads = Gradients::new();
/// for _ in 0..2 {
///     tape.clear();
///     let b = p.bind(&tape);
///     (b[w] * b[w]).sum().backward_into(&mut grads);
///     p.store_grads(&b, &grads);
/// }
/// assert_eq!(p.grads(), &[2.0, 4.0]);
/// ```
#[derive(Clone, Debug, Default)]
pub struct Params<T: Float> {
    values: Vec<T>,
    grads: Vec<T>,
    index: IndexMap<String, ParamInfo>,
}

/// The parameters of one recording: one tape leaf per parameter tensor, in
/// store order, indexed by [`ParamId`]. Up to 32 handles live inline (no
/// heap allocation per step).
///
/// ```
/// use tapegrad::{Tape, Tensor};
/// use tapegrad_nn::Params;
/// let mut p = Params::<f32>::new();
/// let id = p.push("b", Tensor::ones([3]));
/// let tape = Tape::new();
/// let bound = p.bind(&tape);
/// assert_eq!(bound[id].shape().dims(), &[3]);
/// assert_eq!(bound.len(), 1);
/// ```
pub struct Bound<'t, T: Float> {
    vars: SmallVec<[Var<'t, T>; 32]>,
}

impl<'t, T: Float> Bound<'t, T> {
    /// A bound set made of given handles, in store order: runs a module on
    /// parameters recorded elsewhere (e.g. the inputs of
    /// [`gradcheck`](tapegrad::gradcheck)).
    ///
    /// ```
    /// use tapegrad::{Tape, Tensor};
    /// use tapegrad_nn::{Bound, Params};
    /// let mut p = Params::<f64>::new();
    /// let w = p.push("w", Tensor::ones([2]));
    /// let tape = Tape::<f64>::new();
    /// let bound = Bound::new(&[tape.param(Tensor::zeros([2]))]);
    /// assert_eq!(bound[w].value().data(), &[0.0, 0.0]);
    /// ```
    #[must_use]
    pub fn new(vars: &[Var<'t, T>]) -> Self {
        Bound {
            vars: vars.iter().copied().collect(),
        }
    }

    /// Number of bound tensors.
    ///
    /// ```
    /// use tapegrad::Tensor;
    /// use tapegrad_nn::Params;
    /// let mut p = Params::<f64>::new();
    /// let w = p.push("0.weight", Tensor::from_vec(vec![1.0, 2.0, 3.0, 4.0], [2, 2]));
    /// let b = p.push("0.bias", Tensor::from_vec(vec![5.0, 6.0], [2]));
    /// let tape = tapegrad::Tape::new();
    /// let bound = p.bind(&tape);
    /// assert_eq!(bound.len(), 2);
    /// ```
    #[must_use]
    pub fn len(&self) -> usize {
        self.vars.len()
    }

    /// Whether nothing is bound.
    ///
    /// ```
    /// use tapegrad::Tensor;
    /// use tapegrad_nn::Params;
    /// let mut p = Params::<f64>::new();
    /// let w = p.push("0.weight", Tensor::from_vec(vec![1.0, 2.0, 3.0, 4.0], [2, 2]));
    /// let b = p.push("0.bias", Tensor::from_vec(vec![5.0, 6.0], [2]));
    /// let tape = tapegrad::Tape::new();
    /// let bound = p.bind(&tape);
    /// assert!(!bound.is_empty());
    /// ```
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.vars.is_empty()
    }

    /// The handles in store order.
    ///
    /// ```
    /// use tapegrad::Tensor;
    /// use tapegrad_nn::Params;
    /// let mut p = Params::<f64>::new();
    /// let w = p.push("0.weight", Tensor::from_vec(vec![1.0, 2.0, 3.0, 4.0], [2, 2]));
    /// let b = p.push("0.bias", Tensor::from_vec(vec![5.0, 6.0], [2]));
    /// let tape = tapegrad::Tape::new();
    /// let bound = p.bind(&tape);
    /// assert_eq!(bound.vars()[1].value().data(), &[5.0, 6.0]);
    /// ```
    #[must_use]
    pub fn vars(&self) -> &[Var<'t, T>] {
        &self.vars
    }
}

impl<'t, T: Float> Index<ParamId> for Bound<'t, T> {
    type Output = Var<'t, T>;
    fn index(&self, id: ParamId) -> &Var<'t, T> {
        &self.vars[id.0]
    }
}

impl<T: Float> Params<T> {
    /// An empty store.
    ///
    /// ```
    /// assert!(tapegrad_nn::Params::<f32>::new().is_empty());
    /// ```
    #[must_use]
    pub fn new() -> Self {
        Params {
            values: Vec::new(),
            grads: Vec::new(),
            index: IndexMap::new(),
        }
    }

    /// Appends a named tensor (its gradient starts at zero).
    ///
    /// # Panics
    /// When `name` is already taken.
    ///
    /// ```
    /// use tapegrad::Tensor;
    /// use tapegrad_nn::Params;
    /// let mut p = Params::<f64>::new();
    /// let w = p.push("0.weight", Tensor::from_vec(vec![1.0, 2.0, 3.0, 4.0], [2, 2]));
    /// let b = p.push("0.bias", Tensor::from_vec(vec![5.0, 6.0], [2]));
    /// assert_eq!(p.numel(), 6);
    /// ```
    #[track_caller]
    pub fn push(&mut self, name: impl Into<String>, value: Tensor<T>) -> ParamId {
        let name = name.into();
        assert!(
            !self.index.contains_key(&name),
            "tapegrad-nn: parameter name `{name}` is already taken"
        );
        let offset = self.values.len();
        self.values.extend_from_slice(value.data());
        self.grads.resize(self.values.len(), T::zero());
        let id = ParamId(self.index.len());
        self.index.insert(
            name,
            ParamInfo {
                offset,
                shape: value.shape().clone(),
            },
        );
        id
    }

    /// Number of named tensors.
    ///
    /// ```
    /// use tapegrad::Tensor;
    /// use tapegrad_nn::Params;
    /// let mut p = Params::<f64>::new();
    /// let w = p.push("0.weight", Tensor::from_vec(vec![1.0, 2.0, 3.0, 4.0], [2, 2]));
    /// let b = p.push("0.bias", Tensor::from_vec(vec![5.0, 6.0], [2]));
    /// assert_eq!(p.len(), 2);
    /// ```
    #[must_use]
    pub fn len(&self) -> usize {
        self.index.len()
    }

    /// Whether the store holds no tensor.
    ///
    /// ```
    /// assert!(tapegrad_nn::Params::<f64>::new().is_empty());
    /// ```
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.index.is_empty()
    }

    /// Total number of scalar parameters.
    ///
    /// ```
    /// use tapegrad::Tensor;
    /// let mut p = tapegrad_nn::Params::<f32>::new();
    /// p.push("w", Tensor::zeros([3, 4]));
    /// assert_eq!(p.numel(), 12);
    /// ```
    #[must_use]
    pub fn numel(&self) -> usize {
        self.values.len()
    }

    /// All values, flat, in store order.
    ///
    /// ```
    /// use tapegrad::Tensor;
    /// use tapegrad_nn::Params;
    /// let mut p = Params::<f64>::new();
    /// let w = p.push("0.weight", Tensor::from_vec(vec![1.0, 2.0, 3.0, 4.0], [2, 2]));
    /// let b = p.push("0.bias", Tensor::from_vec(vec![5.0, 6.0], [2]));
    /// assert_eq!(p.values(), &[1.0, 2.0, 3.0, 4.0, 5.0, 6.0]);
    /// ```
    #[must_use]
    pub fn values(&self) -> &[T] {
        &self.values
    }

    /// All values, flat and mutable.
    ///
    /// ```
    /// use tapegrad::Tensor;
    /// use tapegrad_nn::Params;
    /// let mut p = Params::<f64>::new();
    /// let w = p.push("0.weight", Tensor::from_vec(vec![1.0, 2.0, 3.0, 4.0], [2, 2]));
    /// let b = p.push("0.bias", Tensor::from_vec(vec![5.0, 6.0], [2]));
    /// p.values_mut()[4] = 0.0;
    /// assert_eq!(p.value(b), &[0.0, 6.0]);
    /// ```
    #[must_use]
    pub fn values_mut(&mut self) -> &mut [T] {
        &mut self.values
    }

    /// All gradients, flat, laid out as [`values`](Params::values).
    ///
    /// ```
    /// use tapegrad::Tensor;
    /// use tapegrad_nn::Params;
    /// let mut p = Params::<f64>::new();
    /// let w = p.push("0.weight", Tensor::from_vec(vec![1.0, 2.0, 3.0, 4.0], [2, 2]));
    /// let b = p.push("0.bias", Tensor::from_vec(vec![5.0, 6.0], [2]));
    /// assert_eq!(p.grads(), &[0.0; 6]);
    /// ```
    #[must_use]
    pub fn grads(&self) -> &[T] {
        &self.grads
    }

    /// All gradients, flat and mutable (for accumulation or all-reduce).
    ///
    /// ```
    /// use tapegrad::Tensor;
    /// use tapegrad_nn::Params;
    /// let mut p = Params::<f64>::new();
    /// let w = p.push("0.weight", Tensor::from_vec(vec![1.0, 2.0, 3.0, 4.0], [2, 2]));
    /// let b = p.push("0.bias", Tensor::from_vec(vec![5.0, 6.0], [2]));
    /// p.grads_mut().fill(1.0); // e.g. after an all-reduce
    /// assert_eq!(p.grad(w), &[1.0; 4]);
    /// ```
    #[must_use]
    pub fn grads_mut(&mut self) -> &mut [T] {
        &mut self.grads
    }

    /// Values (mutable) and gradients together: what
    /// [`Optimizer::step`](crate::Optimizer::step) takes.
    ///
    /// ```
    /// use tapegrad::Tensor;
    /// use tapegrad_nn::{Optimizer, Params, Sgd};
    /// let mut p = Params::<f64>::new();
    /// p.push("w", Tensor::ones([2]));
    /// p.grads_mut().copy_from_slice(&[1.0, -1.0]);
    /// let (v, g) = p.values_and_grads();
    /// Sgd::new(0.5).step(v, g);
    /// assert_eq!(p.values(), &[0.5, 1.5]);
    /// ```
    #[must_use]
    pub fn values_and_grads(&mut self) -> (&mut [T], &[T]) {
        (&mut self.values, &self.grads)
    }

    /// Sets every gradient to zero.
    ///
    /// ```
    /// use tapegrad::Tensor;
    /// use tapegrad_nn::Params;
    /// let mut p = Params::<f64>::new();
    /// let w = p.push("0.weight", Tensor::from_vec(vec![1.0, 2.0, 3.0, 4.0], [2, 2]));
    /// let b = p.push("0.bias", Tensor::from_vec(vec![5.0, 6.0], [2]));
    /// p.grads_mut().fill(1.0);
    /// p.zero_grads();
    /// assert_eq!(p.grads(), &[0.0; 6]);
    /// ```
    pub fn zero_grads(&mut self) {
        self.grads.fill(T::zero());
    }

    /// Position and shape of the tensor `id`.
    ///
    /// # Panics
    /// When `id` does not belong to this store.
    ///
    /// ```
    /// use tapegrad::Tensor;
    /// use tapegrad_nn::Params;
    /// let mut p = Params::<f64>::new();
    /// let w = p.push("0.weight", Tensor::from_vec(vec![1.0, 2.0, 3.0, 4.0], [2, 2]));
    /// let b = p.push("0.bias", Tensor::from_vec(vec![5.0, 6.0], [2]));
    /// assert_eq!(p.info(w).shape.dims(), &[2, 2]);
    /// ```
    #[must_use]
    #[track_caller]
    pub fn info(&self, id: ParamId) -> &ParamInfo {
        &self.index[id.0]
    }

    /// The name of tensor `id`.
    ///
    /// # Panics
    /// When `id` does not belong to this store.
    ///
    /// ```
    /// use tapegrad::Tensor;
    /// use tapegrad_nn::Params;
    /// let mut p = Params::<f64>::new();
    /// let w = p.push("0.weight", Tensor::from_vec(vec![1.0, 2.0, 3.0, 4.0], [2, 2]));
    /// let b = p.push("0.bias", Tensor::from_vec(vec![5.0, 6.0], [2]));
    /// assert_eq!(p.name(b), "0.bias");
    /// ```
    #[must_use]
    #[track_caller]
    pub fn name(&self, id: ParamId) -> &str {
        self.index
            .get_index(id.0)
            .map(|(k, _)| k.as_str())
            .expect("tapegrad-nn: unknown ParamId")
    }

    /// The handle of the tensor called `name`.
    ///
    /// ```
    /// use tapegrad::Tensor;
    /// let mut p = tapegrad_nn::Params::<f32>::new();
    /// let id = p.push("0.bias", Tensor::zeros([2]));
    /// assert_eq!(p.id("0.bias"), Some(id));
    /// assert_eq!(p.id("1.bias"), None);
    /// ```
    #[must_use]
    pub fn id(&self, name: &str) -> Option<ParamId> {
        self.index.get_index_of(name).map(ParamId)
    }

    /// The values of tensor `id`.
    ///
    /// # Panics
    /// When `id` does not belong to this store.
    ///
    /// ```
    /// use tapegrad::Tensor;
    /// use tapegrad_nn::Params;
    /// let mut p = Params::<f64>::new();
    /// let w = p.push("0.weight", Tensor::from_vec(vec![1.0, 2.0, 3.0, 4.0], [2, 2]));
    /// let b = p.push("0.bias", Tensor::from_vec(vec![5.0, 6.0], [2]));
    /// assert_eq!(p.value(b), &[5.0, 6.0]);
    /// ```
    #[must_use]
    #[track_caller]
    pub fn value(&self, id: ParamId) -> &[T] {
        &self.values[self.index[id.0].range()]
    }

    /// The values of tensor `id`, mutable.
    ///
    /// # Panics
    /// When `id` does not belong to this store.
    ///
    /// ```
    /// use tapegrad::Tensor;
    /// use tapegrad_nn::Params;
    /// let mut p = Params::<f64>::new();
    /// let w = p.push("0.weight", Tensor::from_vec(vec![1.0, 2.0, 3.0, 4.0], [2, 2]));
    /// let b = p.push("0.bias", Tensor::from_vec(vec![5.0, 6.0], [2]));
    /// p.value_mut(b).fill(0.0);
    /// assert_eq!(p.values()[4..], [0.0, 0.0]);
    /// ```
    #[must_use]
    #[track_caller]
    pub fn value_mut(&mut self, id: ParamId) -> &mut [T] {
        let r = self.index[id.0].range();
        &mut self.values[r]
    }

    /// The gradient of tensor `id`.
    ///
    /// # Panics
    /// When `id` does not belong to this store.
    ///
    /// ```
    /// use tapegrad::Tensor;
    /// use tapegrad_nn::Params;
    /// let mut p = Params::<f64>::new();
    /// let w = p.push("0.weight", Tensor::from_vec(vec![1.0, 2.0, 3.0, 4.0], [2, 2]));
    /// let b = p.push("0.bias", Tensor::from_vec(vec![5.0, 6.0], [2]));
    /// assert_eq!(p.grad(b), &[0.0, 0.0]);
    /// ```
    #[must_use]
    #[track_caller]
    pub fn grad(&self, id: ParamId) -> &[T] {
        &self.grads[self.index[id.0].range()]
    }

    /// A copy of tensor `name` with its shape.
    ///
    /// ```
    /// use tapegrad::Tensor;
    /// let mut p = tapegrad_nn::Params::<f64>::new();
    /// p.push("w", Tensor::eye(2));
    /// assert_eq!(p.tensor("w").unwrap(), Tensor::eye(2));
    /// ```
    #[must_use]
    pub fn tensor(&self, name: &str) -> Option<Tensor<T>> {
        let info = self.index.get(name)?;
        Some(Tensor::from_slice(
            &self.values[info.range()],
            info.shape.clone(),
        ))
    }

    /// Every tensor as `(name, info)`, in store order.
    ///
    /// ```
    /// use tapegrad::Tensor;
    /// use tapegrad_nn::Params;
    /// let mut p = Params::<f64>::new();
    /// let w = p.push("0.weight", Tensor::from_vec(vec![1.0, 2.0, 3.0, 4.0], [2, 2]));
    /// let b = p.push("0.bias", Tensor::from_vec(vec![5.0, 6.0], [2]));
    /// let names: Vec<&str> = p.iter().map(|(n, _)| n).collect();
    /// assert_eq!(names, ["0.weight", "0.bias"]);
    /// ```
    pub fn iter(&self) -> impl Iterator<Item = (&str, &ParamInfo)> {
        self.index.iter().map(|(k, v)| (k.as_str(), v))
    }

    /// Records every parameter tensor on `tape` as a leaf that receives a
    /// gradient, copying its values from the flat buffer (no allocation once
    /// the tape has grown). Inside [`Tape::no_grad`] the leaves are
    /// constants, as for evaluation.
    ///
    /// ```
    /// use tapegrad::Tensor;
    /// use tapegrad_nn::Params;
    /// let mut p = Params::<f64>::new();
    /// let w = p.push("0.weight", Tensor::from_vec(vec![1.0, 2.0, 3.0, 4.0], [2, 2]));
    /// let b = p.push("0.bias", Tensor::from_vec(vec![5.0, 6.0], [2]));
    /// let tape = tapegrad::Tape::new();
    /// let bound = p.bind(&tape);
    /// assert!(bound[w].requires_grad());
    /// let frozen = tape.no_grad(|| p.bind(&tape)); // constants, for evaluation
    /// assert!(!frozen[w].requires_grad());
    /// ```
    #[must_use]
    pub fn bind<'t>(&self, tape: &'t Tape<T>) -> Bound<'t, T> {
        let vars = self
            .index
            .values()
            .map(|info| tape.param_slice(&self.values[info.range()], info.shape.clone()))
            .collect();
        Bound { vars }
    }

    /// Copies the gradient of every bound tensor from `grads` into the flat
    /// gradient buffer (zero for a tensor that no gradient reached).
    ///
    /// # Panics
    /// When `bound` was not made by [`bind`](Params::bind) on this store, or
    /// `grads` comes from another recording.
    ///
    /// ```
    /// use tapegrad::Tensor;
    /// use tapegrad_nn::Params;
    /// let mut p = Params::<f64>::new();
    /// let w = p.push("0.weight", Tensor::from_vec(vec![1.0, 2.0, 3.0, 4.0], [2, 2]));
    /// let b = p.push("0.bias", Tensor::from_vec(vec![5.0, 6.0], [2]));
    /// let tape = tapegrad::Tape::new();
    /// let bound = p.bind(&tape);
    /// let loss = (bound[w].sum() * bound[b].sum()).mul_scalar(0.5);
    /// let grads = loss.backward();
    /// p.store_grads(&bound, &grads);
    /// assert_eq!(p.grad(b), &[5.0, 5.0]); // 0.5 · sum(w)
    /// ```
    #[track_caller]
    pub fn store_grads(&mut self, bound: &Bound<'_, T>, grads: &Gradients<T>) {
        assert!(
            bound.len() == self.index.len(),
            "tapegrad-nn: store_grads: bound set is from another model"
        );
        for (info, &var) in self.index.values().zip(&bound.vars) {
            let dst = &mut self.grads[info.offset..info.offset + info.shape.numel()];
            match grads.get(var) {
                Some(g) => dst.copy_from_slice(g.data()),
                None => dst.fill(T::zero()),
            }
        }
    }
}
