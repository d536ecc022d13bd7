//! Optimizer updates against values computed by hand from the published
//! update rules (PyTorch's `torch.optim` formulations).

use tapegrad_nn::{Adam, LrSchedule, Optimizer, Sgd};

fn close(a: f64, b: f64) {
    assert!((a - b).abs() < 1e-12, "{a} vs {b}");
}

#[test]
fn sgd_plain_and_weight_decay() {
    let mut p = [1.0f64, -2.0];
    Sgd::new(0.1).step(&mut p, &[0.5, 0.5]);
    close(p[0], 0.95);
    close(p[1], -2.05);

    // g' = g + λp = 0.5 + 0.1·1 = 0.6 → p = 1 − 0.1·0.6
    let mut p = [1.0f64];
    Sgd::new(0.1).weight_decay(0.1).step(&mut p, &[0.5]);
    close(p[0], 0.94);
}

#[test]
fn sgd_momentum_accumulates_inertia() {
    // v1 = g1 = 1, p1 = 1 − 0.1 = 0.9
    // v2 = 0.9·1 + 2 = 2.9, p2 = 0.9 − 0.29 = 0.61
    // v3 = 0.9·2.9 − 1 = 1.61, p3 = 0.61 − 0.161 = 0.449
    let mut opt = Sgd::new(0.1).momentum(0.9);
    let mut p = [1.0f64];
    for (g, want) in [(1.0, 0.9), (2.0, 0.61), (-1.0, 0.449)] {
        opt.step(&mut p, &[g]);
        close(p[0], want);
    }
}

#[test]
fn sgd_nesterov_looks_ahead() {
    // step 1: v = 1, d = g + μv = 1.9, p = 1 − 0.19 = 0.81
    // step 2: v = 0.9 + 2 = 2.9, d = 2 + 0.9·2.9 = 4.61, p = 0.81 − 0.461 = 0.349
    let mut opt = Sgd::new(0.1).momentum(0.9).nesterov(true);
    let mut p = [1.0f64];
    opt.step(&mut p, &[1.0]);
    close(p[0], 0.81);
    opt.step(&mut p, &[2.0]);
    close(p[0], 0.349);
}

#[test]
fn sgd_momentum_with_weight_decay() {
    // g' = 1 + 0.5·2 = 2, v = 2, p = 2 − 0.1·2 = 1.8
    // g' = 1 + 0.5·1.8 = 1.9, v = 0.5·2 + 1.9 = 2.9, p = 1.8 − 0.29 = 1.51
    let mut opt = Sgd::new(0.1).momentum(0.5).weight_decay(0.5);
    let mut p = [2.0f64];
    opt.step(&mut p, &[1.0]);
    close(p[0], 1.8);
    opt.step(&mut p, &[1.0]);
    close(p[0], 1.51);
}

/// Adam written out step by step, as a second derivation of the rule.
fn adam_by_hand(p0: f64, grads: &[f64], lr: f64, wd: f64, decoupled: bool) -> f64 {
    let (b1, b2, eps) = (0.9f64, 0.999f64, 1e-8);
    let (mut p, mut m, mut v) = (p0, 0.0, 0.0);
    for (t, &g0) in grads.iter().enumerate() {
        let t = (t + 1) as i32;
        let g = if decoupled {
            p -= lr * wd * p;
            g0
        } else {
            g0 + wd * p
        };
        m = b1 * m + (1.0 - b1) * g;
        v = b2 * v + (1.0 - b2) * g * g;
        let mhat = m / (1.0 - b1.powi(t));
        let vhat = v / (1.0 - b2.powi(t));
        p -= lr * mhat / (vhat.sqrt() + eps);
    }
    p
}

#[test]
fn adam_first_steps_match_hand_computation() {
    // Step 1 by hand: m = 0.1·g, v = 0.001·g², m̂ = g, v̂ = g², Δ = lr·g/(|g| + ε).
    let mut opt = Adam::new(0.01);
    let mut p = [0.5f64];
    opt.step(&mut p, &[2.0]);
    close(p[0], 0.5 - 0.01 * 2.0 / (2.0 + 1e-8));
    let grads = [2.0, -1.0, 0.5, 3.0];
    let mut opt = Adam::new(0.01);
    let mut p = [0.5f64];
    for g in grads {
        opt.step(&mut p, &[g]);
    }
    close(p[0], adam_by_hand(0.5, &grads, 0.01, 0.0, false));
    assert_eq!(opt.steps(), 4);
}

#[test]
fn adam_coupled_and_adamw_decoupled_decay_differ_as_specified() {
    let grads = [0.3, -0.2, 0.1];
    let mut adam = Adam::new(0.05).weight_decay(0.1);
    let mut adamw = Adam::adamw(0.05, 0.1);
    let (mut p, mut q) = ([1.5f64], [1.5f64]);
    for g in grads {
        adam.step(&mut p, &[g]);
        adamw.step(&mut q, &[g]);
    }
    close(p[0], adam_by_hand(1.5, &grads, 0.05, 0.1, false));
    close(q[0], adam_by_hand(1.5, &grads, 0.05, 0.1, true));
    assert!((p[0] - q[0]).abs() > 1e-6);
}

#[test]
fn adam_works_on_f32_slices() {
    let mut opt = Adam::<f32>::new(0.1).betas(0.8, 0.99).eps(1e-6);
    let mut p = [1.0f32, 1.0];
    opt.step(&mut p, &[1.0, -1.0]);
    assert!((p[0] - 0.9).abs() < 1e-5 && (p[1] - 1.1).abs() < 1e-5);
}

#[test]
#[should_panic(expected = "parameters but")]
fn mismatched_lengths_panic_with_a_message() {
    Sgd::new(0.1).momentum(0.9).step(&mut [1.0f64, 2.0], &[1.0]);
}

#[test]
fn schedules() {
    let s = LrSchedule::Step {
        every: 3,
        gamma: 0.1,
    };
    let lrs: Vec<f64> = (0..7).map(|e| s.lr(1.0, e)).collect();
    for (got, want) in lrs.iter().zip([1.0, 1.0, 1.0, 0.1, 0.1, 0.1, 0.01]) {
        close(*got, want);
    }
    let c = LrSchedule::Cosine {
        epochs: 4,
        min_lr: 0.1,
    };
    close(c.lr(1.0, 0), 1.0);
    close(c.lr(1.0, 2), 0.55);
    close(c.lr(1.0, 4), 0.1);
    close(c.lr(1.0, 9), 0.1);
    close(LrSchedule::Constant.lr(0.3, 100), 0.3);
}

#[test]
fn set_lr_changes_the_next_step() {
    let mut opt = Sgd::new(1.0);
    opt.set_lr(0.25);
    let mut p = [0.0f64];
    opt.step(&mut p, &[1.0]);
    close(p[0], -0.25);
}
