//! A training step on a reused tape allocates nothing once warmed up:
//! recording (matmul, convolution, pooling, broadcast add, activations, a
//! loss), backward into a reused `Gradients`, and the parameter update.
//!
//! The counting allocator sees every thread of this binary, so the file
//! holds a single `#[test]` and nothing else runs while it measures.

use tapegrad::{Conv1dOptions, Conv2dOptions, Float, Gradients, Tape, Tensor};

#[path = "support/counting_alloc.rs"]
mod counting_alloc;

/// Heap allocations made by `f`.
fn allocations_of<R>(f: impl FnOnce() -> R) -> (usize, R) {
    let before = counting_alloc::allocations();
    let r = f();
    (counting_alloc::allocations() - before, r)
}

fn lcg(state: &mut u64) -> f64 {
    *state = state
        .wrapping_mul(6_364_136_223_846_793_005)
        .wrapping_add(1_442_695_040_888_963_407);
    ((*state >> 11) as f64 / (1u64 << 53) as f64) - 0.5
}

fn random<T: Float>(shape: &[usize], scale: f64, state: &mut u64) -> Tensor<T> {
    let n = shape.iter().product();
    Tensor::from_vec(
        (0..n).map(|_| T::from_f64(scale * lcg(state))).collect(),
        shape,
    )
}

fn sgd<T: Float>(param: &mut Tensor<T>, grad: &Tensor<T>, lr: T) {
    for (p, &g) in param.data_mut().iter_mut().zip(grad.data()) {
        *p -= lr * g;
    }
}

/// One step of a 2-layer classifier: relu(x·W1 + b1)·W2 + b2, mean
/// cross-entropy, plain SGD.
fn classifier_step(
    tape: &mut Tape<f32>,
    params: &mut [Tensor<f32>; 4],
    x: &Tensor<f32>,
    targets: &[usize],
    grads: &mut Gradients<f32>,
) -> f32 {
    tape.clear();
    let xv = tape.constant_slice(x.data(), x.shape().clone());
    let [w1, b1, w2, b2] =
        [0, 1, 2, 3].map(|i| tape.param_slice(params[i].data(), params[i].shape().clone()));
    let logits = (xv.matmul(w1) + b1).relu().matmul(w2) + b2;
    let loss = logits.cross_entropy(targets);
    loss.backward_into(grads);
    for (p, v) in params.iter_mut().zip([w1, b1, w2, b2]) {
        sgd(p, &grads[v], 0.1);
    }
    loss.item()
}

/// One step of a regression net with the other activations and the
/// transposed-weight layout: mse(tanh(x·W1ᵀ + b1)·w2 …), in f64.
fn regression_step(
    tape: &mut Tape<f64>,
    params: &mut [Tensor<f64>; 5],
    x: &Tensor<f64>,
    y: &Tensor<f64>,
    grads: &mut Gradients<f64>,
) -> f64 {
    tape.clear();
    let xv = tape.constant_slice(x.data(), x.shape().clone());
    let yv = tape.constant_slice(y.data(), y.shape().clone());
    let [w1, b1, w2, b2, beta] =
        [0, 1, 2, 3, 4].map(|i| tape.param_slice(params[i].data(), params[i].shape().clone()));
    let h = (xv.matmul_t(w1, false, true) + b1).tanh();
    let h = h.swish(beta).elu(1.0) * 0.5 + h.sigmoid().mean_axis(-1, true);
    let out = h.matmul(w2) + b2;
    let loss = out.mse(yv)
        + out.softmax().sum_axis(0, false).mean() * 1e-3
        + out.log_softmax().sum() * 1e-4;
    loss.backward_into(grads);
    for (p, v) in params.iter_mut().zip([w1, b1, w2, b2, beta]) {
        sgd(p, &grads[v], 0.01);
    }
    loss.item()
}

/// One step of a small convolutional classifier: conv2d (padding 1) →
/// relu → max_pool2d → avg_pool2d → linear → cross-entropy, plus a conv1d
/// penalty, in f32.
fn cnn_step(
    tape: &mut Tape<f32>,
    params: &mut [Tensor<f32>; 5],
    x: &Tensor<f32>,
    seq: &Tensor<f32>,
    targets: &[usize],
    grads: &mut Gradients<f32>,
) -> f32 {
    tape.clear();
    let xv = tape.constant_slice(x.data(), x.shape().clone());
    let sv = tape.constant_slice(seq.data(), seq.shape().clone());
    let [w1, b1, w2, b2, w3] =
        [0, 1, 2, 3, 4].map(|i| tape.param_slice(params[i].data(), params[i].shape().clone()));
    let padded = Conv2dOptions {
        padding: [1, 1],
        ..Conv2dOptions::default()
    };
    let h = xv.conv2d(w1, Some(b1), padded).relu();
    let h = h.max_pool2d([2, 2], [2, 2], [0, 0]);
    let h = h.avg_pool2d([2, 2], [2, 2], [0, 0], true);
    let logits = h.reshape([x.shape().dims()[0], 16]).matmul(w2) + b2;
    let penalty = sv
        .conv1d(w3, None, Conv1dOptions::default())
        .square()
        .mean();
    let loss = logits.cross_entropy(targets) + penalty * 0.01;
    loss.backward_into(grads);
    for (p, v) in params.iter_mut().zip([w1, b1, w2, b2, w3]) {
        sgd(p, &grads[v], 0.1);
    }
    loss.item()
}

/// micrograd's neuron: tanh(Σ wᵢxᵢ + b) over 0-d scalars, squared error.
fn scalar_step(tape: &mut Tape<f64>, params: &mut [f64; 4], grads: &mut Gradients<f64>) -> f64 {
    tape.clear();
    let xs = [2.0, -1.0, 0.5];
    let ws: [_; 4] = std::array::from_fn(|i| tape.scalar(params[i]));
    let mut act = ws[3];
    for (w, &x) in ws.iter().zip(&xs) {
        act += *w * x;
    }
    let out = act.tanh().relu() + act.exp().log().powi(2) * 0.01 - act.abs().sqrt() * 0.0 / 1.0;
    let loss = (out - 0.5) * (out - 0.5);
    loss.backward_into(grads);
    for (p, &w) in params.iter_mut().zip(&ws) {
        *p -= 0.05 * grads[w].item();
    }
    loss.item()
}

#[test]
fn training_steps_allocate_nothing_after_warm_up() {
    let mut rng = 7u64;
    let (n, d, h, c) = (32, 16, 32, 10);
    let x = random::<f32>(&[n, d], 2.0, &mut rng);
    let targets: Vec<usize> = (0..n).map(|i| (i * 7) % c).collect();
    let mut params = [
        random::<f32>(&[d, h], 0.5, &mut rng),
        random::<f32>(&[h], 0.1, &mut rng),
        random::<f32>(&[h, c], 0.5, &mut rng),
        random::<f32>(&[c], 0.1, &mut rng),
    ];
    let mut tape = Tape::<f32>::new();
    let mut grads = Gradients::new();
    let first = classifier_step(&mut tape, &mut params, &x, &targets, &mut grads);
    for _ in 0..3 {
        classifier_step(&mut tape, &mut params, &x, &targets, &mut grads);
    }
    let (count, last) = allocations_of(|| {
        let mut l = 0.0;
        for _ in 0..5 {
            l = classifier_step(&mut tape, &mut params, &x, &targets, &mut grads);
        }
        l
    });
    assert_eq!(
        count, 0,
        "classifier: {count} heap allocations in 5 warmed-up steps"
    );
    assert!(
        last < first,
        "the steps should train: loss {first} -> {last}"
    );

    let x = random::<f32>(&[4, 2, 8, 8], 2.0, &mut rng);
    let seq = random::<f32>(&[4, 2, 10], 1.0, &mut rng);
    let targets = [0, 2, 1, 2];
    let mut params = [
        random::<f32>(&[4, 2, 3, 3], 0.5, &mut rng),
        random::<f32>(&[4], 0.1, &mut rng),
        random::<f32>(&[16, 3], 0.5, &mut rng),
        random::<f32>(&[3], 0.1, &mut rng),
        random::<f32>(&[3, 2, 3], 0.5, &mut rng),
    ];
    let mut tape = Tape::<f32>::new();
    let mut grads = Gradients::new();
    let first = cnn_step(&mut tape, &mut params, &x, &seq, &targets, &mut grads);
    for _ in 0..3 {
        cnn_step(&mut tape, &mut params, &x, &seq, &targets, &mut grads);
    }
    let (count, last) = allocations_of(|| {
        let mut l = 0.0;
        for _ in 0..5 {
            l = cnn_step(&mut tape, &mut params, &x, &seq, &targets, &mut grads);
        }
        l
    });
    assert_eq!(
        count, 0,
        "cnn: {count} heap allocations in 5 warmed-up steps"
    );
    assert!(
        last < first,
        "the cnn steps should train: loss {first} -> {last}"
    );

    let x = random::<f64>(&[8, 5], 2.0, &mut rng);
    let y = random::<f64>(&[8, 3], 1.0, &mut rng);
    let mut params = [
        random::<f64>(&[6, 5], 0.5, &mut rng),
        random::<f64>(&[6], 0.1, &mut rng),
        random::<f64>(&[6, 3], 0.5, &mut rng),
        random::<f64>(&[3], 0.1, &mut rng),
        random::<f64>(&[6], 1.0, &mut rng),
    ];
    let mut tape = Tape::<f64>::new();
    let mut grads = Gradients::new();
    for _ in 0..4 {
        regression_step(&mut tape, &mut params, &x, &y, &mut grads);
    }
    let (count, _) = allocations_of(|| regression_step(&mut tape, &mut params, &x, &y, &mut grads));
    assert_eq!(
        count, 0,
        "regression: {count} heap allocations in a warmed-up step"
    );

    let mut params = [0.3, -0.2, 0.1, 0.05];
    let mut tape = Tape::<f64>::new();
    let mut grads = Gradients::new();
    let first = scalar_step(&mut tape, &mut params, &mut grads);
    for _ in 0..3 {
        scalar_step(&mut tape, &mut params, &mut grads);
    }
    let (count, last) = allocations_of(|| {
        let mut l = 0.0;
        for _ in 0..20 {
            l = scalar_step(&mut tape, &mut params, &mut grads);
        }
        l
    });
    assert_eq!(
        count, 0,
        "scalar graph: {count} heap allocations in 20 warmed-up steps"
    );
    assert!(
        last < first,
        "the scalar steps should train: loss {first} -> {last}"
    );
}
