//! Class indices stay integers: in f32, every integer above 2²⁴ is not
//! representable, so a target stored as a float would name another class.

use tapegrad::{Tape, Tensor};

#[test]
fn f32_cross_entropy_picks_a_class_above_two_to_the_24() {
    let c = 16_777_219; // 2²⁴ + 3
    let target = 16_777_217; // 2²⁴ + 1, rounds to 2²⁴ as an f32
    let mut logits = vec![0.0f32; c];
    logits[target] = 10.0;
    let tape = Tape::<f32>::new();
    let x = tape.param(Tensor::from_vec(logits, [1, c]));
    let loss = x.cross_entropy(&[target]);
    // logsumexp − x[t] = ln(C − 1 + e¹⁰) − 10.
    let expected = ((c as f64 - 1.0) + 10f64.exp()).ln() - 10.0;
    assert!(
        (f64::from(loss.item()) - expected).abs() < 1e-3,
        "loss {} instead of {expected}",
        loss.item()
    );
    let g = loss.backward();
    let gx = g[x].data();
    // softmax − onehot: only the target's entry is negative.
    assert!(gx[target] < 0.0, "{}", gx[target]);
    assert!(gx[16_777_216] > 0.0, "{}", gx[16_777_216]);
}

#[test]
fn second_order_cross_entropy_keeps_the_class() {
    let tape = Tape::<f64>::new();
    let x = tape.param(Tensor::from_vec(
        vec![0.5, -1.0, 2.0, 0.0, 1.0, 3.0],
        [2, 3],
    ));
    let loss = x.cross_entropy(&[2, 0]);
    let g = loss.grad_graph(&[x])[0];
    // Σ of the gradient's entries per row is 0 (softmax sums to 1), and
    // the row's target entry is the only negative one.
    let gv = g.value();
    assert!(gv.data()[2] < 0.0 && gv.data()[3] < 0.0);
    assert!(gv.data()[0] > 0.0 && gv.data()[5] > 0.0);
    let h = g.square().sum().backward();
    assert!(h[x].data().iter().all(|v| v.is_finite()));
}
