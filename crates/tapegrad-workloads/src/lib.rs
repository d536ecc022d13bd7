//! The peer benchmark suite's workloads, written once in tapegrad so that
//! the `workloads` example, the criterion benches and the allocation tests
//! run exactly the same steps.
//!
//! | name | workload | metric |
//! |---|---|---|
//! | `micrograd-demo` | W1: micrograd's demo MLP 2-16-16-1 as a graph of 0-d values | `ms_per_step` |
//! | `micrograd-demo-tensor` | W1 as batched tensors (batch 100) | `ms_per_step` |
//! | `mlp-large` | W2: MLP 784-512-512-10, ReLU, batch 128 | `samples_per_s` |
//! | `online-tiny` | W3: MLP 4-2-2-1, ReLU, batch 1, MSE | `us_per_step` |
//! | `deep-narrow` | W4: 64 → 8 × (64, SELU) → 10, batch 32 | `samples_per_s` |
//! | `scalar-chain` | W5: 10,000 × `x = relu(x·w + b)` of scalars, then backward | `ns_per_op` |
//! | `hvp-mlp` | W6: loss, gradient and `H·v` of W2's MLP with tanh | `ms_per_step` |
//! | `mlp-large-gemm-only` | the eight GEMMs of a W2 step alone (its ceiling) | `samples_per_s` |
//!
//! Shapes, initializations, losses, updates and warm-up / timed step counts
//! follow the peers' definitions (`peers/python/README.md`,
//! `peers/README.md`). The random draws come from `rand`'s `StdRng` (seed 0;
//! seed 1 for W6's direction), not from NumPy's generator, so the data have
//! the peers' distributions but not their exact values: losses agree in
//! scale, not to the last digit.
//!
//! ```
//! use tapegrad_workloads::{build, Name};
//! let mut w = build::<f32>(Name::OnlineTiny);
//! let first = w.step();
//! assert!(first.is_finite());
//! ```

mod data;
mod gemm_only;
mod hvp;
mod micrograd;
mod mlp;
mod run;
mod scalar_chain;

pub use run::{run, Options, Report};

use tapegrad::Float;

/// One workload, ready to run: its data and parameters are made, its tape
/// and gradient store exist; [`step`](Workload::step) does one timed unit.
///
/// ```
/// use tapegrad_workloads::{build, Name};
/// let mut w = build::<f32>(Name::DeepNarrow);
/// let first = w.step();
/// let later = (0..20).map(|_| w.step()).last().unwrap();
/// assert!(later < first, "training on a fixed batch lowers its loss");
/// ```
pub trait Workload {
    /// One step (forward, loss, backward, update; or the workload's own
    /// unit), returning the loss (for W5 the chain's final value).
    fn step(&mut self) -> f64;

    /// Workload-specific figures for the report's `details`, read after
    /// the timed steps (for W6 the norm of `H·v`).
    fn details(&self) -> serde_json::Map<String, serde_json::Value> {
        serde_json::Map::new()
    }
}

/// The workloads, by their peer-suite names.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Name {
    /// W1, scalar graph.
    MicrogradDemo,
    /// W1 as tensors.
    MicrogradDemoTensor,
    /// W2.
    MlpLarge,
    /// W3.
    OnlineTiny,
    /// W4.
    DeepNarrow,
    /// W5.
    ScalarChain,
    /// W6.
    HvpMlp,
    /// W2's GEMMs alone.
    MlpLargeGemmOnly,
}

/// How a workload's median step time becomes its figure.
///
/// ```
/// use tapegrad_workloads::{Metric, Name};
/// assert_eq!(Name::ScalarChain.spec().metric, Metric::NsPerOp(30_000));
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Metric {
    /// Milliseconds per step.
    MsPerStep,
    /// Microseconds per step.
    UsPerStep,
    /// Samples per second: this many samples per step.
    SamplesPerS(usize),
    /// Nanoseconds per recorded op: this many ops per step.
    NsPerOp(usize),
}

/// A workload's name, metric, and untimed / timed step counts.
///
/// ```
/// use tapegrad_workloads::Name;
/// let s = Name::MicrogradDemo.spec();
/// assert!(s.default_f64 && s.timed == 15);
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Spec {
    /// The workload.
    pub name: Name,
    /// What the report's `value` is.
    pub metric: Metric,
    /// Untimed warm-up steps.
    pub warmup: usize,
    /// Timed steps (each timed individually; the figure is their median).
    pub timed: usize,
    /// The element type the peers use when `--f64` is not given.
    pub default_f64: bool,
}

impl Name {
    /// Every workload, in the table's order.
    pub const ALL: [Name; 8] = [
        Name::MicrogradDemo,
        Name::MicrogradDemoTensor,
        Name::MlpLarge,
        Name::OnlineTiny,
        Name::DeepNarrow,
        Name::ScalarChain,
        Name::HvpMlp,
        Name::MlpLargeGemmOnly,
    ];

    /// The peer-suite name, as on the command line.
    ///
    /// ```
    /// assert_eq!(tapegrad_workloads::Name::MlpLarge.as_str(), "mlp-large");
    /// ```
    #[must_use]
    pub fn as_str(self) -> &'static str {
        match self {
            Name::MicrogradDemo => "micrograd-demo",
            Name::MicrogradDemoTensor => "micrograd-demo-tensor",
            Name::MlpLarge => "mlp-large",
            Name::OnlineTiny => "online-tiny",
            Name::DeepNarrow => "deep-narrow",
            Name::ScalarChain => "scalar-chain",
            Name::HvpMlp => "hvp-mlp",
            Name::MlpLargeGemmOnly => "mlp-large-gemm-only",
        }
    }

    /// The workload of a peer-suite name, if there is one.
    ///
    /// ```
    /// use tapegrad_workloads::Name;
    /// assert_eq!(Name::parse("hvp-mlp"), Some(Name::HvpMlp));
    /// assert_eq!(Name::parse("w7"), None);
    /// ```
    #[must_use]
    pub fn parse(s: &str) -> Option<Name> {
        Name::ALL.into_iter().find(|n| n.as_str() == s)
    }

    /// The workload's metric and step counts, as the peers define them.
    ///
    /// ```
    /// use tapegrad_workloads::{Metric, Name};
    /// let s = Name::MlpLarge.spec();
    /// assert_eq!((s.metric, s.warmup, s.timed), (Metric::SamplesPerS(128), 10, 50));
    /// ```
    #[must_use]
    pub fn spec(self) -> Spec {
        let (metric, warmup, timed, default_f64) = match self {
            Name::MicrogradDemo => (Metric::MsPerStep, 3, 15, true),
            Name::MicrogradDemoTensor => (Metric::MsPerStep, 20, 200, true),
            Name::MlpLarge | Name::MlpLargeGemmOnly => (Metric::SamplesPerS(128), 10, 50, false),
            // One warm-up epoch, five timed epochs of 1000 samples.
            Name::OnlineTiny => (Metric::UsPerStep, 1000, 5000, false),
            Name::DeepNarrow => (Metric::SamplesPerS(32), 20, 200, false),
            Name::ScalarChain => (Metric::NsPerOp(3 * scalar_chain::ITERATIONS), 2, 11, false),
            Name::HvpMlp => (Metric::MsPerStep, 5, 30, false),
        };
        Spec {
            name: self,
            metric,
            warmup,
            timed,
            default_f64,
        }
    }
}

/// The workload `name` in element type `T`, with its data and parameters
/// made (untimed).
///
/// ```
/// use tapegrad_workloads::{build, Name};
/// let mut w = build::<f64>(Name::ScalarChain);
/// let x = w.step();
/// assert!((x - (1.5 * 1.0001f64.powi(10_000) - 1.0)).abs() < 1e-9);
/// ```
#[must_use]
pub fn build<T: Float>(name: Name) -> Box<dyn Workload> {
    match name {
        Name::MicrogradDemo => Box::new(micrograd::Scalars::<T>::new()),
        Name::MicrogradDemoTensor => Box::new(micrograd::Tensors::<T>::new()),
        Name::MlpLarge => Box::new(mlp::Classifier::<T>::mlp_large()),
        Name::OnlineTiny => Box::new(mlp::OnlineTiny::<T>::new()),
        Name::DeepNarrow => Box::new(mlp::Classifier::<T>::deep_narrow()),
        Name::ScalarChain => Box::new(scalar_chain::ScalarChain::<T>::new()),
        Name::HvpMlp => Box::new(hvp::HvpMlp::<T>::new()),
        Name::MlpLargeGemmOnly => Box::new(gemm_only::GemmOnly::<T>::new()),
    }
}
