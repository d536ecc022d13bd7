//! The README's first example: a micrograd-style scalar expression and a
//! small tensor expression, with their gradients.

use rand::SeedableRng;
use tapegrad::{Tape, Tensor};

fn main() {
    // Scalars: z = 2x + 2 + x, y = relu(z²) + z·x, as in micrograd's README.
    let tape = Tape::<f64>::new();
    let x = tape.scalar(-4.0);
    let z = x * 2.0 + 2.0 + x;
    let y = (z * z).relu() + z * x;
    let g = y.backward();
    println!("y = {}, dy/dx = {}", y.item(), g[x].item());

    // Tensors: loss = mean(relu(x·W + b)).
    let mut rng = rand::rngs::StdRng::seed_from_u64(0);
    let tape = Tape::<f32>::new();
    let x = tape.constant(Tensor::randn([4, 3], &mut rng));
    let w = tape.param(Tensor::randn([3, 2], &mut rng));
    let b = tape.param(Tensor::zeros([2]));
    let loss = (x.matmul(w) + b).relu().mean();
    let grads = loss.backward();
    println!(
        "loss = {}\ndL/dW =\n{}\ndL/db = {}",
        loss.item(),
        grads[w],
        grads[b]
    );
}
