//! Timing a workload as the peers do (warm-up, then every step timed on its
//! own, the median reported) and its one JSON line.

use crate::{build, mlp, Metric, Name, Workload};
use serde_json::{json, Value};
use std::time::Instant;
use tapegrad::Float;

/// One workload's result, in the peers' format.
#[derive(Clone, Debug)]
pub struct Report {
    /// The peer-suite workload name.
    pub workload: &'static str,
    /// `ms_per_step`, `us_per_step`, `samples_per_s` or `ns_per_op`.
    pub metric: &'static str,
    /// The figure, from the median step.
    pub value: f64,
    /// `ms`, `us`, `samples/s` or `ns`.
    pub unit: &'static str,
    /// Step statistics, the first and last timed steps' losses, and the
    /// workload's own figures.
    pub details: Value,
}

impl Report {
    /// The peers' JSON line: `{workload, system, metric, value, unit,
    /// details}` with `system = "tapegrad"`.
    ///
    /// ```
    /// use tapegrad_workloads::{run, Name, Options};
    /// let opts = Options { warmup: Some(0), timed: Some(1), ..Options::default() };
    /// let line = run(Name::ScalarChain, &opts).json_line();
    /// assert!(line.starts_with(r#"{"workload":"scalar-chain","system":"tapegrad""#));
    /// ```
    #[must_use]
    pub fn json_line(&self) -> String {
        // Built by hand so the keys keep the peers' order.
        format!(
            r#"{{"workload":{},"system":"tapegrad","metric":{},"value":{},"unit":{},"details":{}}}"#,
            json!(self.workload),
            json!(self.metric),
            json!(self.value),
            json!(self.unit),
            self.details
        )
    }
}

fn median(v: &mut [f64]) -> f64 {
    v.sort_by(f64::total_cmp);
    let n = v.len();
    if n % 2 == 1 {
        v[n / 2]
    } else {
        0.5 * (v[n / 2 - 1] + v[n / 2])
    }
}

/// How to run a workload; `None` fields take the workload's own values.
#[derive(Clone, Copy, Debug, Default)]
pub struct Options {
    /// f64 instead of the workload's default element type.
    pub f64: bool,
    /// Untimed warm-up steps.
    pub warmup: Option<usize>,
    /// Timed steps.
    pub timed: Option<usize>,
    /// Another batch size (W2 `mlp-large` only: the batch-size sweep).
    pub batch: Option<usize>,
}

/// Runs workload `name`: its warm-up steps untimed, then each timed step
/// timed on its own; the figure comes from the median step.
///
/// # Panics
/// When `options` asks for no timed step, or for a batch size of a
/// workload other than `mlp-large`.
///
/// ```
/// use tapegrad_workloads::{run, Name, Options};
/// let opts = Options { warmup: Some(10), timed: Some(20), ..Options::default() };
/// let r = run(Name::OnlineTiny, &opts);
/// assert_eq!((r.metric, r.unit), ("us_per_step", "us"));
/// assert!(r.value > 0.0);
/// ```
#[must_use]
#[track_caller]
pub fn run(name: Name, options: &Options) -> Report {
    if options.f64 || name.spec().default_f64 {
        run_in::<f64>(name, "f64", options)
    } else {
        run_in::<f32>(name, "f32", options)
    }
}

#[track_caller]
fn run_in<T: Float>(name: Name, dtype: &str, options: &Options) -> Report {
    let mut spec = name.spec();
    let (warmup, timed) = (
        options.warmup.unwrap_or(spec.warmup),
        options.timed.unwrap_or(spec.timed),
    );
    assert!(timed > 0, "run: {}: no timed step", name.as_str());
    let mut w: Box<dyn Workload> = match options.batch {
        None => build::<T>(name),
        Some(batch) => {
            assert!(
                name == Name::MlpLarge,
                "run: a batch size is for mlp-large only, not {}",
                name.as_str()
            );
            spec.metric = Metric::SamplesPerS(batch);
            Box::new(mlp::Classifier::<T>::mlp_large_with_batch(batch))
        }
    };
    for _ in 0..warmup {
        w.step();
    }
    let mut secs = Vec::with_capacity(timed);
    let (mut first_loss, mut last_loss) = (0.0, 0.0);
    let wall = Instant::now();
    for i in 0..timed {
        let t0 = Instant::now();
        let loss = w.step();
        secs.push(t0.elapsed().as_secs_f64());
        if i == 0 {
            first_loss = loss;
        }
        last_loss = loss;
    }
    let wall_s = wall.elapsed().as_secs_f64();
    let (min, max) = secs.iter().fold((f64::INFINITY, 0.0f64), |(lo, hi), &s| {
        (lo.min(s), hi.max(s))
    });
    let med = median(&mut secs);
    let (metric, value, unit) = match spec.metric {
        Metric::MsPerStep => ("ms_per_step", med * 1e3, "ms"),
        Metric::UsPerStep => ("us_per_step", med * 1e6, "us"),
        Metric::SamplesPerS(n) => ("samples_per_s", n as f64 / med, "samples/s"),
        Metric::NsPerOp(n) => ("ns_per_op", med * 1e9 / n as f64, "ns"),
    };
    let mut details = json!({
        "dtype": dtype,
        "batch": match spec.metric {
            Metric::SamplesPerS(n) => Some(n),
            _ => None,
        },
        "warmup_steps": warmup,
        "timed_steps": timed,
        "median_step_ms": med * 1e3,
        "min_step_ms": min * 1e3,
        "max_step_ms": max * 1e3,
        "wall_ms_per_step": wall_s * 1e3 / timed as f64,
        "first_loss": first_loss,
        "last_loss": last_loss,
        "threads": std::thread::available_parallelism().map_or(1, |n| n.get()),
    });
    if name == Name::MlpLargeGemmOnly {
        details["gflops"] = json!(crate::gemm_only::FLOP as f64 / med / 1e9);
    }
    if let Value::Object(map) = &mut details {
        map.extend(w.details());
    }
    Report {
        workload: name.as_str(),
        metric,
        value,
        unit,
        details,
    }
}
