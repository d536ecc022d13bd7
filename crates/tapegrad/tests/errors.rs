//! Misuse is reported, not silently computed: shape errors name the op, the
//! shapes and the caller's line; anomaly mode finds the first NaN or
//! infinity, forward or backward; and the graph-cutting tools (`no_grad`,
//! `detach`, constants) cut exactly what they promise.

use std::panic::{catch_unwind, AssertUnwindSafe};
use tapegrad::{Gradients, Tape, Tensor};

/// The message of the panic `f` raises.
#[track_caller]
fn panic_message<R>(f: impl FnOnce() -> R) -> String {
    let payload = match catch_unwind(AssertUnwindSafe(f)) {
        Ok(_) => panic!("expected a panic"),
        Err(p) => p,
    };
    payload
        .downcast_ref::<String>()
        .cloned()
        .or_else(|| payload.downcast_ref::<&str>().map(|s| (*s).to_string()))
        .expect("a string panic payload")
}

#[track_caller]
fn assert_mentions(msg: &str, parts: &[&str]) {
    for p in parts {
        assert!(msg.contains(p), "message {msg:?} does not mention {p:?}");
    }
}

/// Asserts that `msg` names this file and a line in `line..=line + 3` (the
/// call may be wrapped onto the lines after the one `line!()` reports).
#[track_caller]
fn assert_at_line(msg: &str, line: u32) {
    let tag = format!("{}:", file!());
    let at = msg
        .find(&tag)
        .unwrap_or_else(|| panic!("message {msg:?} does not name {}", file!()));
    let digits: String = msg[at + tag.len()..]
        .chars()
        .take_while(char::is_ascii_digit)
        .collect();
    let reported: u32 = digits.parse().expect("a line number");
    assert!(
        (line..=line + 3).contains(&reported),
        "message {msg:?} names line {reported}, the call is at line {line}"
    );
}

#[test]
fn broadcast_mismatch_names_op_shapes_and_caller_line() {
    let tape = Tape::<f32>::new();
    let a = tape.param(Tensor::zeros([3, 4]));
    let b = tape.param(Tensor::zeros([5]));
    let (line, msg) = (line!(), panic_message(|| a + b));
    assert_mentions(&msg, &["add", "[3, 4]", "[5]"]);
    assert_at_line(&msg, line);

    for (name, line, msg) in [
        ("sub", line!(), panic_message(|| a - b)),
        ("mul", line!(), panic_message(|| a.mul(b))),
        ("div", line!(), panic_message(|| b / a)),
    ] {
        assert_mentions(&msg, &[name, "[3, 4]", "[5]"]);
        assert_at_line(&msg, line);
    }
}

#[test]
fn other_shape_errors_name_their_op_and_line() {
    let tape = Tape::<f64>::new();
    let a = tape.param(Tensor::zeros([2, 3]));
    let b = tape.param(Tensor::zeros([4, 5]));
    let v = tape.param(Tensor::zeros([6]));
    let cases = [
        (
            "matmul",
            line!(),
            panic_message(|| a.matmul(b)),
            vec!["[2, 3]", "[4, 5]"],
        ),
        (
            "matmul",
            line!(),
            panic_message(|| a.matmul(v)),
            vec!["[2, 3]", "[6]"],
        ),
        (
            "matmul",
            line!(),
            panic_message(|| a.matmul_t(b, false, true)),
            vec!["[2, 3]", "[4, 5]"],
        ),
        (
            "reshape",
            line!(),
            panic_message(|| a.reshape([4])),
            vec!["[2, 3]", "[4]"],
        ),
        (
            "sum",
            line!(),
            panic_message(|| a.sum_axis(2, false)),
            vec!["axis 2", "[2, 3]"],
        ),
        (
            "mean",
            line!(),
            panic_message(|| a.mean_axis(-3, true)),
            vec!["axis -3", "[2, 3]"],
        ),
        (
            "transpose",
            line!(),
            panic_message(|| a.transpose(0, 5)),
            vec!["axis 5", "[2, 3]"],
        ),
        (
            "mse",
            line!(),
            panic_message(|| a.mse(v)),
            vec!["[2, 3]", "[6]"],
        ),
        (
            "swish",
            line!(),
            panic_message(|| a.swish(v)),
            vec!["[6]", "[2, 3]"],
        ),
        (
            "sum_to",
            line!(),
            panic_message(|| a.sum_to([4])),
            vec!["[4]", "[2, 3]"],
        ),
        (
            "broadcast_to",
            line!(),
            panic_message(|| a.broadcast_to([3, 3])),
            vec!["[2, 3]", "[3, 3]"],
        ),
        (
            "binary_cross_entropy_with_logits",
            line!(),
            panic_message(|| a.binary_cross_entropy_with_logits(v)),
            vec!["[2, 3]", "[6]"],
        ),
        (
            "cross_entropy",
            line!(),
            panic_message(|| a.cross_entropy(&[0])),
            vec!["[2, 3]"],
        ),
        (
            "cross_entropy",
            line!(),
            panic_message(|| a.cross_entropy(&[0, 3])),
            vec!["target 3", "row 1"],
        ),
        (
            "softmax",
            line!(),
            panic_message(|| tape.scalar(1.0).softmax()),
            vec!["[]"],
        ),
    ];
    for (op, line, msg, shapes) in cases {
        assert_mentions(&msg, &[op]);
        assert_mentions(&msg, &shapes);
        assert_at_line(&msg, line);
    }
}

#[test]
fn backward_needs_a_scalar_or_a_matching_seed() {
    let tape = Tape::<f32>::new();
    let x = tape.param(Tensor::ones([2, 2]));
    let y = x * 2.0;
    assert_mentions(
        &panic_message(|| y.backward()),
        &["backward", "[2, 2]", "backward_with"],
    );
    let seed = Tensor::ones([4]);
    assert_mentions(
        &panic_message(|| y.backward_with(&seed)),
        &["[4]", "[2, 2]"],
    );
}

#[test]
fn anomaly_mode_reports_a_nan_in_forward_with_op_and_line() {
    let tape = Tape::<f64>::new();
    tape.set_anomaly_detection(true);
    assert!(tape.anomaly_detection());
    let x = tape.param(Tensor::from_vec(vec![4.0, -1.0], [2]));
    let (line, msg) = (line!(), panic_message(|| x.sqrt()));
    assert_mentions(&msg, &["anomaly", "sqrt", "NaN", "element 1"]);
    assert_at_line(&msg, line);

    // Off: the NaN flows through silently.
    let quiet = Tape::<f64>::new();
    let x = quiet.param(Tensor::from_vec(vec![-1.0], [1]));
    assert!(x.sqrt().item().is_nan());
}

#[test]
fn anomaly_mode_reports_an_infinite_gradient_with_op_and_line() {
    let tape = Tape::<f64>::new();
    let x = tape.param(Tensor::from_vec(vec![1.0, 0.0, 4.0], [3]));
    tape.set_anomaly_detection(true);
    let (line, r) = (line!(), x.sqrt());
    // sqrt(0) = 0 is a fine value; its derivative 1/(2·0) is not.
    let y = (r * 3.0).sum();
    let msg = panic_message(|| y.backward());
    assert_mentions(&msg, &["anomaly", "backward", "sqrt", "inf"]);
    assert_at_line(&msg, line);

    tape.set_anomaly_detection(false);
    let g = y.backward();
    assert_eq!(g[x].data()[1], f64::INFINITY);
}

#[test]
fn backward_twice_gives_identical_gradients() {
    let tape = Tape::<f64>::new();
    let w = tape.param(Tensor::from_vec(
        vec![0.5, -1.5, 2.0, 0.25, 1.0, -0.75],
        [2, 3],
    ));
    let x = tape.constant(Tensor::from_vec(vec![1.0, 2.0, -1.0], [3, 1]));
    let b = tape.scalar(0.1);
    let h = (w.matmul(x) + b).tanh();
    let loss = (h * h).sum() + w.relu().mean() + h.sigmoid().sum_axis(0, true).sum();
    let first = loss.backward();
    let second = loss.backward();
    let mut reused = Gradients::new();
    loss.backward_into(&mut reused);
    loss.backward_into(&mut reused);
    for v in [w, b] {
        assert_eq!(first[v], second[v]);
        assert_eq!(first[v], reused[v]);
    }
    assert_eq!(first.len(), 2);
}

#[test]
fn only_parameters_get_gradients() {
    let tape = Tape::<f32>::new();
    let c = tape.constant(Tensor::from_vec(vec![1.0, 2.0], [2]));
    let k = tape.constant_scalar(3.0);
    let w = tape.param(Tensor::from_vec(vec![0.5, 0.5], [2]));
    let h = c * w;
    let loss = (h * k).sum();
    let g = loss.backward();
    assert!(g.get(c).is_none());
    assert!(g.get(k).is_none());
    assert!(
        g.get(h).is_none(),
        "an intermediate value is not a parameter"
    );
    assert_eq!(g[w].data(), &[3.0, 6.0]);
    assert!(!c.requires_grad());
    assert!(h.requires_grad());
    assert_mentions(&panic_message(|| g[c].clone()), &["no gradient", "param"]);

    // A parameter the loss does not depend on gets a zero gradient.
    let unused = tape.param(Tensor::ones([3]));
    let loss = (w * 2.0).sum();
    let g = loss.backward();
    assert_eq!(g[unused].data(), &[0.0; 3]);
}

#[test]
fn no_grad_results_do_not_require_grad() {
    let tape = Tape::<f64>::new();
    let w = tape.param(Tensor::from_vec(vec![1.0, 2.0], [2]));
    let y = tape.no_grad(|| (w * w).exp().sum());
    assert!(!y.requires_grad());
    assert_eq!(y.item(), 1f64.exp() + 4f64.exp());
    let inner_param = tape.no_grad(|| tape.scalar(1.0));
    assert!(!inner_param.requires_grad());
    // Nesting, and recording resumes afterwards.
    let z = tape.no_grad(|| tape.no_grad(|| w * 2.0) + w);
    assert!(!z.requires_grad());
    let after = w * 2.0;
    assert!(after.requires_grad());
    // The no-grad value enters later ops as a constant.
    let loss = (after * y).sum();
    assert_eq!(loss.backward()[w].data(), &[2.0 * y.item(), 2.0 * y.item()]);
    // A panic inside no_grad does not leave recording switched off.
    let _ = catch_unwind(AssertUnwindSafe(|| tape.no_grad(|| panic!("inside"))));
    assert!((w * 1.0).requires_grad());
}

#[test]
fn detach_cuts_the_graph() {
    let tape = Tape::<f64>::new();
    let x = tape.scalar(3.0);
    let d = x.detach();
    assert!(!d.requires_grad());
    assert_eq!(d.item(), 3.0);
    let y = x * d + d.exp();
    assert_eq!(y.backward()[x].item(), 3.0);
    let z = (x * x).detach() * x;
    assert_eq!(z.backward()[x].item(), 9.0);
}

#[test]
fn mixing_tapes_panics_with_a_clear_message() {
    let t1 = Tape::<f32>::new();
    let t2 = Tape::<f32>::new();
    let a = t1.param(Tensor::ones([2]));
    let b = t2.param(Tensor::ones([2]));
    let (line, msg) = (line!(), panic_message(|| a + b));
    assert_mentions(&msg, &["add", "two different tapes"]);
    assert_at_line(&msg, line);
    assert_mentions(
        &panic_message(|| a.matmul(b)),
        &["matmul", "different tapes"],
    );
    assert_mentions(&panic_message(|| a.swish(b)), &["swish", "different tapes"]);
    assert_mentions(&panic_message(|| a.mse(b)), &["mse", "different tapes"]);
    let g = (a * 2.0).sum().backward();
    assert_mentions(&panic_message(|| g.get(b)), &["another tape"]);
}

#[test]
fn gradients_of_a_cleared_recording_are_refused() {
    let mut tape = Tape::<f64>::new();
    let g = {
        let w = tape.scalar(2.0);
        (w * w).backward()
    };
    tape.clear();
    let w = tape.scalar(2.0);
    assert_mentions(&panic_message(|| g.get(w)), &["earlier recording"]);
}
