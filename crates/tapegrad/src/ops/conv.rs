//! 1-D and 2-D convolution (PyTorch's `conv1d`, `conv2d`: cross-correlation
//! with zero padding, stride, dilation and groups).
//!
//! A convolution is bilinear: `⟨y, conv(x, w)⟩` is linear in each of `x`,
//! `w` and `y`, and each of the three products the family records — the
//! output, the input gradient (transposed convolution) and the weight
//! gradient — is that form's derivative with respect to one of the three,
//! given the other two. So one op, with the slot it computes, serves every
//! order: the derivative of a product with respect to one of its inputs is
//! the product for that input's slot, fed the upstream gradient in the
//! computed slot. `conv1d` is `conv2d` over images of height 1, which is
//! exact.

use super::im2col::{self, ConvDims};
use super::{Acc, Inputs, Rule};
use crate::tape::{GradBuffers, NodeId, Values};
use crate::{Float, Shape, Tape, Var};

/// Parameters of [`Var::conv1d`], as in `torch.nn.functional.conv1d`.
///
/// ```
/// use tapegrad::Conv1dOptions;
/// let o = Conv1dOptions { stride: 2, ..Conv1dOptions::default() };
/// assert_eq!((o.stride, o.padding, o.dilation, o.groups), (2, 0, 1, 1));
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Conv1dOptions {
    /// Step between output positions (≥ 1).
    pub stride: usize,
    /// Zeros added at both ends.
    pub padding: usize,
    /// Spacing between kernel taps (≥ 1).
    pub dilation: usize,
    /// Channel groups: input and output channels are split into this many
    /// groups, each convolved separately (both counts divisible by it).
    pub groups: usize,
}

impl Default for Conv1dOptions {
    fn default() -> Self {
        Conv1dOptions {
            stride: 1,
            padding: 0,
            dilation: 1,
            groups: 1,
        }
    }
}

/// Parameters of [`Var::conv2d`], `[height, width]` each, as in
/// `torch.nn.functional.conv2d`.
///
/// ```
/// use tapegrad::Conv2dOptions;
/// let o = Conv2dOptions { padding: [1, 1], ..Conv2dOptions::default() };
/// assert_eq!((o.stride, o.dilation, o.groups), ([1, 1], [1, 1], 1));
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Conv2dOptions {
    /// Step between output positions (≥ 1).
    pub stride: [usize; 2],
    /// Zeros added on both sides.
    pub padding: [usize; 2],
    /// Spacing between kernel taps (≥ 1).
    pub dilation: [usize; 2],
    /// Channel groups: input and output channels are split into this many
    /// groups, each convolved separately (both counts divisible by it).
    pub groups: usize,
}

impl Default for Conv2dOptions {
    fn default() -> Self {
        Conv2dOptions {
            stride: [1, 1],
            padding: [0, 0],
            dilation: [1, 1],
            groups: 1,
        }
    }
}

/// The operands of the bilinear form `⟨y, conv(x, w)⟩`, in this order.
#[derive(Clone, Copy, Debug, PartialEq, PartialOrd)]
enum Slot {
    X,
    W,
    Y,
}

impl Slot {
    /// The two other slots, in order: where a product of this slot reads.
    fn others(self) -> (Slot, Slot) {
        match self {
            Slot::X => (Slot::W, Slot::Y),
            Slot::W => (Slot::X, Slot::Y),
            Slot::Y => (Slot::X, Slot::W),
        }
    }
}

/// Stride, padding, dilation and groups, small enough to keep a node at
/// 48 bytes.
#[derive(Clone, Copy, Debug, PartialEq)]
struct Geom {
    stride: [u16; 2],
    padding: [u16; 2],
    dilation: [u16; 2],
    groups: u16,
}

impl Geom {
    /// The sizes of a convolution of an `xs` input by a `ws` weight.
    fn dims(self, xs: &Shape, ws: &Shape) -> ConvDims {
        let (x, w) = (xs.dims(), ws.dims());
        let wide = |a: [u16; 2]| a.map(usize::from);
        let (stride, padding, dilation) =
            (wide(self.stride), wide(self.padding), wide(self.dilation));
        let out = |i: usize| {
            (x[2 + i] + 2 * padding[i] - dilation[i] * (w[2 + i] - 1) - 1) / stride[i] + 1
        };
        ConvDims {
            n: x[0],
            c: x[1],
            h: x[2],
            w: x[3],
            co: w[0],
            kh: w[2],
            kw: w[3],
            oh: out(0),
            ow: out(1),
            groups: usize::from(self.groups),
            stride,
            padding,
            dilation,
        }
    }
}

/// Checks a convolution of `x [N, C, H, W]` by `w [Cout, C/groups, kH,
/// kW]` and returns its parameters and output shape, or what is wrong.
fn check(x: &[usize], w: &[usize], o: Conv2dOptions) -> Result<(Geom, Shape), String> {
    if x.len() != 4 || w.len() != 4 {
        return Err(
            "needs an input [N, C_in, H, W] and a weight [C_out, C_in/groups, kH, kW]".into(),
        );
    }
    let small = |v: usize, what: &str| {
        u16::try_from(v).map_err(|_| format!("{what} {v} is above the supported 65535"))
    };
    let pair = |a: [usize; 2], what: &str| -> Result<[u16; 2], String> {
        Ok([small(a[0], what)?, small(a[1], what)?])
    };
    let geom = Geom {
        stride: pair(o.stride, "stride")?,
        padding: pair(o.padding, "padding")?,
        dilation: pair(o.dilation, "dilation")?,
        groups: small(o.groups, "groups")?,
    };
    let g = o.groups;
    if g == 0 || o.stride.contains(&0) || o.dilation.contains(&0) {
        return Err("stride, dilation and groups must be at least 1".into());
    }
    if x[1] % g != 0 || w[0] % g != 0 {
        return Err(format!(
            "input channels {} and output channels {} must both be divisible by groups {g}",
            x[1], w[0]
        ));
    }
    if w[1] != x[1] / g {
        return Err(format!(
            "the weight's axis 1 must be C_in/groups = {}/{g}, not {}",
            x[1], w[1]
        ));
    }
    for i in 0..2 {
        let (len, k) = (x[2 + i] + 2 * o.padding[i], w[2 + i]);
        if k == 0 || o.dilation[i] * (k - 1) + 1 > len {
            return Err(format!(
                "the kernel (size {k}, dilation {}) does not fit the padded input (size {len})",
                o.dilation[i]
            ));
        }
    }
    let d = geom.dims(&Shape::from(x), &Shape::from(w));
    Ok((geom, Shape::from([d.n, d.co, d.oh, d.ow])))
}

/// `(first, second)` of two slot-tagged values, in slot order.
fn ordered<V>(p: (Slot, V), q: (Slot, V)) -> (V, V) {
    if p.0 < q.0 {
        (p.1, q.1)
    } else {
        (q.1, p.1)
    }
}

/// Adds the product for slot `out`, of the values `a`, `b` of its two
/// other slots (in slot order), into `dst`.
fn run<T: Float>(out: Slot, d: &ConvDims, a: &[T], b: &[T], dst: &mut [T]) {
    match out {
        Slot::Y => im2col::forward(d, a, b, dst),
        Slot::X => im2col::input_grad(d, b, a, dst),
        Slot::W => im2col::weight_grad(d, a, b, dst),
    }
}

impl<'t, T: Float> Var<'t, T> {
    /// Records the product for slot `out` of `a` and `b` (its two other
    /// slots, in order); `shape` is the result's.
    fn conv_product(self, b: Var<'t, T>, out: Slot, geom: Geom, shape: Shape) -> Var<'t, T> {
        let (sa, sb) = (self.shape(), b.shape());
        let (xs, ws) = match out {
            Slot::Y => (&sa, &sb),
            Slot::X => (&shape, &sa),
            Slot::W => (&sa, &shape),
        };
        let d = geom.dims(xs, ws);
        let (a, b) = (self.id, b.id);
        let op = Conv { a, b, out, geom };
        self.tape
            .record(op.into(), shape, |v, o| run(out, &d, v.val(a), v.val(b), o))
    }

    /// The 2-D convolution (cross-correlation) of `self`, `[N, C_in, H,
    /// W]`, by `weight`, `[C_out, C_in/groups, kH, kW]`, plus an optional
    /// `bias` `[C_out]`: `torch.nn.functional.conv2d`. With stride `s`,
    /// padding `p` (zeros), dilation `d` and `g` groups,
    ///
    /// `y[n, o, i, j] = b[o] + Σ_{c, u, v} w[o, c, u, v] · x[n, c', i·s₀ − p₀ + u·d₀, j·s₁ − p₁ + v·d₁]`,
    ///
    /// `c` running over the `C_in/g` channels `c'` of `o`'s group; reads
    /// outside the input are 0. `H_out = ⌊(H + 2p₀ − d₀(kH − 1) − 1)/s₀⌋ + 1`,
    /// likewise `W_out`.
    ///
    /// Derivatives: `∂L/∂x` is the transposed convolution of `g` by `w`,
    /// `∂L/∂w` the correlation of `x` with `g` (both sums of the same terms
    /// over the other indices), `∂L/∂b[o] = Σ_{n,i,j} g[n, o, i, j]`.
    /// Bilinear, so smooth everywhere: no kink conventions; second
    /// derivatives are the mixed `x`–`w` terms. Runs as im2col and matrix
    /// products (large ones on all cores).
    ///
    /// # Panics
    /// When the ranks are wrong, the channels do not match the groups, the
    /// bias is not `[C_out]`, stride, dilation or groups is 0 (or any
    /// parameter above 65535), or the dilated kernel is larger than the
    /// padded input; the message names both shapes and the caller's line.
    ///
    /// ```
    /// use tapegrad::{Conv2dOptions, Tape, Tensor};
    /// let tape = Tape::<f64>::new();
    /// let x = tape.param(Tensor::from_vec((0..9).map(f64::from).collect(), [1, 1, 3, 3]));
    /// let w = tape.param(Tensor::ones([1, 1, 2, 2]));
    /// let b = tape.param(Tensor::from_vec(vec![0.5], [1]));
    /// let y = x.conv2d(w, Some(b), Conv2dOptions::default());
    /// assert_eq!(y.value().data(), &[8.5, 12.5, 20.5, 24.5]);
    /// let g = y.sum().backward();
    /// assert_eq!(g[x].data(), &[1.0, 2.0, 1.0, 2.0, 4.0, 2.0, 1.0, 2.0, 1.0]);
    /// assert_eq!(g[w].data(), &[8.0, 12.0, 20.0, 24.0]);
    /// assert_eq!(g[b].data(), &[4.0]);
    /// ```
    #[must_use]
    #[track_caller]
    pub fn conv2d(
        self,
        weight: Var<'t, T>,
        bias: Option<Var<'t, T>>,
        opts: Conv2dOptions,
    ) -> Var<'t, T> {
        let (xs, ws) = (self.shape(), weight.shape());
        let y = self.conv_checked("conv2d", weight, bias, opts, (&xs, &ws));
        match bias {
            Some(b) => y + b.reshape([1, ws.dims()[0], 1, 1]),
            None => y,
        }
    }

    /// The 1-D convolution (cross-correlation) of `self`, `[N, C_in, L]`,
    /// by `weight`, `[C_out, C_in/groups, K]`, plus an optional `bias`
    /// `[C_out]`: `torch.nn.functional.conv1d`.
    ///
    /// `y[n, o, i] = b[o] + Σ_{c, u} w[o, c, u] · x[n, c', i·s − p + u·d]`
    /// (zero outside the input), `L_out = ⌊(L + 2p − d(K − 1) − 1)/s⌋ + 1`.
    /// Computed exactly as [`conv2d`](Var::conv2d) over images of height
    /// 1, with the same derivatives.
    ///
    /// # Panics
    /// As [`conv2d`](Var::conv2d), for the 1-D shapes.
    ///
    /// ```
    /// use tapegrad::{Conv1dOptions, Tape, Tensor};
    /// let tape = Tape::<f64>::new();
    /// let x = tape.param(Tensor::from_vec(vec![1.0, 2.0, 3.0, 4.0], [1, 1, 4]));
    /// let w = tape.param(Tensor::from_vec(vec![1.0, -1.0], [1, 1, 2]));
    /// let opts = Conv1dOptions { padding: 1, ..Conv1dOptions::default() };
    /// let y = x.conv1d(w, None, opts);
    /// assert_eq!(y.value().data(), &[-1.0, -1.0, -1.0, -1.0, 4.0]);
    /// assert_eq!(y.sum().backward()[x].data(), &[0.0, 0.0, 0.0, 0.0]);
    /// ```
    #[must_use]
    #[track_caller]
    pub fn conv1d(
        self,
        weight: Var<'t, T>,
        bias: Option<Var<'t, T>>,
        opts: Conv1dOptions,
    ) -> Var<'t, T> {
        let (xs, ws) = (self.shape(), weight.shape());
        let (x, w) = (xs.dims(), ws.dims());
        if x.len() != 3 || w.len() != 3 {
            panic!(
                "tapegrad: conv1d: needs an input [N, C_in, L] and a weight [C_out, C_in/groups, K], \
                 got shapes {xs} and {ws} (at {})",
                std::panic::Location::caller()
            );
        }
        let opts2 = Conv2dOptions {
            stride: [1, opts.stride],
            padding: [0, opts.padding],
            dilation: [1, opts.dilation],
            groups: opts.groups,
        };
        let (x4, w4) = (
            self.reshape([x[0], x[1], 1, x[2]]),
            weight.reshape([w[0], w[1], 1, w[2]]),
        );
        let y4 = x4.conv_checked("conv1d", w4, bias, opts2, (&xs, &ws));
        let y4s = y4.shape();
        let y = y4.reshape([x[0], w[0], y4s.dims()[3]]);
        match bias {
            Some(b) => y + b.reshape([1, w[0], 1]),
            None => y,
        }
    }

    /// The convolution without bias after every check, for `name`, whose
    /// caller passed the shapes `user` (shown in errors).
    #[track_caller]
    fn conv_checked(
        self,
        name: &str,
        weight: Var<'t, T>,
        bias: Option<Var<'t, T>>,
        opts: Conv2dOptions,
        user: (&Shape, &Shape),
    ) -> Var<'t, T> {
        self.same_tape(&weight, name);
        let loc = std::panic::Location::caller();
        let (xs, ws) = (self.shape(), weight.shape());
        let (geom, out) = match check(xs.dims(), ws.dims(), opts) {
            Ok(checked) => checked,
            Err(why) => panic!(
                "tapegrad: {name}: {why}; got input {} and weight {} (at {loc})",
                user.0, user.1
            ),
        };
        if let Some(b) = bias {
            self.same_tape(&b, name);
            let bs = b.shape();
            assert!(
                bs.dims() == [ws.dims()[0]],
                "tapegrad: {name}: the bias must be [C_out] = [{}], got {bs} (input {}, weight {}) (at {loc})",
                ws.dims()[0],
                user.0,
                user.1
            );
        }
        self.conv_product(weight, Slot::Y, geom, out)
    }
}

/// One of the three products of a convolution (see the module docs): the
/// one for slot `out`, of `a` and `b`, the values of the other two slots in
/// slot order.
#[derive(Clone, Copy, Debug, PartialEq)]
pub(crate) struct Conv {
    a: NodeId,
    b: NodeId,
    out: Slot,
    geom: Geom,
}

impl Rule for Conv {
    fn name(&self) -> &'static str {
        match self.out {
            Slot::Y => "conv2d",
            Slot::X => "conv2d_input_grad",
            Slot::W => "conv2d_weight_grad",
        }
    }
    fn inputs<'a>(&'a self, _: &'a [NodeId]) -> Inputs<'a> {
        Inputs::of(&[self.a, self.b])
    }
    fn backward<T: Float>(&self, id: NodeId, g: &[T], v: &Values<'_, T>, gb: &mut GradBuffers<T>) {
        let (own, sa, sb) = (v.shape(id), v.shape(self.a), v.shape(self.b));
        let (xs, ws) = match self.out {
            Slot::Y => (sa, sb),
            Slot::X => (own, sa),
            Slot::W => (sa, own),
        };
        let d = self.geom.dims(xs, ws);
        let (slot_a, slot_b) = self.out.others();
        if let Some(ga) = gb.acc(v, self.a) {
            let (p, q) = ordered((self.out, g), (slot_b, v.val(self.b)));
            run(slot_a, &d, p, q, ga);
        }
        if let Some(gbuf) = gb.acc(v, self.b) {
            let (p, q) = ordered((self.out, g), (slot_a, v.val(self.a)));
            run(slot_b, &d, p, q, gbuf);
        }
    }
    fn backward_graph<'t, T: Float>(
        &self,
        tape: &'t Tape<T>,
        _: NodeId,
        g: Var<'t, T>,
        acc: Acc<'_, 't, T>,
    ) {
        let (a, b) = (Var::new(tape, self.a), Var::new(tape, self.b));
        let (slot_a, slot_b) = self.out.others();
        if a.requires_grad() {
            let (p, q) = ordered((self.out, g), (slot_b, b));
            acc(self.a, p.conv_product(q, slot_a, self.geom, a.shape()));
        }
        if b.requires_grad() {
            let (p, q) = ordered((self.out, g), (slot_a, a));
            acc(self.b, p.conv_product(q, slot_b, self.geom, b.shape()));
        }
    }
}
