//! The MPI backend under a real `mpirun` on loopback (feature `mpi`): 2 and
//! 4 ranks train the same parameters as one process with their global
//! batch, and a fault on one rank stops every rank, naming it, in bounded
//! time. Runs the `mpi_check` example, which cargo builds with the tests.
#![cfg(feature = "mpi")]

mod support;

use std::path::PathBuf;
use std::process::{Command, Output, Stdio};
use std::sync::Mutex;
use std::time::{Duration, Instant};
use support::{digits_train, model, reference, rel_diff};
use tapegrad::Float;

/// One mpirun at a time: they share the two cores and would time out.
static MPIRUN: Mutex<()> = Mutex::new(());

fn example(name: &str) -> PathBuf {
    // target/<profile>/deps/mpirun-<hash> → target/<profile>/examples/<name>
    let exe = std::env::current_exe().unwrap();
    exe.parent()
        .and_then(|d| d.parent())
        .unwrap()
        .join("examples")
        .join(name)
}

/// Runs `mpi_check ARGS` on `ranks` ranks.
fn mpirun(ranks: usize, args: &[&str]) -> Output {
    mpirun_example("mpi_check", ranks, args)
}

/// Runs example `name` on `ranks` ranks with the flags a container needs;
/// fails the test if it has not ended within two minutes.
fn mpirun_example(name: &str, ranks: usize, args: &[&str]) -> Output {
    let _one = MPIRUN
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner);
    let mut child = Command::new("mpirun")
        .args([
            "--allow-run-as-root",
            "--oversubscribe",
            "--mca",
            "btl",
            "self,vader",
        ])
        .args(["-np", &ranks.to_string()])
        .arg(example(name))
        .args(args)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("mpirun not found: install openmpi-bin");
    let deadline = Instant::now() + Duration::from_secs(120);
    while child.try_wait().unwrap().is_none() {
        if Instant::now() > deadline {
            child.kill().unwrap();
            panic!("mpirun -np {ranks} {args:?} hung");
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    child.wait_with_output().unwrap()
}

fn check_exact<T: Float>(dtype: &str, ranks: usize, per_rank: usize, tol: f64) {
    let (global, epochs) = (ranks * per_rank, 4);
    let out_path = std::env::temp_dir().join(format!(
        "tapegrad-mpi-exact-{dtype}-{ranks}-{}.safetensors",
        std::process::id()
    ));
    let out = mpirun(
        ranks,
        &[
            "exact",
            dtype,
            &global.to_string(),
            &epochs.to_string(),
            out_path.to_str().unwrap(),
        ],
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let mut got = model::<T>(1);
    got.load(&out_path).unwrap();
    std::fs::remove_file(&out_path).unwrap();
    let want = reference::<T>(&digits_train(), global, epochs);
    let d = rel_diff(got.params().values(), &want);
    eprintln!("mpirun -np {ranks}, {dtype}, batch {per_rank} per rank: relative difference {d:e}");
    assert!(d <= tol, "{ranks} ranks, {dtype}: {d:e} > {tol:e}");
}

#[test]
fn two_and_four_mpi_ranks_match_one_process_in_f32() {
    check_exact::<f32>("f32", 2, 16, 1e-6);
    check_exact::<f32>("f32", 4, 8, 1e-6);
}

#[test]
fn two_and_four_mpi_ranks_match_one_process_in_f64() {
    check_exact::<f64>("f64", 2, 16, 1e-12);
    check_exact::<f64>("f64", 4, 8, 1e-12);
}

/// Runs a fault on rank `bad` and returns stderr, after checking mpirun failed.
fn fault(ranks: usize, what: &str, bad: usize) -> String {
    let out = mpirun(ranks, &["fault", what, &bad.to_string()]);
    assert!(!out.status.success(), "{what}: mpirun succeeded");
    String::from_utf8_lossy(&out.stderr).into_owned()
}

/// Every rank printed the same verdict naming `bad`.
fn every_rank_names(stderr: &str, ranks: usize, verdict: &str) {
    for r in 0..ranks {
        let line = format!("rank {r}: {verdict}");
        assert!(stderr.contains(&line), "no `{line}` in:\n{stderr}");
    }
}

#[test]
fn faults_on_one_rank_stop_every_rank_naming_it() {
    for ranks in [2, 4] {
        let bad = ranks - 1;
        let err = fault(ranks, "nan", bad);
        every_rank_names(
            &err,
            ranks,
            &format!("rank {bad} failed (non-finite loss or gradient) at epoch 1, step 1"),
        );
        let err = fault(ranks, "io", bad);
        every_rank_names(
            &err,
            ranks,
            &format!("rank {bad} failed (I/O error) while loading the data"),
        );
        let err = fault(ranks, "panic-step", bad);
        every_rank_names(
            &err,
            ranks,
            &format!("rank {bad} failed (panic) at epoch 1, step 4"),
        );
        let err = fault(ranks, "shape", bad);
        every_rank_names(&err, ranks, "the model layout differs across ranks: rank 0 has 6 tensors, 2778 parameters of 8 bytes");
    }
}

#[test]
fn a_panic_outside_training_aborts_every_rank() {
    for ranks in [2, 4] {
        let t = Instant::now();
        let err = fault(ranks, "panic-outside", 1);
        assert!(
            err.contains("tapegrad-mpi: rank 1 panicked; aborting every rank"),
            "{err}"
        );
        assert!(t.elapsed() < Duration::from_secs(60));
    }
}

#[test]
fn digits_mpi_ends_on_the_same_accuracy_on_1_2_and_4_ranks() {
    let last_lines = |ranks| {
        let out = mpirun_example("digits_mpi", ranks, &["--epochs", "4"]);
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        let text = String::from_utf8_lossy(&out.stdout).into_owned();
        let acc = text
            .lines()
            .find(|l| l.starts_with("test accuracy: "))
            .unwrap_or_else(|| panic!("no accuracy line in:\n{text}"))
            .to_owned();
        eprintln!("{ranks} rank(s): {acc}");
        acc
    };
    let one = last_lines(1);
    assert_eq!(last_lines(2), one);
    assert_eq!(last_lines(4), one);
}
