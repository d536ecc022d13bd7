//! The classic backprop tutorial network: 4 inputs, two hidden layers of 2
//! sigmoid units, 1 linear output, trained online (one sample per update)
//! with the squared error. For one weight, w₂₂ of the second layer (from
//! unit 2 of hidden layer 1 to unit 2 of hidden layer 2), it prints each
//! chain-rule factor and checks that their product is the gradient the
//! engine computed:
//!
//! ```text
//! ∂L/∂w₂₂ = ∂L/∂ŷ · ∂ŷ/∂a₂ · ∂a₂/∂z₂ · ∂z₂/∂w₂₂
//!         = 2(ŷ − y) · v₂ · σ(z₂)(1 − σ(z₂)) · h₂
//! ```
//! with `z₂ = Σⱼ w₂ⱼ·hⱼ + b₂` the pre-activation of hidden-2 unit 2,
//! `a₂ = σ(z₂)`, `h₂` the output of hidden-1 unit 2, and `v₂` the output
//! weight from unit 2.
//!
//! ```text
//! cargo run --release --example seed_network
//! ```

use tapegrad::{Gradients, Tape};
use tapegrad_nn::{Activation, Mlp, Optimizer, Sgd};

fn main() {
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

    let mut mlp: Mlp<f64> = Mlp::new(4)
        .hidden(2, Activation::Sigmoid)
        .hidden(2, Activation::Sigmoid)
        .seed(1)
        .output(1);
    println!("network: {}", mlp.torch_equivalent());
    let w2 = mlp.params().id("2.weight").expect("second layer weight");
    let w3 = mlp.params().id("4.weight").expect("output weight");
    let mut opt = Sgd::new(0.5);
    let mut tape = Tape::new();
    let mut grads = Gradients::new();
    let mut worst = 0.0f64;
    let epochs = 300;
    for epoch in 0..epochs {
        let mut total = 0.0;
        for (step, (x, &y)) in xs.iter().zip(&ys).enumerate() {
            tape.clear();
            let p = mlp.params().bind(&tape);
            let layers = mlp.layers();
            let input = tape.constant_slice(x, [1, 4]);
            let h = Activation::Sigmoid.apply(layers[0].linear().forward(&p, input), &[]);
            let z = layers[1].linear().forward(&p, h);
            let a = Activation::Sigmoid.apply(z, &[]);
            let out = layers[2].linear().forward(&p, a);
            let target = tape.constant_slice(&[y], [1, 1]);
            let loss = out.mse(target);
            loss.backward_into(&mut grads);
            let engine = grads[p[w2]][[1, 1]];
            let (yhat, h2, z2, a2) = (
                out.item(),
                h.value()[[0, 1]],
                z.value()[[0, 1]],
                a.value()[[0, 1]],
            );
            let v2 = mlp.params().value(w3)[1];
            let d_loss = 2.0 * (yhat - y);
            let d_out = v2;
            let d_act = a2 * (1.0 - a2);
            let d_w = h2;
            let product = d_loss * d_out * d_act * d_w;
            worst = worst.max((product - engine).abs());
            assert!(
                (product - engine).abs() <= 1e-12 * engine.abs().max(1e-300) + 1e-300,
                "chain rule {product} vs engine {engine}"
            );
            if epoch == 0 && step < 3 || epoch == epochs - 1 && step == 0 {
                println!(
                    "\nepoch {} sample {}: x = {x:?}, y = {y}, ŷ = {yhat:.6}, z₂ = {z2:.6}",
                    epoch + 1,
                    step + 1
                );
                println!("  ∂L/∂ŷ    = 2(ŷ − y)         = {d_loss:+.10}");
                println!("  ∂ŷ/∂a₂   = v₂               = {d_out:+.10}");
                println!("  ∂a₂/∂z₂  = σ(z₂)(1 − σ(z₂)) = {d_act:+.10}");
                println!("  ∂z₂/∂w₂₂ = h₂               = {d_w:+.10}");
                println!("  product                     = {product:+.16e}");
                println!("  engine   ∂L/∂w₂₂            = {engine:+.16e}");
            }
            total += loss.item();
            mlp.params_mut().store_grads(&p, &grads);
            let (v, g) = mlp.params_mut().values_and_grads();
            opt.step(v, g);
        }
        if (epoch + 1) % 50 == 0 {
            println!(
                "epoch {:>3}: mean squared error {:.6}",
                epoch + 1,
                total / xs.len() as f64
            );
        }
    }
    let preds = mlp.predict(&tapegrad::Tensor::from_vec(xs.concat(), [8, 4]));
    let correct = preds
        .data()
        .iter()
        .zip(&ys)
        .filter(|(p, y)| (**p > 0.5) == (**y > 0.5))
        .count();
    println!("\nchain-rule product equals the engine's gradient at every one of {} steps (largest difference {worst:e})", epochs * xs.len());
    println!("accuracy after online training: {correct}/8");
}
