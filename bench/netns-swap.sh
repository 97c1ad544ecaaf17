#!/usr/bin/env bash
# The pair exchange against a raw TCP socket between two network namespaces joined by a veth pair,
# as two pods of one node talk (the pod network's MTU, no loopback shortcut), and the same rows on
# loopback right after, one core per side. Both sides' namespaces exist only while this runs
# (bench/netns.bash); the servers listen on the veth's private address inside them. Needs root and
# iproute2 (ip netns).
# Writes docs/benchmarks/netns-swap.md (its reading: netns-swap-notes.md, written by hand).
# Usage: bench/netns-swap.sh [MTU [REPEATS]]   (default: MTU 1500, as most pod networks; 2 repeats)
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
mtu=${1:-1500}
repeats=${2:-2}
source "$root/bench/netns.bash"
netns_require
work=$(mktemp -d)
trap 'netns_down; rm -rf "$work"' EXIT
netns_up "$mtu"

# exchange-swap.sh's SAM_BENCH_LAYOUTS and SAM_BENCH_SIZES may replace these (a quick check, a node).
export SAM_BENCH_LAYOUTS=${SAM_BENCH_LAYOUTS:-"0 1"} SAM_BENCH_PRECISIONS=fp32
export SAM_BENCH_SIZES=${SAM_BENCH_SIZES:-"mlp 4076584 300 2000;wrn-28-10 145916776 30 150"}
SAM_BENCH_WORK="$work/veth" SAM_BENCH_OUT="$work/veth.md" SAM_BENCH_NETNS="$ns0 $ns1 $address0" \
    SAM_BENCH_LINK="veth (MTU $mtu, two network namespaces)" \
    "$root/bench/exchange-swap.sh" "$repeats" 1 > /dev/null
SAM_BENCH_WORK="$work/loopback" SAM_BENCH_OUT="$work/loopback.md" \
    "$root/bench/exchange-swap.sh" "$repeats" 1 > /dev/null

/usr/bin/python3 - "$work" "$root/docs/benchmarks/netns-swap.md" "$mtu" "$repeats" <<'PY'
import datetime, os, sys
work, out, mtu, repeats = sys.argv[1:]

def table(name):  # the table of exchange-swap.sh's page: from its header row to the first blank line
    lines = open(os.path.join(work, name)).read().splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith("| gradient of"))
    end = next((i for i in range(start, len(lines)) if not lines[i].strip()), len(lines))
    return lines[start:end]

lines = [
    "# The pair exchange between two network namespaces",
    "",
    f"Measured {datetime.date.today()} with `bench/netns-swap.sh {mtu} {repeats}` on a {os.cpu_count()}-core shared machine:",
    "`bench/exchange-swap.sh`'s rows (the exchange right after a raw TCP socket swap of the same",
    "bytes, one core per side, one stream, fp32) at the MLP's and WRN-28-10's gradient sizes, first",
    f"with each side in its own network namespace, the two joined by a veth pair of MTU {mtu}, as two",
    "pods of one node talk, then the same rows on loopback (MTU 65536), as `sam-trainer run` and",
    "`exchange-swap.md` measure. Ranges are the spread over the repeats.",
    "",
    "Over a veth pair:",
    "",
    *table("veth.md"),
    "",
    "On loopback:",
    "",
    *table("loopback.md"),
]
notes = out[: -len(".md")] + "-notes.md"
if os.path.exists(notes):
    lines += ["", open(notes).read().rstrip()]
open(out, "w").write("\n".join(lines) + "\n")
print("\n".join(lines))
PY
