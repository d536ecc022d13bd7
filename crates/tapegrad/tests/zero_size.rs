//! Zero-size tensors, as in PyTorch and NumPy: any axis may have length 0,
//! every op returns the right empty (or, for a reduction over nothing, the
//! right identity) result and an empty gradient of the input's shape.

use tapegrad::{Tape, Tensor};

fn empty(shape: &[usize]) -> Tensor<f64> {
    Tensor::zeros(shape.to_vec())
}

#[test]
fn matmul_with_an_empty_inner_axis_is_zeros_and_an_empty_outer_axis_is_empty() {
    let tape = Tape::<f64>::new();
    let a = tape.param(empty(&[2, 0]));
    let b = tape.param(empty(&[0, 3]));
    let y = a.matmul(b);
    assert_eq!(y.shape().dims(), &[2, 3]);
    assert!(y.value().data().iter().all(|&v| v == 0.0));
    let g = y.sum().backward();
    assert_eq!(g[a].shape().dims(), &[2, 0]);
    assert_eq!(g[b].shape().dims(), &[0, 3]);

    let c = tape.param(empty(&[0, 4]));
    let d = tape.param(Tensor::ones([4, 5]));
    let z = c.matmul(d);
    assert_eq!(z.shape().dims(), &[0, 5]);
    let g = z.sum().backward();
    assert_eq!(g[d].data(), &[0.0; 20]);
}

#[test]
fn reductions_over_nothing_give_pytorchs_identities() {
    let tape = Tape::<f64>::new();
    let x = tape.param(empty(&[5, 0, 0]));
    assert_eq!(x.sum().item(), 0.0);
    assert!(x.mean().item().is_nan());
    let s = x.sum_axis(1, false);
    assert_eq!(s.shape().dims(), &[5, 0]);
    let g = x.sum().backward();
    assert_eq!(g[x].shape().dims(), &[5, 0, 0]);
    // Reducing an empty axis to a non-empty result: sums are 0.
    let y = tape.param(empty(&[3, 0]));
    assert_eq!(y.sum_axis(1, false).value().data(), &[0.0; 3]);
    assert!(y
        .mean_axis(1, false)
        .value()
        .data()
        .iter()
        .all(|v| v.is_nan()));
}

#[test]
fn amax_over_an_empty_axis_is_an_error_naming_the_op() {
    let r = std::panic::catch_unwind(|| {
        let tape = Tape::<f64>::new();
        let x = tape.param(empty(&[3, 0]));
        x.amax(1, false).value()
    });
    let msg = r.expect_err("amax over nothing must fail");
    let msg = msg
        .downcast_ref::<String>()
        .cloned()
        .unwrap_or_else(|| msg.downcast_ref::<&str>().unwrap().to_string());
    assert!(msg.contains("amax"), "{msg}");
}

#[test]
fn elementwise_broadcast_and_layout_ops_keep_empty_shapes() {
    let tape = Tape::<f64>::new();
    let x = tape.param(empty(&[0, 1]));
    let w = tape.param(Tensor::ones([1, 3]));
    let y = (x * w + 1.0).tanh().softmax();
    assert_eq!(y.shape().dims(), &[0, 3]);
    let g = y.sum().backward();
    assert_eq!(g[x].shape().dims(), &[0, 1]);
    assert_eq!(g[w].data(), &[0.0; 3]);

    let r = tape.param(empty(&[0, 5]));
    assert_eq!(r.reshape([5, 0]).transpose(0, 1).shape().dims(), &[0, 5]);
    let s = tape.param(empty(&[2, 0]));
    assert_eq!(s.softmax().shape().dims(), &[2, 0]);
    assert_eq!(s.log_softmax().sum().backward()[s].shape().dims(), &[2, 0]);
}

#[test]
fn losses_of_an_empty_batch_are_nan_with_empty_gradients() {
    let tape = Tape::<f64>::new();
    let p = tape.param(empty(&[0]));
    let t = tape.constant(empty(&[0]));
    let l = p.mse(t);
    assert!(l.item().is_nan());
    assert_eq!(l.backward()[p].shape().dims(), &[0]);
    let logits = tape.param(empty(&[0, 4]));
    let ce = logits.cross_entropy(&[]);
    assert!(ce.item().is_nan());
    assert_eq!(ce.backward()[logits].shape().dims(), &[0, 4]);
}

#[test]
fn second_order_through_an_empty_tensor_is_empty() {
    let tape = Tape::<f64>::new();
    let x = tape.param(empty(&[0, 3]));
    let y = (x * x * x).sum();
    let g = y.grad_graph(&[x])[0];
    assert_eq!(g.shape().dims(), &[0, 3]);
    let h = g.sum().backward();
    assert_eq!(h[x].shape().dims(), &[0, 3]);
}
