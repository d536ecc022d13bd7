#!/usr/bin/env bash
# tapegrad's workloads beside the Python peers (PyTorch eager, JAX jit,
# micrograd) in one interleaved run: each round runs every workload on every
# system one after the other, so drift in machine load spreads over all of
# them; the result is the median of the rounds per (workload, system).
#
#   benches/peers/interleaved.sh PEERS_DIR [OUT_DIR]
#
# PEERS_DIR is the peer suite (it holds python/run_all.sh and the workload
# scripts). Environment: PY (default $PEERS_VENV/bin/python), ROUNDS
# (default 3), SWEEP=1 also runs W2 at batch 16..1024 for the batch plot.
# Writes OUT_DIR/raw.jsonl (one line per process, with peak_rss_kib) and
# OUT_DIR/results.jsonl (medians, by the peers' aggregate.py).
set -euo pipefail
PEERS="$(cd "${1:?usage: interleaved.sh PEERS_DIR [OUT_DIR]}" && pwd)"
OUT="${2:-target/peers}"
PY="${PY:-${PEERS_VENV:?set PY or PEERS_VENV to the peers virtual environment}/bin/python}"
ROUNDS="${ROUNDS:-3}"
REPO="$(cd "$(dirname "$0")/../.." && pwd)"
export OMP_NUM_THREADS=2 MKL_NUM_THREADS=2 OPENBLAS_NUM_THREADS=2 RAYON_NUM_THREADS=2
mkdir -p "$OUT"
OUT="$(cd "$OUT" && pwd)"
RAW="$OUT/raw.jsonl"
: > "$RAW"

(cd "$REPO" && cargo build --release --example workloads)
TG="$REPO/target/release/examples/workloads"

# Runs one command that prints one JSON line; appends the line with the
# process's peak resident set size added to details (and the workload
# renamed to $AS when set).
run() {
  local rss line
  rss="$(mktemp)"
  if line="$(cd "$PEERS/python" && /usr/bin/time -f %M -o "$rss" "$@" | tail -n 1)"; then
    "$PY" -c 'import json,sys; r=json.loads(sys.argv[1]); r["details"]["peak_rss_kib"]=int(open(sys.argv[2]).read().split()[-1]); r["workload"]=sys.argv[3] or r["workload"]; print(json.dumps(r))' \
      "$line" "$rss" "${AS:-}" >> "$RAW"
    echo "$(date -u +%H:%M:%S) $(tail -n 1 "$RAW" | cut -c1-120)" >&2
  else
    echo "$(date -u +%H:%M:%S) FAILED: $*" >&2
  fi
  rm -f "$rss"
}

for round in $(seq 1 "$ROUNDS"); do
  echo "round $round" >&2
  run "$PY" peak_gemm.py --system torch --n 1024
  run "$TG" micrograd-demo
  run "$PY" w1_micrograd_demo.py --system micrograd
  run "$TG" micrograd-demo-tensor
  run "$PY" w1_micrograd_demo.py --system torch
  run "$TG" mlp-large
  run "$PY" w2_mlp_large.py --system torch
  run "$PY" w2_mlp_large.py --system jax
  run "$TG" mlp-large-gemm-only
  run "$TG" online-tiny
  run "$PY" w3_online_tiny.py --system torch
  run "$PY" w3_online_tiny.py --system jax
  run "$TG" deep-narrow
  run "$PY" w4_deep_narrow.py --system torch
  run "$PY" w4_deep_narrow.py --system jax
  run "$TG" scalar-chain
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
