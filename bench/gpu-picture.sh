#!/usr/bin/env bash
# The GPU picture, measured on one GPU node: each model's SGD, SAM and SAMPa-rank steps on the GPU
# (bench/gpu_pair_estimate.py, PyTorch with CUDA) and the pair exchange on the node's own cores at
# each model's gradient size, with four cores per side and one (and eight for WRN-28-10 on 16+
# cores; bench/exchange-swap.sh); then bench/gpu_picture_report.py puts them together in
# docs/benchmarks/gpu-picture.md: per model, the bytes per step, the swap, and the resulting
# SAMPa/SAM and SAMPa/SGD. Needs PyTorch with CUDA, a Java 17+ `java` on the PATH
# (bench/swap-bundle.sh packs one for a node without a JDK), 9+ cores and the built trainer jar;
# takes about 7.5 minutes. Its measurements replace docs/benchmarks/gpu-node/ (to pool this run with
# the ones already there instead, keep its RAW_DIR and run
# `bench/gpu_picture_report.py collect --add docs/benchmarks/gpu-node RAW_DIR`, then `report`). A
# benchmark: never in CI.
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
{ # what may make the node's cores faster or slower at the exchange than another machine's
  grep -m1 '^flags' /proc/cpuinfo || true
  echo "transparent huge pages: $(cat /sys/kernel/mm/transparent_hugepage/enabled 2> /dev/null)"
  java -XX:+PrintFlagsFinal -version 2> /dev/null | grep -E ' (UseAVX|UseSSE|UseG1GC|UseSerialGC|ActiveProcessorCount) ' || true
} > "$raw/cpu-details.txt"
machine="GPU node ($(head -n 1 "$raw/machine.txt" | cut -d, -f1); $cpus cores of $(grep -m1 'Model name' "$raw/machine.txt" | sed 's/.*: *//'))"

python3 "$root/bench/gpu_pair_estimate.py" --json "$raw/gpu-steps.json" | tee "$raw/gpu-steps.log" \
    || echo "gpu-picture: the GPU steps failed (above); the exchange is measured all the same" >&2

# The swap at each model's size, fp32, with four cores per side over one, two and four streams
# (what a pod of a GPU node gets); then one core per side, one stream, at 4 and 146 MB, to set
# the node beside the 2-core machine's tables; bf16 on the wire at 146 MB; and 146 MB with eight
# cores per side, fp32 and bf16. Four cores first, so that a run stopped early still has the rows
# that matter. On an H200 node the whole run took 435 s before the bf16 row on eight cores was
# added (about 20 s more); the GPU steps take the first 2.5 minutes of it.
export SAM_BENCH_WORK="$raw/exchange" SAM_BENCH_OUT="$raw/exchange-swap.md" SAM_BENCH_MACHINE="$machine"
SAM_BENCH_LAYOUTS="0-3 4-7" SAM_BENCH_PRECISIONS=fp32 "$root/bench/exchange-swap.sh" 1 1 2 4 > /dev/null
SAM_BENCH_LAYOUTS="0 1" SAM_BENCH_PRECISIONS=fp32 \
    SAM_BENCH_SIZES="mlp 4076584 300 2000;wrn-28-10 145916776 30 150" "$root/bench/exchange-swap.sh" 1 1 > /dev/null
SAM_BENCH_LAYOUTS="0-3 4-7" SAM_BENCH_PRECISIONS=bf16 SAM_BENCH_SIZES="wrn-28-10 145916776 30 150" \
    "$root/bench/exchange-swap.sh" 1 1 4 > /dev/null
# Does WRN-28-10's swap keep shrinking with cores? Eight per side, on a node with 16 or more
# (the second lease: 31 ms over four or eight streams, against 50-60 on four cores); and bf16 on
# the wire there, which no lease has measured yet.
if [ "$cpus" -ge 16 ]; then
  SAM_BENCH_LAYOUTS="0-7 8-15" SAM_BENCH_PRECISIONS=fp32 SAM_BENCH_SIZES="wrn-28-10 145916776 30 150" \
      "$root/bench/exchange-swap.sh" 1 4 8 > /dev/null
  SAM_BENCH_LAYOUTS="0-7 8-15" SAM_BENCH_PRECISIONS=bf16 SAM_BENCH_SIZES="wrn-28-10 145916776 30 150" \
      "$root/bench/exchange-swap.sh" 1 4 > /dev/null
fi
python3 "$root/bench/gpu_picture_report.py" collect "$root/docs/benchmarks/gpu-node" "$raw"
python3 "$root/bench/gpu_picture_report.py" report "$root/docs/benchmarks/gpu-node" \
    "$root/docs/benchmarks/gpu-picture.md"
