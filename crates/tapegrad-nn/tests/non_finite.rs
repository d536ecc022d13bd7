//! `fit` never returns `Ok` with a non-finite parameter, and when it fails
//! it names the right culprit: a layer's output, a layer's gradient, a
//! layer's parameters after an update, or the data's targets.

use tapegrad::{Float, Tensor};
use tapegrad_nn::data::Dataset;
use tapegrad_nn::{Activation, BatchMode, Loss, Mlp, Sgd, TrainError, Trainer};

fn regression<T: Float>(rows: usize, inputs: usize) -> Dataset<T> {
    let x: Vec<T> = (0..rows * inputs)
        .map(|i| T::from_f64(((i * 37 % 17) as f64 / 8.0) - 1.0))
        .collect();
    let y: Vec<T> = (0..rows)
        .map(|i| T::from_f64((i % 3) as f64 - 1.0))
        .collect();
    Dataset::regression(
        Tensor::from_vec(x, [rows, inputs]),
        Tensor::from_vec(y, [rows, 1]),
    )
    .unwrap()
}

fn all_finite<T: Float>(mlp: &Mlp<T>) -> bool {
    mlp.params().values().iter().all(|v| v.is_finite())
}

/// The parts of a `NonFinite` error: (epoch, step, layer, what, message).
fn non_finite(err: &TrainError) -> (usize, usize, String, String, String) {
    match err {
        TrainError::NonFinite {
            epoch,
            step,
            layer,
            what,
            ..
        } => (
            *epoch,
            *step,
            layer.clone(),
            what.to_string(),
            err.to_string(),
        ),
        TrainError::Data(_) => panic!("expected a non-finite error, got {err}"),
    }
}

#[test]
fn infinite_learning_rate_on_the_only_full_batch_update_is_an_error() {
    // The case: one full-batch epoch, so the only update is also the
    // last one, which used to go unchecked (Ok, val_loss NaN, 17 NaN params).
    let ds = regression(8, 2);
    let mut mlp: Mlp<f64> = Mlp::new(2).hidden(4, Activation::Tanh).seed(1).output(1);
    assert_eq!(mlp.params().values().len(), 17);
    let before = mlp.params().values().to_vec();
    let result = Trainer::new(Loss::Mse)
        .mode(BatchMode::FullBatch)
        .epochs(1)
        .fit(&mut mlp, &mut Sgd::new(f64::INFINITY), &ds, Some(&ds));
    let err = result.expect_err("a NaN model must not come back as Ok");
    let (epoch, step, layer, what, msg) = non_finite(&err);
    assert_eq!((epoch, step, what.as_str()), (1, 1, "parameter"), "{msg}");
    assert_eq!(layer, "0: Linear(2, 4) + tanh", "{msg}");
    // The last good parameters are those before the failing update.
    assert_eq!(mlp.params().values(), &before[..]);
}

#[test]
fn diverging_4_8_8_1_net_is_an_error_with_finite_parameters() {
    // The second case: Sgd(1e6), two epochs, used to return Ok with
    // val_loss Some(inf).
    let ds = regression(16, 4);
    let mut mlp: Mlp<f32> = Mlp::new(4)
        .hidden(8, Activation::Relu)
        .hidden(8, Activation::Relu)
        .seed(3)
        .output(1);
    let result =
        Trainer::new(Loss::Mse)
            .epochs(2)
            .fit(&mut mlp, &mut Sgd::new(1e6), &ds, Some(&ds));
    let err = match result {
        Ok(h) => panic!(
            "Ok with val_loss {:?}; parameters finite: {}",
            h.last().and_then(|r| r.val_loss),
            all_finite(&mlp)
        ),
        Err(err) => err,
    };
    // In f32 the parameters stay finite but the validation forward
    // overflows after the last update.
    let (epoch, step, layer, what, msg) = non_finite(&err);
    assert_eq!(
        (epoch, step, what.as_str()),
        (2, 1, "validation loss"),
        "{msg}"
    );
    assert_eq!(layer, "2: Linear(8, 8) + relu", "{msg}");
    assert!(msg.contains("validation"), "{msg}");
    assert!(all_finite(&mlp));
}

#[test]
fn whenever_fit_returns_ok_every_parameter_is_finite() {
    // Learning rates from harmless to absurd, every mode: Ok implies a
    // finite model, and an error keeps a finite one.
    let ds = regression(12, 3);
    for lr in [1e-2, 1.0, 1e3, 1e6, 1e12, 1e300, f64::INFINITY] {
        // One full-batch epoch makes the last update the only one.
        for (mode, epochs) in [
            (BatchMode::FullBatch, 1),
            (BatchMode::Online, 3),
            (BatchMode::MiniBatch(5), 3),
            (BatchMode::FullBatch, 3),
        ] {
            let mut mlp: Mlp<f64> = Mlp::new(3)
                .hidden(6, Activation::Relu)
                .hidden(6, Activation::Tanh)
                .seed(7)
                .output(1);
            let result = Trainer::new(Loss::Mse).mode(mode).epochs(epochs).fit(
                &mut mlp,
                &mut Sgd::new(lr),
                &ds,
                Some(&ds),
            );
            assert!(all_finite(&mlp), "lr {lr}, {mode:?}: {result:?}");
            if let Ok(h) = result {
                for r in &h.epochs {
                    assert!(r.loss.is_finite(), "lr {lr}, {mode:?}: {r:?}");
                }
            }
        }
    }
}

#[test]
fn nan_in_the_targets_is_blamed_on_the_target() {
    let mut ys = vec![0.5f64; 6];
    ys[3] = f64::NAN;
    let ds = Dataset::regression(
        Tensor::from_vec(vec![0.25; 12], [6, 2]),
        Tensor::from_vec(ys, [6, 1]),
    )
    .unwrap();
    let mut mlp: Mlp<f64> = Mlp::new(2).hidden(3, Activation::Relu).output(1);
    let err = Trainer::new(Loss::Mse)
        .mode(BatchMode::Online)
        .shuffle(false)
        .fit(&mut mlp, &mut Sgd::new(0.1), &ds, None)
        .unwrap_err();
    let (epoch, step, _, what, msg) = non_finite(&err);
    assert_eq!((epoch, step, what.as_str()), (1, 4, "target"), "{msg}");
    assert!(msg.contains("target"), "{msg}");
    assert!(!msg.contains("gradient"), "{msg}");
    assert!(all_finite(&mlp));
}

#[test]
fn an_update_that_overflows_is_blamed_on_its_own_step_and_layer() {
    // Step 1's update makes the parameters infinite. The error is that
    // step's, located on the parameters it produced — not step 2's, located
    // after restoring good parameters (which used to blame a gradient).
    let ds = regression(4, 1);
    let mut mlp: Mlp<f64> = Mlp::new(1).hidden(2, Activation::Tanh).seed(2).output(1);
    let before = mlp.params().values().to_vec();
    let err = Trainer::new(Loss::Mse)
        .mode(BatchMode::Online)
        .shuffle(false)
        .fit(&mut mlp, &mut Sgd::new(1e308), &ds, None)
        .unwrap_err();
    let (epoch, step, layer, what, msg) = non_finite(&err);
    assert_eq!((epoch, step, what.as_str()), (1, 1, "parameter"), "{msg}");
    assert_eq!(layer, "2: Linear(2, 1)", "{msg}");
    assert_eq!(mlp.params().values(), &before[..]);
}

#[test]
fn nan_in_the_inputs_is_blamed_on_the_first_layer_output_of_that_step() {
    // Every layer's output is NaN at the failing step; the first one is named.
    let mut xs = vec![0.5f64; 10];
    xs[4] = f64::NAN; // row 2
    let ds = Dataset::regression(Tensor::from_vec(xs, [5, 2]), Tensor::ones([5, 1])).unwrap();
    let mut mlp: Mlp<f64> = Mlp::new(2)
        .hidden(3, Activation::Tanh)
        .hidden(3, Activation::Tanh)
        .output(1);
    let err = Trainer::new(Loss::Mse)
        .mode(BatchMode::Online)
        .shuffle(false)
        .fit(&mut mlp, &mut Sgd::new(0.1), &ds, None)
        .unwrap_err();
    let (epoch, step, layer, what, msg) = non_finite(&err);
    assert_eq!((epoch, step, what.as_str()), (1, 3, "output"), "{msg}");
    assert_eq!(layer, "0: Linear(2, 3) + tanh", "{msg}");
}
