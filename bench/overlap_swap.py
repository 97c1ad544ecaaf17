#!/usr/bin/env python3
"""The swap begun during the backward pass, against the swap after it, as a GPU rank would run them.

  overlap_swap.py [--repeats N] [--cores "C0 C1"] [--streams N] [--out FILE] [--models a,b]
  overlap_swap.py --report [--out FILE]   the table again, from the measurements the last run kept

For each model of docs/benchmarks/gpu-node/gpu-steps.json (fp32; measured on an H200), two
processes run `sam-trainer bench exchange-swap` with the model's gradient, each side pinned to its
own cores. Before each timed swap each side waits as long as the GPU's backward pass took (its
cores are free then, as on a GPU node; the wait stands for the backward); the swaps take turns:
  - after:     the swap begins once the backward is over (the trainer without --overlap-backward);
  - as final:  the swap begins with the backward, each part of the vector going as the GPU made it
               final (a hook per parameter, the measured times);
  - one cut:   the backward split once: the part above the cut goes when the GPU made the last of it
               final, the rest after the backward; the cut where bench/gpu_picture_report.py's
               estimate puts it for this machine's swap (from a first, untimed run);
  - trainer's cut: the same at the cut the trainer makes (Models.backwardCut, the last stage's
               start), which is what `--overlap-backward` does.
Each is timed from the backward's end until the peer's vector is in: the swap's cost to the step.
SAMPa/SAM is then (a rank's GPU step + that) / SAM's GPU step, from the same file. Every process
is bounded in time and dies with this script. Writes docs/benchmarks/overlap-swap.md, the
reading from overlap-swap-notes.md (written by hand) after the table.
"""
import argparse
import ctypes
import json
import os
import random
import signal
import statistics
import subprocess
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(ROOT, "bench"))
from gpu_picture_report import TITLES, one_cut_finish, span  # noqa: E402

# warm-up swaps (back to back) and timed swaps per kind, by gradient size: the JIT needs thousands
# of 1 MiB messages before the exchange runs at its steady rate (exchange-swap-notes.md)
SWAPS = {"resnet56": (2000, 60), "wrn-28-2": (1500, 60), "wrn-28-10": (150, 20)}
LIMIT_S = 600

# The share of the gradient's bytes above the trainer's backward cut (Models.backwardCut), counted
# on the trainer's networks for 3x32x32 images and 10 classes: the tensors from
# Network.firstTensorAboveCut() on, over all.
TRAINER_CUT = {"resnet56": 650250 / 855770, "wrn-28-2": 1117578 / 1467610,
               "wrn-28-10": 27870090 / 36479194}


def die_with_parent():
    ctypes.CDLL("libc.so.6", use_errno=True).prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG


def run_pair(jar, cores, elements, warmup, swaps, streams, backward, schedules):
    """Both sides of one exchange-swap run; their JSON lines."""
    port = 20000 + random.randrange(20000)
    args = ["bench", "exchange-swap", None, str(port), str(4 * elements), str(swaps),
            str(warmup), "fp32", str(streams), "--backward-millis", f"{backward:.3f}"]
    for schedule in schedules:
        args += ["--final-at", schedule]
    procs = []
    for side, core in zip(("serve", "connect"), cores):
        side_args = list(args)
        side_args[2] = side
        procs.append(subprocess.Popen(
            ["timeout", str(LIMIT_S), "taskset", "-c", core, "java", "-jar", jar] + side_args,
            stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True,
            preexec_fn=die_with_parent))
    outs = [p.communicate(timeout=LIMIT_S + 10)[0] for p in procs]
    if any(p.returncode for p in procs):
        raise SystemExit(f"exchange-swap failed: exit {[p.returncode for p in procs]}")
    return [json.loads(out.strip().splitlines()[-1]) for out in outs]


def schedule(points):
    return ",".join(f"{ms:.3f}:{share:.6f}" for ms, share in points)


def as_final(readiness):
    """Every gradient as the GPU made it final: (ms, share of the bytes final by then)."""
    total, done, points = sum(readiness["readyBytes"]), 0, []
    for ms, size in zip(readiness["readyMs"], readiness["readyBytes"]):
        done += size
        points.append((ms, done / total))
    return points


def cut_at(readiness, share):
    """The one point at which `share` of the bytes (a cut's) is final: the first measured point
    with at least that share, so a little late where the GPU's tensors do not end at the cut."""
    return [p for p in as_final(readiness) if p[1] >= share - 1e-9][0]


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=2)
    parser.add_argument("--cores", default="0 1", help="taskset lists of the two sides")
    parser.add_argument("--streams", type=int, default=1)
    parser.add_argument("--models", default="resnet56,wrn-28-2,wrn-28-10")
    parser.add_argument("--out", default=os.path.join(ROOT, "docs/benchmarks/overlap-swap.md"))
    parser.add_argument("--report", action="store_true",
                        help="only write the table again from the last run's overlap-swap.json")
    args = parser.parse_args()
    measured = os.path.splitext(args.out)[0] + ".json"
    if args.report:
        with open(measured) as f:
            saved = json.load(f)
        args.repeats, args.cores, args.streams = saved["repeats"], saved["cores"], saved["streams"]
        write(args, [(r["row"], r["runs"]) for r in saved["rows"]])
        return
    jar = os.path.join(ROOT, "trainer/target/sam-trainer.jar")
    subprocess.run([os.path.join(ROOT, "sam-trainer"), "--version"], check=True,
                   stdout=subprocess.DEVNULL, timeout=LIMIT_S)
    with open(os.path.join(ROOT, "docs/benchmarks/gpu-node/gpu-steps.json")) as f:
        gpu = json.load(f)
    cores = args.cores.split()
    rows = []
    for row in gpu["rows"]:
        if row["precision"] != "fp32" or row["model"] not in args.models.split(","):
            continue
        readiness, model = row["readiness"], row["model"]
        backward = readiness["backwardMs"]
        warmup, swaps = SWAPS[model]
        runs = []
        for repeat in range(args.repeats):
            first = run_pair(jar, cores, row["parameters"], warmup, max(10, swaps // 2),
                             args.streams, backward, [])
            after = statistics.mean(side["p50Millis"] for side in first)
            _, share = one_cut_finish(readiness, after)
            cut = cut_at(readiness, share)
            trainer_cut = cut_at(readiness, TRAINER_CUT[model])
            sides = run_pair(jar, cores, row["parameters"], warmup, swaps, args.streams,
                             backward, [schedule(as_final(readiness)), schedule([cut]),
                                        schedule([trainer_cut])])
            runs.append({"after": statistics.mean(s["p50Millis"] for s in sides),
                         "asFinal": statistics.mean(s["begun1P50Millis"] for s in sides),
                         "oneCut": statistics.mean(s["begun2P50Millis"] for s in sides),
                         "trainerCut": statistics.mean(s["begun3P50Millis"] for s in sides),
                         "cut": cut,
                         "trainerCutPoint": trainer_cut,
                         "load": os.getloadavg()[0]})
            print(model, json.dumps(runs[-1]), flush=True)
        rows.append((row, runs))
    with open(measured, "w") as f:
        json.dump({"repeats": args.repeats, "cores": args.cores, "streams": args.streams,
                   "rows": [{"row": row, "runs": runs} for row, runs in rows]}, f, indent=1)
    write(args, rows)


def write(args, rows):
    def ratio(row, exposed):
        return (row["rankPinnedMs"] + exposed) / row["samMs"]

    lines = [
        "# The swap begun during the backward pass",
        "",
        f"Measured with `bench/overlap-swap.sh --repeats {args.repeats} --cores \"{args.cores}\""
        f" --streams {args.streams}` on this machine ({os.cpu_count()} cores), each side pinned to"
        " its own cores. The backward passes are the GPU's: each side waits as long as an H200's"
        " fp32 backward took (`gpu-node/gpu-steps.json`, batch 128), and in the *as final* and"
        " *one cut* swaps the exchange sends each part of the gradient as the GPU made it final."
        " The wait stands for the backward: the cores are free meanwhile, as on a GPU node, but"
        " for the thread that would launch its kernels. *swap after the backward*, *as final* and"
        " *one cut*: the p50 milliseconds from the backward's end until the peer's vector is in,"
        " the mean of both sides, the kinds taking turns in one run; a range is the spread over"
        " the repeats. *cut*: when the part above the single cut is final, and its share of the"
        " bytes (placed where the estimate of `gpu_picture_report.py` puts it for this machine's"
        " swap). *trainer's cut*: the same at the cut the trainer makes with `--overlap-backward`"
        " (`Models.backwardCut`: the last stage's start), when that part is final and its share."
        " SAMPa/SAM: (a rank's GPU step + the swap's cost) / SAM's GPU step.",
        "",
        "| model | MB each way | backward ms | swap after the backward | as final | one cut | cut"
        " | trainer's cut | its cut | SAMPa/SAM: after | as final | one cut | trainer's cut"
        " | load |",
        "| --- | ---: | ---: | ---: | ---: | ---: | --- | ---: | --- | ---: | ---: | ---: | ---: "
        "| ---: |",
    ]
    for row, runs in rows:
        after = [r["after"] for r in runs]
        final = [r["asFinal"] for r in runs]
        cut = [r["oneCut"] for r in runs]
        trainer = [r["trainerCut"] for r in runs]

        def points(key):
            return "; ".join(sorted({f"{r[key][0]:.1f} ms, {100 * r[key][1]:.0f}%" for r in runs}))

        lines.append(
            f"| {TITLES[row['model']]} | {4 * row['parameters'] / 1e6:.1f}"
            f" | {row['readiness']['backwardMs']:.1f} | {span(after)} | {span(final)}"
            f" | {span(cut)} | {points('cut')} | {span(trainer)} | {points('trainerCutPoint')}"
            f" | {span([ratio(row, x) for x in after], '%.2f')}"
            f" | {span([ratio(row, x) for x in final], '%.2f')}"
            f" | {span([ratio(row, x) for x in cut], '%.2f')}"
            f" | **{span([ratio(row, x) for x in trainer], '%.2f')}**"
            f" | {span([r['load'] for r in runs])} |")
    lines.append("")
    notes = os.path.join(ROOT, "docs/benchmarks/overlap-swap-notes.md")
    if os.path.exists(notes):  # the reading, written by hand
        with open(notes) as f:
            lines += ["", f.read().rstrip(), ""]
    with open(args.out, "w") as f:
        f.write("\n".join(lines))
    print("\n".join(lines))


if __name__ == "__main__":
    main()
