#!/usr/bin/env bash
# Issue 5's scale benchmark: JOBS SAMPa jobs (default 1000) created at once against the Fabric8 mock
# API server; the real operator (10 reconcile threads, as deployed) in the same JVM. Prints the time
# until every job has its two pods and phase Starting, the operator's API requests and the heap, and
# writes them into docs/benchmarks/operator-scale.md (its "latest run" section).
# Usage: bench/operator-scale.sh [JOBS] [HEAP, default 1g]
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
jobs=${1:-1000}
heap=${2:-1g}
cd "$root"
./mvnw -B -q -pl operator -am test-compile exec:exec -Dspotless.check.skip=true \
    -Dscale.jobs="$jobs" -Dscale.heap="$heap" -Dscale.doc="$root/docs/benchmarks/operator-scale.md"
