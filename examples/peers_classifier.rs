//! The peer benchmarks' MLP training steps in tapegrad, printing the peers'
//! one JSON line (`workload, system, metric, value, unit, details`) so the
//! figure sits next to candle's, burn's, PyTorch's and JAX's:
//!
//! ```text
//! cargo run --release --example peers_classifier -- mlp-large    # W2
//! cargo run --release --example peers_classifier -- deep-narrow  # W4
//! cargo run --release --example peers_classifier -- deep-narrow --warmup 10 --steps 50
//! ```
//!
//! * W2 `mlp-large`: 784-512-512-10, ReLU, batch 128, `W, b ~ U(±1/√fan_in)`;
//!   10 warm-up steps, 50 timed.
//! * W4 `deep-narrow`: 64 → eight `Linear(64, 64)` + SELU → `Linear(64, 10)`,
//!   batch 32, LeCun normal `W ~ N(0, 1/fan_in)`, `b = 0`; 20 warm-up, 200
//!   timed (candle's runner does 10 and 50: pass the same counts to
//!   compare whole processes).
//!
//! Both: f32, a fixed batch `X ~ N(0, 1)` with integer labels, mean softmax
//! cross-entropy, plain SGD `p −= 0.01·∂L/∂p`. One step = forward, loss,
//! backward, update; metric = batch / median step time. The tape is cleared
//! and reused every step and the gradients land in one reused store.

use rand::rngs::StdRng;
use rand::SeedableRng;
use std::time::Instant;
use tapegrad::{Gradients, Tape, Tensor, Var};

struct Workload {
    name: &'static str,
    sizes: Vec<usize>,
    batch: usize,
    selu: bool,
    warmup: usize,
    steps: usize,
}

fn workload(name: &str) -> Workload {
    match name {
        "mlp-large" => Workload {
            name: "mlp-large",
            sizes: vec![784, 512, 512, 10],
            batch: 128,
            selu: false,
            warmup: 10,
            steps: 50,
        },
        "deep-narrow" => Workload {
            name: "deep-narrow",
            sizes: [vec![64; 9], vec![10]].concat(),
            batch: 32,
            selu: true,
            warmup: 20,
            steps: 200,
        },
        other => unreachable!("clap accepts only the listed workloads, not {other}"),
    }
}

/// `W₁, b₁, W₂, b₂, …` with `W` stored `[in, out]`.
fn init(w: &Workload, rng: &mut StdRng) -> Vec<Tensor<f32>> {
    let mut params = Vec::new();
    for io in w.sizes.windows(2) {
        let scale = 1.0 / (io[0] as f32).sqrt();
        if w.selu {
            let mut weight = Tensor::randn([io[0], io[1]], rng);
            weight.data_mut().iter_mut().for_each(|e| *e *= scale);
            params.push(weight);
            params.push(Tensor::zeros([io[1]]));
        } else {
            params.push(Tensor::uniform([io[0], io[1]], -scale, scale, rng));
            params.push(Tensor::uniform([io[1]], -scale, scale, rng));
        }
    }
    params
}

fn forward<'t>(
    w: &Workload,
    tape: &'t Tape<f32>,
    params: &[Tensor<f32>],
    x: &Tensor<f32>,
    labels: &[usize],
) -> (Vec<Var<'t, f32>>, Var<'t, f32>) {
    let vars: Vec<Var<'t, f32>> = params
        .iter()
        .map(|p| tape.param_slice(p.data(), p.shape().clone()))
        .collect();
    let mut h = tape.constant_slice(x.data(), x.shape().clone());
    let layers = vars.len() / 2;
    for (i, wb) in vars.chunks_exact(2).enumerate() {
        h = h.matmul(wb[0]) + wb[1];
        if i + 1 < layers {
            h = if w.selu { h.selu() } else { h.relu() };
        }
    }
    (vars, h.cross_entropy(labels))
}

fn sgd(params: &mut [Tensor<f32>], vars: &[Var<'_, f32>], grads: &Gradients<f32>) {
    for (p, &v) in params.iter_mut().zip(vars) {
        for (e, &g) in p.data_mut().iter_mut().zip(grads[v].data()) {
            *e -= 0.01 * g;
        }
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

/// One peer-benchmark MLP training workload, timed step by step.
#[derive(clap::Parser, Debug)]

struct Args {
    /// The workload.
    #[arg(value_enum, default_value_t = Name::MlpLarge)]
    workload: Name,
    /// Timed steps [default: the workload's own].
    #[arg(long)]
    steps: Option<usize>,
    /// Untimed warm-up steps [default: the workload's own].
    #[arg(long)]
    warmup: Option<usize>,
}

#[derive(clap::ValueEnum, Clone, Copy, Debug)]
enum Name {
    /// W2: 784-512-512-10, ReLU, batch 128.
    MlpLarge,
    /// W4: nine Linear(64, 64) + SELU and Linear(64, 10), batch 32.
    DeepNarrow,
}

/// The workload named on the command line, with candle's `--steps N` and
/// `--warmup N` overrides (so that two whole processes do the same work).
fn parse_args() -> Workload {
    let args = <Args as clap::Parser>::parse();
    let mut w = workload(match args.workload {
        Name::MlpLarge => "mlp-large",
        Name::DeepNarrow => "deep-narrow",
    });
    w.steps = args.steps.unwrap_or(w.steps);
    w.warmup = args.warmup.unwrap_or(w.warmup);
    w
}

fn main() {
    let w = parse_args();
    let mut rng = StdRng::seed_from_u64(0);
    let mut params = init(&w, &mut rng);
    let x = Tensor::randn([w.batch, w.sizes[0]], &mut rng);
    let classes = w.sizes[w.sizes.len() - 1];
    let labels: Vec<usize> = (0..w.batch).map(|i| (i * 7 + 3) % classes).collect();
    let mut tape = Tape::<f32>::new();
    let mut grads = Gradients::new();

    let mut first_loss = 0.0;
    let mut last_loss = 0.0;
    let mut step_ms = Vec::with_capacity(w.steps);
    for i in 0..w.warmup + w.steps {
        tape.clear();
        let t0 = Instant::now();
        let (vars, loss) = forward(&w, &tape, &params, &x, &labels);
        loss.backward_into(&mut grads);
        sgd(&mut params, &vars, &grads);
        let ms = t0.elapsed().as_secs_f64() * 1e3;
        if i == 0 {
            first_loss = loss.item();
        }
        if i >= w.warmup {
            step_ms.push(ms);
            last_loss = loss.item();
        }
    }
    // Extra steps outside the metric, with each phase timed apart.
    let (mut fw, mut bw, mut up) = (Vec::new(), Vec::new(), Vec::new());
    for _ in 0..20 {
        tape.clear();
        let t0 = Instant::now();
        let (vars, loss) = forward(&w, &tape, &params, &x, &labels);
        let t1 = Instant::now();
        loss.backward_into(&mut grads);
        let t2 = Instant::now();
        sgd(&mut params, &vars, &grads);
        let t3 = Instant::now();
        fw.push((t1 - t0).as_secs_f64() * 1e3);
        bw.push((t2 - t1).as_secs_f64() * 1e3);
        up.push((t3 - t2).as_secs_f64() * 1e3);
    }
    let med = median(&mut step_ms);
    println!(
        "{{\"workload\":\"{}\",\"system\":\"tapegrad\",\"metric\":\"samples_per_sec\",\"value\":{},\
         \"unit\":\"samples/s\",\"details\":{{\"dtype\":\"f32\",\"sizes\":{:?},\"activation\":\"{}\",\
         \"batch\":{},\"lr\":0.01,\"warmup_steps\":{},\"timed_steps\":{},\"median_step_ms\":{med},\
         \"min_step_ms\":{},\"max_step_ms\":{},\"first_loss\":{first_loss},\"last_loss\":{last_loss},\
         \"phase_breakdown_median\":{{\"forward_loss_ms\":{},\"backward_ms\":{},\"sgd_step_ms\":{},\"steps\":20}}}}}}",
        w.name,
        w.batch as f64 * 1e3 / med,
        w.sizes,
        if w.selu { "selu" } else { "relu" },
        w.batch,
        w.warmup,
        w.steps,
        step_ms[0],
        step_ms[step_ms.len() - 1],
        median(&mut fw),
        median(&mut bw),
        median(&mut up),
    );
}
