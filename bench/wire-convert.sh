#!/usr/bin/env bash
# What a bf16 wire costs a SAMPa rank outside the exchange: rounding its gradient into the wire's
# bytes (with its own rounded copy) and widening the peer's, per step, at the gradient sizes of
# the exchange table, on one thread and on every core this machine has. Writes
# docs/benchmarks/wire-convert.md. Usage: bench/wire-convert.sh
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
"$root/sam-trainer" --version > /dev/null
jar="$root/trainer/target/sam-trainer.jar"
out="$root/docs/benchmarks/wire-convert.md"
cpus=$(nproc)
{
  echo "# bf16 on the wire: the rank's own conversion"
  echo
  echo "Measured $(date +%F) with \`bench/wire-convert.sh\` on a $cpus-core shared machine (load"
  echo "$(cut -d' ' -f1 /proc/loadavg) at the start). On a bf16 wire the exchange moves bytes only; the rank"
  echo "rounds its gradient to bf16 (writing the wire's bytes and its own rounded copy in one pass) and"
  echo "widens the peer's back, both on its critical path (\`WireVectors\`; \`sam-trainer bench"
  echo "wire-convert\`, median of 7 after 2 untimed). With more than one core a large vector is split"
  echo "over them in tasks of 256K elements. Add this to the bf16 rows of \`exchange-swap.md\` to"
  echo "compare with fp32, which needs no conversion."
  for spec in "resnet56 855482" "mlp 1019146" "wrn-28-2 1467610" "wrn-28-10 36479194"; do
    read -r name elements <<<"$spec"
    echo
    echo "**$name** ($elements elements):"
    echo
    java -jar "$jar" bench wire-convert "$elements" 1 "$cpus"
  done
} > "$out.tmp"
mv "$out.tmp" "$out"
cat "$out"
