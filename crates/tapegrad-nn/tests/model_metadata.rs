//! A saved model names its activations in the file's metadata, and loading
//! it into a model with other activations is an error naming both; the
//! standardization the digits example saves rebuilds its `Standardizer`.
#![cfg(feature = "safetensors")]

use std::panic::catch_unwind;
use std::path::PathBuf;
use tapegrad_nn::data::Standardizer;
use tapegrad_nn::io::{load_safetensors, read_safetensors_metadata};
use tapegrad_nn::{Activation, Mlp, ModelIoError};

fn temp(name: &str) -> PathBuf {
    std::env::temp_dir().join(format!(
        "tapegrad-nn-meta-{}-{name}.safetensors",
        std::process::id()
    ))
}

#[test]
fn activations_are_saved_and_checked_on_load() {
    let path = temp("acts");
    let a: Mlp<f64> = Mlp::new(3)
        .hidden(4, Activation::Elu(0.5))
        .hidden(4, Activation::Swish)
        .seed(1)
        .output(2);
    a.save(&path).unwrap();
    let meta = read_safetensors_metadata(&std::fs::read(&path).unwrap()).unwrap();
    assert_eq!(meta["format"], "pt");
    assert_eq!(meta["tapegrad.activations"], "elu(0.5), swish, none");

    // Same shapes, other activation: refused, and the model is unchanged.
    let mut b: Mlp<f64> = Mlp::new(3)
        .hidden(4, Activation::Elu(1.0))
        .hidden(4, Activation::Swish)
        .seed(2)
        .output(2);
    let before = b.params().values().to_vec();
    let err = b.load(&path).unwrap_err();
    assert!(
        matches!(&err, ModelIoError::Activations { file, model }
            if file == "elu(0.5), swish, none" && model == "elu(1), swish, none"),
        "{err}"
    );
    assert_eq!(b.params().values(), &before[..]);

    // The matching model loads.
    let mut c: Mlp<f64> = Mlp::new(3)
        .hidden(4, Activation::Elu(0.5))
        .hidden(4, Activation::Swish)
        .seed(3)
        .output(2);
    c.load(&path).unwrap();
    assert_eq!(c.params().values(), a.params().values());
    std::fs::remove_file(&path).unwrap();
}

#[cfg(feature = "csv-gz")]
#[test]
fn the_saved_standardization_rebuilds_the_scaler() {
    use tapegrad::Tensor;
    let (train, _) = tapegrad_nn::data::digits::<f32>().stratified_split(0.2, 0);
    let fitted = Standardizer::fit(&train);
    let path = temp("scaler");
    let mean = Tensor::from_slice(fitted.mean(), [64]);
    let std = Tensor::from_slice(fitted.std(), [64]);
    tapegrad_nn::io::save_safetensors(&path, &[("mean", &mean), ("std", &std)]).unwrap();
    let saved = load_safetensors::<f32>(&path).unwrap();
    std::fs::remove_file(&path).unwrap();
    let rebuilt = Standardizer::new(saved["mean"].to_vec(), saved["std"].to_vec());
    assert_eq!(rebuilt, fitted);
    let (mut a, mut b) = (train.clone(), train);
    fitted.apply(&mut a);
    rebuilt.apply(&mut b);
    assert_eq!(a.features(), b.features());
}

#[test]
fn bad_saved_statistics_are_refused() {
    assert!(catch_unwind(|| Standardizer::new(vec![0.0f32; 2], vec![1.0])).is_err());
    assert!(catch_unwind(|| Standardizer::new(vec![0.0f32], vec![-1.0])).is_err());
    assert!(catch_unwind(|| Standardizer::new(vec![0.0f64], vec![f64::NAN])).is_err());
    let ok = Standardizer::new(vec![1.0f64], vec![0.0]);
    assert_eq!((ok.mean(), ok.std()), (&[1.0][..], &[0.0][..]));
}
