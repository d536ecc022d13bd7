//! Checking derivatives against finite differences, and second-order
//! helpers built on [`Var::grad_graph`]: Hessian-vector products and small
//! Hessians.

use crate::{Float, Gradients, Tape, Tensor, Var};
use rand::rngs::StdRng;
use rand::SeedableRng;
use std::fmt;

/// Step and tolerances of [`gradcheck`] / [`gradgradcheck`]. The defaults
/// are PyTorch's (`eps = 1e-6`, `atol = 1e-5`, `rtol = 1e-3`), designed for
/// f64.
///
/// ```
/// let o = tapegrad::GradcheckOptions::default();
/// assert_eq!((o.eps, o.atol, o.rtol), (1e-6, 1e-5, 1e-3));
/// ```
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct GradcheckOptions {
    /// Half-width of the central difference.
    pub eps: f64,
    /// Absolute tolerance.
    pub atol: f64,
    /// Relative tolerance (of the numeric value).
    pub rtol: f64,
    /// Seed of the random output projection.
    pub seed: u64,
}

impl Default for GradcheckOptions {
    fn default() -> Self {
        GradcheckOptions {
            eps: 1e-6,
            atol: 1e-5,
            rtol: 1e-3,
            seed: 0,
        }
    }
}

/// The worst disagreement found by [`gradcheck`] or [`gradgradcheck`].
///
/// ```
/// let e = tapegrad::GradcheckError { input: 0, index: 2, analytic: 1.0, numeric: 2.0, order: 1 };
/// assert!(e.to_string().contains("input 0, element 2"));
/// ```
#[derive(Clone, Debug, PartialEq)]
pub struct GradcheckError {
    /// Which input tensor.
    pub input: usize,
    /// Flat (row-major) index of the element within that input.
    pub index: usize,
    /// Derivative from the backward pass.
    pub analytic: f64,
    /// Derivative from central differences.
    pub numeric: f64,
    /// 1 for gradients, 2 for gradients of gradients.
    pub order: u8,
}

impl fmt::Display for GradcheckError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let what = if self.order == 1 {
            "gradient"
        } else {
            "second derivative"
        };
        write!(
            f,
            "{what} mismatch at input {}, element {}: analytic {:e}, numeric {:e} (difference {:e})",
            self.input,
            self.index,
            self.analytic,
            self.numeric,
            (self.analytic - self.numeric).abs()
        )
    }
}

impl std::error::Error for GradcheckError {}

fn random_like(shape: &crate::Shape, rng: &mut StdRng) -> Tensor<f64> {
    Tensor::uniform(shape.clone(), 0.5, 1.5, rng)
}

/// Evaluates `L = Σ f(x)·r` on a fresh recording of `tape`.
fn projected<F>(tape: &mut Tape<f64>, f: &F, xs: &[Tensor<f64>], r: &Tensor<f64>) -> f64
where
    F: for<'t> Fn(&[Var<'t, f64>]) -> Var<'t, f64>,
{
    tape.clear();
    let vars: Vec<_> = xs.iter().map(|x| tape.param(x.clone())).collect();
    let y = f(&vars);
    y.with_data(|d, _| d.iter().zip(r.data()).map(|(a, b)| a * b).sum())
}

/// Evaluates `h` at `x ± eps` for every element of every input, in order,
/// and hands `visit(input, element, h(x + eps), h(x − eps))` each pair.
fn central_differences<R>(
    xs: &[Tensor<f64>],
    eps: f64,
    mut h: impl FnMut(&[Tensor<f64>]) -> R,
    mut visit: impl FnMut(usize, usize, R, R),
) {
    let mut probe: Vec<Tensor<f64>> = xs.to_vec();
    for (i, x) in xs.iter().enumerate() {
        for j in 0..x.numel() {
            let x0 = x.data()[j];
            probe[i].data_mut()[j] = x0 + eps;
            let up = h(&probe);
            probe[i].data_mut()[j] = x0 - eps;
            let down = h(&probe);
            probe[i].data_mut()[j] = x0;
            visit(i, j, up, down);
        }
    }
}

/// Central differences of `h` at every element of every input; returns the
/// worst element whose analytic value `analytic[i][j]` is out of tolerance.
fn compare(
    xs: &[Tensor<f64>],
    analytic: &[Tensor<f64>],
    o: &GradcheckOptions,
    order: u8,
    h: impl FnMut(&[Tensor<f64>]) -> f64,
) -> Result<(), GradcheckError> {
    let mut worst: Option<(f64, GradcheckError)> = None;
    central_differences(xs, o.eps, h, |i, j, up, down| {
        let e = GradcheckError {
            input: i,
            index: j,
            analytic: analytic[i].data()[j],
            numeric: (up - down) / (2.0 * o.eps),
            order,
        };
        keep_worst(&mut worst, e, o);
    });
    worst.map_or(Ok(()), |(_, e)| Err(e))
}

/// Keeps in `worst` the out-of-tolerance comparison that exceeds its
/// tolerance the most (a NaN on one side only always counts).
fn keep_worst(worst: &mut Option<(f64, GradcheckError)>, e: GradcheckError, o: &GradcheckOptions) {
    let excess = (e.analytic - e.numeric).abs() - (o.atol + o.rtol * e.numeric.abs());
    let out = excess > 0.0 || e.analytic.is_nan() != e.numeric.is_nan();
    if out && worst.as_ref().is_none_or(|(w, _)| excess > *w) {
        *worst = Some((excess, e));
    }
}

/// Checks the gradients of `f` at `inputs` against central finite
/// differences in f64, like `torch.autograd.gradcheck`. A non-scalar output
/// is projected onto a fixed random direction `r` (the check is then of
/// `Σ f(x)·r`, which exercises every output element).
///
/// # Errors
/// The element with the largest disagreement, with its input, flat index,
/// analytic and numeric values.
///
/// ```
/// use tapegrad::{gradcheck, GradcheckOptions, Tensor};
/// let x = Tensor::from_vec(vec![0.3, -1.2, 2.0], [3]);
/// gradcheck(|v| (v[0] * v[0]).tanh(), &[x], &GradcheckOptions::default()).unwrap();
/// ```
pub fn gradcheck<F>(
    f: F,
    inputs: &[Tensor<f64>],
    opts: &GradcheckOptions,
) -> Result<(), GradcheckError>
where
    F: for<'t> Fn(&[Var<'t, f64>]) -> Var<'t, f64>,
{
    let mut rng = StdRng::seed_from_u64(opts.seed);
    let mut tape = Tape::<f64>::new();
    let analytic: Vec<Tensor<f64>>;
    let r;
    {
        let vars: Vec<_> = inputs.iter().map(|x| tape.param(x.clone())).collect();
        let y = f(&vars);
        r = random_like(&y.shape(), &mut rng);
        let g = y.backward_with(&r);
        analytic = vars.iter().map(|&v| g[v].clone()).collect();
    }
    compare(inputs, &analytic, opts, 1, |xs| {
        projected(&mut tape, &f, xs, &r)
    })
}

/// Checks second derivatives: the full Hessian of `L = Σ f(x)·r` (`r` a
/// fixed random projection of the output), computed by differentiating the
/// recorded backward ([`Var::grad_graph`]) once per gradient element,
/// against central differences of the gradient computed by the plain
/// backward. Every entry is compared on its own, so a large entry cannot
/// hide a wrong small one, and the reference never goes through the rules
/// under test. It first checks that the recorded and the plain first-order
/// gradients agree. For `n` input elements it costs `n` backward passes
/// through the recorded graph and `2n` plain forward and backward passes:
/// meant for small inputs, like [`gradcheck`].
///
/// # Errors
/// The worst disagreement: `order` 1 when the two first-order rules
/// disagree (at that element of the gradient), 2 for a second derivative
/// (at the input element whose perturbation exposed it).
///
/// ```
/// use tapegrad::{gradgradcheck, GradcheckOptions, Tensor};
/// let x = Tensor::from_vec(vec![0.3, -1.2, 2.0], [3]);
/// gradgradcheck(|v| v[0].sigmoid() * v[0], &[x], &GradcheckOptions::default()).unwrap();
/// ```
pub fn gradgradcheck<F>(
    f: F,
    inputs: &[Tensor<f64>],
    opts: &GradcheckOptions,
) -> Result<(), GradcheckError>
where
    F: for<'t> Fn(&[Var<'t, f64>]) -> Var<'t, f64>,
{
    let mut rng = StdRng::seed_from_u64(opts.seed);
    let mut tape = Tape::<f64>::new();
    let n: usize = inputs.iter().map(Tensor::numel).sum();
    let mut analytic = vec![0.0; n * n];
    let r = {
        let vars: Vec<_> = inputs.iter().map(|x| tape.param(x.clone())).collect();
        let y = f(&vars);
        let r = random_like(&y.shape(), &mut rng);
        let plain = y.backward_with(&r);
        let gs = y.grad_graph_with(tape.constant(r.clone()), &vars);
        let recorded: Vec<Tensor<f64>> = gs.iter().map(Var::value).collect();
        let plain: Vec<Tensor<f64>> = vars.iter().map(|&v| plain[v].clone()).collect();
        compare_tensors(&recorded, &plain, opts)?;
        hessian_rows(&gs, &vars, &mut analytic);
        r
    };
    let mut grads = Gradients::new();
    let gradient_at = |xs: &[Tensor<f64>]| -> Vec<f64> {
        tape.clear();
        let vars: Vec<_> = xs.iter().map(|x| tape.param(x.clone())).collect();
        f(&vars).backward_with_into(&r, &mut grads);
        vars.iter()
            .flat_map(|&v| grads[v].data().to_vec())
            .collect()
    };
    let mut worst = None;
    let mut col = 0;
    central_differences(inputs, opts.eps, gradient_at, |i, j, up, down| {
        for k in 0..n {
            let e = GradcheckError {
                input: i,
                index: j,
                analytic: analytic[k * n + col],
                numeric: (up[k] - down[k]) / (2.0 * opts.eps),
                order: 2,
            };
            keep_worst(&mut worst, e, opts);
        }
        col += 1;
    });
    worst.map_or(Ok(()), |(_, e)| Err(e))
}

fn compare_tensors(
    a: &[Tensor<f64>],
    b: &[Tensor<f64>],
    o: &GradcheckOptions,
) -> Result<(), GradcheckError> {
    for (i, (x, y)) in a.iter().zip(b).enumerate() {
        for (j, (&p, &q)) in x.data().iter().zip(y.data()).enumerate() {
            if (p - q).abs() > o.atol + o.rtol * q.abs() {
                return Err(GradcheckError {
                    input: i,
                    index: j,
                    analytic: p,
                    numeric: q,
                    order: 1,
                });
            }
        }
    }
    Ok(())
}

/// Hessian-vector product `H·v` of a scalar function at `x`, without
/// forming the Hessian: one recorded backward, then one plain backward of
/// `⟨∇f, v⟩`. Inputs and directions are lists (one per argument), and the
/// product includes the cross terms between arguments.
///
/// # Panics
/// When `f` is not scalar-valued, or `x` and `v` differ in count or shapes.
///
/// ```
/// use tapegrad::{hvp, Tensor};
/// // f(x) = Σ x³  ⇒  H = diag(6x)
/// let x = Tensor::from_vec(vec![1.0, 2.0], [2]);
/// let v = Tensor::from_vec(vec![1.0, 1.0], [2]);
/// let hv = hvp(|x| x[0].powi(3).sum(), &[x], &[v]);
/// assert_eq!(hv[0].data(), &[6.0, 12.0]);
/// ```
#[must_use]
#[track_caller]
pub fn hvp<T: Float, F>(f: F, x: &[Tensor<T>], v: &[Tensor<T>]) -> Vec<Tensor<T>>
where
    F: for<'t> Fn(&[Var<'t, T>]) -> Var<'t, T>,
{
    assert!(
        x.len() == v.len(),
        "tapegrad: hvp: {} inputs but {} directions",
        x.len(),
        v.len()
    );
    let tape = Tape::<T>::new();
    let vars: Vec<_> = x.iter().map(|t| tape.param(t.clone())).collect();
    let y = f(&vars);
    let gs = y.grad_graph(&vars);
    let mut dot = tape.constant_scalar(T::zero());
    for (g, d) in gs.iter().zip(v) {
        assert!(
            &g.shape() == d.shape(),
            "tapegrad: hvp: direction shape {} differs from input shape {}",
            d.shape(),
            g.shape()
        );
        dot += (*g * tape.constant(d.clone())).sum();
    }
    let h = dot.backward();
    vars.iter().map(|&w| h[w].clone()).collect()
}

/// The full Hessian `[n, n]` of a scalar function, where `n` counts the
/// elements of all inputs together (flattened row-major, one input after
/// the other, so the off-diagonal blocks are the cross terms): one recorded
/// backward, then `n` plain backward passes (one row each). For small
/// inputs; prefer [`hvp`] otherwise.
///
/// # Panics
/// When `f` is not scalar-valued.
///
/// ```
/// use tapegrad::{hessian, Tensor};
/// // f(x, y) = x²·y  ⇒  H = [[2y, 2x], [2x, 0]]
/// let h = hessian(|v| (v[0].powi(2) * v[1]).sum(), &[Tensor::from_vec(vec![3.0], [1]), Tensor::from_vec(vec![5.0], [1])]);
/// assert_eq!(h.data(), &[10.0, 6.0, 6.0, 0.0]);
/// ```
#[must_use]
#[track_caller]
pub fn hessian<T: Float, F>(f: F, x: &[Tensor<T>]) -> Tensor<T>
where
    F: for<'t> Fn(&[Var<'t, T>]) -> Var<'t, T>,
{
    let tape = Tape::<T>::new();
    let vars: Vec<_> = x.iter().map(|t| tape.param(t.clone())).collect();
    let y = f(&vars);
    let gs = y.grad_graph(&vars);
    let n: usize = x.iter().map(Tensor::numel).sum();
    let mut out = Tensor::zeros([n, n]);
    hessian_rows(&gs, &vars, out.data_mut());
    out
}

/// Writes the `[n, n]` Hessian whose recorded gradients are `gs` (one per
/// input in `vars`, `n` their total element count) into `out`: row `k` is
/// one plain backward pass seeded with element `k` of the gradients.
fn hessian_rows<'t, T: Float>(gs: &[Var<'t, T>], vars: &[Var<'t, T>], out: &mut [T]) {
    let n: usize = vars.iter().map(Var::numel).sum();
    let mut grads = Gradients::new();
    let mut row = 0;
    for g in gs {
        let mut seed = Tensor::zeros(g.shape());
        for j in 0..seed.numel() {
            seed.data_mut()[j] = T::one();
            g.backward_with_into(&seed, &mut grads);
            seed.data_mut()[j] = T::zero();
            let mut col = 0;
            for &w in vars {
                let gw = grads[w].data();
                out[row * n + col..row * n + col + gw.len()].copy_from_slice(gw);
                col += gw.len();
            }
            row += 1;
        }
    }
}
