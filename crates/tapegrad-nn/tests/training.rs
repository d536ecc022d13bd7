//! End-to-end training: XOR, the digits data set, the three update modes,
//! the stopping rules, and recovery from a non-finite loss.
#![cfg(feature = "csv-gz")] // the embedded digits data

use tapegrad::Tensor;
use tapegrad_nn::data::{digits, Dataset, Standardizer};
use tapegrad_nn::{
    evaluate, Activation, Adam, BatchMode, EarlyStopping, Loss, LrSchedule, Metric, Mlp, NonFinite,
    Sgd, StopReason, TrainError, Trainer,
};

fn xor() -> Dataset<f64> {
    let x = Tensor::from_vec(vec![0.0, 0.0, 0.0, 1.0, 1.0, 0.0, 1.0, 1.0], [4, 2]);
    let y = Tensor::from_vec(vec![0.0, 1.0, 1.0, 0.0], [4, 1]);
    Dataset::regression(x, y).unwrap()
}

#[test]
fn xor_2_2_1_reaches_full_accuracy() {
    let data = xor();
    let mut mlp: Mlp<f64> = Mlp::new(2).hidden(2, Activation::Tanh).seed(3).output(1);
    let mut opt = Adam::new(0.05);
    let history = Trainer::new(Loss::BceWithLogits)
        .mode(BatchMode::FullBatch)
        .epochs(3000)
        .stop_at_loss(0.01)
        .fit(&mut mlp, &mut opt, &data, None)
        .unwrap();
    assert_eq!(history.stop, StopReason::LossThreshold);
    let e = evaluate(&mlp, &data, Loss::BceWithLogits);
    assert_eq!(e.accuracy, 1.0);
    let out = mlp.predict(data.features());
    assert!(
        out.data()[0] < 0.0 && out.data()[1] > 0.0 && out.data()[2] > 0.0 && out.data()[3] < 0.0
    );
}

#[test]
fn xor_online_mse_with_sgd_momentum() {
    let data = xor();
    let mut mlp: Mlp<f64> = Mlp::new(2).hidden(2, Activation::Sigmoid).seed(5).output(1);
    let mut opt = Sgd::new(0.2).momentum(0.5);
    let history = Trainer::new(Loss::Mse)
        .mode(BatchMode::Online)
        .epochs(2000)
        .seed(1)
        .stop_at_loss(0.005)
        .fit(&mut mlp, &mut opt, &data, None)
        .unwrap();
    assert_eq!(
        history.stop,
        StopReason::LossThreshold,
        "{:?}",
        history.last()
    );
    assert_eq!(evaluate(&mlp, &data, Loss::Mse).accuracy, 1.0);
}

fn digits_split(seed: u64) -> (Dataset<f32>, Dataset<f32>) {
    let (mut train, mut test) = digits::<f32>().stratified_split(0.2, seed);
    let st = Standardizer::fit(&train);
    st.apply(&mut train);
    st.apply(&mut test);
    (train, test)
}

/// The digits example's configuration.
fn train_digits(seed: u64, epochs: usize) -> (Mlp<f32>, tapegrad_nn::History) {
    let (train, test) = digits_split(seed);
    let mut mlp: Mlp<f32> = Mlp::new(64)
        .hidden(128, Activation::Relu)
        .hidden(64, Activation::Relu)
        .seed(seed)
        .output(10);
    let mut opt = Adam::adamw(3e-3, 0.05);
    let history = Trainer::new(Loss::CrossEntropy)
        .mode(BatchMode::MiniBatch(32))
        .epochs(epochs)
        .schedule(LrSchedule::Cosine {
            epochs,
            min_lr: 1e-5,
        })
        .seed(seed)
        .diagnostics(true)
        .fit(&mut mlp, &mut opt, &train, Some(&test))
        .unwrap();
    (mlp, history)
}

#[test]
fn digits_reaches_97_percent_on_the_held_out_fifth() {
    let (train, test) = digits_split(0);
    assert_eq!(train.len() + test.len(), 1797);
    assert!((359..=360).contains(&test.len()));
    let (mlp, history) = train_digits(0, 40);
    assert_eq!(history.epochs.len(), 40);
    let acc = evaluate(&mlp, &test, Loss::CrossEntropy).accuracy;
    assert!(acc >= 0.97, "test accuracy {acc}");
    assert_eq!(history.last().unwrap().val_accuracy, Some(acc));
    let first = &history.epochs[0];
    assert!(history.last().unwrap().loss < first.loss / 10.0);
    let d = history.last().unwrap().diagnostics.as_ref().unwrap();
    assert_eq!(d.layers.len(), 3);
    assert!(d.layers[0].dead_fraction.is_some() && d.layers[2].dead_fraction.is_none());
    assert!(d
        .layers
        .iter()
        .all(|l| l.grad_norm > 0.0 && l.grad_norm <= l.grad_norm_max));
}

#[test]
fn training_is_deterministic_for_a_seed() {
    let (a, ha) = train_digits(3, 2);
    let (b, hb) = train_digits(3, 2);
    assert_eq!(a.params().values(), b.params().values());
    assert_eq!(ha.epochs[1].loss, hb.epochs[1].loss);
    let (c, _) = train_digits(4, 2);
    assert_ne!(a.params().values(), c.params().values());
}

#[test]
fn full_batch_makes_one_update_per_epoch_and_online_one_per_sample() {
    // With plain SGD, one full-batch epoch equals one manual step on the
    // mean gradient of all rows.
    let data = xor();
    let mut full: Mlp<f64> = Mlp::new(2).hidden(3, Activation::Tanh).seed(1).output(1);
    let mut manual = full.clone();
    Trainer::new(Loss::Mse)
        .mode(BatchMode::FullBatch)
        .epochs(1)
        .fit(&mut full, &mut Sgd::new(0.1), &data, None)
        .unwrap();
    let tape = tapegrad::Tape::new();
    let p = manual.params().bind(&tape);
    let x = tape.constant(data.features().clone());
    let t = tape.constant(Tensor::from_vec(vec![0.0, 1.0, 1.0, 0.0], [4, 1]));
    let loss = manual
        .forward(&p, x, &mut tapegrad_nn::ForwardCtx::eval())
        .mse(t);
    let grads = loss.backward();
    manual.params_mut().store_grads(&p, &grads);
    let (v, g) = manual.params_mut().values_and_grads();
    tapegrad_nn::Optimizer::step(&mut Sgd::new(0.1), v, g);
    for (a, b) in full.params().values().iter().zip(manual.params().values()) {
        assert!((a - b).abs() < 1e-15);
    }

    // Online without shuffling: four epochs of one sample each equal one
    // epoch over four rows.
    let mut online: Mlp<f64> = Mlp::new(2).hidden(3, Activation::Tanh).seed(1).output(1);
    let mut stepwise = online.clone();
    Trainer::new(Loss::Mse)
        .mode(BatchMode::Online)
        .shuffle(false)
        .epochs(1)
        .fit(&mut online, &mut Sgd::new(0.1), &data, None)
        .unwrap();
    for i in 0..4 {
        let row = data.subset(&[i]);
        Trainer::new(Loss::Mse)
            .mode(BatchMode::FullBatch)
            .epochs(1)
            .fit(&mut stepwise, &mut Sgd::new(0.1), &row, None)
            .unwrap();
    }
    assert_eq!(online.params().values(), stepwise.params().values());
}

#[test]
fn early_stopping_restores_the_best_epoch() {
    let (train, test) = digits_split(1);
    let mut mlp: Mlp<f32> = Mlp::new(64).hidden(32, Activation::Relu).seed(1).output(10);
    let history = Trainer::new(Loss::CrossEntropy)
        .epochs(200)
        .seed(1)
        .early_stopping(EarlyStopping::new(Metric::ValLoss, 3))
        .fit(&mut mlp, &mut Adam::new(1e-2), &train, Some(&test))
        .unwrap();
    let StopReason::EarlyStopping { best_epoch } = history.stop else {
        panic!("expected early stopping, got {:?}", history.stop);
    };
    assert!(history.epochs.len() < 200);
    assert_eq!(history.epochs.len(), best_epoch + 4);
    let best = history.epochs[best_epoch].val_loss.unwrap();
    assert!(history.epochs.iter().all(|r| r.val_loss.unwrap() >= best));
    let now = evaluate(&mlp, &test, Loss::CrossEntropy).loss;
    assert!((now - best).abs() < 1e-6, "{now} vs {best}");
}

#[test]
fn epoch_budget_and_loss_threshold_stop_training() {
    let data = xor();
    let mut mlp: Mlp<f64> = Mlp::new(2).hidden(4, Activation::Tanh).output(1);
    let h = Trainer::new(Loss::Mse)
        .epochs(3)
        .fit(&mut mlp, &mut Sgd::new(0.01), &data, None)
        .unwrap();
    assert_eq!((h.epochs.len(), h.stop), (3, StopReason::MaxEpochs));
    let h = Trainer::new(Loss::Mse).epochs(100).stop_at_loss(10.0).fit(
        &mut mlp,
        &mut Sgd::new(0.01),
        &data,
        None,
    );
    let h = h.unwrap();
    assert_eq!((h.epochs.len(), h.stop), (1, StopReason::LossThreshold));
}

#[test]
fn nan_in_the_data_stops_with_epoch_step_and_layer_and_keeps_parameters() {
    let mut xs = vec![0.5f64; 8 * 2];
    xs[5 * 2 + 1] = f64::NAN; // row 5
    let x = Tensor::from_vec(xs, [8, 2]);
    let data = Dataset::regression(x, Tensor::ones([8, 1])).unwrap();
    let mut mlp: Mlp<f64> = Mlp::new(2).hidden(4, Activation::Relu).bias(0.1).output(1);
    let mut reference = mlp.clone();
    let trainer = Trainer::new(Loss::Mse)
        .mode(BatchMode::Online)
        .shuffle(false)
        .epochs(2);
    let err = trainer
        .fit(&mut mlp, &mut Sgd::new(0.1), &data, None)
        .unwrap_err();
    let TrainError::NonFinite {
        epoch,
        step,
        layer,
        what,
        loss,
        history,
    } = &err
    else {
        panic!("{err}");
    };
    assert_eq!((*epoch, *step, *what), (1, 6, NonFinite::Output));
    assert_eq!(layer, "0: Linear(2, 4) + relu");
    assert!(loss.is_nan() && history.epochs.is_empty());
    let msg = err.to_string();
    assert!(
        msg.contains("epoch 1, step 6") && msg.contains("Linear(2, 4)"),
        "{msg}"
    );
    // The five good steps are kept.
    let one_epoch = trainer.clone().epochs(1);
    one_epoch
        .fit(
            &mut reference,
            &mut Sgd::new(0.1),
            &data.subset(&[0, 1, 2, 3, 4]),
            None,
        )
        .unwrap();
    assert_eq!(mlp.params().values(), reference.params().values());
}

#[test]
fn divergence_reports_a_non_finite_loss_and_keeps_finite_parameters() {
    let (train, _) = digits_split(0);
    let mut mlp: Mlp<f32> = Mlp::new(64).hidden(32, Activation::Relu).output(10);
    let err = Trainer::new(Loss::CrossEntropy)
        .epochs(50)
        .fit(&mut mlp, &mut Sgd::new(1e6), &train, None)
        .unwrap_err();
    assert!(matches!(err, TrainError::NonFinite { .. }), "{err}");
    assert!(mlp.params().values().iter().all(|v| v.is_finite()));
}

#[test]
fn data_that_does_not_fit_is_an_error() {
    let data = xor();
    let mut mlp: Mlp<f64> = Mlp::new(3).hidden(2, Activation::Tanh).output(1);
    let err = Trainer::new(Loss::Mse)
        .fit(&mut mlp, &mut Sgd::new(0.1), &data, None)
        .unwrap_err();
    assert!(
        err.to_string().contains("2 features, the model takes 3"),
        "{err}"
    );
    let mut mlp: Mlp<f64> = Mlp::new(2).hidden(2, Activation::Tanh).output(1);
    let err = Trainer::new(Loss::CrossEntropy)
        .fit(&mut mlp, &mut Sgd::new(0.1), &data, None)
        .unwrap_err();
    assert!(matches!(err, TrainError::Data(_)));
    let err = Trainer::new(Loss::Mse)
        .early_stopping(EarlyStopping::new(Metric::ValAccuracy, 2))
        .fit(&mut mlp, &mut Sgd::new(0.1), &data, None)
        .unwrap_err();
    assert!(err.to_string().contains("validation set"));
}

#[test]
fn printing_progress_and_diagnostics_leaves_the_results_unchanged() {
    let data = xor();
    let quiet = Trainer::new(Loss::Mse).epochs(3).seed(2);
    let loud = quiet
        .clone()
        .progress(true)
        .verbose(true)
        .print_diagnostics(true);
    let mut a: Mlp<f64> = Mlp::new(2).hidden(3, Activation::Relu).output(1);
    let mut b = a.clone();
    let ha = quiet.fit(&mut a, &mut Sgd::new(0.1), &data, None).unwrap();
    let hb = loud.fit(&mut b, &mut Sgd::new(0.1), &data, None).unwrap();
    assert_eq!(a.params().values(), b.params().values());
    assert_eq!(ha.epochs[2].loss, hb.epochs[2].loss);
    assert!(ha.epochs[2].diagnostics.is_none() && hb.epochs[2].diagnostics.is_some());
}
