//! A 2-2-1 network learns XOR: two tanh hidden units, one output logit,
//! binary cross-entropy, full-batch Adam.
//!
//! ```text
//! cargo run --release --example xor
//! ```

use tapegrad::Tensor;
use tapegrad_nn::data::Dataset;
use tapegrad_nn::{evaluate, Activation, Adam, BatchMode, Loss, Mlp, Trainer};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let x = Tensor::from_vec(vec![0.0f64, 0.0, 0.0, 1.0, 1.0, 0.0, 1.0, 1.0], [4, 2]);
    let y = Tensor::from_vec(vec![0.0, 1.0, 1.0, 0.0], [4, 1]);
    let data = Dataset::regression(x.clone(), y)?;
    let mut mlp: Mlp<f64> = Mlp::new(2).hidden(2, Activation::Tanh).seed(3).output(1);
    println!("network: {}", mlp.torch_equivalent());
    let history = Trainer::new(Loss::BceWithLogits)
        .mode(BatchMode::FullBatch)
        .epochs(3000)
        .stop_at_loss(0.01)
        .fit(&mut mlp, &mut Adam::new(0.05), &data, None)?;
    for r in history.epochs.iter().filter(|r| r.epoch % 100 == 0) {
        println!(
            "epoch {:>4}: loss {:.5}  accuracy {:.2}",
            r.epoch + 1,
            r.loss,
            r.accuracy
        );
    }
    println!(
        "stopped after {} epochs ({:?})",
        history.epochs.len(),
        history.stop
    );
    let logits = mlp.predict(&x);
    for (row, z) in x.data().chunks(2).zip(logits.data()) {
        let p = 1.0 / (1.0 + (-z).exp());
        println!(
            "{} xor {} -> p = {p:.4} -> {}",
            row[0],
            row[1],
            u8::from(p > 0.5)
        );
    }
    let acc = evaluate(&mlp, &data, Loss::BceWithLogits).accuracy;
    println!("accuracy: {acc:.2}");
    assert_eq!(acc, 1.0, "XOR not learned");
    Ok(())
}
