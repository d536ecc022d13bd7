//! The textbook failure modes, measured: dead relu units (never active over
//! an epoch, so they never learn again), saturated sigmoid/tanh units (the
//! "network paralysis" of the classic texts: σ' ≈ 0 for every sample), and
//! per-layer gradient norms (vanishing or exploding gradients).

use crate::Activation;
use std::fmt;
use tapegrad::Float;

/// A unit counts as saturated when it was beyond its activation's bounds on
/// at least this share of the samples seen.
///
/// ```
/// assert_eq!(tapegrad_nn::SATURATED_SHARE, 0.99);
/// ```
pub const SATURATED_SHARE: f64 = 0.99;

/// Per-unit activity of every hidden layer, accumulated over forward passes
/// (normally one epoch).
///
/// ```
/// use tapegrad_nn::{Activation, ActivationStats};
/// let mut s = ActivationStats::new();
/// // layer 0, relu, 2 units, 2 samples: unit 0 active once, unit 1 never.
/// s.observe(0, Activation::Relu, 2, &[1.0f32, -1.0, -2.0, -3.0], &[1.0, 0.0, 0.0, 0.0]);
/// assert_eq!(s.dead_fraction(0), Some(0.5));
/// assert_eq!(s.samples(0), 2);
/// ```
#[derive(Clone, Debug, Default, PartialEq)]
pub struct ActivationStats {
    layers: Vec<LayerStats>,
}

#[derive(Clone, Debug, Default, PartialEq)]
struct LayerStats {
    activation: Option<Activation>,
    ever_active: Vec<bool>,
    saturated: Vec<u64>,
    samples: u64,
}

impl ActivationStats {
    /// No observations yet.
    ///
    /// ```
    /// assert!(tapegrad_nn::ActivationStats::new().is_empty());
    /// ```
    #[must_use]
    pub fn new() -> Self {
        Self::default()
    }

    /// Forgets all observations, keeping the buffers.
    ///
    /// ```
    /// use tapegrad_nn::{Activation, ActivationStats};
    /// let mut s = ActivationStats::new();
    /// s.observe(0, Activation::Relu, 1, &[1.0f32], &[1.0]);
    /// s.reset();
    /// assert_eq!((s.samples(0), s.len()), (0, 1));
    /// ```
    pub fn reset(&mut self) {
        for l in &mut self.layers {
            l.ever_active.fill(false);
            l.saturated.fill(0);
            l.samples = 0;
        }
    }

    /// Records one batch of hidden layer `layer`: its pre-activations `pre`
    /// and outputs `post`, both row-major `[rows, units]`.
    ///
    /// # Panics
    /// When `pre` and `post` differ in length or are not whole rows.
    ///
    /// ```
    /// use tapegrad_nn::{Activation, ActivationStats};
    /// let mut s = ActivationStats::new();
    /// // layer 0, tanh, 1 unit, 2 samples, both saturated
    /// s.observe(0, Activation::Tanh, 1, &[5.0f64, -6.0], &[0.9999, -0.99999]);
    /// assert_eq!(s.saturated_fraction(0), Some(1.0));
    /// ```
    #[track_caller]
    pub fn observe<T: Float>(
        &mut self,
        layer: usize,
        act: Activation,
        units: usize,
        pre: &[T],
        post: &[T],
    ) {
        assert!(
            pre.len() == post.len() && units > 0 && pre.len().is_multiple_of(units),
            "tapegrad-nn: ActivationStats::observe: {} pre-activations, {} outputs, {units} units",
            pre.len(),
            post.len()
        );
        if self.layers.len() <= layer {
            self.layers.resize(layer + 1, LayerStats::default());
        }
        let l = &mut self.layers[layer];
        if l.ever_active.len() != units || l.activation != Some(act) {
            *l = LayerStats {
                activation: Some(act),
                ever_active: vec![false; units],
                saturated: vec![0; units],
                samples: 0,
            };
        }
        l.samples += (pre.len() / units) as u64;
        if act.can_die() {
            for row in pre.chunks_exact(units) {
                for (a, &z) in l.ever_active.iter_mut().zip(row) {
                    *a |= z > T::zero();
                }
            }
        }
        if let Some((lo, hi)) = act.saturation_bounds() {
            let (lo, hi) = (T::from_f64(lo), T::from_f64(hi));
            for row in post.chunks_exact(units) {
                for (s, &y) in l.saturated.iter_mut().zip(row) {
                    *s += u64::from(y < lo || y > hi);
                }
            }
        }
    }

    /// Number of layers observed.
    ///
    /// ```
    /// use tapegrad_nn::{Activation, ActivationStats};
    /// let mut s = ActivationStats::new();
    /// s.observe(1, Activation::Relu, 1, &[1.0f32], &[1.0]);
    /// assert_eq!(s.len(), 2); // layers 0 and 1 (layer 0 not observed yet)
    /// ```
    #[must_use]
    pub fn len(&self) -> usize {
        self.layers.len()
    }

    /// Whether nothing was observed.
    ///
    /// ```
    /// assert!(tapegrad_nn::ActivationStats::new().is_empty());
    /// ```
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.layers.is_empty()
    }

    /// Rows seen by hidden layer `layer`.
    ///
    /// ```
    /// use tapegrad_nn::{Activation, ActivationStats};
    /// let mut s = ActivationStats::new();
    /// s.observe(0, Activation::Relu, 2, &[1.0f32, 2.0, 3.0, 4.0], &[1.0, 2.0, 3.0, 4.0]);
    /// assert_eq!(s.samples(0), 2);
    /// ```
    #[must_use]
    pub fn samples(&self, layer: usize) -> u64 {
        self.layers.get(layer).map_or(0, |l| l.samples)
    }

    /// Units of layer `layer` whose pre-activation was never > 0, for
    /// activations that [can die](Activation::can_die); `None` otherwise or
    /// when nothing was seen.
    ///
    /// ```
    /// use tapegrad_nn::{Activation, ActivationStats};
    /// let mut s = ActivationStats::new();
    /// s.observe(0, Activation::Relu, 3, &[1.0f32, -1.0, 0.0], &[1.0, 0.0, 0.0]);
    /// assert_eq!(s.dead_units(0), Some(2)); // 0 is not "active": relu'(0) = 0
    /// ```
    #[must_use]
    pub fn dead_units(&self, layer: usize) -> Option<usize> {
        let l = self.layers.get(layer)?;
        (l.activation?.can_die() && l.samples > 0)
            .then(|| l.ever_active.iter().filter(|&&a| !a).count())
    }

    /// [`dead_units`](ActivationStats::dead_units) as a fraction of the
    /// layer's units.
    ///
    /// ```
    /// use tapegrad_nn::{Activation, ActivationStats};
    /// let mut s = ActivationStats::new();
    /// s.observe(0, Activation::Elu(1.0), 4, &[1.0f64, -1.0, -2.0, 3.0], &[1.0, -0.63, -0.86, 3.0]);
    /// assert_eq!(s.dead_fraction(0), Some(0.5));
    /// ```
    #[must_use]
    pub fn dead_fraction(&self, layer: usize) -> Option<f64> {
        let n = self.layers.get(layer)?.ever_active.len();
        self.dead_units(layer).map(|d| d as f64 / n as f64)
    }

    /// Units of layer `layer` beyond their saturation bounds on at least
    /// [`SATURATED_SHARE`] of the samples (sigmoid and tanh only).
    ///
    /// ```
    /// use tapegrad_nn::{Activation, ActivationStats};
    /// let mut s = ActivationStats::new();
    /// s.observe(0, Activation::Sigmoid, 2, &[9.0f64, 0.0], &[0.9999, 0.5]);
    /// assert_eq!(s.saturated_units(0), Some(1));
    /// ```
    #[must_use]
    pub fn saturated_units(&self, layer: usize) -> Option<usize> {
        let l = self.layers.get(layer)?;
        if l.activation?.saturation_bounds().is_none() || l.samples == 0 {
            return None;
        }
        let need = SATURATED_SHARE * l.samples as f64;
        Some(l.saturated.iter().filter(|&&s| s as f64 >= need).count())
    }

    /// [`saturated_units`](ActivationStats::saturated_units) as a fraction
    /// of the layer's units.
    ///
    /// ```
    /// use tapegrad_nn::{Activation, ActivationStats};
    /// let mut s = ActivationStats::new();
    /// s.observe(0, Activation::Sigmoid, 2, &[9.0f64, 0.0], &[0.9999, 0.5]);
    /// assert_eq!(s.saturated_fraction(0), Some(0.5));
    /// assert_eq!(s.dead_fraction(0), None); // sigmoid units cannot die
    /// ```
    #[must_use]
    pub fn saturated_fraction(&self, layer: usize) -> Option<f64> {
        let n = self.layers.get(layer)?.saturated.len();
        self.saturated_units(layer).map(|s| s as f64 / n as f64)
    }
}

/// What the trainer measured of one layer over one epoch.
///
/// ```
/// use tapegrad_nn::LayerDiagnostics;
/// let d = LayerDiagnostics {
///     layer: 0,
///     name: "0: Linear(64, 128) + relu".into(),
///     units: 128,
///     dead_fraction: Some(0.25),
///     saturated_fraction: None,
///     grad_norm: 0.1,
///     grad_norm_max: 0.3,
/// };
/// assert!(d.to_string().contains("dead 25.0%"));
/// ```
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[derive(Clone, Debug, PartialEq)]
pub struct LayerDiagnostics {
    /// Position among the Linear layers (0 = first hidden layer).
    pub layer: usize,
    /// The layer as PyTorch would print it, with its activation.
    pub name: String,
    /// Output units.
    pub units: usize,
    /// Share of units never active over the epoch (relu family).
    pub dead_fraction: Option<f64>,
    /// Share of units saturated on (nearly) every sample (sigmoid, tanh).
    pub saturated_fraction: Option<f64>,
    /// Mean over the epoch's steps of the L2 norm of this layer's weight and
    /// bias gradient.
    pub grad_norm: f64,
    /// Largest per-step gradient norm of the epoch.
    pub grad_norm_max: f64,
}

impl fmt::Display for LayerDiagnostics {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{:<34} grad norm {:>10.3e} (max {:>9.3e})",
            self.name, self.grad_norm, self.grad_norm_max
        )?;
        if let Some(d) = self.dead_fraction {
            write!(f, "  dead {:.1}%", 100.0 * d)?;
        }
        if let Some(s) = self.saturated_fraction {
            write!(f, "  saturated {:.1}%", 100.0 * s)?;
        }
        Ok(())
    }
}

/// Every layer's diagnostics for one epoch.
///
/// ```
/// use tapegrad_nn::Diagnostics;
/// let d = Diagnostics { layers: vec![] };
/// assert_eq!(d.max_dead_fraction(), None);
/// ```
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Diagnostics {
    /// One entry per Linear layer, the output layer last.
    pub layers: Vec<LayerDiagnostics>,
}

impl Diagnostics {
    /// The largest dead-unit share over the layers, if any layer can die.
    ///
    /// ```
    /// use tapegrad_nn::{Diagnostics, LayerDiagnostics};
    /// let layer = |dead, sat| LayerDiagnostics {
    ///     layer: 0, name: "0: Linear(2, 2)".into(), units: 2,
    ///     dead_fraction: dead, saturated_fraction: sat, grad_norm: 1.0, grad_norm_max: 1.0,
    /// };
    /// let d = Diagnostics { layers: vec![layer(Some(0.5), None), layer(Some(0.25), None), layer(None, None)] };
    /// assert_eq!(d.max_dead_fraction(), Some(0.5));
    /// ```
    #[must_use]
    pub fn max_dead_fraction(&self) -> Option<f64> {
        self.layers
            .iter()
            .filter_map(|l| l.dead_fraction)
            .reduce(f64::max)
    }

    /// The largest saturated-unit share over the layers, if any saturates.
    ///
    /// ```
    /// use tapegrad_nn::{Diagnostics, LayerDiagnostics};
    /// let layer = |dead, sat| LayerDiagnostics {
    ///     layer: 0, name: "0: Linear(2, 2)".into(), units: 2,
    ///     dead_fraction: dead, saturated_fraction: sat, grad_norm: 1.0, grad_norm_max: 1.0,
    /// };
    /// let d = Diagnostics { layers: vec![layer(None, Some(0.1)), layer(None, None)] };
    /// assert_eq!(d.max_saturated_fraction(), Some(0.1));
    /// ```
    #[must_use]
    pub fn max_saturated_fraction(&self) -> Option<f64> {
        self.layers
            .iter()
            .filter_map(|l| l.saturated_fraction)
            .reduce(f64::max)
    }
}

impl fmt::Display for Diagnostics {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, l) in self.layers.iter().enumerate() {
            if i > 0 {
                writeln!(f)?;
            }
            write!(f, "  {l}")?;
        }
        Ok(())
    }
}
