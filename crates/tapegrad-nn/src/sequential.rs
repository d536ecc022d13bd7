//! `Sequential`: modules applied one after the other, named `0`, `1`, …
//! as in PyTorch's `nn.Sequential`.

use crate::module::{Cx, Module};
use crate::scope::Scope;
use tapegrad::{Float, Var};

/// Modules applied in order; the `i`-th one's parameters are named
/// `{i}.weight`, … as in PyTorch's `nn.Sequential` (parameter-free modules
/// such as activations take an index too).
///
/// ```
/// use tapegrad::Tensor;
/// use tapegrad_nn::{Activation, Flatten, Linear, Model, Sequential};
/// let model = Model::<f32, _>::build(0, |s| {
///     Sequential::new(s)
///         .push(Flatten::new())
///         .layer(|s| Linear::build(s, 12, 8))
///         .push(Activation::Relu)
///         .layer(|s| Linear::build(s, 8, 2))
///         .done()
/// });
/// let names: Vec<&str> = model.params().iter().map(|(n, _)| n).collect();
/// assert_eq!(names, ["1.weight", "1.bias", "3.weight", "3.bias"]);
/// assert_eq!(model.predict(&Tensor::ones([5, 3, 4])).shape().dims(), &[5, 2]);
/// assert_eq!(model.module().len(), 4);
/// ```
pub struct Sequential<T: Float> {
    layers: Vec<Box<dyn Module<T>>>,
}

impl<T: Float> std::fmt::Debug for Sequential<T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.torch())
    }
}

/// Declares a [`Sequential`] in a scope: [`layer`](SequentialBuilder::layer)
/// builds the next module in its own numbered scope,
/// [`push`](SequentialBuilder::push) appends a module that has no
/// parameters (or was built elsewhere), [`done`](SequentialBuilder::done)
/// finishes.
///
/// ```
/// use tapegrad_nn::{Activation, Linear, Model, Sequential};
/// let m = Model::<f64, _>::build(0, |s| {
///     Sequential::new(s).push(Activation::Tanh).layer(|s| Linear::build(s, 2, 2)).done()
/// });
/// assert!(m.params().id("1.weight").is_some());
/// ```
pub struct SequentialBuilder<'a, T: Float> {
    scope: Scope<'a, T>,
    layers: Vec<Box<dyn Module<T>>>,
}

impl<T: Float> Sequential<T> {
    /// Starts a sequential container in `scope`.
    ///
    /// ```
    /// use tapegrad_nn::{Model, Sequential};
    /// let m = Model::<f32, _>::build(0, |s| Sequential::new(s).done());
    /// assert!(m.module().is_empty());
    /// ```
    #[allow(clippy::new_ret_no_self)]
    pub fn new(scope: Scope<'_, T>) -> SequentialBuilder<'_, T> {
        SequentialBuilder {
            scope,
            layers: Vec::new(),
        }
    }

    /// Number of modules.
    ///
    /// ```
    /// use tapegrad_nn::{Activation, Model, Sequential};
    /// let m = Model::<f32, _>::build(0, |s| Sequential::new(s).push(Activation::Relu).done());
    /// assert_eq!(m.module().len(), 1);
    /// ```
    #[must_use]
    pub fn len(&self) -> usize {
        self.layers.len()
    }

    /// Whether it holds no module (then it is the identity).
    ///
    /// ```
    /// use tapegrad_nn::{Model, Sequential};
    /// let m = Model::<f32, _>::build(0, |s| Sequential::new(s).done());
    /// assert!(m.module().is_empty());
    /// ```
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.layers.is_empty()
    }

    /// The modules, in order.
    ///
    /// ```
    /// use tapegrad_nn::{Activation, Model, Module, Sequential};
    /// let m = Model::<f32, _>::build(0, |s| Sequential::new(s).push(Activation::Relu).done());
    /// assert_eq!(m.module().layers()[0].torch(), "nn.ReLU()");
    /// ```
    #[must_use]
    pub fn layers(&self) -> &[Box<dyn Module<T>>] {
        &self.layers
    }
}

impl<'a, T: Float> SequentialBuilder<'a, T> {
    /// Builds the next module in the scope named by its index.
    ///
    /// ```
    /// use tapegrad_nn::{Linear, Model, Sequential};
    /// let m = Model::<f32, _>::build(0, |s| Sequential::new(s).layer(|s| Linear::build(s, 2, 3)).done());
    /// assert_eq!(m.params().name(m.params().id("0.bias").unwrap()), "0.bias");
    /// ```
    #[must_use]
    pub fn layer<M: Module<T> + 'static>(mut self, make: impl FnOnce(Scope<'_, T>) -> M) -> Self {
        let name = self.layers.len().to_string();
        let module = make(self.scope.sub(&name));
        self.layers.push(Box::new(module));
        self
    }

    /// Appends a module that registers nothing (an activation, a pool, a
    /// flatten, dropout), taking the next index.
    ///
    /// ```
    /// use tapegrad_nn::{Activation, Model, Sequential};
    /// let m = Model::<f64, _>::build(0, |s| Sequential::new(s).push(Activation::Gelu).done());
    /// assert_eq!(m.torch_equivalent(), "nn.Sequential(nn.GELU())");
    /// ```
    #[must_use]
    pub fn push<M: Module<T> + 'static>(mut self, module: M) -> Self {
        self.layers.push(Box::new(module));
        self
    }

    /// The finished container.
    ///
    /// ```
    /// use tapegrad_nn::{Model, Sequential};
    /// let m = Model::<f32, _>::build(0, |s| Sequential::new(s).done());
    /// assert_eq!(m.torch_equivalent(), "nn.Sequential()");
    /// ```
    #[must_use]
    pub fn done(self) -> Sequential<T> {
        Sequential {
            layers: self.layers,
        }
    }
}

impl<T: Float> Module<T> for Sequential<T> {
    #[track_caller]
    fn call<'t>(&self, x: Var<'t, T>, cx: &mut Cx<'_, 't, T>) -> Var<'t, T> {
        let mut h = x;
        for layer in &self.layers {
            h = layer.call(h, cx);
        }
        h
    }

    fn torch(&self) -> String {
        let parts: Vec<String> = self.layers.iter().map(|l| l.torch()).collect();
        format!("nn.Sequential({})", parts.join(", "))
    }
}
