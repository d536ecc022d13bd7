//! The user-defined `softclip` of `examples/custom_op.rs`, defined outside
//! the crate: first and second derivatives against finite differences, the
//! panic naming an op without a recorded rule, and its name in anomaly mode.

#[path = "../examples/custom_op.rs"]
mod custom_op;

use custom_op::{softclip, SoftClip, SoftClipFirstOrder};
use rand::rngs::StdRng;
use rand::SeedableRng;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::sync::Arc;
use tapegrad::{gradcheck, gradgradcheck, CustomOp, GradcheckOptions, Tape, Tensor};

fn op() -> Arc<dyn CustomOp<f64>> {
    Arc::new(SoftClip(1.5))
}

#[test]
fn softclip_passes_gradcheck_and_gradgradcheck() {
    let mut rng = StdRng::seed_from_u64(1);
    let opts = GradcheckOptions::default();
    for shape in [vec![], vec![0], vec![7], vec![3, 4]] {
        let x = Tensor::uniform(shape.clone(), -4.0, 4.0, &mut rng);
        // alone (constant upstream gradient) and squared (upstream depends on x)
        gradcheck(
            |v| softclip(&op(), v[0]).sum(),
            std::slice::from_ref(&x),
            &opts,
        )
        .unwrap();
        gradgradcheck(
            |v| softclip(&op(), v[0]).sum(),
            std::slice::from_ref(&x),
            &opts,
        )
        .unwrap();
        gradgradcheck(
            |v| {
                let y = softclip(&op(), v[0]);
                (y * y * v[0]).sum()
            },
            &[x],
            &opts,
        )
        .unwrap();
    }
}

#[test]
fn softclip_values_and_second_derivative_are_exact() {
    let tape = Tape::<f64>::new();
    let x = tape.scalar(0.9);
    let y = softclip(&op(), x);
    let t = (0.9f64 / 1.5).tanh();
    assert!((y.item() - 1.5 * t).abs() < 1e-15);
    let dy = y.grad_graph(&[x])[0];
    assert!((dy.item() - (1.0 - t * t)).abs() < 1e-15);
    // d²/dx² = −2 tanh(x/s)(1 − tanh²)/s
    let d2 = dy.backward()[x].item();
    assert!((d2 + 2.0 * t * (1.0 - t * t) / 1.5).abs() < 1e-14, "{d2}");
}

fn panic_message(f: impl FnOnce()) -> String {
    let err = catch_unwind(AssertUnwindSafe(f)).expect_err("expected a panic");
    err.downcast_ref::<String>().cloned().unwrap_or_default()
}

#[test]
fn grad_graph_through_an_op_without_recorded_rule_panics_naming_it() {
    let first: Arc<dyn CustomOp<f64>> = Arc::new(SoftClipFirstOrder(1.5));
    let tape = Tape::<f64>::new();
    let x = tape.scalar(0.3);
    let y = tape.custom(&first, &[x]);
    // first order through the fused rule works
    assert!((y.backward()[x].item() - (1.0 - (0.2f64).tanh().powi(2))).abs() < 1e-15);
    let msg = panic_message(|| {
        let _ = y.grad_graph(&[x]);
    });
    assert!(msg.contains("softclip_first_order"), "{msg}");
    assert!(msg.contains("no recorded rule"), "{msg}");
}

/// Poisons the gradient it passes back with a NaN.
struct Poison;
impl CustomOp<f64> for Poison {
    fn name(&self) -> &'static str {
        "poison_pill"
    }
    fn output_shape(&self, inputs: &[&tapegrad::Shape]) -> Result<tapegrad::Shape, String> {
        Ok(inputs[0].clone())
    }
    fn forward(&self, cx: &tapegrad::ForwardContext<'_, f64>, out: &mut [f64]) {
        out.copy_from_slice(cx.input(0));
    }
    fn backward(&self, cx: &mut tapegrad::BackwardContext<'_, f64>) {
        if let Some(g) = cx.input_grad(0) {
            g.fill(f64::NAN);
        }
    }
}

#[test]
fn anomaly_report_names_the_custom_op() {
    let poison: Arc<dyn CustomOp<f64>> = Arc::new(Poison);
    let tape = Tape::<f64>::new();
    tape.set_anomaly_detection(true);
    let x = tape.param(Tensor::from_vec(vec![1.0, 2.0], [2]));
    let y = tape.custom(&poison, &[x]).sum();
    let msg = panic_message(|| {
        let _ = y.backward();
    });
    assert!(msg.contains("poison_pill"), "{msg}");
}

#[test]
fn output_shape_errors_name_the_op_and_the_line() {
    let tape = Tape::<f64>::new();
    let (a, b) = (tape.scalar(1.0), tape.scalar(2.0));
    let msg = panic_message(|| {
        let _ = tape.custom(&op(), &[a, b]);
    });
    assert!(
        msg.contains("softclip") && msg.contains("takes one input"),
        "{msg}"
    );
    assert!(msg.contains("custom_op.rs"), "{msg}");
}
