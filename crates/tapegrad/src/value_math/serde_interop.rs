//! `serde` for `Shape` (a list of sizes) and `Tensor` (`{"shape": [..],
//! "data": [..]}`, row-major), with the `serde` feature. Deserializing
//! checks that the data fills the shape.

use crate::{Float, Shape, Tensor};
use serde::de::Error as _;
use serde::{Deserialize, Deserializer, Serialize, Serializer};

impl Serialize for Shape {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        self.dims().serialize(s)
    }
}

impl<'de> Deserialize<'de> for Shape {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        Ok(Shape::from(Vec::<usize>::deserialize(d)?))
    }
}

#[derive(Serialize)]
struct TensorRef<'a, T> {
    shape: &'a [usize],
    data: &'a [T],
}

#[derive(Deserialize)]
struct TensorOwned<T> {
    shape: Vec<usize>,
    data: Vec<T>,
}

impl<T: Float + Serialize> Serialize for Tensor<T> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        TensorRef {
            shape: self.shape().dims(),
            data: self.data(),
        }
        .serialize(s)
    }
}

impl<'de, T: Float + Deserialize<'de>> Deserialize<'de> for Tensor<T> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let TensorOwned { shape, data } = TensorOwned::deserialize(d)?;
        let shape = Shape::from(shape);
        if data.len() != shape.numel() {
            return Err(D::Error::custom(format!(
                "tensor data has {} values, shape {shape} needs {}",
                data.len(),
                shape.numel()
            )));
        }
        Ok(Tensor::from_vec(data, shape))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tensors_round_trip_through_json() {
        let t = Tensor::from_vec(vec![1.5f32, -0.25, 3.0, 0.0, 1e-8, -7.0], [2, 3]);
        let json = serde_json::to_string(&t).unwrap();
        assert_eq!(
            json,
            r#"{"shape":[2,3],"data":[1.5,-0.25,3.0,0.0,1e-8,-7.0]}"#
        );
        assert_eq!(serde_json::from_str::<Tensor<f32>>(&json).unwrap(), t);
        let s: Tensor<f64> = serde_json::from_str(r#"{"shape":[],"data":[2.5]}"#).unwrap();
        assert_eq!((s.shape().rank(), s.item()), (0, 2.5));
        let shape: Shape = serde_json::from_str("[4,1]").unwrap();
        assert_eq!(shape, Shape::from([4, 1]));
    }

    #[test]
    fn data_that_does_not_fill_the_shape_is_an_error() {
        let err = serde_json::from_str::<Tensor<f64>>(r#"{"shape":[2,2],"data":[1,2,3]}"#)
            .unwrap_err()
            .to_string();
        assert!(err.contains("3 values, shape [2, 2] needs 4"), "{err}");
    }
}
