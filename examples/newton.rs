//! Newton's method without forming a Hessian: minimizes the Rosenbrock
//! function f(x, y) = (1 − x)² + 100·(y − x²)² from (−1.2, 1) with
//! Newton-CG steps (conjugate gradient on H·p = −∇f, where every product
//! H·v comes from `tapegrad::hvp`, a gradient of a gradient), and compares
//! the iteration count with plain gradient descent, both with the same
//! backtracking line search and the same stopping rule ‖∇f‖ < 1e-8.
//!
//! Run with `cargo run --release --example newton`.

use tapegrad::{hessian, hvp, Gradients, Tape, Tensor, Var};

const TOL: f64 = 1e-8;
const NEWTON_MAX_ITERS: usize = 100;
const GD_MAX_ITERS: usize = 100_000;

/// Rosenbrock's banana: a curved valley whose floor leads slowly to the
/// minimum at (1, 1), where the Hessian's condition number is about 2500.
fn rosenbrock<'t>(v: &[Var<'t, f64>]) -> Var<'t, f64> {
    let (x, y) = (v[0], v[1]);
    (1.0 - x).powi(2) + (y - x.powi(2)).powi(2) * 100.0
}

/// f and ∇f at `p` on a reused tape: the training-loop path, no recorded
/// backward involved.
struct Objective {
    tape: Tape<f64>,
    grads: Gradients<f64>,
    evaluations: usize,
}

impl Objective {
    fn new() -> Self {
        Objective {
            tape: Tape::new(),
            grads: Gradients::new(),
            evaluations: 0,
        }
    }

    fn value(&mut self, p: [f64; 2]) -> f64 {
        self.evaluations += 1;
        self.tape.clear();
        let v = [self.tape.scalar(p[0]), self.tape.scalar(p[1])];
        rosenbrock(&v).item()
    }

    fn value_and_grad(&mut self, p: [f64; 2]) -> (f64, [f64; 2]) {
        self.evaluations += 1;
        self.tape.clear();
        let v = [self.tape.scalar(p[0]), self.tape.scalar(p[1])];
        let f = rosenbrock(&v);
        f.backward_into(&mut self.grads);
        (f.item(), [self.grads[v[0]].item(), self.grads[v[1]].item()])
    }
}

/// H(p)·d through one recorded backward and one plain backward.
fn hessian_times(p: [f64; 2], d: [f64; 2]) -> [f64; 2] {
    let x = [Tensor::scalar(p[0]), Tensor::scalar(p[1])];
    let v = [Tensor::scalar(d[0]), Tensor::scalar(d[1])];
    let hv = hvp(rosenbrock, &x, &v);
    [hv[0].item(), hv[1].item()]
}

fn dot(a: [f64; 2], b: [f64; 2]) -> f64 {
    a[0] * b[0] + a[1] * b[1]
}

fn axpy(a: f64, x: [f64; 2], y: [f64; 2]) -> [f64; 2] {
    [a * x[0] + y[0], a * x[1] + y[1]]
}

/// Conjugate gradient on H·p = −g (at most 10 steps; 2 suffice in exact
/// arithmetic for two unknowns), stopped on a small residual or on
/// non-positive curvature (far from the minimum H need not be positive
/// definite; the steepest-descent direction −g is then the fallback).
/// Returns the direction and the number of Hessian-vector products.
fn newton_cg_direction(at: [f64; 2], g: [f64; 2]) -> ([f64; 2], usize) {
    let mut p = [0.0, 0.0];
    let mut r = [-g[0], -g[1]];
    let mut d = r;
    // A tight relative residual: the system is 2×2, so an exact solve costs
    // two products. (The inexact-Newton forcing term min(0.5, √‖g‖)·‖g‖,
    // meant for large systems, takes 64 iterations here instead of 21.)
    let tol = 1e-10 * dot(g, g).sqrt();
    for k in 0..10 {
        let hd = hessian_times(at, d);
        let curvature = dot(d, hd);
        if curvature <= 0.0 {
            return (if k == 0 { r } else { p }, k + 1);
        }
        let alpha = dot(r, r) / curvature;
        p = axpy(alpha, d, p);
        let r_new = axpy(-alpha, hd, r);
        if dot(r_new, r_new).sqrt() <= tol {
            return (p, k + 1);
        }
        let beta = dot(r_new, r_new) / dot(r, r);
        d = axpy(beta, d, r_new);
        r = r_new;
    }
    (p, 10)
}

/// Armijo backtracking from step `t0`: halves the step until f decreases
/// by at least 1e-4 of what the slope promises. Returns the step taken.
fn backtrack(obj: &mut Objective, p: [f64; 2], f: f64, g: [f64; 2], d: [f64; 2], t0: f64) -> f64 {
    let slope = dot(g, d);
    let mut t = t0;
    while obj.value(axpy(t, d, p)) > f + 1e-4 * t * slope && t > 1e-20 {
        t *= 0.5;
    }
    t
}

struct Run {
    iterations: usize,
    converged: bool,
    point: [f64; 2],
    f: f64,
    grad_norm: f64,
    evaluations: usize,
}

fn newton_cg(start: [f64; 2]) -> (Run, usize) {
    let mut obj = Objective::new();
    let mut p = start;
    let mut hvps = 0;
    println!(
        "Newton-CG (CG on H·p = -∇f, each H·v from tapegrad::hvp; Armijo backtracking from t = 1)"
    );
    println!("cg = Hessian-vector products for the step (two solve the 2x2 system; on negative");
    println!(
        "curvature, possible where the valley bends, CG stops early and falls back towards -∇f)"
    );
    println!(
        "{:>4}  {:>22}  {:>22}  {:>10}  {:>10}  {:>3}  {:>8}",
        "iter", "x", "y", "f", "|grad f|", "cg", "step"
    );
    for k in 0..=NEWTON_MAX_ITERS {
        let (f, g) = obj.value_and_grad(p);
        let gn = dot(g, g).sqrt();
        if gn < TOL || k == NEWTON_MAX_ITERS {
            println!(
                "{k:>4}  {:>22.16}  {:>22.16}  {f:>10.3e}  {gn:>10.3e}",
                p[0], p[1]
            );
            let run = Run {
                iterations: k,
                converged: gn < TOL,
                point: p,
                f,
                grad_norm: gn,
                evaluations: obj.evaluations,
            };
            return (run, hvps);
        }
        let (d, used) = newton_cg_direction(p, g);
        hvps += used;
        let t = backtrack(&mut obj, p, f, g, d, 1.0);
        println!(
            "{k:>4}  {:>22.16}  {:>22.16}  {f:>10.3e}  {gn:>10.3e}  {used:>3}  {t:>8.4}",
            p[0], p[1]
        );
        p = axpy(t, d, p);
    }
    unreachable!("the loop returns at k == NEWTON_MAX_ITERS")
}

/// Steepest descent with the same line search, each search starting from
/// twice the previous step so the step size can grow back.
fn gradient_descent(start: [f64; 2]) -> Run {
    let mut obj = Objective::new();
    let mut p = start;
    let mut t = 1e-3;
    for k in 0..=GD_MAX_ITERS {
        let (f, g) = obj.value_and_grad(p);
        let gn = dot(g, g).sqrt();
        if gn < TOL || k == GD_MAX_ITERS {
            return Run {
                iterations: k,
                converged: gn < TOL,
                point: p,
                f,
                grad_norm: gn,
                evaluations: obj.evaluations,
            };
        }
        let d = [-g[0], -g[1]];
        t = backtrack(&mut obj, p, f, g, d, 2.0 * t);
        p = axpy(t, d, p);
        if k.is_power_of_two() || k % 10_000 == 0 {
            println!(
                "{k:>6}  x = {:>19.16}  y = {:>19.16}  f = {f:.3e}  |grad f| = {gn:.3e}",
                p[0], p[1]
            );
        }
    }
    unreachable!("the loop returns at k == GD_MAX_ITERS")
}

fn summary(name: &str, r: &Run) {
    println!(
        "{name}: {} after {} iterations ({} function/gradient evaluations): (x, y) = ({:.12}, {:.12}), f = {:.3e}, |grad f| = {:.3e}",
        if r.converged { "converged" } else { "stopped" },
        r.iterations,
        r.evaluations,
        r.point[0],
        r.point[1],
        r.f,
        r.grad_norm
    );
}

fn main() {
    let start = [-1.2, 1.0];
    let (newton, hvps) = newton_cg(start);
    println!();
    println!("Gradient descent (Armijo backtracking, each search from twice the last step)");
    let gd = gradient_descent(start);
    println!();
    summary("Newton-CG", &newton);
    println!("  ({hvps} Hessian-vector products, none of which formed the Hessian)");
    summary("Gradient descent", &gd);

    let h = hessian(rosenbrock, &[Tensor::scalar(1.0), Tensor::scalar(1.0)]);
    println!("Hessian at the minimum (from tapegrad::hessian): {h}  (by hand: [[802, -400], [-400, 200]])");
    let gd_words = if gd.converged {
        format!("gradient descent needed {}", gd.iterations)
    } else {
        format!("gradient descent did not converge within {}", gd.iterations)
    };
    if newton.converged {
        println!(
            "Newton-CG converged in {} iterations, {gd_words} (to |grad f| < {TOL:e} from (-1.2, 1)).",
            newton.iterations
        );
    } else {
        println!(
            "Newton-CG did not converge within {} iterations; {gd_words}.",
            newton.iterations
        );
    }
}
