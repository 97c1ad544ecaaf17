#!/usr/bin/env python3
"""Plots the first table of docs/benchmarks/pair-time.md (as bench/pair-time.sh writes it) to a PNG.

Usage: pair_time_plot.py TABLE.md OUT.png
"""
import sys

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402


def first_table(path):
    rows, header = [], None
    for line in open(path):
        if not line.startswith("|"):
            if header and rows:
                break
            continue
        cells = [c.strip().strip("*") for c in line.strip().strip("|").split("|")]
        if header is None:
            header = cells
        elif not set(cells[0]) <= set("-: "):
            rows.append(dict(zip(header, cells)))
    return rows


def column(rows, prefix):
    key = next(k for k in rows[0] if k.startswith(prefix))
    return [float(r[key]) for r in rows]


rows = first_table(sys.argv[1])
models = [r["model"].split(" (")[0] for r in rows]
sgd, sam, pair = column(rows, "SGD ms"), column(rows, "SAM ms"), column(rows, "SAMPa pair ms")
two = column(rows, "SGD ms, two at once")
transfer, raw = column(rows, "of it transfer"), column(rows, "raw socket swap")
alone = column(rows, "exchange alone ms")

fig, (left, right) = plt.subplots(1, 2, figsize=(11, 4.2))
x = range(len(models))
width = 0.2
for i, (label, values) in enumerate(
    [("SGD", sgd), ("SGD, two at once", two), ("SAMPa pair", pair), ("SAM", sam)]
):
    left.bar([j + (i - 1.5) * width for j in x], [v / s for v, s in zip(values, sam)], width, label=label)
left.axhline(0.55, color="black", linestyle="--", linewidth=1)
left.text(len(models) - 0.5, 0.57, "SAMPa/SAM target 0.55", ha="right", fontsize=8)
left.set_xticks(list(x), models)
left.set_ylabel("step time / SAM's step time")
left.set_title("Per-step time relative to SAM (medians)")
left.legend(fontsize=8)

right.bar([j - 0.27 for j in x], transfer, 0.27, label="exchange transfer in the run (p50)")
right.bar(list(x), alone, 0.27, label="exchange alone, warmed up (p50)")
right.bar([j + 0.27 for j in x], raw, 0.27, label="raw loopback socket swap (p50)")
right.set_xticks(list(x), models)
right.set_ylabel("ms per swap, both directions at once")
right.set_title("Gradient exchange vs a raw socket, same bytes")
right.legend(fontsize=8)

fig.tight_layout()
fig.savefig(sys.argv[2], dpi=110)
