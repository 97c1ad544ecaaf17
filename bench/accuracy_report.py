#!/usr/bin/env python3
"""Summarizes an accuracy study's run folders into docs/accuracy-study-NAME.md and .png."""
import csv
import glob
import json
import os
import statistics
import sys

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

runs, docs, name, epochs, noise = sys.argv[1:6]
ORDER = ["SGD", "SAM", "KSAM", "LookSAM", "SAMPa-0", "SAMPa-0.2"]
results = {}
for summary_file in sorted(glob.glob(os.path.join(runs, "*", "summary.json"))):
    folder = os.path.dirname(summary_file)
    label, seed = os.path.basename(folder).rsplit("-s", 1)
    summary = json.load(open(summary_file))
    with open(os.path.join(folder, "metrics.csv")) as f:
        curve = [float(row["test_accuracy"]) for row in csv.DictReader(f)]
    results.setdefault(label, []).append((int(seed), summary, curve))


def mean_sd(values):
    return statistics.mean(values), (statistics.stdev(values) if len(values) > 1 else 0.0)


lines = [
    f"# Accuracy study: {name}",
    "",
    f"Full Fashion-MNIST (54,000 train / 6,000 validation / 10,000 test), MLP 784-512-256-10,",
    f"{epochs} epochs, batch 128, SGD momentum 0.9, lr 0.01 cosine, weight decay 5e-4, rho 0.05,",
    f"label noise {float(noise):.0%} on the training labels. Seeds: "
    + ", ".join(sorted({str(s) for runs_ in results.values() for s, _, _ in runs_})) + ".",
    f"Command: `bench/accuracy-study.sh {name} {epochs} {noise}`. SAMPa runs the serial emulation",
    "(`--serial`), which computes exactly what the pair computes; its sequential cost counts one",
    "gradient per step because the pair computes its two gradients at the same time.",
    "",
    "| method | test accuracy (mean ± sd) | best validation | sequential gradients per run | wall s (one thread) |",
    "| --- | ---: | ---: | ---: | ---: |",
]
for label in ORDER:
    if label not in results:
        continue
    r = results[label]
    acc = mean_sd([s["testAccuracy"] * 100 for _, s, _ in r])
    best = mean_sd([(s["bestValidationAccuracy"] or 0) * 100 for _, s, _ in r])
    grads = statistics.mean([s["sequentialGradientComputations"] for _, s, _ in r])
    wall = statistics.mean([s["wallSeconds"] for _, s, _ in r])
    lines.append(
        f"| {label} | {acc[0]:.2f} ± {acc[1]:.2f} | {best[0]:.2f} ± {best[1]:.2f} | {grads:,.0f} | {wall:,.0f} |"
    )
lines += ["", f"![test accuracy per epoch](accuracy-study-{name}.png)", ""]
os.makedirs(docs, exist_ok=True)
with open(os.path.join(docs, f"accuracy-study-{name}.md"), "w") as f:
    f.write("\n".join(lines) + "\n")
print("\n".join(lines))

plt.figure(figsize=(8, 5))
means = {}
for label in ORDER:
    if label in results:
        curves = [c for _, _, c in results[label]]
        n = min(len(c) for c in curves)
        means[label] = [statistics.mean(c[i] for c in curves) * 100 for i in range(n)]
best_final = max(m[-1] for m in means.values())
# A method far below the others would flatten every other curve: clip the axis and say so.
close = [v for m in means.values() if m[-1] >= best_final - 10 for v in m]
bottom = min(close) - 1
for label, mean in means.items():
    shown = label if mean[-1] >= bottom else f"{label} (off scale: {mean[-1]:.1f}%)"
    plt.plot(range(1, len(mean) + 1), mean, marker="o", markersize=3, label=shown)
plt.ylim(bottom, best_final + 1)
plt.xlabel("epoch")
plt.ylabel("test accuracy (%), mean over seeds")
plt.title(f"Fashion-MNIST, MLP, label noise {float(noise):.0%}")
plt.grid(alpha=0.3)
plt.legend()
plt.tight_layout()
plt.savefig(os.path.join(docs, f"accuracy-study-{name}.png"), dpi=110)
