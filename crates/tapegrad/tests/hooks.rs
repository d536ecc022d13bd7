//! Gradient hooks: clip, scale and log; a hook on an intermediate used
//! twice sees the summed gradient once; a hook on a parameter changes what
//! is reported.

use std::sync::{Arc, Mutex};
use tapegrad::{Tape, Tensor};

#[test]
fn clip_hook_clips_what_flows_on() {
    let tape = Tape::<f64>::new();
    let x = tape.param(Tensor::from_vec(vec![0.05, -2.0, 3.0], [3]));
    let h = x * 2.0;
    h.register_hook(|g| g.iter_mut().for_each(|e| *e = e.clamp(-1.0, 1.0)));
    let g = (h * h).sum().backward(); // d/dh = 2h = [0.2, -8, 12] → [0.2, -1, 1]
    assert_eq!(g[x].data(), &[0.4, -2.0, 2.0]);
}

#[test]
fn scale_hook_scales_the_gradient() {
    let tape = Tape::<f64>::new();
    let x = tape.param(Tensor::from_vec(vec![1.0, 2.0], [2]));
    let h = x.exp();
    h.register_hook(|g| g.iter_mut().for_each(|e| *e *= -3.0));
    let g = h.sum().backward();
    assert_eq!(g[x].data(), &[-3.0 * 1f64.exp(), -3.0 * 2f64.exp()]);
}

#[test]
fn log_hook_sees_the_gradient_and_leaves_it() {
    let seen = Arc::new(Mutex::new(Vec::new()));
    let tape = Tape::<f64>::new();
    let x = tape.param(Tensor::from_vec(vec![1.0, 2.0, 3.0], [3]));
    let h = x * x;
    let log = seen.clone();
    h.register_hook(move |g| log.lock().unwrap().push(g.to_vec()));
    let g = (h * 5.0).sum().backward();
    assert_eq!(*seen.lock().unwrap(), vec![vec![5.0, 5.0, 5.0]]);
    assert_eq!(g[x].data(), &[10.0, 20.0, 30.0]);
    // every backward of the recording runs it again
    let _ = (h * 5.0).sum().backward();
    assert_eq!(seen.lock().unwrap().len(), 2);
}

#[test]
fn hook_on_an_intermediate_used_twice_sees_the_sum_once() {
    let seen = Arc::new(Mutex::new(Vec::new()));
    let tape = Tape::<f64>::new();
    let x = tape.param(Tensor::from_vec(vec![1.0, -1.0], [2]));
    let h = x * 3.0;
    let log = seen.clone();
    h.register_hook(move |g| {
        log.lock().unwrap().push(g.to_vec());
        g.iter_mut().for_each(|e| *e *= 0.5);
    });
    // two uses: 2·h and h², so dL/dh = 2 + 2h = [8, -4]
    let g = (h * 2.0 + h * h).sum().backward();
    assert_eq!(*seen.lock().unwrap(), vec![vec![8.0, -4.0]]);
    assert_eq!(g[x].data(), &[12.0, -6.0]); // 3 · 0.5 · [8, -4]
}

#[test]
fn hook_on_a_param_changes_what_is_reported() {
    let tape = Tape::<f64>::new();
    let w = tape.param(Tensor::from_vec(vec![1.0, 2.0], [2]));
    let c = tape.param(Tensor::from_vec(vec![1.0, 2.0], [2]));
    w.register_hook(|g| g.fill(0.0));
    let g = (w * c).sum().backward();
    assert_eq!(g[w].data(), &[0.0, 0.0]);
    assert_eq!(g[c].data(), &[1.0, 2.0]);
}

#[test]
#[should_panic(expected = "register_hook")]
fn hook_on_a_constant_is_refused() {
    let tape = Tape::<f64>::new();
    tape.constant_scalar(1.0).register_hook(|_| {});
}
