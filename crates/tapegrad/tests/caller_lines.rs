//! Every documented panic of the core names the caller's line: each public
//! panicking entry point is called wrongly here, and the panic must report
//! this file and the line of that call, not a line inside tapegrad.

#[path = "support/panic_location.rs"]
#[macro_use]
mod panic_location;

use tapegrad::{Act, Gradients, Indices, Reduction, Tape, Tensor};

fn tape() -> Tape<f64> {
    Tape::new()
}

fn m23(t: &Tape<f64>) -> tapegrad::Var<'_, f64> {
    t.param(Tensor::ones([2, 3]))
}

// One line per entry point, kept on one line so that the macro's `line!()`
// is the line of the wrong call.
#[rustfmt::skip]
mod cases {
    use super::*;

    #[test] fn tensor_from_vec_wrong_length() { assert_panics_here!(Tensor::from_vec(vec![1.0f64; 5], [2, 3])); }
    #[test] fn tensor_from_slice_wrong_length() { assert_panics_here!(Tensor::from_slice(&[1.0f64; 5], [2, 3])); }
    // The panic sits in an `unwrap_or_else` closure in tensor/dense.rs, so
    // it names that file; the fix belongs to that file's owner.
    #[test] fn tensor_uniform_bad_bounds() { assert_panics_here!(Tensor::<f64>::uniform([2], 1.0, 0.0, &mut rand::rng())); }
    #[test] fn tensor_item_not_scalar() { assert_panics_here!(Tensor::<f64>::ones([2]).item()); }
    #[test] fn tensor_reshape_wrong_count() { assert_panics_here!(Tensor::<f64>::ones([2, 3]).reshape([4])); }
    #[test] fn tensor_max_abs_diff_shapes() { assert_panics_here!(Tensor::<f64>::ones([2]).max_abs_diff(&Tensor::ones([3]))); }
    #[test] fn tape_param_slice_wrong_length() { assert_panics_here!(tape().param_slice(&[1.0; 5], [2, 3]).index()); }
    #[test] fn tape_constant_slice_wrong_length() { assert_panics_here!(tape().constant_slice(&[1.0; 5], [2, 3]).index()); }
    #[test] fn var_item_not_scalar() { assert_panics_here!(m23(&tape()).item()); }
    #[test] fn var_add_shapes() { assert_panics_here!({ let t = tape(); m23(&t).add(t.param(Tensor::ones([4]))).index() }); }
    #[test] fn var_add_operator_shapes() { assert_panics_here!({ let t = tape(); (m23(&t) + t.param(Tensor::ones([4]))).index() }); }
    #[test] fn var_sub_shapes() { assert_panics_here!({ let t = tape(); m23(&t).sub(t.param(Tensor::ones([4]))).index() }); }
    #[test] fn var_mul_shapes() { assert_panics_here!({ let t = tape(); m23(&t).mul(t.param(Tensor::ones([4]))).index() }); }
    #[test] fn var_div_shapes() { assert_panics_here!({ let t = tape(); m23(&t).div(t.param(Tensor::ones([4]))).index() }); }
    #[test] fn var_ops_on_two_tapes() { assert_panics_here!({ let (a, b) = (tape(), tape()); (m23(&a) * m23(&b)).index() }); }
    #[test] fn var_sum_axis_out_of_range() { assert_panics_here!(m23(&tape()).sum_axis(2, false).index()); }
    #[test] fn var_mean_axis_out_of_range() { assert_panics_here!(m23(&tape()).mean_axis(-3, false).index()); }
    #[test] fn var_sum_to_not_broadcastable() { assert_panics_here!(m23(&tape()).sum_to([4]).index()); }
    #[test] fn var_broadcast_to_not_broadcastable() { assert_panics_here!(m23(&tape()).broadcast_to([4, 4]).index()); }
    #[test] fn var_bias_act_shapes() { assert_panics_here!({ let t = tape(); m23(&t).bias_act(t.param(Tensor::ones([4])), Act::Relu).index() }); }
    #[test] fn var_bias_act_alpha() { assert_panics_here!({ let t = tape(); m23(&t).bias_act(t.param(Tensor::ones([3])), Act::Elu(0.0)).index() }); }
    #[test] fn var_swish_beta_shape() { assert_panics_here!({ let t = tape(); m23(&t).swish(t.param(Tensor::ones([4]))).index() }); }
    #[test] fn var_matmul_inner_dims() { assert_panics_here!({ let t = tape(); m23(&t).matmul(m23(&t)).index() }); }
    #[test] fn var_matmul_t_inner_dims() { assert_panics_here!({ let t = tape(); m23(&t).matmul_t(m23(&t), true, true).index() }); }
    #[test] fn var_softmax_0d() { assert_panics_here!(tape().scalar(1.0).softmax().index()); }
    #[test] fn var_log_softmax_0d() { assert_panics_here!(tape().scalar(1.0).log_softmax().index()); }
    #[test] fn var_transpose_out_of_range() { assert_panics_here!(m23(&tape()).transpose(0, 2).index()); }
    #[test] fn var_t_of_a_vector() { assert_panics_here!(tape().param(Tensor::<f64>::ones([3])).t().index()); }
    #[test] fn var_reshape_wrong_count() { assert_panics_here!(m23(&tape()).reshape([4]).index()); }
    #[test] fn var_mse_shapes() { assert_panics_here!({ let t = tape(); m23(&t).mse(t.param(Tensor::ones([3, 2]))).index() }); }
    #[test] fn var_cross_entropy_target_count() { assert_panics_here!(m23(&tape()).cross_entropy(&[0]).index()); }
    #[test] fn var_bce_shapes() { assert_panics_here!({ let t = tape(); m23(&t).binary_cross_entropy_with_logits(t.param(Tensor::ones([3]))).index() }); }
    #[test] fn var_layer_norm_shape() { assert_panics_here!(m23(&tape()).layer_norm(&[2], None, None, 1e-5).index()); }
    #[test] fn var_layer_norm_weight_shape() { assert_panics_here!({ let t = tape(); m23(&t).layer_norm(&[3], Some(t.param(Tensor::ones([2]))), None, 1e-5).index() }); }
    #[test] fn var_batch_norm_train_rank() { assert_panics_here!(tape().param(Tensor::<f64>::ones([3])).batch_norm_train(None, None, 1e-5).index()); }
    #[test] fn var_batch_norm_train_one_value() { assert_panics_here!(tape().param(Tensor::<f64>::ones([1, 3])).batch_norm_train(None, None, 1e-5).index()); }
    #[test] fn var_batch_norm_train_bias_shape() { assert_panics_here!({ let t = tape(); m23(&t).batch_norm_train(None, Some(t.param(Tensor::ones([2]))), 1e-5).index() }); }
    #[test] fn var_batch_norm_eval_stats_shape() { assert_panics_here!(m23(&tape()).batch_norm_eval(&Tensor::zeros([2]), &Tensor::ones([3]), None, None, 1e-5).index()); }
    #[test] fn var_embedding_index() { assert_panics_here!(m23(&tape()).embedding(&Indices::from(vec![2])).index()); }
    #[test] fn var_embedding_table_rank() { assert_panics_here!(tape().param(Tensor::<f64>::ones([3])).embedding(&Indices::from(vec![0])).index()); }
    #[test] fn var_nll_loss_target_shape() { assert_panics_here!(m23(&tape()).nll_loss(&Indices::from(vec![0]), Reduction::Mean).index()); }
    #[test] fn var_nll_loss_target_class() { assert_panics_here!(m23(&tape()).nll_loss(&Indices::from(vec![0, 3]), Reduction::Sum).index()); }
    #[test] fn var_l1_loss_shapes() { assert_panics_here!({ let t = tape(); m23(&t).l1_loss(t.param(Tensor::ones([3])), Reduction::Mean).index() }); }
    #[test] fn var_smooth_l1_loss_shapes() { assert_panics_here!({ let t = tape(); m23(&t).smooth_l1_loss(t.param(Tensor::ones([3])), Reduction::Mean, 1.0).index() }); }
    #[test] fn var_smooth_l1_loss_beta() { assert_panics_here!({ let t = tape(); m23(&t).smooth_l1_loss(m23(&t), Reduction::Mean, -1.0).index() }); }
    #[test] fn var_huber_loss_shapes() { assert_panics_here!({ let t = tape(); m23(&t).huber_loss(t.param(Tensor::ones([3])), Reduction::Mean, 1.0).index() }); }
    #[test] fn var_huber_loss_delta() { assert_panics_here!({ let t = tape(); m23(&t).huber_loss(m23(&t), Reduction::Mean, 0.0).index() }); }
    #[test] fn var_huber_loss_two_tapes() { assert_panics_here!({ let (a, b) = (tape(), tape()); m23(&a).huber_loss(m23(&b), Reduction::Mean, 1.0).index() }); }
    #[test] fn var_cosine_similarity_shapes() { assert_panics_here!({ let t = tape(); m23(&t).cosine_similarity(t.param(Tensor::ones([2])), 1, 1e-8).index() }); }
    #[test] fn var_cosine_similarity_axis() { assert_panics_here!({ let t = tape(); m23(&t).cosine_similarity(m23(&t), 2, 1e-8).index() }); }
    #[test] fn var_backward_not_scalar() { assert_panics_here!(m23(&tape()).backward().len()); }
    #[test] fn var_backward_into_not_scalar() { assert_panics_here!(m23(&tape()).backward_into(&mut Gradients::new())); }
    #[test] fn var_backward_with_seed_shape() { assert_panics_here!(m23(&tape()).backward_with(&Tensor::ones([3])).len()); }
    #[test] fn var_backward_with_into_seed_shape() { assert_panics_here!(m23(&tape()).backward_with_into(&Tensor::ones([3]), &mut Gradients::new())); }
    #[test] fn var_grad_graph_not_scalar() { assert_panics_here!({ let t = tape(); let x = m23(&t); x.grad_graph(&[x]).len() }); }
    #[test] fn var_grad_graph_with_seed_shape() { assert_panics_here!({ let t = tape(); let x = m23(&t); x.grad_graph_with(t.constant(Tensor::ones([3])), &[x]).len() }); }
    #[test] fn gradients_get_other_tape() { assert_panics_here!({ let (a, b) = (tape(), tape()); let g = a.scalar(1.0).backward(); g.get(b.scalar(1.0)).is_some() }); }
    #[test] fn gradients_index_intermediate() { assert_panics_here!({ let t = tape(); let x = t.scalar(1.0); let y = x * x; y.backward()[y].numel() }); }
    #[test] fn gradients_index_constant() { assert_panics_here!({ let t = tape(); let c = t.constant_scalar(1.0); let y = t.scalar(1.0) * c; y.backward()[c].numel() }); }
    #[test] fn hvp_wrong_direction_count() { assert_panics_here!(tapegrad::hvp(|v| v[0].sum(), &[Tensor::<f64>::ones([2])], &[]).len()); }
    #[test] fn hessian_not_scalar() { assert_panics_here!(tapegrad::hessian(|v| v[0] * 2.0, &[Tensor::<f64>::ones([2])]).numel()); }
}
