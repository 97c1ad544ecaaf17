#!/usr/bin/env bash
# A SAMPa pair as two pods of one node run it: two `sam-trainer worker` processes, each in its own
# network namespace, the two joined by a veth pair (bench/netns.bash); rank 0 listens on its veth
# address only, rank 1 finds it through SAM_PEER, as the operator's pods do. The pair must end with
# the parameters of `run --serial`, the one-process emulation, bit for bit: prints both checksums
# and exits 1 if they differ. A check to repeat on a real network stack, not a benchmark; needs
# root and iproute2 (ip netns), never in CI.
# Usage: bench/netns-pair.sh [MANIFEST [MTU]]   (default: the quickstart as 60 SAMPa steps; MTU 1500)
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
mtu=${2:-1500}
source "$root/bench/netns.bash"
netns_require
work=$(mktemp -d)
rank0=
trap '[ -n "$rank0" ] && kill "$rank0" 2> /dev/null; netns_down; rm -rf "$work"' EXIT
"$root/sam-trainer" --version > /dev/null
jar="$root/trainer/target/sam-trainer.jar"
# By default the README's quickstart job (shipped data), as a SAMPa pair of 60 steps.
manifest=${1:-$root/examples/quickstart.yaml}
sets=()
if [ -z "${1:-}" ]; then
  sets=(--set=spec.optimizer.method=SAMPa --set=spec.training.maxSteps=60)
fi
netns_up "$mtu"
head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \n' > "$work/token"
port=50051

worker() { # rank, namespace, SAM_PEER (may be empty), worker options...
  local rank=$1 ns=$2 peer=$3
  shift 3
  ip netns exec "$ns" env SAM_RANK="$rank" SAM_ATTEMPT=0 SAM_TOKEN_FILE="$work/token" \
      ${peer:+SAM_PEER="$peer"} timeout 600 java -jar "$jar" worker --manifest="$manifest" \
      --out="$work/rank$rank" --termination-log="$work/rank$rank.term" --metrics-port=0 \
      --port="$port" --threads=1 "${sets[@]}" "$@" > "$work/rank$rank.log" 2>&1
}
worker 0 "$ns0" "" --listen-address="$address0" &
rank0=$!
code1=0
worker 1 "$ns1" "$address0:$port" || code1=$?
code0=0
wait "$rank0" || code0=$?
rank0=
if [ "$code0" != 0 ] || [ "$code1" != 0 ]; then
  echo "the pair failed: rank 0 exited $code0, rank 1 $code1" >&2
  tail -n 5 "$work/rank0.log" "$work/rank1.log" >&2
  exit 1
fi
grep -h "listening\|Paired with" "$work/rank0.log"
java -jar "$jar" run "$manifest" --out "$work/serial" --serial --threads 1 "${sets[@]}" > /dev/null
/usr/bin/python3 - "$work" <<'PY'
import json, sys
work = sys.argv[1]
pair = json.load(open(f"{work}/rank0/summary.json"))["parameterChecksum"]
serial = json.load(open(f"{work}/serial/summary.json"))["parameterChecksum"]
print(f"pair over the veth pair: {pair}\nrun --serial:            {serial}")
sys.exit(0 if pair == serial else 1)
PY
