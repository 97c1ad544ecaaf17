#!/usr/bin/env bash
# Per-step time of the SAMPa pair (two worker processes, one thread each, each pinned to its own
# core, gradients swapped over gRPC on loopback) against SAM and SGD in one process with one thread
# pinned to one core; and the pair's exchange against a raw TCP loopback swap of the same bytes.
# Same synthetic job for all; the step time excludes start-up, pairing, evaluation and checkpoints.
# Writes docs/benchmarks/pair-time.md. Usage: bench/pair-time.sh [STEPS]
# The MLP's rows run at least 4000 steps whatever STEPS says: its step is short (about 16 ms here),
# and a pair's rank, whose one core also runs the JIT compiling gRPC and Netty, takes about 1000
# steps to reach its steady step time (see the notes), so a shorter run measures the warm-up.
# SAM_BENCH_MODELS="mlp ..." runs only those models' rows (a quick check; the table then has only them).
# The MLP's SAM and pair run SAM_BENCH_MLP_REPEATS times (3 by default), interleaved: from run to
# run this machine moves either by 1-2 ms, as much as the difference the row is about.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
steps=${1:-40}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
"$root/sam-trainer" --version > /dev/null
jar="$root/trainer/target/sam-trainer.jar"
samples=$(( steps * 128 > 6400 ? steps * 128 : 6400 ))

cat > "$work/job.yaml" <<YAML
apiVersion: sharpness.dev/v1alpha1
kind: SamTrainingJob
metadata: {name: pair-time}
spec:
  model: {architecture: resnet20}
  dataset:
    format: synthetic
    validationFraction: 0.0
    synthetic: {trainSamples: $samples, testSamples: 128, classes: 10, imageSize: 28, channels: 1}
  optimizer: {method: SGD, rho: 0.05, base: {learningRate: 0.01}}
  training: {epochs: 1, batchSize: 128, seed: 1, maxSteps: $steps}
  checkpoint: {everySteps: 100000}
YAML

load() { cut -d' ' -f1-3 /proc/loadavg; }

# A long run goes over the same 1000 batches several times rather than holding them all in memory.
train_samples() { local n=$(( $1 < 1000 ? $1 : 1000 )); echo $(( n * 128 > 6400 ? n * 128 : 6400 )); }
epochs() { local per=$(( $(train_samples "$1") / 128 )); echo $(( ($1 + per - 1) / per )); }

run() { # name, model, image, channels, method, steps [cpu]
  local name=$1 model=$2 image=$3 channels=$4 method=$5 n=$6
  local pin=(taskset -c "${7:-0}") env=()
  # The launcher itself only waits; each worker it starts gets its own core.
  [ "$method" = SAMPa ] && pin=(taskset -c 0,1) && env=(SAM_RANK_CPUS="0 1")
  env "${env[@]}" "${pin[@]}" java -jar "$jar" run "$work/job.yaml" --out "$work/$name" --threads 1 \
      --set spec.model.architecture="$model" --set spec.dataset.synthetic.imageSize="$image" \
      --set spec.dataset.synthetic.channels="$channels" --set spec.optimizer.method="$method" \
      --set spec.training.maxSteps="$n" --set spec.training.epochs="$(epochs "$n")" \
      --set spec.dataset.synthetic.trainSamples="$(train_samples "$n")" \
      > "$work/$name.log" 2>&1
}

swap() { # benchmark (socket-swap, exchange-swap), bytes, swaps, warmup, out: one side per core
  local bench=$1 bytes=$2 swaps=$3 warmup=$4 out=$5 port=$((20000 + RANDOM % 20000))
  taskset -c 0 java -jar "$jar" bench "$bench" serve "$port" "$bytes" "$swaps" "$warmup" \
      > "$out.serve" 2> "$out.serve.log" &
  taskset -c 1 java -jar "$jar" bench "$bench" connect "$port" "$bytes" "$swaps" "$warmup" \
      > "$out.connect" 2> "$out.connect.log"
  wait
}

models=("resnet20 28 1 0" "resnet56 28 1 0" "mlp 24 3 4000") # name, image, channels, least steps
if [ -n "${SAM_BENCH_MODELS:-}" ]; then # e.g. SAM_BENCH_MODELS=mlp: only those rows (a quick check)
  kept=()
  for spec in "${models[@]}"; do
    for name in $SAM_BENCH_MODELS; do if [ "${spec%% *}" = "$name" ]; then kept+=("$spec"); fi; done
  done
  models=("${kept[@]}")
fi
for spec in "${models[@]}"; do
  read -r model image channels least <<<"$spec"
  n=$(( steps > least ? steps : least ))
  load > "$work/$model.load-before"
  for method in SGD SAM SAMPa; do
    run "$model-$method" "$model" "$image" "$channels" "$method" "$n"
  done
  if [ "$model" = mlp ]; then # the repeats, in turn first and second
    for ((r = 2; r <= ${SAM_BENCH_MLP_REPEATS:-3}; r++)); do
      order=(SAMPa SAM); (( r % 2 )) && order=(SAM SAMPa)
      for method in "${order[@]}"; do
        run "$model-$method-$r" "$model" "$image" "$channels" "$method" "$n"
      done
    done
  fi
  # Two SGD processes at once, one per core: what a pass costs when both cores compute, as the
  # pair's ranks do (shared caches and memory, the VM's scheduling), with no exchange at all.
  run "$model-SGD0" "$model" "$image" "$channels" SGD "$n" 0 &
  run "$model-SGD1" "$model" "$image" "$channels" SGD "$n" 1
  wait
  bytes=$(python3 -c "import json,sys; print(4 * json.load(open(sys.argv[1]))['parameters'])" \
      "$work/$model-SGD/summary.json")
  swap socket-swap "$bytes" 300 50 "$work/$model-socket"
  # One core per side: the JIT needs some thousands of swaps to settle (see the notes).
  swap exchange-swap "$bytes" 300 5000 "$work/$model-grpc"
  load > "$work/$model.load-after"
done

/usr/bin/python3 - "$work" "$root/docs/benchmarks/pair-time.md" "$steps" "$root/bench/pair-time-notes.md" \
    "${models[@]%% *}" <<'PY'
import datetime, json, os, statistics, sys
work, out, steps, notes = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4]
models = sys.argv[5:]

def side(path):
    return json.loads(open(path).read().strip().splitlines()[-1])

def both(prefix):  # a swap benchmark: the mean of its two sides' numbers
    a, b = side(prefix + ".serve"), side(prefix + ".connect")
    return {k: (a[k] + b[k]) / 2 for k in a if isinstance(a[k], float)}

main, split, phases, loads, verdicts, repeats = [], [], [], [], [], []
for model in models:
    s = {m: json.load(open(f"{work}/{model}-{m}/summary.json")) for m in ["SGD", "SAM", "SAMPa"]}
    r1 = json.load(open(f"{work}/{model}-SAMPa/rank-1/summary.json"))
    sgd, sam, pair = (s[m]["medianStepMillis"] for m in ["SGD", "SAM", "SAMPa"])
    ex, ex1 = s["SAMPa"]["exchange"], r1["exchange"]
    raw, alone = both(f"{work}/{model}-socket"), both(f"{work}/{model}-grpc")
    twin = max(json.load(open(f"{work}/{model}-SGD{c}/summary.json"))["medianStepMillis"] for c in (0, 1))
    mb = 4 * s["SGD"]["parameters"] / 1e6
    main.append(
        f"| {model} ({s['SGD']['parameters']:,} parameters, {mb:.2f} MB; {s['SGD']['steps']} steps) | {sgd:.1f} | {sam:.1f} | {pair:.1f} | "
        f"**{pair/sam:.2f}** | **{pair/sgd:.2f}** | {twin:.1f} | {pair/twin:.2f} | {ex['p50Millis']:.1f} | {ex['p50TransferMillis']:.1f} | "
        f"{raw['p50Millis']:.2f} | **{ex['p50TransferMillis']/raw['p50Millis']:.1f}** | "
        f"{alone['p50Millis']:.2f} | **{alone['p50Millis']/raw['p50Millis']:.1f}** |")
    for rank, summary, e in [(0, s["SAMPa"], ex), (1, r1, ex1)]:
        p = summary.get("stepPhaseMillis") or {}
        phases.append(f"| {model} | {rank} | " + " | ".join(
            f"{p[k]:.2f}" if k in p else "" for k in ["gradient", "flatten", "swap", "unflatten", "update"])
            + f" | {summary['medianStepMillis']:.1f} |")
        step = summary["medianStepMillis"]
        split.append(
            f"| {model} | {rank} | {step:.1f} | {summary['meanStepMillis']:.1f} | {e['p50Millis']:.1f} | "
            f"{e['meanMillis']:.1f} | {e['meanPeerWaitMillis']:.1f} | {e['meanTransferMillis']:.1f} | "
            f"{e['meanSendMillis']:.2f} | {e['meanEncodeMillis']:.2f} | {e['meanDecodeMillis']:.2f} |")
    split.append(
        f"| {model} | raw socket / exchange alone | | | {raw['p50Millis']:.2f} / {alone['p50Millis']:.2f} | "
        f"{raw['meanMillis']:.2f} / {alone['meanMillis']:.2f} | | | | | |")
    split.append(
        f"| {model} | CPU ms per swap: raw / exchange alone | | | | {raw['cpuMillisPerSwap']:.2f} / "
        f"{alone['cpuMillisPerSwap']:.2f} | | | | | |")
    met = lambda ok: "met" if ok else "not met"
    mlp = ""
    if model == "mlp":
        runs = [(sam, pair)]
        r = 2
        while os.path.exists(f"{work}/{model}-SAM-{r}/summary.json"):
            runs.append(tuple(json.load(open(f"{work}/{model}-{m}-{r}/summary.json"))["medianStepMillis"]
                              for m in ["SAM", "SAMPa"]))
            r += 1
        ratios = sorted(p / s_ for s_, p in runs)
        repeats += [f"| {i + 1} | {s_:.1f} | {p:.1f} | **{p / s_:.2f}** |" for i, (s_, p) in enumerate(runs)]
        mlp = (f"; issue 16's target for this row, below 1.0 in every run: {met(max(ratios) < 1.0)}, "
               f"{ratios[0]:.2f}-{ratios[-1]:.2f} over {len(runs)} runs, median {statistics.median(ratios):.2f}")
    verdicts.append(
        f"- {model}: SAMPa/SAM {pair/sam:.2f} ({met(pair/sam <= 0.55)}{mlp}), SAMPa/SGD {pair/sgd:.2f} "
        f"({met(pair/sgd <= 1.10)}), exchange transfer / raw socket {ex['p50TransferMillis']/raw['p50Millis']:.1f} "
        f"({met(ex['p50TransferMillis']/raw['p50Millis'] <= 1.5)}).")
    before = open(f"{work}/{model}.load-before").read().split()
    after = open(f"{work}/{model}.load-after").read().split()
    loads.append(f"{model}: {' '.join(before)} before, {' '.join(after)} after")

lines = [
    "# SAMPa pair vs SAM and SGD: per-step time",
    "",
    f"Measured {datetime.date.today()} with `bench/pair-time.sh {steps}` on a 2-core machine: the same synthetic",
    f"job ({steps} steps, batch 128; the MLP at least 4000, over 1000 batches again and again, as its step is short and a rank's JIT takes about 1000 steps to settle) per model. SGD and SAM: one process, one PyTorch thread, pinned to",
    "core 0. SAMPa: as `sam-trainer run` starts it, two worker processes with one PyTorch thread each,",
    "rank 0 pinned to core 0 and rank 1 to core 1 (`SAM_RANK_CPUS=\"0 1\"`), swapping gradients over",
    "gRPC on loopback every step (fp32). Step time is the optimizer step alone (no start-up, pairing,",
    "evaluation or checkpoints): the median over the run (the mean is in the second table; the first",
    "steps warm the JIT up). The raw socket swap is `SocketSwap`: two processes, one per core, one",
    "thread each, writing and reading the same number of bytes on one TCP loopback connection at once",
    "(median of 300 swaps). The exchange alone is `ExchangeSwap`: the pair exchange between two such",
    "processes with no training in between (median of 300 swaps after 5000 of warm-up). \"SGD two at",
    "once\" runs two SGD processes at the same time, one per core, and takes the slower median: the",
    "cost of a gradient pass when both cores compute, as the pair's ranks do, with no exchange.",
    "",
    "| model | SGD ms | SAM ms | SAMPa pair ms | SAMPa/SAM (target <= 0.55) | SAMPa/SGD (target <= 1.10) "
    "| SGD ms, two at once | SAMPa / SGD two at once | exchange in the run, ms (p50, rank 0) | of it transfer, ms (p50) | raw socket swap ms (p50) "
    "| transfer / raw (target <= 1.5) | exchange alone ms (p50) | exchange alone / raw |",
    "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
    *main,
    "",
    "Where the pair's time goes, per rank (exchange figures from each rank's summary.json; transfer =",
    "exchange wall time less the wait for the peer's first chunk, which is compute imbalance):",
    "",
    "| model | rank | step ms (median) | step ms (mean) | exchange ms (p50) | exchange ms (mean) "
    "| peer wait ms (mean) | transfer ms (mean) | send ms | encode ms | decode ms |",
    "| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
    *split,
    "",
    "Each rank's step by phase (`stepPhaseMillis` in its summary.json: medians in ms; the medians of",
    "the phases need not add up to the median step):",
    "",
    "| model | rank | gradient pass | flatten | swap | unflatten | update | step (median) |",
    "| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: |",
    *phases,
    "",
    *([
        "The MLP's SAM and pair, run again in turn (SAM first in odd runs, the pair first in even",
        "ones; run 1 is the one in the tables above). Median step in ms:",
        "",
        "| run | SAM ms | SAMPa pair ms | SAMPa/SAM |",
        "| ---: | ---: | ---: | ---: |",
        *repeats,
        "",
    ] if repeats else []),
    "Load average (1, 5, 15 min) around each model's runs: " + "; ".join(loads) + ".",
    "",
    "Targets in this run:",
    "",
    *verdicts,
]
try:
    lines += ["", open(notes).read().rstrip()]
except FileNotFoundError:
    pass
open(out, "w").write("\n".join(lines) + "\n")
print("\n".join(lines))
PY

# The plot beside the table (Debian's python3-matplotlib).
/usr/bin/python3 "$root/bench/pair_time_plot.py" "$root/docs/benchmarks/pair-time.md" \
    "$root/docs/benchmarks/pair-time.png"
printf '\n![Per-step time relative to SAM, and the exchange against a raw socket swap](pair-time.png)\n' \
    >> "$root/docs/benchmarks/pair-time.md"
