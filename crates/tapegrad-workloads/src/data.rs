//! The workloads' data and initial parameters, drawn as the peers draw
//! them (same distributions and order; `rand`'s generator, not NumPy's).

use rand::rngs::StdRng;
use rand::seq::SliceRandom;
use rand::{Rng, SeedableRng};
use rand_distr::StandardNormal;
use tapegrad::{Float, Tensor};

/// The generator every workload starts from.
pub(crate) fn rng(seed: u64) -> StdRng {
    StdRng::seed_from_u64(seed)
}

/// PyTorch's `nn.Linear` default, layer by layer: `W [in, out]` then
/// `b [out]`, both `U(−1/√in, 1/√in)`.
pub(crate) fn init_uniform_fanin<T: Float>(rng: &mut StdRng, sizes: &[usize]) -> Vec<Tensor<T>> {
    let mut params = Vec::with_capacity(2 * sizes.len());
    for io in sizes.windows(2) {
        let s = T::from_f64(1.0 / (io[0] as f64).sqrt());
        params.push(Tensor::uniform([io[0], io[1]], -s, s, rng));
        params.push(Tensor::uniform([io[1]], -s, s, rng));
    }
    params
}

/// LeCun normal: `W ~ N(0, 1/in)`, `b = 0`.
pub(crate) fn init_lecun_normal<T: Float>(rng: &mut StdRng, sizes: &[usize]) -> Vec<Tensor<T>> {
    let mut params = Vec::with_capacity(2 * sizes.len());
    for io in sizes.windows(2) {
        let s = 1.0 / (io[0] as f64).sqrt();
        params.push(normal([io[0], io[1]], s, rng));
        params.push(Tensor::zeros([io[1]]));
    }
    params
}

/// `N(0, scale²)` entries.
pub(crate) fn normal<T: Float, const R: usize>(
    shape: [usize; R],
    scale: f64,
    rng: &mut StdRng,
) -> Tensor<T> {
    let n = shape.iter().product();
    let data = (0..n)
        .map(|_| T::from_f64(scale * rng.sample::<f64, _>(StandardNormal)))
        .collect();
    Tensor::from_vec(data, shape)
}

/// A classification batch: `X ~ N(0, 1)` `[batch, inputs]` and labels
/// uniform in `0..classes`.
pub(crate) fn classification_batch<T: Float>(
    rng: &mut StdRng,
    batch: usize,
    inputs: usize,
    classes: usize,
) -> (Tensor<T>, Vec<usize>) {
    let x = normal([batch, inputs], 1.0, rng);
    let labels = (0..batch).map(|_| rng.random_range(0..classes)).collect();
    (x, labels)
}

/// scikit-learn's `make_moons(n, noise)`: two interleaved half circles,
/// shuffled, with Gaussian noise; labels mapped to `±1` as micrograd's
/// demo does. Returns `([n, 2] points row-major, labels)`.
pub(crate) fn make_moons(rng: &mut StdRng, n: usize, noise: f64) -> (Vec<f64>, Vec<f64>) {
    let outer = n / 2;
    let inner = n - outer;
    let arc = |i: usize, count: usize| {
        if count > 1 {
            std::f64::consts::PI * i as f64 / (count - 1) as f64
        } else {
            0.0
        }
    };
    let mut points: Vec<([f64; 2], f64)> = (0..outer)
        .map(|i| ([arc(i, outer).cos(), arc(i, outer).sin()], -1.0))
        .chain((0..inner).map(|i| {
            let t = arc(i, inner);
            ([1.0 - t.cos(), 1.0 - t.sin() - 0.5], 1.0)
        }))
        .collect();
    points.shuffle(rng);
    let mut xs = Vec::with_capacity(2 * n);
    let mut ys = Vec::with_capacity(n);
    for (p, y) in points {
        for c in p {
            xs.push(c + noise * rng.sample::<f64, _>(StandardNormal));
        }
        ys.push(y);
    }
    (xs, ys)
}
