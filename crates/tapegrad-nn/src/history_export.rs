//! A training history as CSV (one row per epoch) or JSON, for plotting
//! elsewhere or for comparing runs.

use crate::history::{History, StopReason};
use serde_json::{json, Value};
use std::fmt::Write;
use std::path::Path;

impl History {
    /// One header line and one row per epoch: `epoch` (from 1), `loss`,
    /// `accuracy`, `val_loss`, `val_accuracy`, `lr`, `seconds`, then per
    /// layer `layerK_dead`, `layerK_saturated`, `layerK_grad_norm` when
    /// diagnostics were collected. Missing values are empty fields.
    ///
    /// ```
    /// use tapegrad::Tensor;
    /// use tapegrad_nn::data::Dataset;
    /// use tapegrad_nn::{Activation, Loss, Mlp, Sgd, Trainer};
    /// let x = Tensor::from_vec(vec![0.0f64, 1.0, 1.0, 0.0], [2, 2]);
    /// let data = Dataset::regression(x, Tensor::from_vec(vec![1.0, 0.0], [2, 1]))?;
    /// let mut mlp: Mlp<f64> = Mlp::new(2).hidden(3, Activation::Relu).output(1);
    /// let h = Trainer::new(Loss::Mse).epochs(2).diagnostics(true)
    ///     .fit(&mut mlp, &mut Sgd::new(0.1), &data, None)?;
    /// let csv = h.to_csv();
    /// let lines: Vec<&str> = csv.lines().collect();
    /// assert_eq!(lines.len(), 3);
    /// assert!(lines[0].starts_with("epoch,loss,accuracy,val_loss,val_accuracy,lr,seconds,layer0_dead"));
    /// assert!(lines[2].starts_with("2,"));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    #[must_use]
    pub fn to_csv(&self) -> String {
        let layers = self.layer_count();
        let mut out = String::from("epoch,loss,accuracy,val_loss,val_accuracy,lr,seconds");
        for k in 0..layers {
            let _ = write!(out, ",layer{k}_dead,layer{k}_saturated,layer{k}_grad_norm");
        }
        out.push('\n');
        let opt = |x: Option<f64>| x.map_or(String::new(), |x| x.to_string());
        for r in &self.epochs {
            let _ = write!(
                out,
                "{},{},{},{},{},{},{}",
                r.epoch + 1,
                r.loss,
                r.accuracy,
                opt(r.val_loss),
                opt(r.val_accuracy),
                r.lr,
                r.seconds
            );
            for k in 0..layers {
                let l = r.diagnostics.as_ref().and_then(|d| d.layers.get(k));
                let _ = write!(
                    out,
                    ",{},{},{}",
                    opt(l.and_then(|l| l.dead_fraction)),
                    opt(l.and_then(|l| l.saturated_fraction)),
                    opt(l.map(|l| l.grad_norm))
                );
            }
            out.push('\n');
        }
        out
    }

    /// The history as a JSON value: `{"stop": …, "epochs": [{…}, …]}`, each
    /// epoch with the fields of [`EpochRecord`](crate::EpochRecord) and its
    /// per-layer diagnostics (`null` where absent).
    ///
    /// ```
    /// use tapegrad::Tensor;
    /// use tapegrad_nn::data::Dataset;
    /// use tapegrad_nn::{Activation, Loss, Mlp, Sgd, Trainer};
    /// let x = Tensor::from_vec(vec![0.0f64, 1.0, 1.0, 0.0], [2, 2]);
    /// let data = Dataset::regression(x, Tensor::from_vec(vec![1.0, 0.0], [2, 1]))?;
    /// let mut mlp: Mlp<f64> = Mlp::new(2).hidden(3, Activation::Tanh).output(1);
    /// let h = Trainer::new(Loss::Mse).epochs(2).fit(&mut mlp, &mut Sgd::new(0.1), &data, None)?;
    /// let j = h.to_json();
    /// assert_eq!(j["stop"], "max_epochs");
    /// assert_eq!(j["epochs"][1]["epoch"], 2);
    /// assert_eq!(j["epochs"][1]["loss"].as_f64(), Some(h.epochs[1].loss));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    #[must_use]
    pub fn to_json(&self) -> Value {
        let stop = match self.stop {
            StopReason::MaxEpochs => json!("max_epochs"),
            StopReason::LossThreshold => json!("loss_threshold"),
            StopReason::EarlyStopping { best_epoch } => {
                json!({ "early_stopping": { "best_epoch": best_epoch + 1 } })
            }
        };
        let epochs: Vec<Value> = self
            .epochs
            .iter()
            .map(|r| {
                let layers: Option<Vec<Value>> = r.diagnostics.as_ref().map(|d| {
                    d.layers
                        .iter()
                        .map(|l| {
                            json!({
                                "layer": l.layer,
                                "name": l.name,
                                "units": l.units,
                                "dead_fraction": l.dead_fraction,
                                "saturated_fraction": l.saturated_fraction,
                                "grad_norm": l.grad_norm,
                                "grad_norm_max": l.grad_norm_max,
                            })
                        })
                        .collect()
                });
                json!({
                    "epoch": r.epoch + 1,
                    "loss": r.loss,
                    "accuracy": r.accuracy,
                    "val_loss": r.val_loss,
                    "val_accuracy": r.val_accuracy,
                    "lr": r.lr,
                    "seconds": r.seconds,
                    "layers": layers,
                })
            })
            .collect();
        json!({ "stop": stop, "epochs": epochs })
    }

    /// Writes [`to_csv`](History::to_csv) (extension `.csv`) or
    /// [`to_json`](History::to_json) (any other) to `path`.
    ///
    /// # Errors
    /// The I/O error, with the path in its message.
    ///
    /// ```
    /// use tapegrad::Tensor;
    /// use tapegrad_nn::data::Dataset;
    /// use tapegrad_nn::{Activation, Loss, Mlp, Sgd, Trainer};
    /// let x = Tensor::from_vec(vec![0.0f64, 1.0, 1.0, 0.0], [2, 2]);
    /// let data = Dataset::regression(x, Tensor::from_vec(vec![1.0, 0.0], [2, 1]))?;
    /// let mut mlp: Mlp<f64> = Mlp::new(2).hidden(3, Activation::Tanh).output(1);
    /// let h = Trainer::new(Loss::Mse).epochs(2).fit(&mut mlp, &mut Sgd::new(0.1), &data, None)?;
    /// let path = std::env::temp_dir().join("tapegrad-history-doc.csv");
    /// h.write(&path)?;
    /// assert_eq!(std::fs::read_to_string(&path)?, h.to_csv());
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn write(&self, path: impl AsRef<Path>) -> std::io::Result<()> {
        let path = path.as_ref();
        let text = if path.extension().is_some_and(|e| e == "csv") {
            self.to_csv()
        } else {
            serde_json::to_string_pretty(&self.to_json()).expect("JSON values serialize")
        };
        std::fs::write(path, text).map_err(|e| {
            std::io::Error::new(
                e.kind(),
                format!("writing history to {}: {e}", path.display()),
            )
        })
    }

    /// How many layers the diagnostics describe (0 without diagnostics).
    fn layer_count(&self) -> usize {
        self.epochs
            .iter()
            .filter_map(|r| r.diagnostics.as_ref().map(|d| d.layers.len()))
            .max()
            .unwrap_or(0)
    }
}
