//! Matrix product, 2-D and batched: tiny products as a direct strided
//! loop, small and medium ones in [`microkernel`] (no allocation), large
//! ones through the `gemm` crate on all cores.
//!
//! For `C = A·B`: `∂L/∂A = G·Bᵀ` and `∂L/∂B = Aᵀ·G`. The transposes are
//! never materialized: both kernels read any operand through row and column
//! strides, so a transposed operand is the same buffer with its strides
//! swapped, and the gradient is accumulated straight into the operand's
//! gradient buffer (`dst += G·Bᵀ`).

use super::microkernel::{self, Strided};
use super::{Acc, Inputs, Rule};
use crate::tape::GradBuffers;
use crate::tape::{NodeId, Values};
use crate::Tape;
use crate::{Float, Shape, Var};
use std::any::TypeId;

/// Products smaller than this many multiply-adds run on one thread: below
/// it, handing work to a second core costs more than it saves.
const PARALLEL_MIN_FLOPS: usize = 1 << 18;

/// Products of at most this many multiply-adds run as a plain strided loop:
/// up to here, fetching the thread-local scratch and packing both operands
/// into padded panels costs more than the arithmetic (a `[1,4]·[4,2]`
/// product is 8 multiply-adds). Measured (f32, docs/performance.md): at
/// 128 the loop is as fast as the packed kernel or faster for every shape
/// tried, at 216-256 the packed kernel wins on square shapes.
const DIRECT_MAX_FLOPS: usize = 128;

/// A matrix inside a buffer: its first element and its strides.
#[derive(Clone, Copy)]
pub(crate) struct Mat {
    pub(crate) off: usize,
    pub(crate) rs: isize,
    pub(crate) cs: isize,
}

/// The `[rows, cols]` of a stored operand of `shape` read (optionally)
/// transposed, and its number of matrices (the product of the leading
/// axes; 1 for 2-D).
fn dims(shape: &Shape, transposed: bool) -> (usize, usize, usize) {
    let d = shape.dims();
    let (r, c) = (d[d.len() - 2], d[d.len() - 1]);
    let b = d[..d.len() - 2].iter().product();
    if transposed {
        (b, c, r)
    } else {
        (b, r, c)
    }
}

/// Matrix `i` of a stored `[.., r, c]` operand, viewed transposed or not.
/// A 2-D operand is the same matrix for every `i`: it is broadcast over the
/// other operand's batch.
fn view(shape: &Shape, transposed: bool, i: usize) -> Mat {
    let d = shape.dims();
    let (r, c) = (d[d.len() - 2], d[d.len() - 1]);
    let off = if d.len() > 2 { i * r * c } else { 0 };
    if transposed {
        Mat {
            off,
            rs: 1,
            cs: c as isize,
        }
    } else {
        Mat {
            off,
            rs: c as isize,
            cs: 1,
        }
    }
}

/// `dst (m×n) = [dst +] lhs (m×k) · rhs (k×n)`.
#[allow(clippy::too_many_arguments)]
pub(crate) fn gemm<T: Float>(
    m: usize,
    n: usize,
    k: usize,
    dst: &mut [T],
    d: Mat,
    accumulate: bool,
    lhs: &[T],
    l: Mat,
    rhs: &[T],
    r: Mat,
) {
    let last = |x: Mat, rows: usize, cols: usize| {
        if rows == 0 || cols == 0 {
            0
        } else {
            x.off as isize + (rows as isize - 1) * x.rs + (cols as isize - 1) * x.cs
        }
    };
    assert!(last(d, m, n) < dst.len() as isize || m * n == 0);
    assert!(last(l, m, k) < lhs.len() as isize || m * k == 0);
    assert!(last(r, k, n) < rhs.len() as isize || k * n == 0);
    // Below the threading threshold the allocation-free kernel keeps a
    // training step free of heap allocations (gemm allocates packing
    // buffers on every call), at a speed close to gemm's and better on tiny
    // products; above it gemm's threads win and its allocations are noise.
    if m * n * k <= DIRECT_MAX_FLOPS {
        direct(m, n, k, dst, d, accumulate, lhs, l, rhs, r);
        return;
    }
    #[cfg(target_arch = "x86_64")]
    if let Some(isa) = crate::sgemm::detected().filter(|_| TypeId::of::<T>() == TypeId::of::<f32>())
    {
        fn view<P>(x: Mat, ptr: P) -> crate::sgemm::Mat<P> {
            crate::sgemm::Mat {
                ptr,
                rs: x.rs,
                cs: x.cs,
            }
        }
        // SAFETY: `T` is f32 (checked above), so the casts only rename the
        // element type; the asserts above keep every element the views
        // address inside its slice; `dst` is borrowed mutably, so it
        // aliases neither input; `isa` was detected on this CPU.
        unsafe {
            crate::sgemm::sgemm(
                isa,
                m,
                n,
                k,
                view(d, dst.as_mut_ptr().add(d.off).cast::<f32>()),
                accumulate,
                view(l, lhs.as_ptr().add(l.off).cast::<f32>()),
                view(r, rhs.as_ptr().add(r.off).cast::<f32>()),
            );
        }
        return;
    }
    if m * n * k < PARALLEL_MIN_FLOPS {
        let s = |x: Mat| Strided {
            off: x.off,
            rs: x.rs,
            cs: x.cs,
        };
        microkernel::matmul(m, n, k, dst, s(d), accumulate, lhs, s(l), rhs, s(r));
        return;
    }
    let par = gemm::Parallelism::Rayon(0);
    // SAFETY: the asserts above keep every element gemm touches (offset +
    // (rows−1)·rs + (cols−1)·cs, all strides non-negative) inside its slice;
    // `dst` is borrowed mutably, so it cannot alias `lhs` or `rhs`; gemm
    // supports f32 and f64, the only `Float` types (the trait is sealed).
    unsafe {
        gemm::gemm(
            m,
            n,
            k,
            dst.as_mut_ptr().add(d.off),
            d.cs,
            d.rs,
            accumulate,
            lhs.as_ptr().add(l.off),
            l.cs,
            l.rs,
            rhs.as_ptr().add(r.off),
            r.cs,
            r.rs,
            T::one(),
            T::one(),
            false,
            false,
            false,
            par,
        );
    }
}

/// `dst = [dst +] op(a)·op(b)` on plain row-major buffers, with the same
/// kernel as [`Var::matmul`]: `dst` is `[m, n]`, `op(a)` is `[m, k]` (`a`
/// stored `[k, m]` when `a_transposed`), `op(b)` is `[k, n]` (`b` stored
/// `[n, k]` when `b_transposed`). With `accumulate` the product is added
/// to `dst`, otherwise it overwrites it. Derivatives as for
/// [`Var::matmul`]: `∂dst/∂a = G·op(b)ᵀ`, `∂dst/∂b = op(a)ᵀ·G`.
///
/// On x86-64 with AVX-512 or AVX2 + FMA (detected once, at run time), `f32`
/// runs tapegrad's own blocked kernel, which keeps its packing buffers per
/// thread and so allocates nothing after the first call of a given size.
///
/// # Panics
/// When a buffer's length is not its matrix's element count; the message
/// names the lengths and the caller's line.
///
/// ```
/// let (a, b) = ([1.0f32, 2.0, 3.0, 4.0], [1.0f32, 0.0, 0.0, 1.0]);
/// let mut c = [10.0f32; 4];
/// // c += aᵀ·b, a stored [2, 2] and read transposed.
/// tapegrad::matmul_into(2, 2, 2, &mut c, true, &a, true, &b, false);
/// assert_eq!(c, [11.0, 13.0, 12.0, 14.0]);
/// ```
#[allow(clippy::too_many_arguments)]
#[track_caller]
pub fn matmul_into<T: Float>(
    m: usize,
    n: usize,
    k: usize,
    dst: &mut [T],
    accumulate: bool,
    a: &[T],
    a_transposed: bool,
    b: &[T],
    b_transposed: bool,
) {
    let loc = std::panic::Location::caller();
    assert!(
        dst.len() == m * n && a.len() == m * k && b.len() == k * n,
        "tapegrad: matmul_into: [{m}, {k}]·[{k}, {n}] needs buffers of {}, {} and {} elements, \
         got dst {}, a {}, b {} (at {loc})",
        m * n,
        m * k,
        k * n,
        dst.len(),
        a.len(),
        b.len()
    );
    let row_major = |cols: usize, transposed: bool| {
        let (rs, cs) = if transposed { (1, cols) } else { (cols, 1) };
        Mat {
            off: 0,
            rs: rs as isize,
            cs: cs as isize,
        }
    };
    let (ac, bc) = (
        if a_transposed { m } else { k },
        if b_transposed { k } else { n },
    );
    gemm(
        m,
        n,
        k,
        dst,
        row_major(n, false),
        accumulate,
        a,
        row_major(ac, a_transposed),
        b,
        row_major(bc, b_transposed),
    );
}

/// `dst (m×n) = [dst +] lhs (m×k) · rhs (k×n)` read in place through the
/// strides, one dot product per output element (no packing, no scratch).
#[allow(clippy::too_many_arguments)]
fn direct<T: Float>(
    m: usize,
    n: usize,
    k: usize,
    dst: &mut [T],
    d: Mat,
    accumulate: bool,
    lhs: &[T],
    l: Mat,
    rhs: &[T],
    r: Mat,
) {
    let at = |x: Mat, i: usize, j: usize| {
        (x.off as isize + i as isize * x.rs + j as isize * x.cs) as usize
    };
    for i in 0..m {
        for j in 0..n {
            let mut acc = T::zero();
            for p in 0..k {
                acc += lhs[at(l, i, p)] * rhs[at(r, p, j)];
            }
            let o = &mut dst[at(d, i, j)];
            *o = if accumulate { *o + acc } else { acc };
        }
    }
}

/// Shape of `op(a)·op(b)`, or a panic naming both shapes.
#[track_caller]
fn out_shape(sa: &Shape, sb: &Shape, ta: bool, tb: bool) -> Shape {
    let loc = std::panic::Location::caller();
    let (ra, rb) = (sa.rank(), sb.rank());
    let batch_a = &sa.dims()[..ra.saturating_sub(2)];
    let batch_b = &sb.dims()[..rb.saturating_sub(2)];
    assert!(
        ra >= 2 && rb >= 2 && (batch_a == batch_b || ra == 2 || rb == 2),
        "tapegrad: matmul: needs operands of at least 2 axes with equal batch axes (or one 2-D operand), \
         got shapes {sa} and {sb} (at {loc})"
    );
    let (_, m, ka) = dims(sa, ta);
    let (_, kb, n) = dims(sb, tb);
    assert!(
        ka == kb,
        "tapegrad: matmul: shapes {sa} and {sb} do not multiply (inner {ka} vs {kb}) (at {loc})"
    );
    let batch = if batch_a.len() >= batch_b.len() {
        batch_a
    } else {
        batch_b
    };
    // Inline up to four axes: recording a product allocates nothing.
    let mut out: smallvec::SmallVec<[usize; 4]> = batch.iter().copied().collect();
    out.extend([m, n]);
    Shape::from(&out[..])
}

impl<'t, T: Float> Var<'t, T> {
    /// Matrix product `self · rhs`: `[m, k]·[k, n] → [m, n]`, or batched
    /// over equal leading axes, `[.., m, k]·[.., k, n] → [.., m, n]`. A 2-D
    /// operand is broadcast over the other's batch (`[B, T, k]·[k, n]`), and
    /// its gradient is summed over that batch. Large products use all cores.
    ///
    /// ∂L/∂A = G·Bᵀ, ∂L/∂B = Aᵀ·G (per batch), computed without copying
    /// any transpose.
    ///
    /// # Panics
    /// When an operand has fewer than two axes, the batch axes differ (and
    /// neither operand is 2-D), or the inner sizes differ; the message names
    /// both shapes and the caller's line.
    ///
    /// ```
    /// use tapegrad::{Tape, Tensor};
    /// let tape = Tape::<f64>::new();
    /// let a = tape.param(Tensor::from_vec(vec![1.0, 2.0, 3.0, 4.0], [2, 2]));
    /// let b = tape.param(Tensor::eye(2));
    /// let c = a.matmul(b);
    /// assert_eq!(c.value().data(), &[1.0, 2.0, 3.0, 4.0]);
    /// let g = c.sum().backward();
    /// assert_eq!(g[b].data(), &[4.0, 4.0, 6.0, 6.0]);
    /// ```
    #[must_use]
    #[track_caller]
    pub fn matmul(self, rhs: Var<'t, T>) -> Var<'t, T> {
        self.matmul_t(rhs, false, false)
    }

    /// `op(self)·op(rhs)` where `op` transposes the last two axes when its
    /// flag is set: `x.matmul_t(w, false, true)` is `x·wᵀ`, with no copy of
    /// `wᵀ` made, forward or backward.
    ///
    /// # Panics
    /// As [`matmul`](Var::matmul), for the transposed shapes.
    ///
    /// ```
    /// use tapegrad::{Tape, Tensor};
    /// let tape = Tape::<f32>::new();
    /// let x = tape.constant(Tensor::ones([1, 3]));
    /// let w = tape.param(Tensor::ones([2, 3])); // PyTorch's [out, in] layout
    /// assert_eq!(x.matmul_t(w, false, true).value().data(), &[3.0, 3.0]);
    /// ```
    #[must_use]
    #[track_caller]
    pub fn matmul_t(self, rhs: Var<'t, T>, ta: bool, tb: bool) -> Var<'t, T> {
        self.same_tape(&rhs, "matmul");
        let (sa, sb) = (self.shape(), rhs.shape());
        let out = out_shape(&sa, &sb, ta, tb);
        let (a, b) = (self.id, rhs.id);
        self.tape
            .record(Matmul { a, b, ta, tb }.into(), out.clone(), |v, o| {
                let (_, m, k) = dims(&sa, ta);
                let (batch, _, n) = dims(&out, false);
                for i in 0..batch {
                    let d = view(&out, false, i);
                    gemm(
                        m,
                        n,
                        k,
                        o,
                        d,
                        false,
                        v.val(a),
                        view(&sa, ta, i),
                        v.val(b),
                        view(&sb, tb, i),
                    );
                }
            })
    }
}

/// `∂op(A) += G·op(B)ᵀ` and `∂op(B) += op(A)ᵀ·G`, each written through the
/// same (possibly transposed) view of the gradient buffer that the forward
/// read the operand through.
#[allow(clippy::too_many_arguments)]
fn matmul_backward<T: Float>(
    id: NodeId,
    a: NodeId,
    b: NodeId,
    ta: bool,
    tb: bool,
    g: &[T],
    v: &Values<'_, T>,
    gb: &mut GradBuffers<T>,
) {
    let (sa, sb, so) = (v.shape(a), v.shape(b), v.shape(id));
    let (_, m, k) = dims(sa, ta);
    let (batch, _, n) = dims(so, false);
    let flip = |x: Mat| Mat {
        off: x.off,
        rs: x.cs,
        cs: x.rs,
    };
    if let Some(ga) = gb.acc(v, a) {
        for i in 0..batch {
            let gv = view(so, false, i);
            gemm(
                m,
                k,
                n,
                ga,
                view(sa, ta, i),
                true,
                g,
                gv,
                v.val(b),
                flip(view(sb, tb, i)),
            );
        }
    }
    if let Some(gbb) = gb.acc(v, b) {
        for i in 0..batch {
            let gv = view(so, false, i);
            gemm(
                k,
                n,
                m,
                gbb,
                view(sb, tb, i),
                true,
                v.val(a),
                flip(view(sa, ta, i)),
                g,
                gv,
            );
        }
    }
}

/// Recorded form, again with transposes expressed as flags:
/// `∂A = G·op(B)ᵀ` (or its transpose `op(B)·Gᵀ` when A was read
/// transposed), and likewise for B.
fn matmul_backward_graph<'t, T: Float>(
    a: Var<'t, T>,
    b: Var<'t, T>,
    ta: bool,
    tb: bool,
    g: Var<'t, T>,
    acc: Acc<'_, 't, T>,
) {
    if a.requires_grad() {
        let da = if ta {
            b.matmul_t(g, tb, true)
        } else {
            g.matmul_t(b, false, !tb)
        };
        acc(a.id, da.sum_to(a.shape()));
    }
    if b.requires_grad() {
        let db = if tb {
            g.matmul_t(a, true, ta)
        } else {
            a.matmul_t(g, !ta, false)
        };
        acc(b.id, db.sum_to(b.shape()));
    }
}

/// `op(a)·op(b)`, each operand optionally read transposed.
#[derive(Clone, Copy, Debug, PartialEq)]
pub(crate) struct Matmul {
    a: NodeId,
    b: NodeId,
    ta: bool,
    tb: bool,
}

impl Rule for Matmul {
    fn name(&self) -> &'static str {
        "matmul"
    }
    fn inputs<'a>(&'a self, _: &'a [NodeId]) -> Inputs<'a> {
        Inputs::of(&[self.a, self.b])
    }
    fn backward<T: Float>(&self, id: NodeId, g: &[T], v: &Values<'_, T>, gb: &mut GradBuffers<T>) {
        matmul_backward(id, self.a, self.b, self.ta, self.tb, g, v, gb);
    }
    fn backward_graph<'t, T: Float>(
        &self,
        tape: &'t Tape<T>,
        _: NodeId,
        g: Var<'t, T>,
        acc: Acc<'_, 't, T>,
    ) {
        let (a, b) = (Var::new(tape, self.a), Var::new(tape, self.b));
        matmul_backward_graph(a, b, self.ta, self.tb, g, acc);
    }
}
