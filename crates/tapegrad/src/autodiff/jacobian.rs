//! Products with the Jacobian and the whole Jacobian of a function of
//! tensors: `vjp` (reverse, `uᵀJ`), `jvp` (forward, `J·v`), and `jacobian`
//! row by row or column by column, whichever takes fewer passes.
//!
//! `jvp` uses the double-VJP identity: `g(u) = Jᵀu` is linear in `u`, so
//! `∂⟨g(u), v⟩/∂u = J·v`. The first VJP is recorded ([`Var::grad_graph_with`]
//! seeded by a parameter `u`), the second is a plain backward pass. It reuses
//! every op's rules and works through every op that has a recorded rule.

use crate::{Float, Gradients, Shape, Tape, Tensor, Var};

/// The inputs of `f` as parameters of `tape`.
fn params<'t, T: Float>(tape: &'t Tape<T>, x: &[Tensor<T>]) -> Vec<Var<'t, T>> {
    x.iter().map(|t| tape.param(t.clone())).collect()
}

/// The vector-Jacobian product: `f(x)` and `uᵀ·∂f/∂xᵢ` for every input
/// (the reverse mode; one backward pass).
///
/// # Panics
/// When `u`'s shape differs from `f(x)`'s.
///
/// ```
/// use tapegrad::{vjp, Tensor};
/// // f(x) = x², J = diag(2x)
/// let x = Tensor::from_vec(vec![1.0, 3.0], [2]);
/// let u = Tensor::from_vec(vec![1.0, 10.0], [2]);
/// let (y, g) = vjp(|v| v[0] * v[0], &[x], &u);
/// assert_eq!(y.data(), &[1.0, 9.0]);
/// assert_eq!(g[0].data(), &[2.0, 60.0]);
/// ```
#[must_use]
#[track_caller]
pub fn vjp<T: Float, F>(f: F, x: &[Tensor<T>], u: &Tensor<T>) -> (Tensor<T>, Vec<Tensor<T>>)
where
    F: for<'t> Fn(&[Var<'t, T>]) -> Var<'t, T>,
{
    let tape = Tape::new();
    let vars = params(&tape, x);
    let y = f(&vars);
    let g = y.backward_with(u);
    (y.value(), vars.iter().map(|&v| g[v].clone()).collect())
}

/// The Jacobian-vector product: `f(x)` and `J·v = Σᵢ ∂f/∂xᵢ · vᵢ`, the
/// change of `f` along the direction `v` (one recorded backward pass and
/// one plain one).
///
/// # Panics
/// When `v` does not hold one tensor of each input's shape.
///
/// ```
/// use tapegrad::{jvp, Tensor};
/// // f(x, y) = x·y elementwise: J·(vx, vy) = y·vx + x·vy
/// let (x, y) = (Tensor::from_vec(vec![2.0, 3.0], [2]), Tensor::from_vec(vec![5.0, 7.0], [2]));
/// let (vx, vy) = (Tensor::from_vec(vec![1.0, 0.0], [2]), Tensor::from_vec(vec![0.0, 1.0], [2]));
/// let (f, jv) = jvp(|v| v[0] * v[1], &[x, y], &[vx, vy]);
/// assert_eq!(f.data(), &[10.0, 21.0]);
/// assert_eq!(jv.data(), &[5.0, 3.0]);
/// ```
#[must_use]
#[track_caller]
pub fn jvp<T: Float, F>(f: F, x: &[Tensor<T>], v: &[Tensor<T>]) -> (Tensor<T>, Tensor<T>)
where
    F: for<'t> Fn(&[Var<'t, T>]) -> Var<'t, T>,
{
    assert!(
        x.len() == v.len(),
        "tapegrad: jvp: {} inputs but {} directions (at {})",
        x.len(),
        v.len(),
        std::panic::Location::caller()
    );
    for (xi, vi) in x.iter().zip(v) {
        assert!(
            xi.shape() == vi.shape(),
            "tapegrad: jvp: direction shape {} differs from input shape {} (at {})",
            vi.shape(),
            xi.shape(),
            std::panic::Location::caller()
        );
    }
    let tape = Tape::new();
    let vars = params(&tape, x);
    let y = f(&vars);
    let u = tape.param(Tensor::zeros(y.shape()));
    let gs = y.grad_graph_with(u, &vars);
    let mut dot = tape.constant_scalar(T::zero());
    for (g, d) in gs.iter().zip(v) {
        dot += (*g * tape.constant(d.clone())).sum();
    }
    let jv = dot.backward();
    (y.value(), jv[u].clone())
}

/// Which way [`jacobian`] builds the matrix.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum JacobianMode {
    /// Row by row: one plain backward pass per output element.
    Reverse,
    /// Column by column: one pass per input element, through the recorded
    /// gradient (double VJP).
    Forward,
}

/// Number of input elements, all inputs together.
fn input_len<T: Float>(x: &[Tensor<T>]) -> usize {
    x.iter().map(|t| t.numel()).sum()
}

/// The Jacobian `[m, n]` of `f` by rows: `m = f(x).numel()` plain backward
/// passes over one recording, each seeded with a unit vector, the tape and
/// the gradient store reused. `n` counts the elements of all inputs
/// together, flattened row-major one input after the other, as
/// [`hessian`](crate::hessian) does.
///
/// ```
/// use tapegrad::{jacobian_rev, Tensor};
/// // f(x) = x·Σx  ⇒  Jᵢⱼ = δᵢⱼ·Σx + xᵢ
/// let x = Tensor::from_vec(vec![2.0, 3.0], [2]);
/// let j = jacobian_rev(|v| v[0] * v[0].sum(), &[x]);
/// assert_eq!(j.data(), &[7.0, 2.0, 3.0, 8.0]);
/// ```
#[must_use]
pub fn jacobian_rev<T: Float, F>(f: F, x: &[Tensor<T>]) -> Tensor<T>
where
    F: for<'t> Fn(&[Var<'t, T>]) -> Var<'t, T>,
{
    let tape = Tape::new();
    let vars = params(&tape, x);
    let y = f(&vars);
    let (m, n) = (y.numel(), input_len(x));
    let mut out = vec![T::zero(); m * n];
    let mut seed = Tensor::zeros(y.shape());
    let mut grads = Gradients::new();
    for (i, row) in out.chunks_exact_mut(n.max(1)).enumerate().take(m) {
        seed.data_mut()[i] = T::one();
        y.backward_with_into(&seed, &mut grads);
        seed.data_mut()[i] = T::zero();
        let mut k = 0;
        for &v in &vars {
            let g = grads[v].data();
            row[k..k + g.len()].copy_from_slice(g);
            k += g.len();
        }
    }
    Tensor::from_vec(out, [m, n])
}

/// The Jacobian `[m, n]` of `f` by columns: one recorded VJP `g(u) = Jᵀu`,
/// then one plain backward pass per input element `j`, whose gradient with
/// respect to `u` is column `j`. Same layout as [`jacobian_rev`].
///
/// ```
/// use tapegrad::{jacobian_fwd, Tensor};
/// let x = Tensor::from_vec(vec![1.0, 2.0, 3.0], [3]);
/// let j = jacobian_fwd(|v| v[0].sum().reshape([1]), &[x]); // a 1×3 row of ones
/// assert_eq!(j.data(), &[1.0, 1.0, 1.0]);
/// ```
#[must_use]
pub fn jacobian_fwd<T: Float, F>(f: F, x: &[Tensor<T>]) -> Tensor<T>
where
    F: for<'t> Fn(&[Var<'t, T>]) -> Var<'t, T>,
{
    let tape = Tape::new();
    let vars = params(&tape, x);
    let y = f(&vars);
    let (m, n) = (y.numel(), input_len(x));
    let u = tape.param(Tensor::zeros(y.shape()));
    let gs = y.grad_graph_with(u, &vars);
    let mut out = vec![T::zero(); m * n];
    let mut grads = Gradients::new();
    let mut j = 0;
    for (g, xi) in gs.iter().zip(x) {
        let mut seed = Tensor::zeros(xi.shape().clone());
        for e in 0..xi.numel() {
            seed.data_mut()[e] = T::one();
            g.backward_with_into(&seed, &mut grads);
            seed.data_mut()[e] = T::zero();
            for (i, &d) in grads[u].data().iter().enumerate() {
                out[i * n + j] = d;
            }
            j += 1;
        }
    }
    Tensor::from_vec(out, Shape::from([m, n]))
}

/// The Jacobian `[m, n]` of `f`, built the cheaper way for its shape: by
/// rows ([`jacobian_rev`]) when `f` has no more outputs than inputs, else
/// by columns ([`jacobian_fwd`]). Also returns the way taken.
///
/// ```
/// use tapegrad::{jacobian, JacobianMode, Tensor};
/// let x = Tensor::from_vec(vec![1.0, 2.0], [2]);
/// let (j, mode) = jacobian(|v| v[0].exp(), &[x]);
/// assert_eq!(mode, JacobianMode::Reverse);
/// assert_eq!(j.data(), &[1f64.exp(), 0.0, 0.0, 2f64.exp()]);
/// ```
#[must_use]
pub fn jacobian<T: Float, F>(f: F, x: &[Tensor<T>]) -> (Tensor<T>, JacobianMode)
where
    F: for<'t> Fn(&[Var<'t, T>]) -> Var<'t, T>,
{
    let m = {
        let tape = Tape::new();
        tape.no_grad(|| f(&params(&tape, x)).numel())
    };
    if m <= input_len(x) {
        (jacobian_rev(f, x), JacobianMode::Reverse)
    } else {
        (jacobian_fwd(f, x), JacobianMode::Forward)
    }
}
