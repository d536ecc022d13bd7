#!/usr/bin/env bash
# tapegrad's workloads beside the Python peers (PyTorch eager, JAX jit,
# micrograd), and optionally candle and the C++ operator-overloading tapes,
# in one interleaved run: each round runs every workload on every system one
# after the other, so drift in machine load spreads over all of them; the
# result is the median of the rounds per (workload, system).
#
#   benches/peers/interleaved.sh PEERS_DIR [OUT_DIR]
#
# PEERS_DIR is the peer suite (it holds python/run_all.sh and the workload
# scripts). Environment: PY (default $PEERS_VENV/bin/python), ROUNDS
# (default 3), SWEEP=1 also runs W2 at batch 16..1024 for the batch plot.
# CANDLE_BIN=path of the peers' built rust-candle binary adds candle's W1-W5
# (system "candle"), each right after tapegrad's run of the workload, with
# the flags of rust-candle/run.sh. CPP_TAPE_BIN=the bin/ folder that
# cpp-tape/run.sh builds adds every w5_* program found there to W5, fused
# and --split (systems "adept", "adept/split", "xad-fast", ...), in f32
# after tapegrad's f32 W5 and in f64 after its f64 W5, each with
# --reps $INNER_REPS (default 201, as cpp-tape/run.sh). Neither is built here:
# docs/performance.md ("Running the peers") has the commands.
# Writes OUT_DIR/raw.jsonl (one line per process, with peak_rss_kib) and
# OUT_DIR/results.jsonl (medians, by the peers' aggregate.py).
set -euo pipefail
PEERS="$(cd "${1:?usage: interleaved.sh PEERS_DIR [OUT_DIR]}" && pwd)"
OUT="${2:-target/peers}"
PY="${PY:-${PEERS_VENV:?set PY or PEERS_VENV to the peers virtual environment}/bin/python}"
ROUNDS="${ROUNDS:-3}"
REPO="$(cd "$(dirname "$0")/../.." && pwd)"
INNER_REPS="${INNER_REPS:-201}"
export OMP_NUM_THREADS=2 MKL_NUM_THREADS=2 OPENBLAS_NUM_THREADS=2 RAYON_NUM_THREADS=2 CANDLE_NUM_THREADS=2
mkdir -p "$OUT"
OUT="$(cd "$OUT" && pwd)"
RAW="$OUT/raw.jsonl"
: > "$RAW"

(cd "$REPO" && nice -n 10 cargo build --release --example workloads)
TG="$REPO/target/release/examples/workloads"

if [ -n "${CANDLE_BIN:-}" ]; then
  CANDLE_BIN="$(cd "$(dirname "$CANDLE_BIN")" && pwd)/$(basename "$CANDLE_BIN")"
  [ -x "$CANDLE_BIN" ] || { echo "CANDLE_BIN=$CANDLE_BIN is not an executable" >&2; exit 1; }
fi
CPP=()  # the C++ W5 programs, f32 ones first
if [ -n "${CPP_TAPE_BIN:-}" ]; then
  CPP_TAPE_BIN="$(cd "$CPP_TAPE_BIN" && pwd)"
  for exe in "$CPP_TAPE_BIN"/w5_*_f32* "$CPP_TAPE_BIN"/w5_*_f64*; do
    [ -x "$exe" ] && CPP+=("$exe")
  done
  [ "${#CPP[@]}" -gt 0 ] || { echo "no w5_* programs in CPP_TAPE_BIN=$CPP_TAPE_BIN" >&2; exit 1; }
fi
# ADOL-C may write tape files into its working directory.
CPP_CWD="$(mktemp -d)"
trap 'rm -rf "$CPP_CWD"' EXIT

# Runs one command that prints one JSON line; appends the line with the
# process's peak resident set size added to details (and the workload
# renamed to $AS, the system to $SYS, when set). The command runs in
# $CWD (default the Python peers' folder).
run() {
  local rss line
  rss="$(mktemp)"
  if line="$(cd "${CWD:-$PEERS/python}" && /usr/bin/time -f %M -o "$rss" "$@" | tail -n 1)"; then
    "$PY" -c 'import json,sys; r=json.loads(sys.argv[1]); r["details"]["peak_rss_kib"]=int(open(sys.argv[2]).read().split()[-1]); r["workload"]=sys.argv[3] or r["workload"]; r["system"]=sys.argv[4] or r["system"]; print(json.dumps(r))' \
      "$line" "$rss" "${AS:-}" "${SYS:-}" >> "$RAW"
    echo "$(date -u +%H:%M:%S) $(tail -n 1 "$RAW" | cut -c1-120)" >&2
  else
    echo "$(date -u +%H:%M:%S) FAILED: $*" >&2
  fi
  rm -f "$rss"
}

# candle's run of one workload (rust-candle/run.sh's flags), if CANDLE_BIN is set.
candle() {
  if [ -n "${CANDLE_BIN:-}" ]; then SYS=candle run "$CANDLE_BIN" "$@"; fi
}

# Every C++ W5 program of dtype $1 (f32 or f64), fused, then --split where
# the library has the split form (cpp-tape/run.sh's list).
cpp_tapes() {
  local exe
  for exe in "${CPP[@]+"${CPP[@]}"}"; do
    case "$(basename "$exe")" in
      *_"$1"*) ;;
      *) continue ;;
    esac
    CWD="$CPP_CWD" run "$exe" --reps "$INNER_REPS"
    case "$(basename "$exe")" in
      w5_adept_* | w5_xad_* | w5_codipack_*) CWD="$CPP_CWD" run "$exe" --reps "$INNER_REPS" --split ;;
    esac
  done
}

for round in $(seq 1 "$ROUNDS"); do
  echo "round $round" >&2
  run "$PY" peak_gemm.py --system torch --n 1024
  run "$TG" micrograd-demo
  run "$PY" w1_micrograd_demo.py --system micrograd
  run "$TG" micrograd-demo-tensor
  candle micrograd-demo --f64
  run "$PY" w1_micrograd_demo.py --system torch
  run "$TG" mlp-large
  candle mlp-large
  run "$PY" w2_mlp_large.py --system torch
  run "$PY" w2_mlp_large.py --system jax
  run "$TG" mlp-large-gemm-only
  run "$TG" online-tiny
  candle online-tiny
  run "$PY" w3_online_tiny.py --system torch
  run "$PY" w3_online_tiny.py --system jax
  run "$TG" deep-narrow
  candle deep-narrow
  candle deep-narrow --selu-impl elu
  run "$PY" w4_deep_narrow.py --system torch
  run "$PY" w4_deep_narrow.py --system jax
  run "$TG" scalar-chain
  candle scalar-chain
  cpp_tapes f32
  AS="scalar-chain[f64]" run "$TG" scalar-chain --f64
  candle scalar-chain --f64
  cpp_tapes f64
  run "$TG" hvp-mlp
  run "$PY" w6_hvp_mlp.py --system torch
  run "$PY" w6_hvp_mlp.py --system jax
  if [ -n "${SWEEP:-}" ]; then
    for b in 16 32 64 128 256 512 1024; do
      for sys in torch jax; do
        AS="mlp-large-b$b" run "$PY" -c "import w2_mlp_large as w, clf_bench; clf_bench.run_$sys(dict(w.CFG, batch=$b))"
      done
      AS="mlp-large-b$b" run "$TG" mlp-large --batch "$b"
    done
  fi
done

"$PY" "$PEERS/python/aggregate.py" "$RAW" > "$OUT/results.jsonl"
echo "wrote $OUT/results.jsonl ($(wc -l < "$OUT/results.jsonl") lines), raw runs in $RAW" >&2
