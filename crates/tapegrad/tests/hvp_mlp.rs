//! Hessian-vector products of small random tanh networks under a mean
//! softmax cross-entropy (W6's structure at sizes a finite difference can
//! check): `tapegrad::hvp` against central differences of the gradient
//! along `v`, `(∇L(θ + εv) − ∇L(θ − εv)) / 2ε`, and against the dense
//! Hessian times `v`.

use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use tapegrad::{hessian, hvp, Tape, Tensor, Var};

/// One random network and batch: `sizes[0]` inputs, tanh after every
/// hidden layer, `sizes[last]` classes.
struct Net {
    sizes: Vec<usize>,
    x: Tensor<f64>,
    labels: Vec<usize>,
    /// Whether the input is a parameter too (a gradient penalty's case).
    input_is_param: bool,
}

impl Net {
    fn random(rng: &mut StdRng) -> Net {
        let layers = rng.random_range(1..=3);
        let sizes: Vec<usize> = (0..=layers).map(|_| rng.random_range(1..=4)).collect();
        let batch = rng.random_range(1..=3);
        let classes = sizes[layers].max(2);
        let mut sizes = sizes;
        sizes[layers] = classes;
        Net {
            x: Tensor::uniform([batch, sizes[0]], -1.5, 1.5, rng),
            labels: (0..batch).map(|_| rng.random_range(0..classes)).collect(),
            input_is_param: rng.random_bool(0.3),
            sizes,
        }
    }

    /// `W₁, b₁, W₂, b₂, …`, then the input when it is a parameter.
    fn params(&self, rng: &mut StdRng) -> Vec<Tensor<f64>> {
        let mut p = Vec::new();
        for w in self.sizes.windows(2) {
            p.push(Tensor::uniform([w[0], w[1]], -1.0, 1.0, rng));
            p.push(Tensor::uniform([w[1]], -0.5, 0.5, rng));
        }
        if self.input_is_param {
            p.push(self.x.clone());
        }
        p
    }

    fn loss<'t>(&self, v: &[Var<'t, f64>]) -> Var<'t, f64> {
        let tape = v[0].tape();
        let layers = self.sizes.len() - 1;
        let mut h = if self.input_is_param {
            v[2 * layers]
        } else {
            tape.constant(self.x.clone())
        };
        for i in 0..layers {
            h = h.matmul(v[2 * i]) + v[2 * i + 1];
            if i + 1 < layers {
                h = h.tanh();
            }
        }
        h.cross_entropy(&self.labels)
    }

    /// `∇L(θ)` by the plain backward pass, flattened.
    fn gradient(&self, theta: &[Tensor<f64>]) -> Vec<f64> {
        let tape = Tape::<f64>::new();
        let vars: Vec<_> = theta.iter().map(|t| tape.param(t.clone())).collect();
        let g = self.loss(&vars).backward();
        vars.iter().flat_map(|&w| g[w].data().to_vec()).collect()
    }
}

fn flat(ts: &[Tensor<f64>]) -> Vec<f64> {
    ts.iter().flat_map(|t| t.data().to_vec()).collect()
}

fn shifted(theta: &[Tensor<f64>], v: &[Tensor<f64>], eps: f64) -> Vec<Tensor<f64>> {
    theta
        .iter()
        .zip(v)
        .map(|(t, d)| {
            let data = t
                .data()
                .iter()
                .zip(d.data())
                .map(|(a, b)| a + eps * b)
                .collect();
            Tensor::from_vec(data, t.shape().clone())
        })
        .collect()
}

fn assert_close(what: &str, actual: &[f64], expected: &[f64], tol: f64) {
    assert_eq!(actual.len(), expected.len(), "{what}: lengths differ");
    for (i, (a, e)) in actual.iter().zip(expected).enumerate() {
        assert!(
            (a - e).abs() <= tol * (1.0 + e.abs()),
            "{what}: element {i}: got {a}, expected {e}\n{actual:?}\n{expected:?}"
        );
    }
}

#[test]
fn hvp_of_random_tanh_networks_matches_differences_of_gradients() {
    for seed in 0..40 {
        let mut rng = StdRng::seed_from_u64(seed);
        let net = Net::random(&mut rng);
        let theta = net.params(&mut rng);
        let v: Vec<_> = theta
            .iter()
            .map(|t| Tensor::uniform(t.shape().clone(), -1.0, 1.0, &mut rng))
            .collect();
        let hv = flat(&hvp(|p| net.loss(p), &theta, &v));
        let eps = 1e-5;
        let (up, down) = (
            net.gradient(&shifted(&theta, &v, eps)),
            net.gradient(&shifted(&theta, &v, -eps)),
        );
        let fd: Vec<f64> = up
            .iter()
            .zip(&down)
            .map(|(u, d)| (u - d) / (2.0 * eps))
            .collect();
        assert_close(
            &format!("seed {seed}, sizes {:?}", net.sizes),
            &hv,
            &fd,
            1e-6,
        );
    }
}

#[test]
fn hvp_of_random_tanh_networks_equals_the_hessian_times_v() {
    for seed in 100..130 {
        let mut rng = StdRng::seed_from_u64(seed);
        let net = Net::random(&mut rng);
        let theta = net.params(&mut rng);
        let v: Vec<_> = theta
            .iter()
            .map(|t| Tensor::uniform(t.shape().clone(), -1.0, 1.0, &mut rng))
            .collect();
        let hv = flat(&hvp(|p| net.loss(p), &theta, &v));
        let h = hessian(|p| net.loss(p), &theta);
        let (n, vf) = (hv.len(), flat(&v));
        let dense: Vec<f64> = (0..n)
            .map(|i| (0..n).map(|j| h.data()[i * n + j] * vf[j]).sum())
            .collect();
        assert_close(
            &format!("seed {seed}, sizes {:?}", net.sizes),
            &hv,
            &dense,
            1e-10,
        );
    }
}
