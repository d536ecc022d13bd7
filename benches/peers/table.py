#!/usr/bin/env python3
"""The markdown table of docs/performance.md from one interleaved run.

usage: table.py OUT_DIR/results.jsonl
Prints, per workload, tapegrad's median beside PyTorch's, JAX's,
candle's and micrograd's, for W5 beside the C++ operator-overloading
tapes' (the fastest one-entry-per-op "split" program and the fastest
fused one, each named), the ratio to the best peer (> 1: tapegrad ahead),
and the peak RSS of each process; then the W2 batch sweep if the run had
one. Peers that the run did not include print as "–".
"""
import json
import sys

# (label, tapegrad's workload, the Python peers' workload, candle's workload)
ROWS = [
    ("W1 micrograd-demo (scalar graph)", "micrograd-demo", "micrograd-demo", None),
    ("W1 micrograd-demo (tensors, f64)", "micrograd-demo-tensor", "micrograd-demo", "micrograd-demo[f64]"),
    ("W2 mlp-large", "mlp-large", "mlp-large", "mlp-large"),
    ("W2's GEMMs alone", "mlp-large-gemm-only", None, None),
    ("W3 online-tiny", "online-tiny", "online-tiny", "online-tiny"),
    ("W4 deep-narrow", "deep-narrow", "deep-narrow", "deep-narrow"),
    ("W5 scalar-chain", "scalar-chain", None, "scalar-chain"),
    ("W5 scalar-chain (f64)", "scalar-chain[f64]", None, "scalar-chain[f64]"),
    ("W6 hvp-mlp", "hvp-mlp", "hvp-mlp", None),
]
# candle's W4 with SELU as its native elu op times a scale (rust-candle's
# --selu-impl elu): the same function, offered as candle's best form.
CANDLE_ALT = {"deep-narrow": "deep-narrow[selu=elu*scale]"}
HIGHER_IS_BETTER = {"samples_per_s", "gflops_f32_n1024"}
NOT_CPP = {"tapegrad", "torch", "jax", "micrograd", "candle"}
# Factors from a peer's metric to tapegrad's: candle prints W1 in µs per
# step and throughput as samples_per_sec.
SCALE = {
    ("us_per_step", "ms_per_step"): 1e-3,
    ("ms_per_step", "us_per_step"): 1e3,
    ("samples_per_sec", "samples_per_s"): 1.0,
}


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


def as_metric(r, metric):
    """Result line r in tapegrad's metric (a copy), or None without r."""
    if r is None or r["metric"] == metric:
        return r
    r = dict(r, value=r["value"] * SCALE[(r["metric"], metric)], metric=metric)
    return r


def best(runs, metric):
    """The best of some result lines (or None), by the metric's direction."""
    runs = [as_metric(r, metric) for r in runs if r]
    if not runs:
        return None
    pick = max if metric in HIGHER_IS_BETTER else min
    return pick(runs, key=lambda r: r["value"])


def ratio(tg, peer):
    """tapegrad against one peer's line: > 1 when tapegrad is ahead."""
    if not peer:
        return "–"
    if tg["metric"] in HIGHER_IS_BETTER:
        return "%.2f×" % (tg["value"] / peer["value"])
    return "%.2f×" % (peer["value"] / tg["value"])


def named(r):
    return "–" if r is None else "%s (%s)" % (fmt(r["value"]), r["system"])


def rss(r):
    if r and "peak_rss_kib" in r["details"]:
        return "%.0f" % (r["details"]["peak_rss_kib"] / 1024)
    return "–"


def main():
    res = {}
    for line in open(sys.argv[1]):
        r = json.loads(line)
        res[(r["workload"], r["system"])] = r
    print("| workload | metric | tapegrad | PyTorch | JAX jit | candle | micrograd "
          "| C++ tape, one entry per op | C++ tape, fused | tapegrad vs best peer "
          "| peak RSS tapegrad / PyTorch / JAX / candle (MiB) |")
    print("|---|---|---|---|---|---|---|---|---|---|---|")
    notes = []
    for label, tg_name, py_name, candle_name in ROWS:
        tg = res.get((tg_name, "tapegrad"))
        if tg is None:
            continue
        metric = tg["metric"]
        peers = {s: as_metric(res.get((py_name, s)), metric)
                 for s in ("torch", "jax", "micrograd")} if py_name else {}
        if tg_name == "micrograd-demo":
            peers["torch"] = None  # the torch row of W1 is the tensor form
        if tg_name == "micrograd-demo-tensor":
            peers["micrograd"] = None
        cand = best([res.get((w, "candle")) for w in (candle_name, CANDLE_ALT.get(candle_name))], metric)
        peers["candle"] = cand
        cpp = [r for (w, s), r in res.items() if w == tg_name and s not in NOT_CPP]
        split = best([r for r in cpp if r["details"].get("variant", "").startswith("split")], metric)
        fused = best([r for r in cpp if not r["details"].get("variant", "").startswith("split")], metric)
        top = best(list(peers.values()) + [split, fused], metric)
        if split:
            notes.append("%s: tapegrad vs the best one-entry-per-op C++ tape (%s): %s"
                         % (label, split["system"], ratio(tg, split)))
        if cand and cand["workload"] != candle_name:
            notes.append("%s: candle's figure is its %s run" % (label, cand["workload"]))
        v = lambda s: fmt(peers.get(s) and peers[s]["value"])
        print("| %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s / %s / %s / %s |" % (
            label, metric, fmt(tg["value"]), v("torch"), v("jax"), v("candle"), v("micrograd"),
            named(split), named(fused), ratio(tg, top),
            rss(tg), rss(peers.get("torch")), rss(peers.get("jax")), rss(cand)))
    if notes:
        print()
        for n in notes:
            print("* " + n)
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
