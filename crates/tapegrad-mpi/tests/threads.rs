//! The distributed trainer with ranks as threads (no MPI needed): exactness
//! against one process, uneven and empty shards, and every fault path.

#[path = "support/panics_at.rs"]
mod panics_at;
mod support;

use panics_at::PanicsAt;
use support::{digits_train, model, optimizer, reference, rel_diff, schedule};
use tapegrad::Tensor;
use tapegrad_mpi::{
    shard, Communicator, DistError, DistributedTrainer, Element, FaultKind, LocalGroup,
    SingleProcess, Stage,
};
use tapegrad_nn::data::Dataset;
use tapegrad_nn::{Activation, Loss, Mlp, Sgd};

fn trainer(global_batch: usize, epochs: usize) -> DistributedTrainer {
    DistributedTrainer::new(Loss::CrossEntropy)
        .global_batch(global_batch)
        .epochs(epochs)
        .schedule(schedule(epochs))
        .seed(5)
}

/// Every rank's final parameters; ranks are seeded differently so that
/// only the start-of-training broadcast can make them agree.
fn distributed<T: Element>(ranks: usize, global_batch: usize, epochs: usize) -> Vec<Vec<T>> {
    let train = digits_train::<T>();
    LocalGroup::run(ranks, |comm| {
        let mut mlp = model::<T>(comm.rank() as u64 * 7);
        trainer(global_batch, epochs)
            .fit(comm, &mut mlp, &mut optimizer(), &train, None)
            .expect("distributed run");
        mlp.params().values().to_vec()
    })
    .into_iter()
    .map(|r| r.expect("rank panicked"))
    .collect()
}

fn check_exact<T: Element>(ranks: usize, per_rank: usize, epochs: usize, tol: f64) {
    let global = ranks * per_rank;
    let want = reference::<T>(&digits_train(), global, epochs);
    let got = distributed::<T>(ranks, global, epochs);
    for (r, p) in got.iter().enumerate() {
        assert_eq!(
            p, &got[0],
            "rank {r} ended with other parameters than rank 0"
        );
    }
    let d = rel_diff(&got[0], &want);
    eprintln!("{ranks} ranks × batch {per_rank}, {epochs} epochs: relative difference {d:e}");
    assert!(
        d <= tol,
        "{ranks} ranks × batch {per_rank}: relative difference {d:e} > {tol:e}"
    );
    // The runs must have trained at all for the comparison to mean something.
    let start = model::<T>(0);
    assert!(rel_diff(&want, start.params().values()) > 0.1);
}

#[test]
fn two_and_four_ranks_match_one_process_in_f32() {
    check_exact::<f32>(2, 16, 4, 1e-6);
    check_exact::<f32>(4, 8, 4, 1e-6);
}

#[test]
fn two_and_four_ranks_match_one_process_in_f64() {
    check_exact::<f64>(2, 16, 4, 1e-12);
    check_exact::<f64>(4, 8, 4, 1e-12);
}

#[test]
fn one_rank_is_bit_identical_to_the_trainer() {
    let train = digits_train::<f32>();
    let want = reference::<f32>(&train, 32, 3);
    let mut mlp = model::<f32>(0);
    trainer(32, 3)
        .fit(&SingleProcess, &mut mlp, &mut optimizer(), &train, None)
        .unwrap();
    assert_eq!(mlp.params().values(), &want[..]);
}

#[test]
fn uneven_and_empty_shards_still_average_over_the_global_batch() {
    // 3 ranks, global batch 10: shards of 4, 3, 3; the last batch of each
    // epoch has 7 rows (1437 = 143·10 + 7), and with batch 1436 the last
    // batch is one row, so ranks 1 and 2 get empty shards.
    for batch in [10, 1436] {
        let want = reference::<f64>(&digits_train(), batch, 2);
        let got = distributed::<f64>(3, batch, 2);
        let d = rel_diff(&got[0], &want);
        assert!(d <= 1e-12, "3 ranks, global batch {batch}: {d:e}");
    }
}

#[test]
fn history_is_the_same_on_every_rank_and_counts_every_row() {
    let train = digits_train::<f64>();
    let out = LocalGroup::run(2, |comm| {
        let mut mlp = model::<f64>(0);
        trainer(64, 3)
            .fit(comm, &mut mlp, &mut optimizer(), &train, Some(&train))
            .unwrap()
    });
    let a = out[0].as_ref().unwrap();
    let b = out[1].as_ref().unwrap();
    assert_eq!(a.steps, 3 * 1437_usize.div_ceil(64));
    for (x, y) in a.history.epochs.iter().zip(&b.history.epochs) {
        assert_eq!(
            (x.loss, x.accuracy, x.val_accuracy),
            (y.loss, y.accuracy, y.val_accuracy)
        );
    }
    let last = a.history.last().unwrap();
    assert!(last.loss < a.history.epochs[0].loss);
    let first = &a.history.epochs[0];
    assert!(
        last.val_accuracy.unwrap() > first.val_accuracy.unwrap(),
        "{first}\n{last}"
    );
}

/// Every rank's error, in rank order.
fn errors(out: Vec<Result<DistError, String>>) -> Vec<DistError> {
    out.into_iter().map(|r| r.expect("rank panicked")).collect()
}

fn tiny_data(fill: f64) -> Dataset<f64> {
    Dataset::classification(Tensor::full([8, 2], fill), vec![0, 1, 0, 1, 0, 1, 0, 1], 2).unwrap()
}

fn tiny_model() -> Mlp<f64> {
    Mlp::new(2).hidden(3, Activation::Tanh).output(2)
}

#[test]
fn a_nan_on_one_rank_stops_every_rank_naming_it() {
    let out = LocalGroup::run(3, |comm| {
        let data = tiny_data(if comm.rank() == 2 { f64::NAN } else { 0.5 });
        let mut mlp = tiny_model();
        let before = mlp.params().values().to_vec();
        let err = trainer(6, 3)
            .fit(comm, &mut mlp, &mut Sgd::new(0.1), &data, None)
            .unwrap_err();
        // The failing step applied no update anywhere (rank 0's start
        // parameters were broadcast, and all models share a seed).
        assert_eq!(mlp.params().values(), &before[..]);
        err
    });
    for (r, e) in errors(out).into_iter().enumerate() {
        let DistError::RankFailed {
            rank,
            kind,
            stage,
            detail,
        } = &e
        else {
            panic!("rank {r}: {e}");
        };
        assert_eq!(
            (*rank, *kind, *stage),
            (2, FaultKind::NonFinite, Stage::Step { epoch: 1, step: 1 })
        );
        assert_eq!(detail.is_some(), r == 2, "only rank 2 knows the detail");
        assert!(e
            .to_string()
            .starts_with("rank 2 failed (non-finite loss or gradient) at epoch 1, step 1"));
    }
}

#[test]
fn a_panic_on_one_rank_stops_every_rank_naming_it() {
    // 8 rows, global batch 2: 4 steps per epoch. A panic in step 2's update
    // is reported with step 3's status; one in step 4's at the epoch's end.
    for (at, stage) in [
        (2, Stage::Step { epoch: 1, step: 3 }),
        (4, Stage::EpochEnd { epoch: 1 }),
    ] {
        let out = LocalGroup::run(2, |comm| {
            let mut opt = PanicsAt::new(0.1, (comm.rank() == 1).then_some(at));
            trainer(2, 2)
                .fit(comm, &mut tiny_model(), &mut opt, &tiny_data(0.5), None)
                .unwrap_err()
        });
        for (r, e) in errors(out).into_iter().enumerate() {
            let DistError::RankFailed {
                rank: 1,
                kind: FaultKind::Panic,
                stage: s,
                detail,
            } = &e
            else {
                panic!("rank {r}: {e}");
            };
            assert_eq!(*s, stage);
            if r == 1 {
                assert_eq!(
                    detail.as_deref(),
                    Some(&*format!("optimizer exploded at step {at}"))
                );
            }
        }
    }
}

#[test]
fn a_failed_save_on_rank_0_stops_every_rank() {
    let out = LocalGroup::run(2, |comm| {
        trainer(4, 1)
            .save_to("/nonexistent-dir/sub/model.safetensors")
            .fit(
                comm,
                &mut tiny_model(),
                &mut Sgd::new(0.1),
                &tiny_data(0.5),
                None,
            )
            .unwrap_err()
    });
    for e in errors(out) {
        assert!(
            matches!(
                e,
                DistError::RankFailed {
                    rank: 0,
                    kind: FaultKind::Io,
                    stage: Stage::Save,
                    ..
                }
            ),
            "{e}"
        );
    }
}

#[test]
fn a_save_writes_a_loadable_model() {
    let path = std::env::temp_dir().join(format!(
        "tapegrad-mpi-save-{}.safetensors",
        std::process::id()
    ));
    let out = LocalGroup::run(2, |comm| {
        let mut mlp = tiny_model();
        trainer(4, 1)
            .save_to(&path)
            .fit(comm, &mut mlp, &mut Sgd::new(0.1), &tiny_data(0.5), None)
            .unwrap();
        mlp.params().values().to_vec()
    });
    let mut loaded = Mlp::<f64>::new(2)
        .hidden(3, Activation::Tanh)
        .seed(9)
        .output(2);
    loaded.load(&path).unwrap();
    std::fs::remove_file(&path).unwrap();
    assert_eq!(loaded.params().values(), &out[0].as_ref().unwrap()[..]);
}

#[test]
fn mismatched_models_are_found_at_start() {
    let out = LocalGroup::run(3, |comm| {
        let width = if comm.rank() == 2 { 4 } else { 3 };
        let mut mlp: Mlp<f64> = Mlp::new(2).hidden(width, Activation::Tanh).output(2);
        trainer(4, 1)
            .fit(comm, &mut mlp, &mut Sgd::new(0.1), &tiny_data(0.5), None)
            .unwrap_err()
    });
    for e in errors(out) {
        let DistError::Mismatch {
            what,
            rank: 2,
            expected,
            found,
        } = &e
        else {
            panic!("{e}")
        };
        assert_eq!(*what, "the model layout");
        assert!(
            expected.starts_with("4 tensors, 17 parameters of 8 bytes"),
            "{expected}"
        );
        assert!(
            found.starts_with("4 tensors, 22 parameters of 8 bytes"),
            "{found}"
        );
    }
}

#[test]
fn different_training_sets_and_unfit_data_are_found_at_start() {
    let out = LocalGroup::run(2, |comm| {
        let rows = if comm.rank() == 1 { 6 } else { 8 };
        let data =
            Dataset::classification(Tensor::<f64>::zeros([rows, 2]), vec![0; rows], 2).unwrap();
        trainer(4, 1)
            .fit(comm, &mut tiny_model(), &mut Sgd::new(0.1), &data, None)
            .unwrap_err()
    });
    for e in errors(out) {
        assert!(
            matches!(
                e,
                DistError::Mismatch {
                    what: "the number of training rows",
                    rank: 1,
                    ..
                }
            ),
            "{e}"
        );
    }
    let out = LocalGroup::run(2, |comm| {
        trainer(4, 1)
            .fit(
                comm,
                &mut tiny_model(),
                &mut Sgd::new(0.1),
                &tiny_data(0.5),
                Some(&digits_train()),
            )
            .unwrap_err()
    });
    for e in errors(out) {
        assert!(
            matches!(
                e,
                DistError::RankFailed {
                    rank: 0,
                    kind: FaultKind::Data,
                    stage: Stage::Setup,
                    ..
                }
            ),
            "{e}"
        );
    }
}

#[test]
fn f32_and_f64_models_do_not_pass_for_each_other() {
    // Same names and shapes, different float width: caught by the layout hash.
    let out = LocalGroup::run(2, |comm| {
        if comm.rank() == 0 {
            let m: Mlp<f32> = Mlp::new(2).hidden(3, Activation::Tanh).output(2);
            tapegrad_mpi::check_same_layout(comm, m.params(), 8)
        } else {
            tapegrad_mpi::check_same_layout(comm, tiny_model().params(), 8)
        }
    });
    assert!(matches!(
        out[1].as_ref().unwrap(),
        Err(DistError::Mismatch { rank: 1, .. })
    ));
}

mod shards {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        #[test]
        fn shards_tile_the_batch_evenly(global in 0usize..500, ranks in 1usize..17) {
            let parts: Vec<_> = (0..ranks).map(|r| shard(global, ranks, r)).collect();
            prop_assert_eq!(parts[0].start, 0);
            prop_assert_eq!(parts[ranks - 1].end, global);
            for w in parts.windows(2) {
                prop_assert_eq!(w[0].end, w[1].start);
            }
            let (lo, hi) = (global / ranks, global.div_ceil(ranks));
            for p in &parts {
                prop_assert!(p.len() == lo || p.len() == hi);
            }
        }
    }

    #[test]
    fn every_rank_draws_the_same_orders() {
        // Identical orders on all ranks without communication: a seeded
        // generator per rank, advanced the same way.
        let orders = LocalGroup::run(4, |_| {
            let mut o = tapegrad_mpi::EpochOrder::new(100, 11, true);
            (0..3).map(|_| o.next_epoch().to_vec()).collect::<Vec<_>>()
        });
        for o in &orders {
            assert_eq!(o.as_ref().unwrap(), orders[0].as_ref().unwrap());
        }
    }
}
