//! The dead-unit and saturation detectors on networks built to have them,
//! and gradient norms that show vanishing gradients.

use tapegrad::Tensor;
use tapegrad_nn::data::Dataset;
use tapegrad_nn::{Activation, BatchMode, Init, Loss, Mlp, Sgd, Trainer};

fn data(rows: usize) -> Dataset<f64> {
    let x: Vec<f64> = (0..rows * 3)
        .map(|i| ((i * 37 % 17) as f64 / 8.0) - 1.0)
        .collect();
    let y: Vec<f64> = (0..rows).map(|i| (i % 2) as f64).collect();
    Dataset::regression(
        Tensor::from_vec(x, [rows, 3]),
        Tensor::from_vec(y, [rows, 1]),
    )
    .unwrap()
}

fn diagnose(mlp: &mut Mlp<f64>) -> tapegrad_nn::Diagnostics {
    let h = Trainer::new(Loss::Mse)
        .mode(BatchMode::MiniBatch(8))
        .epochs(1)
        .diagnostics(true)
        .fit(mlp, &mut Sgd::new(1e-3), &data(32), None)
        .unwrap();
    h.last().unwrap().diagnostics.clone().unwrap()
}

#[test]
fn relu_units_with_very_negative_bias_are_reported_dead() {
    // Every pre-activation is ≤ −100 + |w·x|, so all units of the first layer die;
    // the second layer (healthy init, zero inputs) sees only its bias, 0.1 > 0.
    let mut mlp: Mlp<f64> = Mlp::new(3)
        .hidden(10, Activation::Relu)
        .init(Init::Uniform(0.1))
        .bias(-100.0)
        .hidden(5, Activation::Relu)
        .bias(0.1)
        .output(1);
    let d = diagnose(&mut mlp);
    assert_eq!(d.layers[0].dead_fraction, Some(1.0));
    assert_eq!(d.layers[1].dead_fraction, Some(0.0));
    assert_eq!(d.layers[2].dead_fraction, None);
    assert_eq!(d.max_dead_fraction(), Some(1.0));
    // Dead units pass no gradient back: the first layer's gradient is exactly 0.
    assert_eq!(d.layers[0].grad_norm, 0.0);
    assert!(d.to_string().contains("dead 100.0%"));
}

#[test]
fn half_dead_layer_is_reported_as_half() {
    let mut mlp: Mlp<f64> = Mlp::new(3)
        .hidden(4, Activation::Relu)
        .init(Init::Uniform(0.1))
        .output(1);
    let b = mlp.params().id("0.bias").unwrap();
    mlp.params_mut()
        .value_mut(b)
        .copy_from_slice(&[-100.0, 100.0, -100.0, 100.0]);
    let d = diagnose(&mut mlp);
    assert_eq!(d.layers[0].dead_fraction, Some(0.5));
}

#[test]
fn saturated_sigmoid_and_tanh_units_are_reported() {
    // Huge weights drive |pre-activation| far beyond the bounds for every
    // sample whose input is not tiny.
    let mut mlp: Mlp<f64> = Mlp::new(3)
        .hidden(6, Activation::Tanh)
        .init(Init::Constant(0.0))
        .bias(50.0)
        .hidden(4, Activation::Sigmoid)
        .init(Init::Constant(0.0))
        .bias(-50.0)
        .output(1);
    let d = diagnose(&mut mlp);
    assert_eq!(d.layers[0].saturated_fraction, Some(1.0));
    assert_eq!(d.layers[1].saturated_fraction, Some(1.0));
    assert_eq!(d.layers[0].dead_fraction, None);
    assert_eq!(d.max_saturated_fraction(), Some(1.0));
    // Network paralysis: saturation leaves (almost) no gradient for the first layer.
    assert!(d.layers[0].grad_norm < 1e-12, "{}", d.layers[0].grad_norm);

    let mut healthy: Mlp<f64> = Mlp::new(3)
        .hidden(6, Activation::Tanh)
        .hidden(4, Activation::Sigmoid)
        .output(1);
    let d = diagnose(&mut healthy);
    assert_eq!(d.layers[0].saturated_fraction, Some(0.0));
    assert_eq!(d.layers[1].saturated_fraction, Some(0.0));
    assert!(d.layers[0].grad_norm > 1e-6);
}

#[test]
fn gradient_norms_shrink_through_deep_sigmoid_stacks() {
    // The vanishing gradient: σ' ≤ 1/4 per layer, so the first of eight
    // sigmoid layers gets a far smaller gradient than the last.
    let mut b = Mlp::new(3);
    for _ in 0..8 {
        b = b.hidden(16, Activation::Sigmoid);
    }
    let mut mlp: Mlp<f64> = b.seed(2).output(1);
    let d = diagnose(&mut mlp);
    let first = d.layers[0].grad_norm;
    let last_hidden = d.layers[7].grad_norm;
    assert!(
        first * 100.0 < last_hidden,
        "first {first:e}, last hidden {last_hidden:e}"
    );
}

#[test]
fn diagnostics_are_off_by_default() {
    let mut mlp: Mlp<f64> = Mlp::new(3).hidden(4, Activation::Relu).output(1);
    let h = Trainer::new(Loss::Mse)
        .epochs(1)
        .fit(&mut mlp, &mut Sgd::new(1e-3), &data(16), None)
        .unwrap();
    assert!(h.last().unwrap().diagnostics.is_none());
}
