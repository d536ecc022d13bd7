//! Which axes a reduction folds: all of them, or a list (Python-style,
//! negative counting from the end).

use smallvec::SmallVec;

/// The axes a reduction runs over: [`Axes::All`], or a list of axes where a
/// negative axis counts from the end (`-1` is the last). Built from one
/// axis (`1`, `-1`), an array or slice of axes, or `None` for all.
///
/// ```
/// use tapegrad::Axes;
/// assert_eq!(Axes::from(-1), Axes::List(vec![-1].into()));
/// assert_eq!(Axes::from([0, 2]), Axes::List(vec![0, 2].into()));
/// assert_eq!(Axes::from(None), Axes::All);
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Axes {
    /// Every axis: the result has one element (or keeps every axis as 1).
    All,
    /// These axes (repeats are an error).
    List(SmallVec<[isize; 4]>),
}

impl From<isize> for Axes {
    fn from(a: isize) -> Self {
        Axes::List(SmallVec::from_slice(&[a]))
    }
}

impl From<i32> for Axes {
    fn from(a: i32) -> Self {
        Axes::from(a as isize)
    }
}

impl From<Option<isize>> for Axes {
    fn from(a: Option<isize>) -> Self {
        a.map_or(Axes::All, Axes::from)
    }
}

impl From<&[isize]> for Axes {
    fn from(a: &[isize]) -> Self {
        Axes::List(SmallVec::from_slice(a))
    }
}

impl From<Vec<isize>> for Axes {
    fn from(a: Vec<isize>) -> Self {
        Axes::List(SmallVec::from_vec(a))
    }
}

impl<const N: usize> From<[isize; N]> for Axes {
    fn from(a: [isize; N]) -> Self {
        Axes::from(&a[..])
    }
}

impl<const N: usize> From<[i32; N]> for Axes {
    fn from(a: [i32; N]) -> Self {
        Axes::List(a.iter().map(|&x| x as isize).collect())
    }
}
