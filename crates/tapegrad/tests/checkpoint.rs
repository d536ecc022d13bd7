//! Gradient checkpointing: the same gradients as without it (first order
//! exactly, second order by gradgradcheck through it), and the drop in
//! value storage on the 8×64 deep-narrow SELU network at batch 4096.

use rand::rngs::StdRng;
use rand::SeedableRng;
use tapegrad::{gradgradcheck, GradcheckOptions, Tape, Tensor, Var};

/// One layer: `selu(x·W + b)`.
fn layer<'t>(v: &[Var<'t, f64>]) -> Var<'t, f64> {
    (v[0].matmul(v[1]) + v[2]).selu()
}

struct Net {
    w: Vec<Tensor<f64>>,
    b: Vec<Tensor<f64>>,
    x: Tensor<f64>,
    labels: Vec<usize>,
}

/// The W4 deep-narrow network: 64 → 8 × (Linear(64, 64) + SELU) → Linear(64, 10).
fn net(batch: usize) -> Net {
    let mut rng = StdRng::seed_from_u64(0);
    let mut w = Vec::new();
    let mut b = Vec::new();
    for k in 0..9 {
        let out = if k == 8 { 10 } else { 64 };
        let mut t = Tensor::<f64>::randn([64, out], &mut rng);
        t.data_mut().iter_mut().for_each(|e| *e /= 8.0); // LeCun: 1/sqrt(64)
        w.push(t);
        b.push(Tensor::zeros([out]));
    }
    let x = Tensor::randn([batch, 64], &mut rng);
    let labels = (0..batch).map(|i| (i * 7) % 10).collect();
    Net { w, b, x, labels }
}

/// The loss and the gradients of all weights and biases, and the tape's
/// value storage after backward.
fn run(net: &Net, checkpointed: bool) -> (f64, Vec<Tensor<f64>>, usize) {
    let tape = Tape::<f64>::new();
    let w: Vec<_> = net.w.iter().map(|t| tape.param(t.clone())).collect();
    let b: Vec<_> = net.b.iter().map(|t| tape.param(t.clone())).collect();
    let mut h = tape.constant(net.x.clone());
    for k in 0..8 {
        h = if checkpointed {
            tape.checkpoint(&[h, w[k], b[k]], layer)
        } else {
            layer(&[h, w[k], b[k]])
        };
    }
    let loss = (h.matmul(w[8]) + b[8]).cross_entropy(&net.labels);
    let g = loss.backward();
    let grads = w.iter().chain(&b).map(|&p| g[p].clone()).collect();
    (loss.item(), grads, tape.stored_values())
}

#[test]
fn checkpointed_network_has_the_same_gradients() {
    let net = net(16);
    let (l0, g0, _) = run(&net, false);
    let (l1, g1, _) = run(&net, true);
    assert_eq!(l0, l1);
    for (a, b) in g0.iter().zip(&g1) {
        assert!(a.max_abs_diff(b) < 1e-14, "{}", a.max_abs_diff(b));
    }
}

#[test]
fn second_order_through_a_checkpoint() {
    let mut rng = StdRng::seed_from_u64(3);
    let x = Tensor::uniform([3, 4], -1.0, 1.0, &mut rng);
    let w = Tensor::uniform([4, 2], -1.0, 1.0, &mut rng);
    let bias = Tensor::uniform([2], -1.0, 1.0, &mut rng);
    let opts = GradcheckOptions::default();
    gradgradcheck(
        |v| {
            let h = v[0].tape().checkpoint(v, layer);
            (h * h).sum()
        },
        &[x, w, bias],
        &opts,
    )
    .unwrap();
}

/// Value storage at batch 4096 (f64 values): without checkpointing the tape
/// holds every layer's intermediates; with it, the tape holds the inputs and
/// each layer's output, and backward's recomputation holds one layer's
/// intermediates at a time on a scratch tape. Prints the figure quoted in
/// docs/performance.md (`cargo test --release -p tapegrad --test checkpoint
/// -- --nocapture`).
#[test]
fn checkpointing_lowers_peak_value_storage() {
    let net = net(4096);
    let (_, g0, plain) = run(&net, false);
    let (_, g1, main) = run(&net, true);
    for (a, b) in g0.iter().zip(&g1) {
        assert!(a.max_abs_diff(b) < 1e-12);
    }
    // one layer on its own tape: the scratch tape's peak
    let scratch = {
        let tape = Tape::<f64>::new();
        let v = [
            tape.param(Tensor::zeros([4096, 64])),
            tape.param(net.w[0].clone()),
            tape.param(net.b[0].clone()),
        ];
        let _ = layer(&v);
        tape.stored_values()
    };
    let checkpointed = main + scratch;
    println!(
        "values held: plain {plain}, checkpointed {main} + scratch {scratch} = {checkpointed} \
         ({:.2}x less)",
        plain as f64 / checkpointed as f64
    );
    assert!(checkpointed * 3 < plain * 2, "{checkpointed} vs {plain}");
}
