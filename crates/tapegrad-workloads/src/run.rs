//! Timing a workload as the peers do (warm-up, then every step timed on its
//! own, the median reported) and its one JSON line.

use crate::{build, Metric, Name};
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
    /// use tapegrad_workloads::{run, Name};
    /// let line = run(Name::ScalarChain, true, Some((0, 1))).json_line();
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

/// Runs workload `name` in f64 if `f64` (else f32): its warm-up steps
/// untimed, then each timed step timed on its own; `counts` overrides
/// `(warm-up, timed)`.
///
/// # Panics
/// When `counts` asks for no timed step.
///
/// ```
/// use tapegrad_workloads::{run, Name};
/// let r = run(Name::OnlineTiny, false, Some((10, 20)));
/// assert_eq!((r.metric, r.unit), ("us_per_step", "us"));
/// assert!(r.value > 0.0);
/// ```
#[must_use]
#[track_caller]
pub fn run(name: Name, f64: bool, counts: Option<(usize, usize)>) -> Report {
    if f64 {
        run_in::<f64>(name, "f64", counts)
    } else {
        run_in::<f32>(name, "f32", counts)
    }
}

#[track_caller]
fn run_in<T: Float>(name: Name, dtype: &str, counts: Option<(usize, usize)>) -> Report {
    let spec = name.spec();
    let (warmup, timed) = counts.unwrap_or((spec.warmup, spec.timed));
    assert!(timed > 0, "run: {}: no timed step", name.as_str());
    let mut w = build::<T>(name);
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
    let (min, max) = secs
        .iter()
        .fold((f64::INFINITY, 0.0f64), |(lo, hi), &s| (lo.min(s), hi.max(s)));
    let med = median(&mut secs);
    let (metric, value, unit) = match spec.metric {
        Metric::MsPerStep => ("ms_per_step", med * 1e3, "ms"),
        Metric::UsPerStep => ("us_per_step", med * 1e6, "us"),
        Metric::SamplesPerS(n) => ("samples_per_s", n as f64 / med, "samples/s"),
        Metric::NsPerOp(n) => ("ns_per_op", med * 1e9 / n as f64, "ns"),
    };
    let mut details = json!({
        "dtype": dtype,
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
