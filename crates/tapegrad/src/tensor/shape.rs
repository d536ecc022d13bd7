//! Shapes: dimension lists kept inline for up to four axes, and the NumPy
//! broadcasting rules that every elementwise op shares.

use smallvec::SmallVec;
use std::fmt;

/// The dimensions of a tensor, outermost first. `[]` is a 0-d scalar.
///
/// Up to four dimensions are stored inline (no heap allocation), which covers
/// every tensor of an MLP and keeps a tape node small.
///
/// ```
/// use tapegrad::Shape;
/// let s = Shape::from([2, 3]);
/// assert_eq!(s.numel(), 6);
/// assert_eq!(s.rank(), 2);
/// assert_eq!(s.to_string(), "[2, 3]");
/// assert_eq!(Shape::scalar().numel(), 1);
/// ```
#[derive(Eq, Default)]
pub struct Shape(SmallVec<[usize; 4]>);

// Written out because shapes are cloned and compared on every recorded op:
// the derived forms go through `SmallVec`'s generic `extend` and a `memcmp`
// call, several times slower for a handful of dimensions.
impl Clone for Shape {
    #[inline]
    fn clone(&self) -> Self {
        Shape(SmallVec::from_slice(&self.0))
    }
}

impl std::hash::Hash for Shape {
    fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
        self.dims().hash(state);
    }
}

impl PartialEq for Shape {
    #[inline]
    fn eq(&self, other: &Self) -> bool {
        let (a, b) = (self.dims(), other.dims());
        a.len() == b.len() && a.iter().zip(b).all(|(x, y)| x == y)
    }
}

impl Shape {
    /// The shape `[]` of a 0-d scalar.
    ///
    /// ```
    /// let s = tapegrad::Shape::scalar();
    /// assert_eq!((s.rank(), s.numel(), s.to_string()), (0, 1, "[]".to_string()));
    /// ```
    #[must_use]
    #[inline]
    pub fn scalar() -> Self {
        Shape(SmallVec::new())
    }

    /// The dimensions as a slice.
    ///
    /// ```
    /// assert_eq!(tapegrad::Shape::from([4, 3]).dims(), &[4, 3]);
    /// ```
    #[must_use]
    pub fn dims(&self) -> &[usize] {
        &self.0
    }

    /// Number of axes.
    ///
    /// ```
    /// assert_eq!(tapegrad::Shape::from([2, 3, 4]).rank(), 3);
    /// ```
    #[must_use]
    #[inline]
    pub fn rank(&self) -> usize {
        self.0.len()
    }

    /// Number of elements (1 for a scalar).
    ///
    /// ```
    /// assert_eq!(tapegrad::Shape::from([2, 3, 4]).numel(), 24);
    /// assert_eq!(tapegrad::Shape::from([2, 0]).numel(), 0);
    /// ```
    #[must_use]
    pub fn numel(&self) -> usize {
        self.0.iter().product()
    }

    /// Row-major (C order) strides in elements.
    ///
    /// ```
    /// use tapegrad::Shape;
    /// assert_eq!(Shape::from([2, 3, 4]).strides().as_slice(), &[12, 4, 1]);
    /// ```
    #[must_use]
    pub fn strides(&self) -> SmallVec<[usize; 4]> {
        let mut s: SmallVec<[usize; 4]> = SmallVec::from_elem(1, self.rank());
        for i in (0..self.rank().saturating_sub(1)).rev() {
            s[i] = s[i + 1] * self.0[i + 1];
        }
        s
    }

    /// Resolves a Python-style axis (`-1` is the last) to an index.
    ///
    /// Returns `None` when the axis is out of range.
    ///
    /// ```
    /// use tapegrad::Shape;
    /// assert_eq!(Shape::from([2, 3]).axis(-1), Some(1));
    /// assert_eq!(Shape::from([2, 3]).axis(2), None);
    /// ```
    #[must_use]
    pub fn axis(&self, axis: isize) -> Option<usize> {
        let r = self.rank() as isize;
        let a = if axis < 0 { axis + r } else { axis };
        (0..r).contains(&a).then_some(a as usize)
    }

    /// The NumPy broadcast of two shapes: trailing axes aligned, size-1 axes
    /// stretched. `None` when they are incompatible.
    ///
    /// ```
    /// use tapegrad::Shape;
    /// let s = Shape::broadcast(&Shape::from([3, 1]), &Shape::from([4])).unwrap();
    /// assert_eq!(s, Shape::from([3, 4]));
    /// assert!(Shape::broadcast(&Shape::from([3]), &Shape::from([4])).is_none());
    /// ```
    #[must_use]
    pub fn broadcast(a: &Shape, b: &Shape) -> Option<Shape> {
        let r = a.rank().max(b.rank());
        let mut out = SmallVec::with_capacity(r);
        for i in 0..r {
            let da = dim_from_right(a, r - 1 - i);
            let db = dim_from_right(b, r - 1 - i);
            out.push(match (da, db) {
                (x, y) if x == y => x,
                (1, y) => y,
                (x, 1) => x,
                _ => return None,
            });
        }
        Some(Shape(out))
    }

    /// Whether `self`'s axes, leading 1s dropped, are `out`'s last axes, so
    /// that broadcasting `self` to `out` repeats its elements, in order,
    /// once per index of the leading axes (a bias row `[n]` or `[1, n]`
    /// against `[m, n]`): kernels then walk `out` in rows of
    /// `self.numel()` elements instead of by index.
    pub(crate) fn is_trailing_of(&self, out: &Shape) -> bool {
        let s = self.dims();
        let s = &s[s.iter().take_while(|&&d| d == 1).count()..];
        out.dims().ends_with(s)
    }

    /// Strides for reading `self` as if broadcast to `out`: 0 on stretched
    /// axes, one entry per axis of `out`. `self` must broadcast to `out`.
    pub(crate) fn broadcast_strides(&self, out: &Shape) -> SmallVec<[usize; 4]> {
        let own = self.strides();
        let off = out.rank() - self.rank();
        (0..out.rank())
            .map(|i| {
                if i < off || self.0[i - off] == 1 {
                    0
                } else {
                    own[i - off]
                }
            })
            .collect()
    }

    /// Whether `self` broadcasts to exactly `out`.
    ///
    /// ```
    /// use tapegrad::Shape;
    /// assert!(Shape::from([3]).broadcasts_to(&Shape::from([2, 3])));
    /// assert!(!Shape::from([2, 3]).broadcasts_to(&Shape::from([3])));
    /// ```
    #[must_use]
    pub fn broadcasts_to(&self, out: &Shape) -> bool {
        Shape::broadcast(self, out).is_some_and(|s| &s == out)
    }

    /// `[1, 1, …]` of `rank` axes, built inline (no allocation up to rank 4).
    pub(crate) fn ones(rank: usize) -> Shape {
        Shape(SmallVec::from_elem(1, rank))
    }

    /// The shape with `axis` removed, or set to 1 when `keepdim`.
    pub(crate) fn reduced(&self, axis: usize, keepdim: bool) -> Shape {
        let mut d = self.0.clone();
        if keepdim {
            d[axis] = 1;
        } else {
            d.remove(axis);
        }
        Shape(d)
    }
}

fn dim_from_right(s: &Shape, i_from_right: usize) -> usize {
    if i_from_right < s.rank() {
        s.0[s.rank() - 1 - i_from_right]
    } else {
        1
    }
}

impl fmt::Debug for Shape {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(self, f)
    }
}

impl fmt::Display for Shape {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "[")?;
        for (i, d) in self.0.iter().enumerate() {
            if i > 0 {
                write!(f, ", ")?;
            }
            write!(f, "{d}")?;
        }
        write!(f, "]")
    }
}

impl<const N: usize> From<[usize; N]> for Shape {
    fn from(d: [usize; N]) -> Self {
        Shape(SmallVec::from_slice(&d))
    }
}

impl From<&[usize]> for Shape {
    fn from(d: &[usize]) -> Self {
        Shape(SmallVec::from_slice(d))
    }
}

impl From<Vec<usize>> for Shape {
    fn from(d: Vec<usize>) -> Self {
        Shape(SmallVec::from_vec(d))
    }
}

impl From<&Shape> for Shape {
    fn from(s: &Shape) -> Self {
        s.clone()
    }
}

impl From<()> for Shape {
    fn from((): ()) -> Self {
        Shape::scalar()
    }
}

/// Calls `f(out_index, a_index, b_index)` for every element of `out`, where
/// `a` and `b` are read through broadcast strides. The innermost axis runs as
/// a plain loop, so contiguous and row-broadcast cases stay fast.
#[inline]
pub(crate) fn for_each_broadcast2(
    out: &Shape,
    sa: &[usize],
    sb: &[usize],
    mut f: impl FnMut(usize, usize, usize),
) {
    let n = out.numel();
    if n == 0 {
        return;
    }
    let r = out.rank();
    if r == 0 {
        f(0, 0, 0);
        return;
    }
    let dims = out.dims();
    let inner = dims[r - 1];
    let (ia, ib) = (sa[r - 1], sb[r - 1]);
    let mut idx: SmallVec<[usize; 4]> = SmallVec::from_elem(0, r);
    let (mut base_a, mut base_b) = (0usize, 0usize);
    let mut o = 0;
    while o < n {
        for j in 0..inner {
            f(o + j, base_a + j * ia, base_b + j * ib);
        }
        o += inner;
        // Odometer over the outer axes.
        let mut ax = r - 1;
        while ax > 0 {
            ax -= 1;
            idx[ax] += 1;
            base_a += sa[ax];
            base_b += sb[ax];
            if idx[ax] < dims[ax] {
                break;
            }
            base_a -= sa[ax] * dims[ax];
            base_b -= sb[ax] * dims[ax];
            idx[ax] = 0;
        }
    }
}
