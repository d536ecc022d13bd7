//! Optimizers over flat slices: the parameters and gradients of a whole
//! model are each one `&[T]`, and each optimizer's state (velocity, Adam's
//! moments) is a flat buffer of the same length, created on the first step.
//! The update rules follow PyTorch's `torch.optim` to the letter, so a
//! step computed here matches one computed there.

use tapegrad::Float;

/// Updates parameters in place from their gradients.
///
/// ```
/// use tapegrad_nn::{Optimizer, Sgd};
/// let mut opt = Sgd::new(0.1);
/// let mut p = [1.0f64, 2.0];
/// opt.step(&mut p, &[1.0, -1.0]);
/// assert_eq!(p, [0.9, 2.1]);
/// opt.set_lr(0.5);
/// assert_eq!(opt.lr(), 0.5);
/// ```
pub trait Optimizer<T: Float> {
    /// One update of `params` from `grads` (same length, same layout).
    ///
    /// # Panics
    /// When the lengths differ, or differ from the previous step's.
    fn step(&mut self, params: &mut [T], grads: &[T]);
    /// The current learning rate.
    fn lr(&self) -> f64;
    /// Sets the learning rate (schedules call this once per epoch).
    fn set_lr(&mut self, lr: f64);
}

#[track_caller]
fn check_len<T>(params: &[T], grads: &[T], state: &mut Vec<T>, zero: T)
where
    T: Copy,
{
    assert!(
        params.len() == grads.len(),
        "tapegrad-nn: optimizer step: {} parameters but {} gradients",
        params.len(),
        grads.len()
    );
    if state.is_empty() {
        state.resize(params.len(), zero);
    }
    assert!(
        state.len() == params.len(),
        "tapegrad-nn: optimizer step: {} parameters, but the state was made for {}",
        params.len(),
        state.len()
    );
}

/// Stochastic gradient descent with momentum ("inertia"), Nesterov
/// momentum and L2 weight decay, as `torch.optim.SGD` (dampening 0):
///
/// ```text
/// g ← g + λ·p                      (weight decay λ)
/// v ← μ·v + g                      (momentum μ; v starts at 0)
/// d ← g + μ·v  if Nesterov, else v
/// p ← p − η·d
/// ```
///
/// With a constant η this is the classic "inertia" form
/// `Δp(t) = μ·Δp(t−1) − η·∇E` of the backprop texts.
///
/// ```
/// use tapegrad_nn::{Optimizer, Sgd};
/// let mut opt = Sgd::new(0.1).momentum(0.9);
/// let mut p = [0.0f64];
/// opt.step(&mut p, &[1.0]); // v = 1,   p = −0.1
/// opt.step(&mut p, &[1.0]); // v = 1.9, p = −0.29
/// assert!((p[0] + 0.29).abs() < 1e-15);
/// ```
#[derive(Clone, Debug)]
pub struct Sgd<T: Float> {
    lr: f64,
    momentum: f64,
    nesterov: bool,
    weight_decay: f64,
    velocity: Vec<T>,
}

impl<T: Float> Sgd<T> {
    /// Plain SGD with learning rate `lr`.
    ///
    /// ```
    /// use tapegrad_nn::{Optimizer, Sgd};
    /// assert_eq!(Sgd::<f32>::new(0.1).lr(), 0.1);
    /// ```
    #[must_use]
    pub fn new(lr: f64) -> Self {
        Sgd {
            lr,
            momentum: 0.0,
            nesterov: false,
            weight_decay: 0.0,
            velocity: Vec::new(),
        }
    }

    /// Sets the momentum coefficient μ (0.9 is usual).
    ///
    /// ```
    /// use tapegrad_nn::{Optimizer, Sgd};
    /// let mut opt = Sgd::new(1.0).momentum(0.5);
    /// let mut p = [0.0f64];
    /// opt.step(&mut p, &[1.0]); // v = 1
    /// opt.step(&mut p, &[0.0]); // v = 0.5: inertia keeps it moving
    /// assert_eq!(p[0], -1.5);
    /// ```
    #[must_use]
    pub fn momentum(mut self, mu: f64) -> Self {
        self.momentum = mu;
        self
    }

    /// Uses Nesterov's look-ahead momentum.
    ///
    /// ```
    /// use tapegrad_nn::{Optimizer, Sgd};
    /// let mut opt = Sgd::new(1.0).momentum(0.5).nesterov(true);
    /// let mut p = [0.0f64];
    /// opt.step(&mut p, &[1.0]); // v = 1, step g + μv = 1.5
    /// assert_eq!(p[0], -1.5);
    /// ```
    #[must_use]
    pub fn nesterov(mut self, on: bool) -> Self {
        self.nesterov = on;
        self
    }

    /// Adds `λ·p` to every gradient (L2 regularization).
    ///
    /// ```
    /// use tapegrad_nn::{Optimizer, Sgd};
    /// let mut opt = Sgd::new(0.5).weight_decay(1.0);
    /// let mut p = [2.0f64];
    /// opt.step(&mut p, &[0.0]); // g = 0 + 1·2
    /// assert_eq!(p[0], 1.0);
    /// ```
    #[must_use]
    pub fn weight_decay(mut self, lambda: f64) -> Self {
        self.weight_decay = lambda;
        self
    }
}

impl<T: Float> Optimizer<T> for Sgd<T> {
    #[track_caller]
    fn step(&mut self, params: &mut [T], grads: &[T]) {
        let (lr, mu, wd) = (
            T::from_f64(self.lr),
            T::from_f64(self.momentum),
            T::from_f64(self.weight_decay),
        );
        if self.momentum == 0.0 {
            assert!(
                params.len() == grads.len(),
                "tapegrad-nn: optimizer step: lengths differ"
            );
            for (p, &g) in params.iter_mut().zip(grads) {
                *p -= lr * (g + wd * *p);
            }
            return;
        }
        check_len(params, grads, &mut self.velocity, T::zero());
        for ((p, &g), v) in params.iter_mut().zip(grads).zip(self.velocity.iter_mut()) {
            let g = g + wd * *p;
            *v = mu * *v + g;
            let d = if self.nesterov { g + mu * *v } else { *v };
            *p -= lr * d;
        }
    }

    fn lr(&self) -> f64 {
        self.lr
    }

    fn set_lr(&mut self, lr: f64) {
        self.lr = lr;
    }
}

/// Adam (Kingma & Ba 2015) and AdamW (Loshchilov & Hutter 2019), as
/// `torch.optim.Adam` / `torch.optim.AdamW`, at step t (from 1):
///
/// ```text
/// Adam:  g ← g + λ·p                    AdamW: p ← p·(1 − η·λ)
/// m ← β₁·m + (1 − β₁)·g
/// v ← β₂·v + (1 − β₂)·g²
/// p ← p − η · (m / (1 − β₁ᵗ)) / (√(v / (1 − β₂ᵗ)) + ε)
/// ```
///
/// ```
/// use tapegrad_nn::{Adam, Optimizer};
/// let mut opt = Adam::new(0.1);
/// let mut p = [1.0f64];
/// opt.step(&mut p, &[3.0]); // the first Adam step moves by ≈ lr, whatever |g|
/// assert!((p[0] - 0.9).abs() < 1e-7);
/// ```
#[derive(Clone, Debug)]
pub struct Adam<T: Float> {
    lr: f64,
    beta1: f64,
    beta2: f64,
    eps: f64,
    weight_decay: f64,
    decoupled: bool,
    t: i32,
    m: Vec<T>,
    v: Vec<T>,
}

impl<T: Float> Adam<T> {
    /// Adam with learning rate `lr`, β = (0.9, 0.999), ε = 1e-8, no decay.
    ///
    /// ```
    /// use tapegrad_nn::{Adam, Optimizer};
    /// assert_eq!(Adam::<f32>::new(1e-3).lr(), 1e-3);
    /// ```
    #[must_use]
    pub fn new(lr: f64) -> Self {
        Adam {
            lr,
            beta1: 0.9,
            beta2: 0.999,
            eps: 1e-8,
            weight_decay: 0.0,
            decoupled: false,
            t: 0,
            m: Vec::new(),
            v: Vec::new(),
        }
    }

    /// AdamW: Adam with decoupled weight decay `lambda` (PyTorch's default
    /// is 0.01).
    ///
    /// ```
    /// use tapegrad_nn::{Adam, Optimizer};
    /// let mut opt = Adam::adamw(0.1, 0.5);
    /// let mut p = [2.0f64];
    /// opt.step(&mut p, &[0.0]); // zero gradient: only the decay acts
    /// assert!((p[0] - 2.0 * (1.0 - 0.1 * 0.5)).abs() < 1e-15);
    /// ```
    #[must_use]
    pub fn adamw(lr: f64, lambda: f64) -> Self {
        Adam {
            weight_decay: lambda,
            decoupled: true,
            ..Self::new(lr)
        }
    }

    /// Sets β₁ and β₂.
    ///
    /// ```
    /// use tapegrad_nn::{Adam, Optimizer};
    /// let mut opt = Adam::new(0.1).betas(0.5, 0.9);
    /// let mut p = [0.0f64];
    /// opt.step(&mut p, &[1.0]);
    /// assert!((p[0] + 0.1).abs() < 1e-6); // the first step is ≈ lr for any betas
    /// ```
    #[must_use]
    pub fn betas(mut self, beta1: f64, beta2: f64) -> Self {
        self.beta1 = beta1;
        self.beta2 = beta2;
        self
    }

    /// Sets ε.
    ///
    /// ```
    /// use tapegrad_nn::{Adam, Optimizer};
    /// let mut opt = Adam::new(0.1).eps(1.0);
    /// let mut p = [0.0f64];
    /// opt.step(&mut p, &[1.0]); // m̂ = 1, √v̂ = 1: step 0.1·1/(1 + 1)
    /// assert!((p[0] + 0.05).abs() < 1e-12);
    /// ```
    #[must_use]
    pub fn eps(mut self, eps: f64) -> Self {
        self.eps = eps;
        self
    }

    /// L2 weight decay added to the gradient (Adam's coupled form).
    ///
    /// ```
    /// use tapegrad_nn::{Adam, Optimizer};
    /// let mut opt = Adam::new(0.1).weight_decay(1.0);
    /// let mut p = [1.0f64];
    /// opt.step(&mut p, &[-1.0]); // g + λp = 0: no move
    /// assert!((p[0] - 1.0).abs() < 1e-12);
    /// ```
    #[must_use]
    pub fn weight_decay(mut self, lambda: f64) -> Self {
        self.weight_decay = lambda;
        self.decoupled = false;
        self
    }

    /// Steps taken so far.
    ///
    /// ```
    /// use tapegrad_nn::{Adam, Optimizer};
    /// let mut opt = Adam::new(0.1);
    /// opt.step(&mut [0.0f32], &[1.0]);
    /// assert_eq!(opt.steps(), 1);
    /// ```
    #[must_use]
    pub fn steps(&self) -> i32 {
        self.t
    }
}

impl<T: Float> Optimizer<T> for Adam<T> {
    #[track_caller]
    fn step(&mut self, params: &mut [T], grads: &[T]) {
        check_len(params, grads, &mut self.m, T::zero());
        check_len(params, grads, &mut self.v, T::zero());
        self.t += 1;
        let f = T::from_f64;
        let (b1, b2) = (f(self.beta1), f(self.beta2));
        let (one, wd, lr, eps) = (T::one(), f(self.weight_decay), f(self.lr), f(self.eps));
        let bc1 = f(1.0 - self.beta1.powi(self.t));
        let bc2_sqrt = f((1.0 - self.beta2.powi(self.t)).sqrt());
        let step = lr / bc1;
        let decay = one - lr * wd;
        for (((p, &g), m), v) in params
            .iter_mut()
            .zip(grads)
            .zip(self.m.iter_mut())
            .zip(self.v.iter_mut())
        {
            let g = if self.decoupled {
                *p *= decay;
                g
            } else {
                g + wd * *p
            };
            *m = b1 * *m + (one - b1) * g;
            *v = b2 * *v + (one - b2) * g * g;
            *p -= step * *m / (v.sqrt() / bc2_sqrt + eps);
        }
    }

    fn lr(&self) -> f64 {
        self.lr
    }

    fn set_lr(&mut self, lr: f64) {
        self.lr = lr;
    }
}
