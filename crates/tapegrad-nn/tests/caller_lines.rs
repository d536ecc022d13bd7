//! Every documented panic of tapegrad-nn names the caller's line: each
//! public panicking entry point is called wrongly here, and the panic must
//! report this file and the line of that call — through every layer of the
//! nn crate down to the core op that checks.

#[path = "../../tapegrad/tests/support/panic_location.rs"]
#[macro_use]
mod panic_location;

use rand::rngs::StdRng;
use rand::SeedableRng;
use tapegrad::{Gradients, Tape, Tensor};
use tapegrad_nn::data::{CsvOptions, Dataset, Standardizer};
use tapegrad_nn::{
    bce_with_logits, cross_entropy, evaluate, mse, Activation, ActivationStats, Adam, BatchNorm,
    Conv2d, Dropout, Flatten, ForwardCtx, Init, Linear, Loss, Mlp, Model, Optimizer, Params,
    Sequential, Sgd, Trainer, Unflatten,
};

fn rng() -> StdRng {
    StdRng::seed_from_u64(0)
}

fn mlp() -> Mlp<f64> {
    Mlp::new(3).hidden(4, Activation::Relu).output(2)
}

fn data() -> Dataset<f64> {
    Dataset::classification(Tensor::ones([4, 3]), vec![0, 1, 0, 1], 2).unwrap()
}

fn params_with(names: &[&str]) -> Params<f64> {
    let mut p = Params::new();
    for n in names {
        p.push(*n, Tensor::ones([2]));
    }
    p
}

// One line per entry point, kept on one line so that the macro's `line!()`
// is the line of the wrong call.
#[rustfmt::skip]
mod cases {
    use super::*;

    #[test] fn model_predict_wrong_width() { assert_panics_here!(Model::<f64, _>::build(0, |s| Linear::build(s, 3, 2)).predict(&Tensor::ones([5, 7]))); }
    #[test] fn sequential_conv_wrong_channels() { assert_panics_here!(Model::<f64, _>::build(0, |s| Sequential::new(s).layer(|s| Conv2d::new(s, 2, 4, [3, 3])).push(Flatten::new()).done()).predict(&Tensor::ones([1, 3, 5, 5]))); }
    #[test] fn batch_norm_wrong_channels() { assert_panics_here!(Model::<f64, _>::build(0, |s| BatchNorm::new_2d(s, 3)).predict(&Tensor::ones([2, 4, 2, 2]))); }
    #[test] fn unflatten_wrong_width() { assert_panics_here!(Model::<f64, _>::build(0, |_| Unflatten::new(&[1, 8, 8])).predict(&Tensor::ones([2, 60]))); }
    #[test] fn fit_model_wrong_width() { assert_panics_here!({ let mut m = Model::<f64, _>::build(0, |s| Linear::build(s, 5, 2)); Trainer::new(Loss::CrossEntropy).fit(&mut m, &mut Sgd::new(0.1), &data(), None) }); }
    #[test] fn mlp_predict_wrong_width() { assert_panics_here!(mlp().predict(&Tensor::ones([5, 7]))); }
    #[test] fn mlp_forward_wrong_width() { assert_panics_here!({ let m = mlp(); let t = Tape::new(); let p = m.params().bind(&t); m.forward(&p, t.constant(Tensor::ones([5, 7])), &mut ForwardCtx::eval()).index() }); }
    #[test] fn mlp_forward_params_of_another_model() { assert_panics_here!({ let (a, b) = (mlp(), Mlp::<f64>::new(2).output(1)); let t = Tape::new(); let p = b.params().bind(&t); a.forward(&p, t.constant(Tensor::ones([5, 3])), &mut ForwardCtx::eval()).index() }); }
    #[test] fn mlp_layer_range_out_of_range() { assert_panics_here!(mlp().layer_range(9)); }
    #[test] fn builder_init_before_hidden() { assert_panics_here!(Mlp::<f64>::new(3).init(Init::HeNormal)); }
    #[test] fn builder_bias_before_hidden() { assert_panics_here!(Mlp::<f64>::new(3).bias(0.1)); }
    #[test] fn builder_dropout_before_hidden() { assert_panics_here!(Mlp::<f64>::new(3).dropout(0.5)); }
    #[test] fn builder_dropout_out_of_range() { assert_panics_here!(Mlp::<f64>::new(3).hidden(2, Activation::Relu).dropout(1.5)); }
    #[test] fn builder_alpha_dropout_before_hidden() { assert_panics_here!(Mlp::<f64>::new(3).alpha_dropout(0.1)); }
    #[test] fn linear_new_name_taken() { assert_panics_here!({ let mut p = params_with(&["0.weight"]); Linear::new(&mut p, "0.", 2, 2, Init::HeNormal, 0.0, &mut rng()) }); }
    #[test] fn linear_new_bad_init_scale() { assert_panics_here!(Linear::new(&mut Params::<f64>::new(), "0.", 2, 2, Init::Uniform(-1.0), 0.0, &mut rng())); }
    #[test] fn linear_forward_wrong_width() { assert_panics_here!({ let mut p = Params::<f64>::new(); let l = Linear::new(&mut p, "0.", 2, 2, Init::HeNormal, 0.0, &mut rng()); let t = Tape::new(); let b = p.bind(&t); l.forward(&b, t.constant(Tensor::ones([3, 5]))).index() }); }
    #[test] fn dropout_apply_out_of_range() { assert_panics_here!(Dropout::Standard(1.0).apply(Tape::<f64>::new().constant(Tensor::ones([2, 2])), &mut ForwardCtx::train(0)).index()); }
    #[test] fn init_weight_negative_std() { assert_panics_here!(Init::Normal(-1.0).weight::<f64, _>(2, 2, &mut rng())); }
    #[test] fn activation_apply_missing_params() { assert_panics_here!(Activation::Swish.apply(Tape::<f64>::new().constant(Tensor::ones([2, 2])), &[]).index()); }
    #[test] fn activation_stats_observe_ragged() { assert_panics_here!(ActivationStats::new().observe(0, Activation::Relu, 2, &[1.0f64; 3], &[1.0; 3])); }
    #[test] fn evaluate_data_that_does_not_fit() { assert_panics_here!(evaluate(&mlp(), &data(), Loss::Mse)); }
    #[test] fn sgd_step_length_mismatch() { assert_panics_here!(Sgd::<f64>::new(0.1).step(&mut [1.0; 3], &[1.0; 2])); }
    #[test] fn adam_step_length_mismatch() { assert_panics_here!(Adam::<f64>::new(0.1).step(&mut [1.0; 3], &[1.0; 2])); }
    #[test] fn params_push_name_taken() { assert_panics_here!(params_with(&["w"]).push("w", Tensor::ones([1]))); }
    #[test] fn params_info_foreign_id() { assert_panics_here!({ let id = params_with(&["a", "b"]).id("b").unwrap(); params_with(&["a"]).info(id).offset }); }
    #[test] fn params_name_foreign_id() { assert_panics_here!({ let id = params_with(&["a", "b"]).id("b").unwrap(); params_with(&["a"]).name(id).len() }); }
    #[test] fn params_value_foreign_id() { assert_panics_here!({ let id = params_with(&["a", "b"]).id("b").unwrap(); params_with(&["a"]).value(id).len() }); }
    #[test] fn params_value_mut_foreign_id() { assert_panics_here!({ let id = params_with(&["a", "b"]).id("b").unwrap(); params_with(&["a"]).value_mut(id).len() }); }
    #[test] fn params_grad_foreign_id() { assert_panics_here!({ let id = params_with(&["a", "b"]).id("b").unwrap(); params_with(&["a"]).grad(id).len() }); }
    #[test] fn params_store_grads_foreign_bound() { assert_panics_here!({ let (a, mut b) = (params_with(&["a", "b"]), params_with(&["a"])); let t = Tape::new(); let bound = a.bind(&t); b.store_grads(&bound, &Gradients::new()) }); }
    #[test] fn loss_mse_shapes() { assert_panics_here!({ let t = Tape::<f64>::new(); mse(t.param(Tensor::ones([2, 1])), t.constant(Tensor::ones([1, 2]))).index() }); }
    #[test] fn loss_cross_entropy_label_count() { assert_panics_here!(cross_entropy(Tape::<f64>::new().param(Tensor::ones([2, 3])), &[0]).index()); }
    #[test] fn loss_bce_shapes() { assert_panics_here!({ let t = Tape::<f64>::new(); bce_with_logits(t.param(Tensor::ones([2, 1])), t.constant(Tensor::ones([2]))).index() }); }
    #[test] fn csv_delimiter_not_ascii() { assert_panics_here!(CsvOptions::default().delimiter(0xE9)); }
    #[test] fn stratified_split_bad_fraction() { assert_panics_here!(data().stratified_split(1.5, 0)); }
    #[test] fn standardizer_apply_other_width() { assert_panics_here!(Standardizer::fit(&data()).apply(&mut Dataset::regression(Tensor::ones([2, 5]), Tensor::ones([2, 1])).unwrap())); }
    #[test] fn dataset_subset_out_of_range() { assert_panics_here!(data().subset(&[9]).len()); }
    #[test] fn dataset_fill_batch_out_of_range() { assert_panics_here!(data().fill_batch(&[9], &mut Default::default())); }
}
