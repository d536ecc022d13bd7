//! W1 `micrograd-demo`: micrograd's demo, an MLP 2-16-16-1 (ReLU, ReLU,
//! linear) on `make_moons(100, noise 0.1)` with labels `±1`; loss
//! `mean(relu(1 − yᵢ·scoreᵢ)) + 1e-4·Σ p²`; SGD lr 0.1. Init as
//! micrograd's: `w ~ U(−1, 1)`, `b = 0`. Two forms: every value a 0-d
//! node ([`Scalars`], as micrograd records it) and batched tensors
//! ([`Tensors`], as the PyTorch peer runs it).

use crate::{data, Workload};
use rand::Rng;
use tapegrad::{Float, Gradients, Tape, Tensor, Var};

/// Layer widths.
const SIZES: [usize; 4] = [2, 16, 16, 1];
/// Parameters: `(2+1)·16 + (16+1)·16 + (16+1)·1`.
const PARAMS: usize = 337;
/// Points.
const POINTS: usize = 100;
const LR: f64 = 0.1;
const REG: f64 = 1e-4;

/// Neuron by neuron, layer by layer: each neuron's weights, then its bias
/// (micrograd's `parameters()` order).
fn init(rng: &mut rand::rngs::StdRng) -> [f64; PARAMS] {
    let mut p = [0.0; PARAMS];
    let mut k = 0;
    for io in SIZES.windows(2) {
        for _ in 0..io[1] {
            for _ in 0..io[0] {
                p[k] = rng.random_range(-1.0..1.0);
                k += 1;
            }
            k += 1; // the bias stays 0
        }
    }
    p
}

/// The moons and micrograd's parameters, from seed 0.
fn setup() -> (Vec<f64>, Vec<f64>, [f64; PARAMS]) {
    let mut rng = data::rng(0);
    let (x, y) = data::make_moons(&mut rng, POINTS, 0.1);
    let params = init(&mut rng);
    (x, y, params)
}

/// W1 as micrograd records it: every value a 0-d node (~65,000 per step).
/// The parameters (tape nodes `0..PARAMS`) and the points' coordinates
/// (the next `2·POINTS`) are leaves recorded once and kept by
/// `Tape::truncate`; SGD updates the parameters in place.
pub(crate) struct Scalars<T: Float> {
    y: Vec<T>,
    tape: Tape<T>,
    grads: Gradients<T>,
}

impl<T: Float> Scalars<T> {
    pub(crate) fn new() -> Self {
        let (x, y, p) = setup();
        let tape = Tape::new();
        for w in p {
            let _ = tape.scalar(T::from_f64(w));
        }
        for xi in x {
            let _ = tape.constant_scalar(T::from_f64(xi));
        }
        Scalars {
            y: y.into_iter().map(T::from_f64).collect(),
            tape,
            grads: Gradients::new(),
        }
    }
}

/// One micrograd `Layer` on scalar inputs: `act = b + Σ wᵢ·xᵢ`, ReLU if
/// `relu`. `p` holds the layer's neurons (weights then bias each).
fn layer<'t, T: Float, const IN: usize, const OUT: usize>(
    p: &[Var<'t, T>],
    x: &[Var<'t, T>; IN],
    relu: bool,
) -> [Var<'t, T>; OUT] {
    std::array::from_fn(|j| {
        let n = &p[j * (IN + 1)..(j + 1) * (IN + 1)];
        let act = x.iter().zip(n).fold(n[IN], |acc, (&xi, &wi)| acc + wi * xi);
        if relu {
            act.relu()
        } else {
            act
        }
    })
}

impl<T: Float> Workload for Scalars<T> {
    fn step(&mut self) -> f64 {
        self.tape.truncate(PARAMS + 2 * POINTS);
        let tape = &self.tape;
        // On the stack, so taking the parameters' handles allocates nothing.
        let p: [Var<'_, T>; PARAMS] = std::array::from_fn(|i| tape.var(i));
        let (l1, rest) = p.split_at(3 * 16);
        let (l2, l3) = rest.split_at(17 * 16);
        let mut data_loss: Option<Var<'_, T>> = None;
        for (k, &y) in self.y.iter().enumerate() {
            let x = [tape.var(PARAMS + 2 * k), tape.var(PARAMS + 2 * k + 1)];
            let h1: [Var<'_, T>; 16] = layer(l1, &x, true);
            let h2: [Var<'_, T>; 16] = layer(l2, &h1, true);
            let [score]: [Var<'_, T>; 1] = layer(l3, &h2, false);
            let margin = score.mul_scalar(-y).add_scalar(T::one()).relu();
            data_loss = Some(match data_loss {
                Some(s) => s + margin,
                None => margin,
            });
        }
        let reg = p[1..].iter().fold(p[0] * p[0], |acc, &w| acc + w * w);
        let data_loss = data_loss.expect("the moons have 100 points");
        let loss = data_loss.mul_scalar(T::from_f64(1.0 / POINTS as f64))
            + reg.mul_scalar(T::from_f64(REG));
        loss.backward_into(&mut self.grads);
        let loss = loss.item().to_f64();
        let lr = T::from_f64(LR);
        for i in 0..PARAMS {
            let g = self.grads[self.tape.var(i)].item();
            self.tape.leaf_values_mut(i)[0] -= lr * g;
        }
        loss
    }

    fn details(&self) -> serde_json::Map<String, serde_json::Value> {
        let mut d = serde_json::Map::new();
        d.insert("tape_nodes_per_step".into(), self.tape.len().into());
        d.insert("kept_leaves".into(), (PARAMS + 2 * POINTS).into());
        d.insert("parameters".into(), PARAMS.into());
        d
    }
}

/// W1 as batched tensors (batch 100), as the PyTorch peer runs it. The
/// tape's first leaves, kept by `Tape::truncate`: `W₁ [2,16], b₁,
/// W₂ [16,16], b₂, W₃ [16,1], b₃` (from micrograd's neurons, updated in
/// place), then the points `[100, 2]` and `−y` `[100, 1]`.
pub(crate) struct Tensors<T: Float> {
    tape: Tape<T>,
    grads: Gradients<T>,
}

impl<T: Float> Tensors<T> {
    pub(crate) fn new() -> Self {
        let (x, y, p) = setup();
        let tape = Tape::new();
        let mut k = 0;
        for io in SIZES.windows(2) {
            let (nin, nout) = (io[0], io[1]);
            let mut w = vec![T::zero(); nin * nout];
            let mut b = vec![T::zero(); nout];
            for j in 0..nout {
                for i in 0..nin {
                    w[i * nout + j] = T::from_f64(p[k]);
                    k += 1;
                }
                b[j] = T::from_f64(p[k]);
                k += 1;
            }
            let _ = tape.param(Tensor::from_vec(w, [nin, nout]));
            let _ = tape.param(Tensor::from_vec(b, [nout]));
        }
        let x: Vec<T> = x.into_iter().map(T::from_f64).collect();
        let neg_y: Vec<T> = y.into_iter().map(|v| T::from_f64(-v)).collect();
        let _ = tape.constant_slice(&x, [POINTS, 2]);
        let _ = tape.constant_slice(&neg_y, [POINTS, 1]);
        Tensors {
            tape,
            grads: Gradients::new(),
        }
    }
}

impl<T: Float> Workload for Tensors<T> {
    fn step(&mut self) -> f64 {
        self.tape.truncate(8);
        let tape = &self.tape;
        let v: [Var<'_, T>; 6] = std::array::from_fn(|i| tape.var(i));
        let (x, neg_y) = (tape.var(6), tape.var(7));
        let h1 = (x.matmul(v[0]) + v[1]).relu();
        let h2 = (h1.matmul(v[2]) + v[3]).relu();
        let score = h2.matmul(v[4]) + v[5];
        let data_loss = (score * neg_y).add_scalar(T::one()).relu().mean();
        let reg = v[1..]
            .iter()
            .fold(v[0].square().sum(), |acc, &p| acc + p.square().sum());
        let loss = data_loss + reg.mul_scalar(T::from_f64(REG));
        loss.backward_into(&mut self.grads);
        let loss = loss.item().to_f64();
        let lr = T::from_f64(LR);
        for i in 0..v.len() {
            let g = self.grads[self.tape.var(i)].data();
            for (e, &g) in self.tape.leaf_values_mut(i).iter_mut().zip(g) {
                *e -= lr * g;
            }
        }
        loss
    }
}
