//! `Scope`: where a module being built registers its parameters and
//! buffers, under PyTorch's dotted names, drawing its initial values from
//! the model's seeded generator.

use crate::params::{ParamId, Params};
use rand::rngs::StdRng;
use tapegrad::{Float, Tensor};

/// The stores a model is built into.
pub(crate) struct Stores<T: Float> {
    pub(crate) params: Params<T>,
    pub(crate) buffers: Params<T>,
    pub(crate) rng: StdRng,
}

/// A name prefix in a model being built (see [`Model::build`](crate::Model::build)):
/// `sub("fc1")` is the scope of a child module, whose parameter `weight`
/// is then named `fc1.weight`, as PyTorch's `state_dict()` names it.
///
/// ```
/// use tapegrad_nn::{Linear, Model, Sequential};
/// let model = Model::<f32, _>::build(0, |mut s| {
///     let mut inner = s.sub("block");
///     Linear::build(inner.sub("0"), 3, 2)
/// });
/// assert!(model.params().id("block.0.weight").is_some());
/// ```
pub struct Scope<'a, T: Float> {
    stores: &'a mut Stores<T>,
    prefix: String,
}

impl<'a, T: Float> Scope<'a, T> {
    pub(crate) fn root(stores: &'a mut Stores<T>) -> Self {
        Scope {
            stores,
            prefix: String::new(),
        }
    }

    /// The scope of the child module `name`.
    ///
    /// ```
    /// use tapegrad::Tensor;
    /// use tapegrad_nn::Model;
    /// let model = Model::<f64, _>::build(0, |mut s| {
    ///     s.sub("a").sub("b").param("w", Tensor::ones([1]));
    ///     tapegrad_nn::Flatten::new()
    /// });
    /// assert!(model.params().id("a.b.w").is_some());
    /// ```
    #[must_use]
    pub fn sub(&mut self, name: &str) -> Scope<'_, T> {
        Scope {
            prefix: self.full_name(name),
            stores: self.stores,
        }
    }

    /// The dotted name of `leaf` in this scope.
    ///
    /// ```
    /// use tapegrad_nn::Model;
    /// let _ = Model::<f64, _>::build(0, |mut s| {
    ///     assert_eq!(s.sub("0").full_name("weight"), "0.weight");
    ///     assert_eq!(s.full_name("weight"), "weight");
    ///     tapegrad_nn::Flatten::new()
    /// });
    /// ```
    #[must_use]
    pub fn full_name(&self, leaf: &str) -> String {
        if self.prefix.is_empty() {
            leaf.to_string()
        } else {
            format!("{}.{leaf}", self.prefix)
        }
    }

    /// Registers a trainable parameter `name` with its initial value.
    ///
    /// # Panics
    /// When the name is already taken.
    ///
    /// ```
    /// use tapegrad::Tensor;
    /// use tapegrad_nn::Model;
    /// let model = Model::<f64, _>::build(0, |mut s| {
    ///     let _ = s.param("scale", Tensor::ones([2]));
    ///     tapegrad_nn::Flatten::new()
    /// });
    /// assert_eq!(model.params().numel(), 2);
    /// ```
    #[track_caller]
    pub fn param(&mut self, name: &str, value: Tensor<T>) -> ParamId {
        let full = self.full_name(name);
        self.stores.params.push(full, value)
    }

    /// Registers a buffer `name` (state that is saved but not trained, such
    /// as batch norm's running mean).
    ///
    /// # Panics
    /// When the name is already taken.
    ///
    /// ```
    /// use tapegrad::Tensor;
    /// use tapegrad_nn::Model;
    /// let model = Model::<f64, _>::build(0, |mut s| {
    ///     let _ = s.buffer("count", Tensor::zeros([]));
    ///     tapegrad_nn::Flatten::new()
    /// });
    /// assert_eq!((model.params().len(), model.buffers().len()), (0, 1));
    /// ```
    #[track_caller]
    pub fn buffer(&mut self, name: &str, value: Tensor<T>) -> ParamId {
        let full = self.full_name(name);
        self.stores.buffers.push(full, value)
    }

    /// The prefix parameter names take in this scope (`"fc1."`, or empty
    /// at the root) and the parameter store, for builders that push there.
    pub(crate) fn prefix_and_params(&mut self) -> (String, &mut Params<T>) {
        (self.full_name(""), &mut self.stores.params)
    }

    /// The model's seeded generator, for initial values.
    ///
    /// ```
    /// use rand::Rng;
    /// use tapegrad_nn::Model;
    /// let _ = Model::<f64, _>::build(0, |mut s| {
    ///     let _x: f64 = s.rng().random();
    ///     tapegrad_nn::Flatten::new()
    /// });
    /// ```
    #[must_use]
    pub fn rng(&mut self) -> &mut StdRng {
        &mut self.stores.rng
    }

    /// A tensor of `shape` drawn from U(−bound, bound): PyTorch's default
    /// initialization of Linear and convolution weights and biases, with
    /// bound = 1/√fan_in (`kaiming_uniform_(a=√5)` gives the same bound for
    /// the weight).
    ///
    /// ```
    /// use tapegrad_nn::Model;
    /// let _ = Model::<f64, _>::build(0, |mut s| {
    ///     let t = s.uniform([4, 3], 0.5);
    ///     assert!(t.data().iter().all(|v| v.abs() <= 0.5));
    ///     tapegrad_nn::Flatten::new()
    /// });
    /// ```
    #[must_use]
    pub fn uniform(&mut self, shape: impl Into<tapegrad::Shape>, bound: f64) -> Tensor<T> {
        use rand::Rng;
        let shape = shape.into();
        let data = (0..shape.numel())
            .map(|_| T::from_f64(self.stores.rng.random_range(-bound..=bound)))
            .collect();
        Tensor::from_vec(data, shape)
    }
}
