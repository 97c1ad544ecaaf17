#!/usr/bin/env bash
# Accuracy study: SGD, SAM, K-SAM, LookSAM, SAMPa-0 and SAMPa-0.2 on the full Fashion-MNIST, same
# model, epochs and seeds for every method, two runs at a time (one thread each).
# Writes docs/accuracy-study[-NAME].md and .png. Needs dataset-fashion-mnist and python3-matplotlib.
# Usage: bench/accuracy-study.sh NAME EPOCHS LABEL_NOISE [SEEDS...]
#   e.g. bench/accuracy-study.sh noisy40 20 0.4 1 2
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
name=${1:?name}; epochs=${2:?epochs}; noise=${3:?label noise}; shift 3
seeds=("${@:-1 2}"); [ $# -eq 0 ] && seeds=(1 2)
out="$root/runs/study/$name"
mkdir -p "$out"
"$root/sam-trainer" --version >/dev/null   # build once before the parallel runs

declare -A manifest=( [SGD]=sgd [SAM]=sam [KSAM]=ksam [LookSAM]=looksam [SAMPa-0]=sampa [SAMPa-0.2]=sampa )
jobs=()
for seed in "${seeds[@]}"; do
  for label in SGD SAM KSAM LookSAM SAMPa-0 SAMPa-0.2; do
    extra=()
    case $label in SAMPa-0) extra=(--set spec.optimizer.sampa.lambda=0 --serial);; SAMPa-0.2) extra=(--serial);; esac
    jobs+=("$label|$seed|${manifest[$label]}|${extra[*]:-}")
  done
done

run_one() {
  IFS='|' read -r label seed file extra <<<"$1"
  dir="$out/$label-s$seed"
  if [ -f "$dir/summary.json" ]; then return 0; fi
  # shellcheck disable=SC2086
  java -jar "$root/trainer/target/sam-trainer.jar" run "$root/examples/fashion-mnist-$file.yaml" \
      --out "$dir" --threads 1 $extra \
      --set spec.model.architecture=mlp --set spec.training.epochs="$epochs" \
      --set spec.training.seed="$seed" --set spec.dataset.labelNoise="$noise" \
      --set spec.checkpoint.everySteps=100000 > "$dir.log" 2>&1 || { echo "$label seed $seed failed: see $dir.log" >&2; return 1; }
  echo "done: $label seed $seed"
}
export -f run_one; export out root epochs noise
printf '%s\n' "${jobs[@]}" | xargs -P 2 -I{} bash -c 'run_one "$@"' _ {}

/usr/bin/python3 "$root/bench/accuracy_report.py" "$out" "$root/docs" "$name" "$epochs" "$noise"
