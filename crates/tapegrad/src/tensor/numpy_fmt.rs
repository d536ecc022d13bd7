//! NumPy's `str(array)` for float arrays (NumPy ≥ 1.14 defaults:
//! `precision=8`, `floatmode='maxprec'`, `linewidth=75`, `threshold=1000`,
//! `edgeitems=3`).
//!
//! One format for the whole array: scientific when the largest non-zero
//! magnitude is ≥ 1e8, the smallest < 1e-4, or their ratio > 1000;
//! otherwise positional. Positional values use the fewest digits that
//! identify them (at most 8 after the point), integer parts right-aligned
//! and fractional parts left-aligned with spaces; scientific values share
//! one mantissa precision and exponent width. Rows wrap at 75 columns.

use crate::Float;

const PRECISION: usize = 8;
const LINE_WIDTH: usize = 75;
/// Arrays of more elements than this are summarized.
pub(crate) const THRESHOLD: usize = 1000;
/// Items kept at each end of a summarized axis.
const EDGE_ITEMS: usize = 3;

/// The shortest digits that identify `x` in its own type, positional,
/// cut to `PRECISION` decimals: `(integer part with sign, fraction)`.
fn positional<T: Float>(x: T) -> (String, String) {
    let mut s = format!("{x}");
    if s.split_once('.').is_some_and(|(_, f)| f.len() > PRECISION) {
        s = format!("{x:.PRECISION$}");
    }
    match s.split_once('.') {
        Some((i, f)) => (i.to_string(), f.trim_end_matches('0').to_string()),
        None => (s, String::new()),
    }
}

/// The same in scientific notation: `(mantissa integer digit with sign,
/// mantissa fraction, exponent)`.
fn scientific<T: Float>(x: T) -> (String, String, i32) {
    let mut s = format!("{x:e}");
    let frac_len = |s: &str| {
        s.split_once('e')
            .map_or(0, |(m, _)| m.split_once('.').map_or(0, |(_, f)| f.len()))
    };
    if frac_len(&s) > PRECISION {
        s = format!("{x:.PRECISION$e}");
    }
    let (mantissa, exp) = s.split_once('e').expect("`{:e}` writes an exponent");
    let exp: i32 = exp.parse().expect("an integer exponent");
    match mantissa.split_once('.') {
        Some((i, f)) => (i.to_string(), f.trim_end_matches('0').to_string(), exp),
        None => (mantissa.to_string(), String::new(), exp),
    }
}

/// How every element of one array is printed.
enum Mode {
    Positional {
        pad_left: usize,
        pad_right: usize,
    },
    Scientific {
        pad_left: usize,
        precision: usize,
        exp_digits: usize,
    },
}

impl Mode {
    fn new<T: Float>(data: &[T]) -> Mode {
        let finite: Vec<T> = data.iter().copied().filter(|x| x.is_finite()).collect();
        let nonzero = finite
            .iter()
            .filter(|x| !x.is_zero())
            .map(|x| x.abs().to_f64());
        let (max, min) = nonzero.fold((0.0f64, f64::INFINITY), |(a, b), x| (a.max(x), b.min(x)));
        let scientific_mode = min.is_finite() && (max >= 1e8 || min < 1e-4 || max / min > 1000.0);
        let mut mode = if finite.is_empty() {
            Mode::Positional {
                pad_left: 0,
                pad_right: 0,
            }
        } else if scientific_mode {
            let parts: Vec<_> = finite.iter().map(|&x| scientific(x)).collect();
            Mode::Scientific {
                pad_left: parts.iter().map(|p| p.0.len()).max().unwrap_or(0),
                precision: parts.iter().map(|p| p.1.len()).max().unwrap_or(0),
                exp_digits: parts
                    .iter()
                    .map(|p| p.2.unsigned_abs().to_string().len().max(2))
                    .max()
                    .unwrap_or(2),
            }
        } else {
            let parts: Vec<_> = finite.iter().map(|&x| positional(x)).collect();
            Mode::Positional {
                pad_left: parts.iter().map(|p| p.0.len()).max().unwrap_or(0),
                pad_right: parts.iter().map(|p| p.1.len()).max().unwrap_or(0),
            }
        };
        if finite.len() != data.len() {
            // Room for "nan" / "inf" / "-inf" in the integer-part column.
            let neg_inf = data.iter().any(|x| x.is_infinite() && x.is_sign_negative());
            let right = mode.right_width() + 1;
            let need = 3usize
                .saturating_sub(right)
                .max((3 + usize::from(neg_inf)).saturating_sub(right));
            match &mut mode {
                Mode::Positional { pad_left, .. } | Mode::Scientific { pad_left, .. } => {
                    *pad_left = (*pad_left).max(need);
                }
            }
        }
        mode
    }

    /// Width right of the point.
    fn right_width(&self) -> usize {
        match *self {
            Mode::Positional { pad_right, .. } => pad_right,
            Mode::Scientific {
                precision,
                exp_digits,
                ..
            } => precision + exp_digits + 2,
        }
    }

    fn format<T: Float>(&self, x: T) -> String {
        if !x.is_finite() {
            let s = if x.is_nan() {
                "nan"
            } else if x.is_sign_negative() {
                "-inf"
            } else {
                "inf"
            };
            let left = match *self {
                Mode::Positional { pad_left, .. } | Mode::Scientific { pad_left, .. } => pad_left,
            };
            return format!("{s:>w$}", w = left + self.right_width() + 1);
        }
        match *self {
            Mode::Positional {
                pad_left,
                pad_right,
            } => {
                let (i, f) = positional(x);
                format!("{i:>pad_left$}.{f:<pad_right$}")
            }
            Mode::Scientific {
                pad_left,
                precision,
                exp_digits,
            } => {
                // NumPy prints every element with the array's precision,
                // digits past the shortest round-trip form included
                // (Dragon4's `min_digits`), which is Rust's `{:.N$e}`.
                let s = format!("{x:.precision$e}");
                let (mantissa, e) = s.split_once('e').expect("`{:e}` writes an exponent");
                let e: i32 = e.parse().expect("an integer exponent");
                let (i, f) = mantissa.split_once('.').unwrap_or((mantissa, ""));
                let sign = if e < 0 { '-' } else { '+' };
                let e = e.unsigned_abs();
                format!("{i:>pad_left$}.{f}e{sign}{e:0>exp_digits$}")
            }
        }
    }
}

/// A 0-d array prints as its scalar does in Python (`repr`): the shortest
/// round-trip digits, with `.0` on whole numbers and exponents from 1e16
/// and below 1e-4 written `1e+16`, `1e-05`.
fn scalar<T: Float>(x: T) -> String {
    if x.is_nan() {
        return "nan".into();
    }
    if x.is_infinite() {
        return if x.is_sign_negative() { "-inf" } else { "inf" }.into();
    }
    let s = format!("{x:?}");
    match s.split_once('e') {
        Some((m, e)) => {
            let (sign, digits) = e.strip_prefix('-').map_or(('+', e), |d| ('-', d));
            format!("{m}e{sign}{digits:0>2}")
        }
        None => s,
    }
}

/// `str(numpy.array(data).reshape(dims))`; with `summarize`, every axis
/// longer than `2·EDGE_ITEMS` shows its first and last `EDGE_ITEMS` around
/// `...`, and the number format is chosen from the shown elements only.
pub(crate) fn format_array<T: Float>(data: &[T], dims: &[usize], summarize: bool) -> String {
    if dims.is_empty() {
        return scalar(data[0]);
    }
    if data.is_empty() {
        return "[]".into();
    }
    let elided: Vec<bool> = dims
        .iter()
        .map(|&n| summarize && n > 2 * EDGE_ITEMS)
        .collect();
    let shown_dims: Vec<usize> = dims
        .iter()
        .zip(&elided)
        .map(|(&n, &e)| if e { 2 * EDGE_ITEMS } else { n })
        .collect();
    let shown = shown_elements(data, dims, &elided);
    let mode = Mode::new(&shown);
    let words: Vec<String> = shown.iter().map(|&x| mode.format(x)).collect();
    let mut out = String::new();
    recurse(&mut out, &words, &shown_dims, &elided, " ", LINE_WIDTH);
    out
}

/// The elements that are printed, row-major: along an elided axis only the
/// first and last `EDGE_ITEMS` indices.
fn shown_elements<T: Float>(data: &[T], dims: &[usize], elided: &[bool]) -> Vec<T> {
    let Some((&n, rest)) = dims.split_first() else {
        return vec![data[0]];
    };
    let inner: usize = rest.iter().product();
    let indices: Vec<usize> = if elided[0] {
        (0..EDGE_ITEMS).chain(n - EDGE_ITEMS..n).collect()
    } else {
        (0..n).collect()
    };
    indices
        .into_iter()
        .flat_map(|i| shown_elements(&data[i * inner..(i + 1) * inner], rest, &elided[1..]))
        .collect()
}

/// NumPy's `_formatArray`: `hanging` is the indent of continuation lines,
/// `width` the room left on a line; `elided[0]` puts `...` after the first
/// `EDGE_ITEMS` items of this axis.
fn recurse(
    out: &mut String,
    words: &[String],
    dims: &[usize],
    elided: &[bool],
    hanging: &str,
    width: usize,
) {
    let start = out.len();
    let next_hanging = format!("{hanging} ");
    let next_width = width.saturating_sub(1);
    let n = dims[0];
    let gap_after = elided[0].then_some(EDGE_ITEMS);
    if dims.len() == 1 {
        // Room up to the separator or the closing bracket.
        let elem_width = width.saturating_sub(1);
        let mut line = hanging.to_string();
        let push = |out: &mut String, line: &mut String, w: &str| {
            if line.len() + w.len() > elem_width && line.len() > hanging.len() {
                out.push_str(line.trim_end());
                out.push('\n');
                *line = hanging.to_string();
            }
            line.push_str(w);
        };
        for (i, w) in words.iter().enumerate() {
            if gap_after == Some(i) {
                push(out, &mut line, "...");
                line.push(' ');
            }
            push(out, &mut line, w);
            if i + 1 < n {
                line.push(' ');
            }
        }
        out.push_str(&line);
    } else {
        let chunk = words.len().checked_div(n).unwrap_or(0);
        let sep = "\n".repeat(dims.len() - 1);
        for i in 0..n {
            if gap_after == Some(i) {
                out.push_str(hanging);
                out.push_str("...");
                out.push_str(&sep);
            }
            out.push_str(hanging);
            recurse(
                out,
                &words[i * chunk..(i + 1) * chunk],
                &dims[1..],
                &elided[1..],
                &next_hanging,
                next_width,
            );
            if i + 1 < n {
                out.push_str(&sep);
            }
        }
    }
    // Drop the hanging indent of the first line and add the brackets.
    let body = out.split_off(start);
    out.push('[');
    out.push_str(&body[hanging.len().min(body.len())..]);
    out.push(']');
}
