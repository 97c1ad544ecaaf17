#!/usr/bin/env bash
# The SAMPa pair with its swaps overlapping the backward pass (--overlap-backward on) against the
# same pair without (off), on this machine's CPU cores: two worker processes with one PyTorch
# thread each, rank 0 pinned to core 0 and rank 1 to core 1, as bench/pair-time.sh runs them. The
# two settings take turns, REPEATS times (2 by default). Writes docs/benchmarks/overlap-pair.md.
# Usage: bench/overlap-pair.sh [STEPS] [REPEATS]   (the MLP runs at least 4000 steps, as in
# pair-time.sh: a rank's JIT takes about 1000 of its short steps to settle)
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
steps=${1:-40}
repeats=${2:-2}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
"$root/sam-trainer" --version > /dev/null
jar="$root/trainer/target/sam-trainer.jar"

cat > "$work/job.yaml" <<YAML
apiVersion: sharpness.dev/v1alpha1
kind: SamTrainingJob
metadata: {name: overlap-pair}
spec:
  model: {architecture: resnet56}
  dataset:
    format: synthetic
    validationFraction: 0.0
    synthetic: {trainSamples: 6400, testSamples: 128, classes: 10, imageSize: 28, channels: 1}
  optimizer: {method: SAMPa, rho: 0.05, base: {learningRate: 0.01}}
  training: {epochs: 100, batchSize: 128, seed: 1}
  checkpoint: {everySteps: 100000}
YAML

run() { # name, model, image, channels, steps, overlap
  # Each run ends within 20 minutes; the launcher's workers stop with it.
  SAM_RANK_CPUS="0 1" timeout -k 10 1200 taskset -c 0,1 java -jar "$jar" run "$work/job.yaml" \
      --out "$work/$1" --threads 1 --overlap-backward "$6" \
      --set spec.model.architecture="$2" --set spec.dataset.synthetic.imageSize="$3" \
      --set spec.dataset.synthetic.channels="$4" --set spec.training.maxSteps="$5" \
      > "$work/$1.log" 2>&1
}

models=("resnet56 28 1 0" "cnn 32 3 0" "mlp 24 3 4000") # name, image, channels, least steps
for spec in "${models[@]}"; do
  read -r model image channels least <<<"$spec"
  n=$(( steps > least ? steps : least ))
  for ((r = 1; r <= repeats; r++)); do
    order=(off on); (( r % 2 )) || order=(on off)
    for overlap in "${order[@]}"; do
      run "$model-$overlap-$r" "$model" "$image" "$channels" "$n" "$overlap"
    done
  done
done

/usr/bin/python3 - "$work" "$root/docs/benchmarks/overlap-pair.md" "$steps" "$repeats" \
    "${models[@]%% *}" <<'PY'
import datetime, json, sys
work, out, steps, repeats = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
models = sys.argv[5:]

def summary(name, rank=0):
    path = f"{work}/{name}" + ("/rank-1" if rank else "") + "/summary.json"
    return json.load(open(path))

rows = []
for model in models:
    for r in range(1, repeats + 1):
        off, on = summary(f"{model}-off-{r}"), summary(f"{model}-on-{r}")
        assert off["trainableChecksum"] == on["trainableChecksum"], f"{model}: the parameters differ"
        cells = []
        for s in (off, on):
            p = s["stepPhaseMillis"]
            cells.append(f"{s['medianStepMillis']:.1f} | {p['gradient']:.1f} | {p['swap']:.2f}")
        ratio = on["medianStepMillis"] / off["medianStepMillis"]
        mb = 4 * off["parameters"] / 1e6
        rows.append(f"| {model} ({mb:.2f} MB; {off['steps']} steps) | {r} | {cells[0]} | {cells[1]} | **{ratio:.2f}** |")

lines = [
    "# SAMPa pair: swaps overlapping the backward pass, on CPU cores",
    "",
    f"Measured {datetime.date.today()} with `bench/overlap-pair.sh {steps} {repeats}` on a 2-core machine: the",
    "SAMPa pair as `sam-trainer run` starts it, one PyTorch thread per rank, rank 0 pinned to core 0",
    "and rank 1 to core 1, with `--overlap-backward off` and `on` taking turns. With `on`, each rank",
    "sends its top layers' gradient (from the backward cut, `Models.backwardCut`) as soon as its",
    "backward pass has made it final, while the pass computes the rest. Milliseconds are rank 0's",
    "medians: its step, its gradient pass (with `on`, the top part's flattening and the swap's",
    "beginning are in it) and its swap (with `on`, what remains of the swap once the pass is done).",
    "Both settings end with the same parameters, bit for bit (checked here on every pair of runs).",
    "",
    "| model | round | off: step ms | off: gradient pass | off: swap | on: step ms | on: gradient pass | on: swap | on / off |",
    "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
    *rows,
    "",
    "What it gives where the backward pass runs on a GPU, with the exchange on cores of its own, is",
    "estimated in [overlap-swap](overlap-swap.md); the reading of this table is in",
    "[overlap-pair-notes](overlap-pair-notes.md).",
    "",
]
open(out, "w").write("\n".join(lines))
print("\n".join(lines))
PY
