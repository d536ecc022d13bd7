//! `mlp-large-gemm-only`: the eight matrix products of one W2 step and
//! nothing else, through `tapegrad::matmul_into`, the kernel and threading
//! of tapegrad's matmul: the ceiling that the rest of the step must not waste.
//!
//! Forward `H₁ = X·W₁`, `H₂ = H₁·W₂`, `Z = H₂·W₃`; backward `∂W₃ = H₂ᵀ·G₃`,
//! `∂H₂ = G₃·W₃ᵀ`, `∂W₂ = H₁ᵀ·G₂`, `∂H₁ = G₂·W₂ᵀ`, `∂W₁ = Xᵀ·G₁` (no `∂X`:
//! the batch is a constant). 2·128·(784·512 + 512·512 + 512·10)·3 −
//! 2·128·784·512 ≈ 411 MFLOP per step.

use crate::{data, Workload};
use tapegrad::{Float, Tensor};

/// Batch and layer widths of W2.
const B: usize = 128;
const D: [usize; 4] = [784, 512, 512, 10];

/// Floating-point operations of one step (2 per multiply-add).
pub(crate) const FLOP: usize =
    2 * B * (3 * (D[0] * D[1] + D[1] * D[2] + D[2] * D[3]) - D[0] * D[1]);

pub(crate) struct GemmOnly<T: Float> {
    x: Vec<T>,
    w: [Vec<T>; 3],
    /// Activations `H₁, H₂, Z`, and then the output gradients `G₁, G₂, G₃`.
    h: [Vec<T>; 3],
    g: [Vec<T>; 3],
    dw: [Vec<T>; 3],
}

/// A row-major `[rows, cols]` operand, optionally read transposed.
#[derive(Clone, Copy)]
struct Op<'a, T> {
    data: &'a [T],
    transposed: bool,
}

/// `dst [m, n] = a [m, k] · b [k, n]`, all row-major in memory (read with
/// strides when transposed), through the kernel `Var::matmul` uses.
fn gemm<T: Float>(m: usize, n: usize, k: usize, dst: &mut [T], a: Op<'_, T>, b: Op<'_, T>) {
    tapegrad::matmul_into(
        m,
        n,
        k,
        dst,
        false,
        a.data,
        a.transposed,
        b.data,
        b.transposed,
    );
}

impl<T: Float> GemmOnly<T> {
    pub(crate) fn new() -> Self {
        let mut rng = data::rng(0);
        let params = data::init_uniform_fanin::<T>(&mut rng, &D);
        let (x, _) = data::classification_batch::<T>(&mut rng, B, D[0], D[3]);
        let w = [0, 2, 4].map(|i| params[i].data().to_vec());
        let act = |n: usize| vec![T::zero(); B * n];
        let mut grad = |n: usize| {
            let t: Tensor<T> = data::normal([B * n], 0.01, &mut rng);
            t.data().to_vec()
        };
        let g = [grad(D[1]), grad(D[2]), grad(D[3])];
        GemmOnly {
            x: x.data().to_vec(),
            h: [act(D[1]), act(D[2]), act(D[3])],
            g,
            dw: [0, 1, 2].map(|l| vec![T::zero(); D[l] * D[l + 1]]),
            w,
        }
    }
}

fn op<T>(data: &[T], transposed: bool) -> Op<'_, T> {
    Op { data, transposed }
}

impl<T: Float> Workload for GemmOnly<T> {
    fn step(&mut self) -> f64 {
        let [h1, h2, z] = &mut self.h;
        let [g1, g2, g3] = &mut self.g;
        let [w1, w2, w3] = &self.w;
        let [dw1, dw2, dw3] = &mut self.dw;
        gemm(B, D[1], D[0], h1, op(&self.x, false), op(w1, false));
        gemm(B, D[2], D[1], h2, op(h1, false), op(w2, false));
        gemm(B, D[3], D[2], z, op(h2, false), op(w3, false));
        gemm(D[2], D[3], B, dw3, op(h2, true), op(g3, false));
        gemm(B, D[2], D[3], g2, op(g3, false), op(w3, true));
        gemm(D[1], D[2], B, dw2, op(h1, true), op(g2, false));
        gemm(B, D[1], D[2], g1, op(g2, false), op(w2, true));
        gemm(D[0], D[1], B, dw1, op(&self.x, true), op(g1, false));
        // Not a loss: a checksum that keeps the products observable.
        dw1[0].to_f64()
    }

    fn details(&self) -> serde_json::Map<String, serde_json::Value> {
        let mut d = serde_json::Map::new();
        d.insert("flop_per_step".into(), FLOP.into());
        d.insert("gemms_per_step".into(), 8.into());
        d
    }
}
