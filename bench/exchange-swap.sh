#!/usr/bin/env bash
# The pair exchange alone (`sam-trainer bench exchange-swap`) against a raw TCP loopback swap of
# the same bytes (`sam-trainer bench socket-swap`), at the gradient sizes of the models users train with SAM, fp32 and bf16 on the
# wire, with one core per side, two, and on 8+ cores four, over one exchange stream and over two
# (each its own connection, event loop and threads, carrying half of every vector). Both
# benchmarks of a row run right after each other, so their ratio is what to read on a shared
# machine; each row is repeated. Writes docs/benchmarks/exchange-swap.md.
# Usage: bench/exchange-swap.sh [REPEATS [STREAMS...]]  (default: 2 repeats, streams 1 and 2)
# SAM_BENCH_SIZES="name bytes swaps warmup;..." replaces the sizes (a quick check).
# SAM_BENCH_LAYOUTS="cores0 cores1;..." replaces the core layouts (taskset lists, "0-3 4-7");
# SAM_BENCH_PRECISIONS="fp32" the wire formats; SAM_BENCH_WORK=DIR keeps each row's raw output
# there, and the table covers every row in DIR, earlier runs' too (so several runs with different
# settings make one table); SAM_BENCH_OUT=FILE writes the table there instead of
# docs/benchmarks/exchange-swap.md;
# SAM_BENCH_MACHINE names the machine in its heading.
# SAM_BENCH_NETNS="ns0 ns1 address" runs the serving side in network namespace ns0 and the
# connecting side in ns1, meeting on address (bench/netns-swap.sh sets them up; root only);
# SAM_BENCH_LINK then names the link in the table's text (default: loopback).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
repeats=${1:-2}
shift || true
streams_list=("${@:-1 2}")
read -r -a streams_list <<<"${streams_list[*]}"
if [ -n "${SAM_BENCH_WORK:-}" ]; then
  work=$SAM_BENCH_WORK
  mkdir -p "$work"
else
  work=$(mktemp -d)
  trap 'rm -rf "$work"' EXIT
fi
out=${SAM_BENCH_OUT:-$root/docs/benchmarks/exchange-swap.md}
read -r -a precisions <<<"${SAM_BENCH_PRECISIONS:-fp32 bf16}"
"$root/sam-trainer" --version > /dev/null
jar="$root/trainer/target/sam-trainer.jar"
cpus=$(nproc)

# name, fp32 bytes (4 x parameters), swaps, exchange warm-up swaps at fp32. The exchange needs
# thousands of swaps of a few MB, or some 150 of the 146 MB one, before the JIT has compiled it
# (see the notes); what warms it up is the number of 1 MiB messages, so a bf16 row, with half the
# bytes per swap, warms up for twice the swaps.
sizes=("resnet56 3421928 300 2000" "mlp 4076584 300 2000" "wrn-28-2 5870440 200 1500"
    "wrn-28-10 145916776 30 150")
if [ -n "${SAM_BENCH_SIZES:-}" ]; then IFS=';' read -r -a sizes <<<"$SAM_BENCH_SIZES"; fi
# cores of each side: one each, two each, and on a node with 8 or more, four each; on a 2-core
# machine "two each" is both sides on the same two (all it has)
if [ "$cpus" -ge 8 ]; then layouts=("0 1" "0,1 2,3" "0-3 4-7")
elif [ "$cpus" -ge 4 ]; then layouts=("0 1" "0,1 2,3")
else layouts=("0 1" "0,1 0,1"); fi
if [ -n "${SAM_BENCH_LAYOUTS:-}" ]; then IFS=';' read -r -a layouts <<<"$SAM_BENCH_LAYOUTS"; fi

in0=() in1=() host=()
if [ -n "${SAM_BENCH_NETNS:-}" ]; then
  read -r ns0 ns1 address <<<"$SAM_BENCH_NETNS"
  in0=(ip netns exec "$ns0") in1=(ip netns exec "$ns1") host=(--host "$address")
fi

swap() { # benchmark (socket-swap, exchange-swap), cores0, cores1, out, args...
  local bench=$1 c0=$2 c1=$3 out=$4 try
  shift 4
  # A row that fails (a port another process took, say) says why and runs once more, so that one
  # failure does not end a run of half an hour.
  for try in 1 2; do
    local port=$((20000 + RANDOM % 20000)) serve=0 connect=0
    "${in0[@]}" taskset -c "$c0" java -jar "$jar" bench "$bench" serve "$port" "$@" "${host[@]}" \
        > "$out.serve" 2> "$out.serve.log" &
    "${in1[@]}" taskset -c "$c1" java -jar "$jar" bench "$bench" connect "$port" "$@" "${host[@]}" \
        > "$out.connect" 2> "$out.connect.log" || connect=$?
    wait $! || serve=$?
    if [ "$serve" = 0 ] && [ "$connect" = 0 ]; then return 0; fi
    echo "$bench $* on port $port failed (serve $serve, connect $connect), try $try:" >&2
    tail -n 5 "$out.serve.log" "$out.connect.log" >&2
  done
  return 1
}

for rep in $(seq "$repeats"); do
  for layout in "${layouts[@]}"; do
    read -r c0 c1 <<<"$layout"
    for spec in "${sizes[@]}"; do
      read -r name bytes swaps warmup <<<"$spec"
      for precision in "${precisions[@]}"; do
        wire=$([ "$precision" = fp32 ] && echo "$bytes" || echo $((bytes / 2)))
        warm=$([ "$precision" = fp32 ] && echo "$warmup" || echo $((warmup * 2)))
        for streams in "${streams_list[@]}"; do
          tag="$name.$precision.${c0}_$c1.$streams.$rep"
          cut -d' ' -f1 /proc/loadavg > "$work/$tag.load"
          swap socket-swap "$c0" "$c1" "$work/$tag.socket" "$wire" "$swaps" 10
          swap exchange-swap "$c0" "$c1" "$work/$tag.exchange" "$bytes" "$swaps" "$warm" \
              "$precision" "$streams"
          echo "$tag: $(tail -1 "$work/$tag.socket.serve")" >&2
          echo "$tag: $(tail -1 "$work/$tag.exchange.serve")" >&2
        done
      done
    done
  done
done

/usr/bin/python3 - "$work" "$out" "$repeats" "$cpus" \
    "$repeats" "${streams_list[@]}" <<'PY'
import collections, datetime, glob, json, os, sys
work, out, repeats, cpus = sys.argv[1:5]
machine = os.environ.get("SAM_BENCH_MACHINE") or f"{cpus}-core shared machine"
link = os.environ.get("SAM_BENCH_LINK") or "loopback"

def side(path):
    return json.loads(open(path).read().strip().splitlines()[-1])

rows = collections.defaultdict(list)
for load in sorted(glob.glob(f"{work}/*.load")):
    tag = os.path.basename(load)[: -len(".load")]
    name, precision, cores, streams, rep = tag.split(".")
    r = {"load": float(open(load).read())}
    for kind in ("socket", "exchange"):
        a, b = side(f"{work}/{tag}.{kind}.serve"), side(f"{work}/{tag}.{kind}.connect")
        r[kind] = {k: (a[k] + b[k]) / 2 for k in ("p50Millis", "cpuMillisPerSwap")}
        r["bytes"] = a["bytes"]
    rows[(cores, name, precision, int(streams))].append(r)

def span(values, fmt):
    lo, hi = min(values), max(values)
    return fmt % lo if fmt % lo == fmt % hi else (fmt % lo) + "-" + (fmt % hi)

order = ["resnet56", "mlp", "wrn-28-2", "wrn-28-10"]
table = []
rank = lambda name: order.index(name) if name in order else len(order)  # SAM_BENCH_SIZES: last
def count(cores):  # "0-3,8" -> 5, for the first side of "0-3_4-7"
    spans = [c.split("-") for c in cores.split("_")[0].split(",")]
    return sum(int(s[-1]) - int(s[0]) + 1 for s in spans)

for key in sorted(rows, key=lambda k: (count(k[0]), rank(k[1]), k[2] == "bf16", k[3])):
    cores, name, precision, streams = key
    rs = rows[key]
    per_side = "1" if count(cores) == 1 else f"{count(cores)} ({cores.replace('_', ' / ')})"
    s = lambda kind, f: [r[kind][f] for r in rs]
    # A tiny swap can cost the raw socket less CPU than the clock resolves: no ratio then.
    ratio = lambda f: [r["exchange"][f] / r["socket"][f] if r["socket"][f] else float("inf")
                       for r in rs]
    table.append(
        f"| {name} | {precision} | {rs[0]['bytes'] / 1e6:.2f} | {per_side} | {streams} | "
        f"{span(s('socket', 'p50Millis'), '%.1f')} | {span(s('exchange', 'p50Millis'), '%.1f')} | "
        f"**{span(ratio('p50Millis'), '%.2f')}** | {span(s('socket', 'cpuMillisPerSwap'), '%.1f')} | "
        f"{span(s('exchange', 'cpuMillisPerSwap'), '%.1f')} | **{span(ratio('cpuMillisPerSwap'), '%.2f')}** | "
        f"{span([r['load'] for r in rs], '%.1f')} |")

lines = [
    "# The pair exchange against a raw socket, by gradient size",
    "",
    f"Measured {datetime.date.today()} with `bench/exchange-swap.sh {' '.join(sys.argv[5:])}` on a {machine}.",
    f"Each row: `SocketSwap` (two processes, one plain TCP {link} connection, both directions at once,",
    "10 swaps of warm-up) and right after it `ExchangeSwap` (the pair exchange between two processes,",
    "no training in between, warmed up until the JIT has compiled it: 1500-2000 swaps of a few MB, 150",
    "of 146 MB, twice as many at bf16). Figures are the mean of the two sides' p50 and CPU (the whole process, all threads)",
    "per swap; a range is the spread over the repeats. The exchange moves the vector's bytes as the",
    "trainer wrote them: under bf16 the rounding to bf16 and the widening back are the trainer's",
    "(`WireVectors`, in the step's flatten and unflatten phases) and not part of the swap, and the",
    "raw socket swaps the same (halved) number of bytes. \"2 cores per side\" on a 2-core machine means both processes share",
    "both cores. \"streams\": the exchange streams each side offers (`ExchangeSwap`'s STREAMS), each",
    "its own connection with its own event loop and threads, carrying a contiguous slice of the",
    "vector; the raw socket always uses one connection. The load average (1 min) is the machine's",
    "when the row started: other work ran.",
    "",
    "| gradient of | wire | MB on the wire | cores per side | streams | raw socket p50 ms | exchange p50 ms "
    "| p50 ratio (target <= 1.5) | raw socket CPU ms | exchange CPU ms | CPU ratio (target <= 2) | load |",
    "| --- | --- | ---: | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
    *table,
]
notes = out[: -len(".md")] + "-notes.md"  # exchange-swap.md: exchange-swap-notes.md
if os.path.exists(notes):
    lines += ["", open(notes).read().rstrip()]
open(out, "w").write("\n".join(lines) + "\n")
print("\n".join(lines))
PY
