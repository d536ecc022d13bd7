//! Which nn types may cross or be shared between threads, asserted at
//! compile time: `Mlp`, its `Params`, the optimizers, the `Trainer` and
//! the data sets own plain buffers and are `Send + Sync`, so a model can be
//! trained on one thread and served from several. `ForwardCtx` is `Send`
//! (one per thread: it carries the dropout generator). A `Bound` (the
//! parameters as `Var`s of one tape) is neither, like the `Var`s it holds.

#[path = "../../tapegrad/tests/support/thread_bounds.rs"]
mod thread_bounds;

use tapegrad_nn::data::{Batch, Dataset};
use tapegrad_nn::{Adam, Bound, ForwardCtx, History, Mlp, Params, Sgd, Trainer};
use thread_bounds::{is_send, is_sync, AmbiguousIfSend, AmbiguousIfSync};

const _: () = {
    is_send::<Mlp<f32>>();
    is_sync::<Mlp<f32>>();
    is_send::<Mlp<f64>>();
    is_sync::<Mlp<f64>>();
    is_send::<Params<f32>>();
    is_sync::<Params<f32>>();
    is_send::<Adam<f32>>();
    is_sync::<Adam<f32>>();
    is_send::<Sgd<f64>>();
    is_sync::<Sgd<f64>>();
    is_send::<Trainer>();
    is_sync::<Trainer>();
    is_send::<History>();
    is_send::<Dataset<f32>>();
    is_sync::<Dataset<f32>>();
    is_send::<Batch<f32>>();
    is_send::<ForwardCtx<f32>>();
};

const _: fn() = || {
    <Bound<'static, f32> as AmbiguousIfSend<_>>::probe();
    <Bound<'static, f32> as AmbiguousIfSync<_>>::probe();
};

#[test]
fn one_model_predicts_from_several_threads() {
    use tapegrad::Tensor;
    use tapegrad_nn::Activation;
    let mlp: Mlp<f32> = Mlp::new(2).hidden(3, Activation::Tanh).seed(1).output(1);
    let x = Tensor::from_vec(vec![0.5f32, -1.0], [1, 2]);
    let alone = mlp.predict(&x);
    std::thread::scope(|s| {
        let handles: Vec<_> = (0..3).map(|_| s.spawn(|| mlp.predict(&x))).collect();
        for h in handles {
            assert_eq!(h.join().unwrap(), alone);
        }
    });
}
