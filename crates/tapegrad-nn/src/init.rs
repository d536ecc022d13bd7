//! Weight initializers. Each scales the random draw by the layer's fan-in
//! and/or fan-out so that activations keep a steady variance from layer to
//! layer; which one fits depends on the activation that follows.

use rand::Rng;
use rand_distr::{Distribution, Normal, Uniform};
use tapegrad::{Float, Tensor};

/// How to draw a Linear layer's weight `[out, in]` (fan-in = `in`,
/// fan-out = `out`).
///
/// | variant | distribution | suits |
/// |---|---|---|
/// | `HeNormal` | N(0, 2/fan_in) | relu and its family (He et al. 2015) |
/// | `HeUniform` | U(±√(6/fan_in)) | same variance as `HeNormal` |
/// | `LecunNormal` | N(0, 1/fan_in) | SELU (keeps self-normalization), linear outputs |
/// | `XavierNormal` | N(0, 2/(fan_in+fan_out)) | sigmoid, tanh (Glorot & Bengio 2010) |
/// | `XavierUniform` | U(±√(6/(fan_in+fan_out))) | same variance as `XavierNormal` |
/// | `Uniform(a)` | U(−a, a) | the classic "small random weights" |
/// | `Normal(s)` | N(0, s²) | explicit scale |
/// | `Constant(c)` | c everywhere | tests, biases |
/// | `TorchDefault` | U(±1/√fan_in) | PyTorch's `nn.Linear` default |
///
/// ```
/// use rand::SeedableRng;
/// use tapegrad_nn::Init;
/// let mut rng = rand::rngs::StdRng::seed_from_u64(0);
/// let w = Init::HeUniform.weight::<f32, _>(100, 50, &mut rng);
/// assert_eq!(w.shape().dims(), &[100, 50]);
/// let bound = (6.0f32 / 50.0).sqrt();
/// assert!(w.data().iter().all(|x| x.abs() <= bound));
/// ```
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Init {
    /// Kaiming/He normal, std √(2/fan_in).
    HeNormal,
    /// Kaiming/He uniform, bound √(6/fan_in).
    HeUniform,
    /// LeCun normal, std √(1/fan_in).
    LecunNormal,
    /// Xavier/Glorot normal, std √(2/(fan_in+fan_out)).
    XavierNormal,
    /// Xavier/Glorot uniform, bound √(6/(fan_in+fan_out)).
    XavierUniform,
    /// Uniform in (−a, a).
    Uniform(f64),
    /// Normal with mean 0 and this standard deviation.
    Normal(f64),
    /// Every weight equal to this value.
    Constant(f64),
    /// PyTorch's `nn.Linear` default, U(±1/√fan_in).
    TorchDefault,
}

impl Init {
    /// A `[fan_out, fan_in]` weight drawn from this distribution.
    ///
    /// # Panics
    /// When a `Uniform` bound or `Normal` standard deviation is negative or
    /// not finite.
    ///
    /// ```
    /// use rand::SeedableRng;
    /// use tapegrad_nn::Init;
    /// let mut rng = rand::rngs::StdRng::seed_from_u64(1);
    /// let w = Init::Constant(0.5).weight::<f64, _>(2, 3, &mut rng);
    /// assert_eq!(w.data(), &[0.5; 6]);
    /// ```
    #[must_use]
    #[track_caller]
    pub fn weight<T: Float, R: Rng + ?Sized>(
        self,
        fan_out: usize,
        fan_in: usize,
        rng: &mut R,
    ) -> Tensor<T> {
        let (fi, fo) = (fan_in.max(1) as f64, fan_out.max(1) as f64);
        let n = fan_out * fan_in;
        let data = match self {
            Init::HeNormal => normal(n, (2.0 / fi).sqrt(), rng),
            Init::HeUniform => uniform(n, (6.0 / fi).sqrt(), rng),
            Init::LecunNormal => normal(n, (1.0 / fi).sqrt(), rng),
            Init::XavierNormal => normal(n, (2.0 / (fi + fo)).sqrt(), rng),
            Init::XavierUniform => uniform(n, (6.0 / (fi + fo)).sqrt(), rng),
            Init::Uniform(a) => uniform(n, a, rng),
            Init::Normal(s) => normal(n, s, rng),
            Init::Constant(c) => vec![T::from_f64(c); n],
            Init::TorchDefault => uniform(n, 1.0 / fi.sqrt(), rng),
        };
        Tensor::from_vec(data, [fan_out, fan_in])
    }
}

#[track_caller]
fn normal<T: Float, R: Rng + ?Sized>(n: usize, std: f64, rng: &mut R) -> Vec<T> {
    // rand_distr accepts a negative deviation (as a mirrored distribution);
    // the documented contract does not.
    assert!(
        std >= 0.0 && std.is_finite(),
        "tapegrad-nn: Init: invalid standard deviation {std}: must be finite and >= 0"
    );
    // `match`, not `unwrap_or_else`: a panic in a closure would name this file.
    let d = match Normal::new(0.0, std) {
        Ok(d) => d,
        Err(e) => panic!("tapegrad-nn: Init: invalid standard deviation {std}: {e}"),
    };
    (0..n).map(|_| T::from_f64(d.sample(rng))).collect()
}

#[track_caller]
fn uniform<T: Float, R: Rng + ?Sized>(n: usize, bound: f64, rng: &mut R) -> Vec<T> {
    if bound == 0.0 {
        return vec![T::zero(); n];
    }
    let d = match Uniform::new_inclusive(-bound, bound) {
        Ok(d) => d,
        Err(e) => panic!("tapegrad-nn: Init: invalid uniform bound {bound}: {e}"),
    };
    (0..n).map(|_| T::from_f64(d.sample(rng))).collect()
}
