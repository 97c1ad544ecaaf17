#!/usr/bin/env bash
# A SAMPa pair as two pods of one node run it: two `sam-trainer worker` processes, each in its own
# network namespace, the two joined by a veth pair (bench/netns.bash); rank 0 listens on its veth
# address only, rank 1 finds it through SAM_PEER, as the operator's pods do. A check to repeat on a
# real network stack, not a benchmark; needs root and iproute2 (ip netns), never in CI.
#
# Usage: bench/netns-pair.sh [--cut=S [--heal=S]] [MANIFEST [MTU]]
#   (default: the quickstart as 60 SAMPa steps, MTU 1500)
#
# Without --cut the pair must end with the parameters of `run --serial`, the one-process
# emulation, bit for bit: prints both checksums and exits 1 if they differ.
#
# --cut=S partitions the two namespaces S seconds after the ranks paired, as a node that drops off
# the network does: a blackhole route on each side, so packets vanish and no reset or FIN arrives.
# The job then is the whole quickstart as SAMPa (350 steps) with an exchange timeout of
# $timeout s, unless a MANIFEST is given.
#   --heal=S removes the routes S seconds later (keep S well under the timeout: TCP retransmits
#     with a backoff, 3 s is safe). The pair must ride it out and still equal `run --serial`.
#   Without --heal, both ranks must exit 3 (peer lost: the operator restarts the pair) within the
#     exchange timeout plus 5 s of the cut, each saying so in its termination log.
#
# SAM_WORKER_ARGS="..." adds options to both workers' command lines, for example
# "--overlap-backward=on --exchange-streams=2" (a GPU node's default, and the streams of a pod
# with four cores): the overlapped pair must end as `run --serial` too.
# SAM_JOB_SETS="PATH=VALUE ..." overrides fields of the job for the pair and `run --serial` alike,
# for example "spec.communication.precision=bf16" (the emulation then rounds as the wire does).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
timeout=10
cut= heal=
while [ $# -gt 0 ]; do
  case $1 in
    --cut=*) cut=${1#--cut=} ;;
    --heal=*) heal=${1#--heal=} ;;
    -*) echo "netns-pair.sh: unknown option $1" >&2; exit 2 ;;
    *) break ;;
  esac
  shift
done
if [ -n "$heal" ] && [ -z "$cut" ]; then
  echo "netns-pair.sh: --heal needs --cut" >&2
  exit 2
fi
mtu=${2:-1500}
source "$root/bench/netns.bash"
netns_require
work=$(mktemp -d)
rank0=
trap '[ -n "$rank0" ] && kill "$rank0" 2> /dev/null; netns_down; rm -rf "$work"' EXIT
"$root/sam-trainer" --version > /dev/null
jar="$root/trainer/target/sam-trainer.jar"
# By default the README's quickstart job (shipped data), as a SAMPa pair.
manifest=${1:-$root/examples/quickstart.yaml}
sets=()
if [ -z "${1:-}" ]; then
  sets=(--set=spec.optimizer.method=SAMPa)
  if [ -z "$cut" ]; then
    sets+=(--set=spec.training.maxSteps=60)
  else
    sets+=(--set=spec.communication.exchangeTimeoutSeconds=$timeout)
  fi
fi
read -r -a job_sets <<<"${SAM_JOB_SETS:-}"
for field in "${job_sets[@]}"; do sets+=("--set=$field"); done
read -r -a worker_args <<<"${SAM_WORKER_ARGS:-}"
netns_up "$mtu"
head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \n' > "$work/token"
port=50051

worker() { # rank, namespace, SAM_PEER (may be empty), worker options...
  local rank=$1 ns=$2 peer=$3
  shift 3
  local code=0
  ip netns exec "$ns" env SAM_RANK="$rank" SAM_ATTEMPT=0 SAM_TOKEN_FILE="$work/token" \
      ${peer:+SAM_PEER="$peer"} timeout 600 java -jar "$jar" worker --manifest="$manifest" \
      --out="$work/rank$rank" --termination-log="$work/rank$rank.term" --metrics-port=0 \
      --port="$port" --threads=1 "${sets[@]}" "${worker_args[@]}" "$@" \
      > "$work/rank$rank.log" 2>&1 || code=$?
  echo "$code $(date +%s)" > "$work/rank$rank.exit"
  return "$code"
}

partition() { # add or del: blackhole routes both ways between the namespaces
  ip -n "$ns0" route "$1" blackhole "$address1/32"
  ip -n "$ns1" route "$1" blackhole "$address0/32"
}

worker 0 "$ns0" "" --listen-address="$address0" &
rank0=$!
if [ -z "$cut" ]; then
  code1=0
  worker 1 "$ns1" "$address0:$port" || code1=$?
else
  worker 1 "$ns1" "$address0:$port" &
  rank1=$!
  for _ in $(seq 600); do
    grep -q "Paired with" "$work/rank0.log" 2> /dev/null && break
    sleep 0.1
  done
  sleep "$cut"
  partition add
  cut_at=$(date +%s)
  echo "partitioned the namespaces at $(date -u +%T)"
  if [ -n "$heal" ]; then
    sleep "$heal"
    partition del
    echo "healed at $(date -u +%T)"
  fi
  code1=0
  wait "$rank1" || code1=$?
fi
code0=0
wait "$rank0" || code0=$?
rank0=

if [ -n "$cut" ] && [ -z "$heal" ]; then
  status=0
  for rank in 0 1; do
    read -r code ended < "$work/rank$rank.exit"
    echo "rank $rank exited $code $((ended - cut_at)) s after the cut: $(cat "$work/rank$rank.term")"
    if [ "$code" != 3 ] || [ $((ended - cut_at)) -gt $((timeout + 5)) ]; then
      status=1
    fi
  done
  [ "$status" = 0 ] || echo "expected both ranks to exit 3 within $((timeout + 5)) s of the cut" >&2
  exit "$status"
fi

if [ "$code0" != 0 ] || [ "$code1" != 0 ]; then
  echo "the pair failed: rank 0 exited $code0, rank 1 $code1" >&2
  tail -n 5 "$work/rank0.log" "$work/rank1.log" >&2
  exit 1
fi
grep -h "listening\|Paired with\|swap overlaps" "$work/rank0.log" "$work/rank1.log"
java -jar "$jar" run "$manifest" --out "$work/serial" --serial --threads 1 "${sets[@]}" > /dev/null
/usr/bin/python3 - "$work" "${worker_args[@]}" <<'PY'
import json, sys
work, args = sys.argv[1], sys.argv[2:]
ranks = [json.load(open(f"{work}/rank{r}/summary.json")) for r in (0, 1)]
pair = ranks[0]["parameterChecksum"]
serial = json.load(open(f"{work}/serial/summary.json"))["parameterChecksum"]
print(f"pair over the veth pair: {pair}\nrun --serial:            {serial}")
ok = pair == serial
# Forced on, the swap must really have begun during the backward pass, not only been allowed to.
early = [summary["exchange"]["bytesSentEarly"] for summary in ranks]
print(f"bytes sent during the backward pass: rank 0 {early[0]}, rank 1 {early[1]}")
if "--overlap-backward=on" in args and min(early) <= 0:
    print("--overlap-backward=on, yet a rank sent nothing early", file=sys.stderr)
    ok = False
sys.exit(0 if ok else 1)
PY
if [ -n "$heal" ]; then # the partition must have stalled a step, or it proved nothing
  # awk reads the whole sorted list (head would leave sort writing into a closed pipe: SIGPIPE)
  sort -t, -k6 -g -r "$work/rank0/steps.csv" | awk -F, -v heal="$heal" 'NR == 1 {
    printf "rank 0'"'"'s slowest step: %d, %.1f s\n", $1, $6
    if ($6 < heal - 0.5) { print "the partition stalled no step for its length" > "/dev/stderr"; exit 1 } }'
fi
