//! Which core types may cross or be shared between threads, asserted at
//! compile time so that a change cannot go unnoticed: this file stops
//! compiling if one does.
//!
//! * `Tape` is `Send` but not `Sync`: it records through `&self` into a
//!   `RefCell`, so one thread at a time may use it, and it may move to
//!   another thread between uses.
//! * `Var` is neither: it holds a `&Tape`, which is only `Send` when the
//!   tape is `Sync`. A worker thread builds its own tape.
//! * `Tensor` and `Gradients` own plain buffers and are both: gradients
//!   computed on worker threads can be sent back and summed.

use tapegrad::{Gradients, Tape, Tensor, Var};

#[path = "support/thread_bounds.rs"]
mod thread_bounds;

use thread_bounds::{is_send, is_sync, AmbiguousIfSend, AmbiguousIfSync};

const _: () = {
    is_send::<Tape<f32>>();
    is_send::<Tape<f64>>();
    is_send::<Gradients<f32>>();
    is_sync::<Gradients<f32>>();
    is_send::<Gradients<f64>>();
    is_sync::<Gradients<f64>>();
    is_send::<Tensor<f32>>();
    is_sync::<Tensor<f64>>();
};

const _: fn() = || {
    <Tape<f32> as AmbiguousIfSync<_>>::probe();
    <Var<'static, f32> as AmbiguousIfSend<_>>::probe();
    <Var<'static, f32> as AmbiguousIfSync<_>>::probe();
};

#[test]
fn a_tape_moves_to_a_worker_and_gradients_come_back() {
    // What the bounds allow, done: each worker owns its tape; the gradients
    // are sent back and summed.
    let handles: Vec<_> = (1..=3)
        .map(|k| {
            let tape = Tape::<f64>::new();
            std::thread::spawn(move || {
                let w = tape.scalar(k as f64);
                (w * w).backward()[w].item()
            })
        })
        .collect();
    let total: f64 = handles.into_iter().map(|h| h.join().unwrap()).sum();
    assert_eq!(total, 2.0 + 4.0 + 6.0);
}
