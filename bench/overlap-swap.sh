#!/usr/bin/env bash
# The pair's swap begun during the backward pass (sending each part of the gradient as it becomes
# final) against the swap after it, with the backward passes an H200 measured; see
# bench/overlap_swap.py for what each column is. Writes docs/benchmarks/overlap-swap.md.
# Usage: bench/overlap-swap.sh [--repeats N] [--cores "C0 C1"] [--streams N] [--models a,b]
set -euo pipefail
exec python3 "$(cd "$(dirname "$0")" && pwd)/overlap_swap.py" "$@"
