//! Adam and AdamW.

use super::{check_len, Optimizer};
use tapegrad::Float;

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
