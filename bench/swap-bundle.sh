#!/usr/bin/env bash
# Packs what the swap benchmarks need on a machine without a JDK (a GPU node, say) into one
# archive: a Java runtime cut down with jlink to the modules they load, and the trainer jar with
# the libraries they load (not the 100 MB PyTorch native library, which they never touch).
# Which modules and jars those are is read from a short run of both benchmarks here
# (-verbose:class), so the list follows the build. Unpacked on the other machine:
#   tar -xJf swap-bundle.tar.xz -C DIR && export PATH=DIR/jre/bin:$PATH
#   cp -r DIR/trainer/target/. trainer/target/ && touch trainer/target/sam-trainer.jar
# after which bench/exchange-swap.sh and bench/gpu-picture.sh run there as here (the runtime is
# this machine's JDK's, so the other machine must be the same architecture, x86-64 here).
# Usage: bench/swap-bundle.sh [OUT]   (default: swap-bundle.tar.xz in the current folder)
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
out=$(realpath -m "${1:-swap-bundle.tar.xz}")
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
"$root/sam-trainer" --version > /dev/null
target="$root/trainer/target"

run() { # benchmark, precision args...: both sides, classes loaded written to $work/classes.*
  local bench=$1 port=$((20000 + RANDOM % 20000))
  shift
  # -Xshare:off: a class from the shared archive would not say which module it came from
  timeout 60 java -Xshare:off -verbose:class -jar "$target/sam-trainer.jar" bench "$bench" serve "$port" "$@" \
      > "$work/classes.$bench.serve" 2> "$work/$bench.serve.log" &
  sleep 0.5
  timeout 60 java -Xshare:off -verbose:class -jar "$target/sam-trainer.jar" bench "$bench" connect "$port" "$@" \
      > "$work/classes.$bench.connect" 2> "$work/$bench.connect.log"
  wait $!
}
run socket-swap 400000 20 5
run exchange-swap 400000 50 50 fp32 2
run exchange-swap 400000 50 50 bf16 1

modules=$(grep -ho 'source: jrt:/[a-z.]*' "$work"/classes.* | sed 's|source: jrt:/||' | sort -u | paste -sd, -)
jars=$(grep -ho "source: file:$target/[^ ]*\.jar" "$work"/classes.* | sed "s|source: file:$target/||" | sort -u)
echo "modules: $modules" >&2
echo "jars: sam-trainer.jar and $(echo "$jars" | grep -c '^lib/') of the $(ls "$target/lib" | wc -l) in lib/" >&2

# jdk.localedata holds every locale's data (about 10 MB); the benchmarks format in English
jlink --add-modules "$modules" --include-locales=en --strip-debug --no-header-files --no-man-pages \
    --compress=2 --output "$work/bundle/jre"
mkdir -p "$work/bundle/trainer/target/lib"
for jar in $jars; do cp "$target/$jar" "$work/bundle/trainer/target/$jar"; done
tar -C "$work/bundle" -cJf "$out" jre trainer
echo "$out: $(du -h "$out" | cut -f1)" >&2
