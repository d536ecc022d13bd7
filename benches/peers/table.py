#!/usr/bin/env python3
"""The markdown table of docs/performance.md from one interleaved run.

usage: table.py OUT_DIR/results.jsonl
Prints, per workload, tapegrad's median beside PyTorch's, JAX's and
micrograd's, the ratio to the best peer (> 1: tapegrad ahead), and the
peak RSS of each process; then the W2 batch sweep if the run had one.
"""
import json
import sys

ROWS = [
    ("W1 micrograd-demo (scalar graph)", "micrograd-demo", "micrograd-demo"),
    ("W1 micrograd-demo (tensors, f64)", "micrograd-demo-tensor", "micrograd-demo"),
    ("W2 mlp-large", "mlp-large", "mlp-large"),
    ("W2's GEMMs alone", "mlp-large-gemm-only", None),
    ("W3 online-tiny", "online-tiny", "online-tiny"),
    ("W4 deep-narrow", "deep-narrow", "deep-narrow"),
    ("W5 scalar-chain", "scalar-chain", None),
    ("W6 hvp-mlp", "hvp-mlp", "hvp-mlp"),
]
HIGHER_IS_BETTER = {"samples_per_s", "gflops_f32_n1024"}


def fmt(v):
    if v is None:
        return "–"
    if v >= 10000:
        return "%.1fk" % (v / 1000)
    if v >= 100:
        return "%.0f" % v
    if v >= 1:
        return "%.2f" % v
    return "%.4f" % v


def main():
    res = {}
    for line in open(sys.argv[1]):
        r = json.loads(line)
        res[(r["workload"], r["system"])] = r
    print("| workload | metric | tapegrad | PyTorch | JAX jit | micrograd | tapegrad vs best peer | peak RSS tapegrad / PyTorch / JAX (MiB) |")
    print("|---|---|---|---|---|---|---|---|")
    for label, tg_name, peer_name in ROWS:
        tg = res.get((tg_name, "tapegrad"))
        if tg is None:
            continue
        peers = {s: res.get((peer_name, s)) for s in ("torch", "jax", "micrograd")} if peer_name else {}
        if tg_name == "micrograd-demo":
            peers["torch"] = None  # the torch row of W1 is the tensor form
        if tg_name == "micrograd-demo-tensor":
            peers["micrograd"] = None
        metric = tg["metric"]
        vals = [p["value"] for p in peers.values() if p]
        ratio = "–"
        if vals:
            best = max(vals) if metric in HIGHER_IS_BETTER else min(vals)
            r = tg["value"] / best if metric in HIGHER_IS_BETTER else best / tg["value"]
            ratio = "%.2f×" % r
        rss = lambda r: "%.0f" % (r["details"]["peak_rss_kib"] / 1024) if r and "peak_rss_kib" in r["details"] else "–"
        print("| %s | %s | %s | %s | %s | %s | %s | %s / %s / %s |" % (
            label, metric, fmt(tg["value"]),
            fmt(peers.get("torch") and peers["torch"]["value"]),
            fmt(peers.get("jax") and peers["jax"]["value"]),
            fmt(peers.get("micrograd") and peers["micrograd"]["value"]),
            ratio, rss(tg), rss(peers.get("torch")), rss(peers.get("jax"))))
    peak = res.get(("PEAK", "torch"))
    if peak:
        print("\nPyTorch SGEMM 1024³ (MKL), same run: %.0f GFLOP/s" % peak["value"])
    sweep = sorted({int(w[len("mlp-large-b"):]) for (w, _) in res if w.startswith("mlp-large-b")})
    if sweep:
        print("\n| batch | tapegrad | PyTorch | JAX jit | (samples/s) |")
        print("|---|---|---|---|---|")
        for b in sweep:
            g = lambda s: fmt(res[("mlp-large-b%d" % b, s)]["value"]) if ("mlp-large-b%d" % b, s) in res else "–"
            print("| %d | %s | %s | %s | |" % (b, g("tapegrad"), g("torch"), g("jax")))


if __name__ == "__main__":
    main()
