//! The cost of `jvp` (double VJP: a recorded backward pass, then a plain
//! one) against one `vjp` (a plain backward pass), both including the
//! forward pass, on a 784-128-10 tanh MLP at batch 64 (f64). Runs the two
//! interleaved and prints the medians and their ratio.
//!
//! Run: `cargo run --release --example jvp_cost`

use rand::rngs::StdRng;
use rand::SeedableRng;
use std::time::Instant;
use tapegrad::{jvp, vjp, Tensor, Var};

fn mlp<'t>(v: &[Var<'t, f64>]) -> Var<'t, f64> {
    let h = (v[0].matmul(v[1]) + v[2]).tanh();
    h.matmul(v[3]) + v[4]
}

fn median(mut t: Vec<f64>) -> f64 {
    t.sort_by(f64::total_cmp);
    t[t.len() / 2]
}

fn main() {
    let mut rng = StdRng::seed_from_u64(0);
    let shapes: [&[usize]; 5] = [&[64, 784], &[784, 128], &[128], &[128, 10], &[10]];
    let x: Vec<Tensor<f64>> = shapes
        .iter()
        .map(|s| Tensor::uniform(s.to_vec(), -0.1, 0.1, &mut rng))
        .collect();
    let dirs: Vec<Tensor<f64>> = shapes
        .iter()
        .map(|s| Tensor::uniform(s.to_vec(), -1.0, 1.0, &mut rng))
        .collect();
    let u = Tensor::uniform(vec![64, 10], -1.0, 1.0, &mut rng);
    let (mut tj, mut tv) = (Vec::new(), Vec::new());
    for _ in 0..41 {
        let t = Instant::now();
        let (_, jv) = jvp(mlp, &x, &dirs);
        tj.push(t.elapsed().as_secs_f64());
        let t = Instant::now();
        let (_, g) = vjp(mlp, &x, &u);
        tv.push(t.elapsed().as_secs_f64());
        assert!(jv.numel() == 640 && g.len() == 5);
    }
    let (mj, mv) = (median(tj), median(tv));
    println!("jvp (double VJP): median {:.3} ms", mj * 1e3);
    println!("vjp:              median {:.3} ms", mv * 1e3);
    println!("ratio jvp / vjp:  {:.2}", mj / mv);
}
