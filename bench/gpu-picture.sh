#!/usr/bin/env bash
# The GPU picture, measured on one GPU node: each model's SGD, SAM and SAMPa-rank steps on the GPU
# (bench/gpu_pair_estimate.py, PyTorch with CUDA) and the pair exchange on the node's own cores at
# each model's gradient size, with 1, 2 and 4 cores per side (bench/exchange-swap.sh); then
# bench/gpu_picture_report.py puts them together in docs/benchmarks/gpu-picture.md: per model, the
# bytes per step, the swap, and the resulting SAMPa/SAM and SAMPa/SGD. Needs PyTorch with CUDA, a
# Java 17+ `java` on the PATH, 9+ cores and the built trainer jar; takes about 10 minutes. Its
# measurements replace docs/benchmarks/gpu-node/ (to pool several runs, give each its RAW_DIR and
# run `bench/gpu_picture_report.py collect` on all of them). A benchmark: never in CI.
# Usage: bench/gpu-picture.sh [RAW_DIR]   (raw results are kept there; default: a temporary folder)
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
if [ -n "${1:-}" ]; then raw=$1; mkdir -p "$raw"; else raw=$(mktemp -d); trap 'rm -rf "$raw"' EXIT; fi
cpus=$(nproc)
[ "$cpus" -ge 9 ] || { echo "gpu-picture: needs 9 or more cores (4 per side and one spare), has $cpus" >&2; exit 2; }
{
  nvidia-smi --query-gpu=name,driver_version,memory.total --format=csv,noheader || true
  lscpu | grep -E '^(Model name|CPU\(s\)|Thread|Core|Socket)' || true
} > "$raw/machine.txt"
machine="GPU node ($(head -n 1 "$raw/machine.txt" | cut -d, -f1); $cpus cores of $(grep -m1 'Model name' "$raw/machine.txt" | sed 's/.*: *//'))"

python3 "$root/bench/gpu_pair_estimate.py" --json "$raw/gpu-steps.json" | tee "$raw/gpu-steps.log" \
    || echo "gpu-picture: the GPU steps failed (above); the exchange is measured all the same" >&2

# The swap at each model's size: fp32 with one core per side (one stream), two (one and two
# streams) and four (one, two and four); bf16 for WRN-28-10 on four cores. Four cores first: on a
# node that is what a pod of a GPU gets, and it is the row that has not been measured elsewhere.
export SAM_BENCH_WORK="$raw/exchange" SAM_BENCH_OUT="$raw/exchange-swap.md" SAM_BENCH_MACHINE="$machine"
SAM_BENCH_LAYOUTS="0-3 4-7" SAM_BENCH_PRECISIONS=fp32 "$root/bench/exchange-swap.sh" 1 1 2 4 > /dev/null
SAM_BENCH_LAYOUTS="0,1 2,3" SAM_BENCH_PRECISIONS=fp32 "$root/bench/exchange-swap.sh" 1 1 2 > /dev/null
SAM_BENCH_LAYOUTS="0 1" SAM_BENCH_PRECISIONS=fp32 "$root/bench/exchange-swap.sh" 1 1 > /dev/null
SAM_BENCH_LAYOUTS="0-3 4-7" SAM_BENCH_PRECISIONS=bf16 SAM_BENCH_SIZES="wrn-28-10 145916776 30 150" \
    "$root/bench/exchange-swap.sh" 1 1 4 > /dev/null
python3 "$root/bench/gpu_picture_report.py" collect "$root/docs/benchmarks/gpu-node" "$raw"
python3 "$root/bench/gpu_picture_report.py" report "$root/docs/benchmarks/gpu-node" \
    "$root/docs/benchmarks/gpu-picture.md"
