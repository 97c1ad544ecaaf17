#!/usr/bin/env bash
# A SAMPa pair (two worker processes on loopback) trained twice on the same synthetic job: once
# undisturbed, once while bench/ExchangeAttack.java holds IDLE silent connections to rank 0
# (re-opening each one rank 0 closes) and sends STREAMS calls without the token, and a client that
# breaks HTTP/2's rules (the trainer's test class RawHttp2Client: streams reset as soon as opened,
# streams beyond the limit, on a new connection whenever rank 0 ends one). Samples rank 0's
# open descriptors, threads and RSS from /proc every second, and compares the two runs'
# parameterChecksum. The attack lasts ATTACK seconds; "after" is sampled 12 s later (past the 10 s
# handshake deadline), while the pair still trains. Usage:
# bench/exchange-attack.sh [IDLE] [STREAMS] [EPOCHS] [ATTACK]
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
idle=${1:-2000}
streams=${2:-200000}
epochs=${3:-40}
attack_s=${4:-20}
work=$(mktemp -d)
pids=()
trap 'for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; rm -rf "$work"' EXIT
jar="$root/trainer/target/sam-trainer.jar"
[ -f "$jar" ] || "$root/sam-trainer" --version > /dev/null
tests="$root/trainer/target/test-classes"
[ -f "$tests/dev/sharpness/trainer/exchange/RawHttp2Client.class" ] ||
  "$root/mvnw" -B -q -o test-compile -pl trainer > /dev/null
printf '%s' 0123456789abcdef > "$work/token"
cat > "$work/job.yaml" <<YAML
apiVersion: sharpness.dev/v1alpha1
kind: SamTrainingJob
metadata: {name: attack}
spec:
  model: {architecture: cnn}
  dataset:
    format: synthetic
    validationFraction: 0.25
    synthetic: {trainSamples: 1024, testSamples: 64, classes: 4, imageSize: 8}
  optimizer: {method: SAMPa, rho: 0.05, sampa: {lambda: 0.2}, base: {learningRate: 0.05}}
  training: {epochs: $epochs, batchSize: 32, seed: 7}
  communication: {exchangeTimeoutSeconds: 60, checksumEverySteps: 4}
YAML

worker() { # rank port out
  SAM_RANK=$1 SAM_ATTEMPT=0 SAM_PEER=127.0.0.1:$2 SAM_TOKEN_FILE="$work/token" \
    java -cp "$jar" dev.sharpness.trainer.cli.SamTrainer worker --manifest="$work/job.yaml" \
    --out="$3" --threads=1 --termination-log="$3/termination-message.json" --port="$2" \
    --metrics-port=0 > "$3.log" 2>&1 &
  pids+=($!)
}
sample() { # pid -> "fds threads rss_kb"
  echo "$(ls /proc/$1/fd 2>/dev/null | wc -l) $(awk '/^Threads/{t=$2} /^VmRSS/{r=$2} END{print t, r}' /proc/$1/status 2>/dev/null)"
}
checksum() { grep -o '"parameterChecksum" *: *"[^"]*"' "$1/summary.json" | sed 's/.*: *"//; s/"//'; }
port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }

run() { # name attack?
  local name=$1 attack=$2 p; p=$(port)
  mkdir -p "$work/$name/r1"
  worker 0 "$p" "$work/$name"; local r0=${pids[-1]}
  worker 1 "$p" "$work/$name/r1"; local r1=${pids[-1]}
  until grep -q "Paired with rank 1" "$work/$name.log" 2>/dev/null; do sleep 0.2; done
  echo "$name: before    $(sample "$r0")  (fds threads rss_kb of rank 0)"
  local start=$SECONDS peak_f=0 peak_t=0 peak_r=0 a="" ended="" after=""
  if [ "$attack" = yes ]; then
    java -cp "$jar" "$root/bench/ExchangeAttack.java" "$p" "$idle" "$streams" "$attack_s" > "$work/attacker.log" 2>&1 &
    a=$!; pids+=($a)
    java -cp "$jar:$tests" dev.sharpness.trainer.exchange.RawHttp2Client "$p" "$attack_s" \
        > "$work/breaker.log" 2>&1 &
    pids+=($!)
  fi
  while kill -0 "$r0" 2>/dev/null; do
    read -r f t r <<< "$(sample "$r0")"
    [ -n "${f:-}" ] && [ "$f" -gt "$peak_f" ] && peak_f=$f
    [ -n "${t:-}" ] && [ "$t" -gt "$peak_t" ] && peak_t=$t
    [ -n "${r:-}" ] && [ "$r" -gt "$peak_r" ] && peak_r=$r
    if [ -n "$a" ] && ! kill -0 "$a" 2>/dev/null && [ -z "$ended" ]; then ended=$SECONDS; fi
    if [ -n "$ended" ] && [ -z "$after" ] && [ $((SECONDS - ended)) -ge 12 ]; then
      after="$(sample "$r0")"
    fi
    sleep 1
  done
  wait "$r0"; local c0=$?; wait "$r1"; local c1=$?
  [ -n "$a" ] && kill "$a" 2>/dev/null && wait "$a" 2>/dev/null || true
  echo "$name: during    peak $peak_f fds, $peak_t threads, $peak_r kB RSS; $((SECONDS - start)) s; exits $c0/$c1"
  [ "$attack" = yes ] && echo "$name: after     ${after:-rank 0 had finished} (12 s after the attack)"
  [ "$attack" = yes ] && cat "$work/attacker.log" "$work/breaker.log"
  echo "$name: checksum  $(checksum "$work/$name")"
  echo "$name: rank 0 log: $(wc -l < "$work/$name.log") lines, $(grep -c Refused "$work/$name.log" || true) refusal lines, $(grep -c ' grpc - ' "$work/$name.log" || true) of gRPC's, $(wc -c < "$work/$name.log") bytes"
  [ "$attack" = yes ] && grep Refused "$work/$name.log" | tail -1 | cut -c1-300 || true
  [ "$attack" = yes ] && grep 'gRPC logged' "$work/$name.log" | tail -1 | cut -c1-300 || true
}
run clean no
run attacked yes
