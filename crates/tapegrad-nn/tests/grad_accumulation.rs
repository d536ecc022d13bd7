//! `Trainer::grad_accumulation(k)`: k micro-batches summed into one update
//! equal one update with a k× batch (f64, tight tolerance), with an even
//! split and with a short last micro-batch.

use rand::rngs::StdRng;
use rand::SeedableRng;
use tapegrad::Tensor;
use tapegrad_nn::data::Dataset;
use tapegrad_nn::{Activation, Adam, BatchMode, Loss, Mlp, Sgd, Trainer};

fn data(n: usize) -> Dataset<f64> {
    let mut rng = StdRng::seed_from_u64(7);
    let x = Tensor::uniform(vec![n, 3], -1.0, 1.0, &mut rng);
    let y = Tensor::uniform(vec![n, 2], -1.0, 1.0, &mut rng);
    Dataset::regression(x, y).unwrap()
}

fn net() -> Mlp<f64> {
    Mlp::new(3)
        .hidden(5, Activation::Tanh)
        .hidden(4, Activation::Elu(1.0))
        .seed(3)
        .output(2)
}

/// Largest parameter difference after training with `a` versus `b`.
fn diff(a: Trainer, b: Trainer, n: usize, adam: bool) -> f64 {
    let d = data(n);
    let (mut m1, mut m2) = (net(), net());
    if adam {
        a.fit(&mut m1, &mut Adam::new(0.01), &d, None).unwrap();
        b.fit(&mut m2, &mut Adam::new(0.01), &d, None).unwrap();
    } else {
        a.fit(&mut m1, &mut Sgd::new(0.1), &d, None).unwrap();
        b.fit(&mut m2, &mut Sgd::new(0.1), &d, None).unwrap();
    }
    let (p1, p2) = (m1.params().values(), m2.params().values());
    assert_eq!(p1.len(), p2.len());
    p1.iter()
        .zip(p2)
        .map(|(x, y)| (x - y).abs())
        .fold(0.0, f64::max)
}

fn trainer(batch: usize) -> Trainer {
    Trainer::new(Loss::Mse)
        .mode(BatchMode::MiniBatch(batch))
        .epochs(5)
        .seed(11)
}

#[test]
fn accumulated_micro_batches_equal_one_big_batch() {
    for (n, adam) in [(48, false), (48, true), (50, false), (50, true)] {
        let d = diff(trainer(4).grad_accumulation(3), trainer(12), n, adam);
        assert!(
            d < 1e-12,
            "n = {n}, adam = {adam}: parameters differ by {d}"
        );
    }
}

#[test]
fn accumulation_is_not_the_same_as_small_steps() {
    // the comparison above is not trivially true: small steps differ
    let d = diff(trainer(4), trainer(12), 48, false);
    assert!(d > 1e-4, "{d}");
}

#[test]
fn accumulation_of_one_is_the_default() {
    assert_eq!(
        diff(trainer(4).grad_accumulation(1), trainer(4), 48, true),
        0.0
    );
}

#[test]
#[should_panic(expected = "grad_accumulation(0)")]
fn zero_batches_per_update_is_refused() {
    let _ = trainer(4).grad_accumulation(0);
}
