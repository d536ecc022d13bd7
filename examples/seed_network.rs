//! The classic backprop tutorial network: 4 inputs, two hidden layers of 2
//! sigmoid units, 1 linear output, every weight its own scalar on the tape,
//! trained online (one sample per update, `w −= η·∂C/∂w`) on the cost
//! C = ½(ŷ − y)².
//!
//! The chain rule is not written by hand here: for w²₂₂ (second hidden
//! layer, to unit 2 from unit 2) and for w¹₁₁ (first layer) the engine
//! lists every path from C down to the weight with the local derivative on
//! each edge — read off each op's own backward rule — and checks that the
//! paths sum to the gradient its reverse walk computed. w²₂₂ has one path;
//! w¹₁₁ has two, one through each unit of the second hidden layer.
//!
//! ```text
//! cargo run --release --example seed_network
//! ```

#[path = "support/textbook_net.rs"]
mod textbook_net;

use tapegrad::Tape;
use tapegrad_nn::{Activation, Mlp};
use textbook_net::Weights;

fn main() -> Result<(), tapegrad::PathError> {
    // Eight samples: the target is 1 when the first two inputs outweigh the last two.
    let xs: [[f64; 4]; 8] = [
        [0.9, 0.8, 0.1, 0.2],
        [0.1, 0.3, 0.7, 0.9],
        [0.6, 0.7, 0.2, 0.4],
        [0.2, 0.1, 0.8, 0.6],
        [0.8, 0.2, 0.3, 0.1],
        [0.3, 0.2, 0.9, 0.8],
        [0.7, 0.9, 0.5, 0.3],
        [0.4, 0.1, 0.6, 0.7],
    ];
    let ys: Vec<f64> = xs
        .iter()
        .map(|x| f64::from(u8::from(x[0] + x[1] > x[2] + x[3])))
        .collect();

    // The starting weights are those of the equivalent tapegrad-nn network.
    let mlp: Mlp<f64> = Mlp::new(4)
        .hidden(2, Activation::Sigmoid)
        .hidden(2, Activation::Sigmoid)
        .seed(1)
        .output(1);
    println!("network: {}", mlp.torch_equivalent());
    let p = mlp.params();
    let layer = |l: usize| {
        let w = p.tensor(&format!("{}.weight", 2 * l)).expect("weight");
        let (rows, cols) = (w.shape().dims()[0], w.shape().dims()[1]);
        (0..rows)
            .map(|j| w.data()[j * cols..(j + 1) * cols].to_vec())
            .collect::<Vec<_>>()
    };
    let bias = |l: usize| {
        p.tensor(&format!("{}.bias", 2 * l))
            .expect("bias")
            .into_vec()
    };
    let mut net = Weights {
        w: (0..3).map(layer).collect(),
        b: (0..3).map(bias).collect(),
    };

    let eta = 0.5;
    let epochs = 300;
    let mut worst = 0.0f64;
    for epoch in 0..epochs {
        let mut total = 0.0;
        for (step, (x, &y)) in xs.iter().zip(&ys).enumerate() {
            let tape = Tape::<f64>::new();
            let pass = net.forward(&tape, x, y);
            let grads = pass.cost.backward();
            for leaf in [pass.w[1][1][1], pass.w[0][0][0]] {
                let paths = pass.chain_rule(leaf).paths()?;
                let sum: f64 = paths.paths.iter().map(|p| p.product).sum();
                worst = worst.max((sum - grads[leaf].item()).abs());
                assert!(
                    (sum - grads[leaf].item()).abs() <= 1e-15,
                    "paths {sum} vs engine {}",
                    grads[leaf].item()
                );
                if epoch == 0 && step < 2 || epoch == epochs - 1 && step == 0 {
                    if leaf.index() == pass.w[1][1][1].index() {
                        println!(
                            "\nepoch {} sample {}: x = {x:?}, y = {y}, ŷ = {:.6}",
                            epoch + 1,
                            step + 1,
                            pass.yhat.item()
                        );
                    }
                    println!("{paths}");
                }
            }
            total += pass.cost.item();
            // Online update: every weight moves against its own gradient.
            for (l, wl) in pass.w.iter().enumerate() {
                for (j, row) in wl.iter().enumerate() {
                    for (k, &w) in row.iter().enumerate() {
                        net.w[l][j][k] -= eta * grads[w].item();
                    }
                    net.b[l][j] -= eta * grads[pass.b[l][j]].item();
                }
            }
        }
        if (epoch + 1) % 50 == 0 {
            println!(
                "epoch {:>3}: mean cost ½(ŷ − y)² {:.6}",
                epoch + 1,
                total / xs.len() as f64
            );
        }
    }
    let correct = xs
        .iter()
        .zip(&ys)
        .filter(|(x, &y)| {
            let tape = Tape::<f64>::new();
            (net.forward(&tape, &x[..], y).yhat.item() > 0.5) == (y > 0.5)
        })
        .count();
    println!(
        "\nthe chain-rule paths summed to the engine's gradient at every one of {} steps \
         (largest difference {worst:e})",
        epochs * xs.len()
    );
    println!("accuracy after online training: {correct}/8");
    Ok(())
}
