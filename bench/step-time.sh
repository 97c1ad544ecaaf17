#!/usr/bin/env bash
# Per-step time benchmark. Side by side in one run, one intra-op thread:
#   - the trainer's SGD, SAM, K-SAM (k = 64 of 128) and LookSAM (k = 5) steps on ResNet-20,
#     28x28x1 batches of 128, as ratios to SGD;
#   - the trainer's SGD step against PyTorch eager (Debian's python3-torch) on the same network.
# Prints the table and writes it to docs/benchmarks/step-time.md.
# Usage: bench/step-time.sh [extra sam-trainer bench options, e.g. --rounds 5]
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
out="$root/docs/benchmarks"
mkdir -p "$out"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
python=/usr/bin/python3   # Debian's interpreter, where python3-torch lives
"$python" -c 'import torch' 2>/dev/null || { echo "needs Debian's python3-torch: apt-get install python3-torch" >&2; exit 2; }

# PyTorch runs before and after the trainer's rounds; the reference is the mean of the two, so a
# neighbour that slows one half of the run does not decide the comparison alone.
"$python" "$root/bench/pytorch_step_reference.py" --depth 20 --batch 128 --image 28 --channels 1 \
    --threads 1 --steps 30 --json "$work/pytorch-before.json"
"$root/sam-trainer" bench --model resnet20 --methods SGD,SAM,KSAM,LookSAM --batch 128 --image 28 --channels 1 \
    --threads 1 --rounds 5 --steps 10 --json "$work/trainer.json" "$@"
"$python" "$root/bench/pytorch_step_reference.py" --depth 20 --batch 128 --image 28 --channels 1 \
    --threads 1 --steps 30 --json "$work/pytorch-after.json"

"$python" - "$work/trainer.json" "$work/pytorch-before.json" "$work/pytorch-after.json" "$out/step-time.md" <<'PY'
import json, platform, subprocess, sys, datetime
trainer = json.load(open(sys.argv[1]))
before, after = json.load(open(sys.argv[2])), json.load(open(sys.argv[3]))
torch_ref = dict(before, medianMillis=(before["medianMillis"] + after["medianMillis"]) / 2)
res = {r["method"]: r for r in trainer["results"]}
sgd, sam = res["SGD"]["medianMillis"], res["SAM"]["medianMillis"]
ksam, look = res["KSAM"]["medianMillis"], res["LOOKSAM"]["medianMillis"]
ref = torch_ref["medianMillis"]
cpu = next((l.split(":", 1)[1].strip() for l in open("/proc/cpuinfo") if l.startswith("model name")), platform.processor())
lines = [
    "# Per-step time: SGD, SAM, K-SAM and LookSAM, and the trainer vs PyTorch eager",
    "",
    f"Measured {datetime.date.today()} on {cpu}, one intra-op thread, ResNet-20 (CIFAR-style),",
    f"batches of {trainer['batch']} images of {trainer['channels']}x{trainer['image']}x{trainer['image']}. Command: `bench/step-time.sh`.",
    "Each method's time is the median over interleaved rounds of its mean step time in the round (10",
    "steps, two LookSAM intervals); the machine is shared, so read the ratios, not the absolute times.",
    "",
    "| measurement | median ms/step | ratio | target |",
    "| --- | ---: | ---: | --- |",
    f"| trainer SGD | {sgd:.1f} | 1.000 | |",
    f"| trainer SAM | {sam:.1f} | {sam/sgd:.3f} (SAM/SGD) | <= 2.05 |",
    f"| trainer K-SAM, k = 64 of 128 | {ksam:.1f} | {ksam/sgd:.3f} (K-SAM/SGD) | <= 1.4 |",
    f"| trainer LookSAM, k = 5 | {look:.1f} | {look/sgd:.3f} (LookSAM/SGD) | <= 1.3 |",
    f"| PyTorch {torch_ref['torch']} eager SGD (mean of {before['medianMillis']:.1f} before and {after['medianMillis']:.1f} after) | {ref:.1f} | {sgd/ref:.3f} (trainer/PyTorch) | trainer <= 1.00 |",
    "",
    f"SAM/SGD = {sam/sgd:.3f} ({'meets' if sam/sgd <= 2.05 else 'misses'} the 2.05 target); "
    f"K-SAM/SGD = {ksam/sgd:.3f} ({'meets' if ksam/sgd <= 1.4 else 'misses'} 1.4); "
    f"LookSAM/SGD = {look/sgd:.3f} ({'meets' if look/sgd <= 1.3 else 'misses'} 1.3); "
    f"trainer/PyTorch = {sgd/ref:.3f} ({'meets' if sgd/ref <= 1.0 else 'misses'} the 1.00 target).",
    "",
    "The trainer runs PyTorch 2.7.1 through DJL; the reference is Debian's PyTorch build, the only one",
    "reachable here. Both compute the same network, loss and SGD-momentum update.",
]
open(sys.argv[4], "w").write("\n".join(lines) + "\n")
print("\n".join(lines))
PY
