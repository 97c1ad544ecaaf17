#!/usr/bin/env bash
# The accuracy study's later rows, in the same setting as bench/accuracy-study.sh (the MLP on the full
# Fashion-MNIST, 20 epochs, one thread per run, two runs at a time): SAM only in the last quarter
# (sharpnessFrom.fraction 0.75), Look-LayerSAM (rho 0.002 relative to each tensor), LookSAM with
# alpha 0.3, and SAMPa-0.2 as a real pair with bf16 on the wire (`run --serial` now rounds as the
# wire does too and ends with the pair's parameters; the row runs the pair itself).
# Prints one line per run and a table of mean ± standard deviation.
# Usage: bench/accuracy-study-rows.sh NAME LABEL_NOISE [SEEDS...]   e.g. bench/accuracy-study-rows.sh noisy40 0.4
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
name=${1:?name}; noise=${2:?label noise}; shift 2
seeds=("$@"); [ $# -eq 0 ] && seeds=(1 2)
out="$root/runs/study/$name"
mkdir -p "$out"
"$root/sam-trainer" --version > /dev/null

run_one() {
  IFS='|' read -r label seed file extra <<<"$1"
  dir="$out/$label-s$seed"
  [ -f "$dir/summary.json" ] && return 0
  # shellcheck disable=SC2086
  timeout 3600 java -jar "$root/trainer/target/sam-trainer.jar" run "$root/examples/fashion-mnist-$file.yaml" \
      --out "$dir" --threads 1 $extra \
      --set spec.model.architecture=mlp --set spec.training.epochs=20 \
      --set spec.training.seed="$seed" --set spec.dataset.labelNoise="$noise" \
      --set spec.checkpoint.everySteps=100000 > "$dir.log" 2>&1 || { echo "$label seed $seed failed: see $dir.log" >&2; return 1; }
  echo "done: $label seed $seed"
}
export -f run_one; export out root noise
jobs=()
for seed in "${seeds[@]}"; do
  jobs+=("SAM-last-quarter|$seed|sam|--set spec.optimizer.sharpnessFrom.fraction=0.75")
  jobs+=("Look-LayerSAM|$seed|looksam|--set spec.optimizer.lookSam.layerwise=true --set spec.optimizer.rho=0.002")
  jobs+=("LookSAM-alpha0.3|$seed|looksam|--set spec.optimizer.lookSam.alpha=0.3")
done
printf '%s\n' "${jobs[@]}" | xargs -P 2 -I{} bash -c 'run_one "$@"' _ {}
# The pair takes both cores itself: one at a time.
for seed in "${seeds[@]}"; do
  run_one "SAMPa-0.2-bf16|$seed|sampa|--set spec.communication.precision=bf16"
done

/usr/bin/python3 - "$out" <<'PY'
import glob, json, os, statistics, sys
rows = {}
for f in sorted(glob.glob(os.path.join(sys.argv[1], "*-s*", "summary.json"))):
    label = os.path.basename(os.path.dirname(f)).rsplit("-s", 1)[0]
    d = json.load(open(f))
    rows.setdefault(label, []).append((100 * d["testAccuracy"], d["sequentialGradientComputations"]))
print("| run | test accuracy | sequential gradients per run |")
print("| --- | ---: | ---: |")
for label, xs in rows.items():
    accs = [a for a, _ in xs]
    sd = statistics.stdev(accs) if len(accs) > 1 else 0.0
    print(f"| {label} | {statistics.mean(accs):.2f} ± {sd:.2f} | {xs[0][1]:,} |")
PY
