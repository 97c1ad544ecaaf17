#!/usr/bin/env python3
"""Puts bench/gpu-picture.sh's measurements together in docs/benchmarks/gpu-picture.md.

  gpu_picture_report.py collect [--add] DATA_DIR RAW_DIR...   keep what the runs measured, in DATA_DIR
  gpu_picture_report.py report DATA_DIR OUT.md        write the tables

`collect` reads each RAW_DIR that bench/gpu-picture.sh (or bench/exchange-swap.sh with
SAM_BENCH_WORK) left: gpu-steps.json, machine.txt, and one swap row per tag (the raw socket and the
exchange, both sides, the load). A row cut short (a run stopped at its time limit) is left out.
Each RAW_DIR counts as one repeat. With --add, the swaps already in DATA_DIR stay and the new runs
are pooled with them (a later lease of the same kind of node); the GPU steps are the newest run's.
`report` estimates a SAMPa pair step on the GPU as a rank's
step without the swap (measured on the GPU) plus the swap (measured on the node's cores) and sets
it beside SAM's and SGD's steps.
"""
import datetime
import glob
import json
import os
import statistics
import sys

TITLES = {"resnet56": "ResNet-56", "wrn-28-2": "WRN-28-2", "wrn-28-10": "WRN-28-10", "mlp": "MLP"}


def last_json(path):
    with open(path) as f:
        return json.loads(f.read().strip().splitlines()[-1])


KEPT = ("gpu-steps.json", "machine.txt", "cpu-details.txt")


def collect(data, raws, add=False):
    os.makedirs(data, exist_ok=True)
    swaps = []
    if add:
        with open(os.path.join(data, "swaps.json")) as f:
            swaps = json.load(f)
    else:
        for name in KEPT:  # nothing of an earlier node's runs stays
            if os.path.exists(os.path.join(data, name)):
                os.remove(os.path.join(data, name))
    first = max((s["run"] for s in swaps), default=0) + 1
    for run, raw in enumerate(raws, first):
        for name in KEPT:
            if os.path.exists(os.path.join(raw, name)):
                with open(os.path.join(raw, name)) as src, open(os.path.join(data, name), "w") as dst:
                    dst.write(src.read())
        folder = os.path.join(raw, "exchange") if os.path.isdir(os.path.join(raw, "exchange")) else raw
        for load in sorted(glob.glob(os.path.join(folder, "*.load"))):
            tag = os.path.basename(load)[: -len(".load")]
            name, precision, cores, streams, _ = tag.split(".")
            try:
                sides = {k: [last_json(f"{folder}/{tag}.{k}.{s}") for s in ("serve", "connect")]
                         for k in ("socket", "exchange")}
            except (OSError, ValueError, IndexError):
                continue  # cut short
            with open(load) as f:
                row = {"run": run, "size": name, "precision": precision, "cores": cores.replace("_", " / "),
                       "streams": int(streams), "load": float(f.read())}
            row["bytes"] = sides["socket"][0]["bytes"]
            for kind, pair in sides.items():
                row[kind] = {k: statistics.mean(s[k] for s in pair) for k in ("p50Millis", "cpuMillisPerSwap")}
            swaps.append(row)
    with open(os.path.join(data, "swaps.json"), "w") as f:
        json.dump(swaps, f, indent=1)
    with open(os.path.join(data, "date.txt"), "w") as f:
        f.write(f"{datetime.date.today()}\n")


def cores_per_side(cores):
    return sum(int(s.split("-")[-1]) - int(s.split("-")[0]) + 1 for s in cores.split(" / ")[0].split(","))


def forward(row):  # the first run (2026-11-30) did not time it
    return f"{row['forwardMs']:.1f}" if "forwardMs" in row else "-"


def optional(row, key):  # a figure later runs time and earlier ones did not
    return f"{row[key]:.2f}" if key in row else "-"


def rank_ms(row):
    """A SAMPa rank's step but the swap, with the host copies the trainer makes: the pinned step with
    its copies replaced by the trainer's where the run timed those, else the pinned step itself
    (a lower bound: DJL 0.35 cannot pin host memory). The flag says which."""
    if "copiesStagedMs" in row:
        return row["rankPinnedMs"] - row["copiesPinnedMs"] + row["copiesStagedMs"], True
    return row["rankPinnedMs"], False


def final_by(readiness, share):
    """ms after the backward's start by which `share` of the gradient's bytes are final."""
    total, done = sum(readiness["readyBytes"]), 0
    for ms, size in zip(readiness["readyMs"], readiness["readyBytes"]):
        done += size
        if done >= share * total:
            return ms
    return readiness["readyMs"][-1]


def overlapped_finish(readiness, swap_ms):
    """ms after the backward's start at which a swap ends that sends each gradient as soon as it is
    final (`readiness`, from gpu_pair_estimate.py), at the whole swap's rate, both directions alike:
    the latest of, for each gradient, its time plus the time to send it and all that comes after."""
    total = sum(readiness["readyBytes"])
    left, finish = total, 0.0
    for ms, size in zip(readiness["readyMs"], readiness["readyBytes"]):
        finish = max(finish, ms + left / total * swap_ms)
        left -= size
    return finish


def one_cut_finish(readiness, swap_ms):
    """The best a swap in two parts can do, as a backward split once would allow: the gradients
    final first (the layers above the cut) sent as soon as the last of them is final, the rest
    once the backward ends, each part at the whole swap's rate and the second after the first.
    Returns (ms after the backward's start at which the swap ends, share of the bytes above the
    cut) for the best place of the cut; a cut at the end is the swap not overlapped."""
    total, backward = sum(readiness["readyBytes"]), readiness["backwardMs"]
    best, above = (backward + swap_ms, 0.0), 0
    for ms, size in zip(readiness["readyMs"], readiness["readyBytes"]):
        above += size
        first_ends = ms + above / total * swap_ms
        ends = max(backward, first_ends) + (total - above) / total * swap_ms
        best = min(best, (ends, above / total))
    return best


def span(values, fmt="%.1f"):
    lo, hi = fmt % min(values), fmt % max(values)
    return lo if lo == hi else f"{lo}-{hi}"


def report(data, out):
    with open(os.path.join(data, "gpu-steps.json")) as f:
        gpu = json.load(f)
    with open(os.path.join(data, "swaps.json")) as f:
        swaps = json.load(f)
    with open(os.path.join(data, "machine.txt")) as f:
        machine = [line.strip() for line in f if line.strip()]
    fields = dict(line.split(":", 1) for line in machine[1:] if ":" in line)
    with open(os.path.join(data, "date.txt")) as f:
        date = f.read().strip()
    cpu = f"{fields.get('CPU(s)', '?').strip()} cores of {fields.get('Model name', '?').strip()}"

    def rows(size, precision="fp32", cores=None, streams=None):
        return [s for s in swaps if s["size"] == size and s["precision"] == precision
                and (cores is None or cores_per_side(s["cores"]) == cores)
                and (streams is None or s["streams"] == streams)]

    def swaps_by_streams(model, cores):  # the exchange's mean p50 at fp32 with these cores per side
        by_streams = {n: rows(model, cores=cores, streams=n) for n in (1, 2, 4, 8)}
        return {n: statistics.mean(x["exchange"]["p50Millis"] for x in rs) for n, rs in by_streams.items() if rs}

    # four cores per side is what a rank's pod on a GPU node is commonly given; eight where measured
    estimated = [(r, cores) for r in gpu["rows"] for cores in (4, 8) if swaps_by_streams(r["model"], cores)]

    lines = [
        "# The GPU picture, measured on one GPU node",
        "",
        f"Measured {date} with `bench/gpu-picture.sh` on {machine[0].split(',')[0]} ({cpu}); the data are in",
        f"`{os.path.relpath(data, os.path.dirname(out))}/`, this page is "
        "`bench/gpu_picture_report.py report` of them.",
        "",
        "The trainer's engine (DJL 0.35 with PyTorch) has no CUDA build that loads on that node, so the",
        "pair was not run end to end there. Its step is put together from two measurements on the same",
        "node: the GPU work in PyTorch (`bench/gpu_pair_estimate.py`: eager mode, batch 128 of 32x32x3",
        f"images, torch {gpu['torch']}, cuDNN benchmark mode, TF32 convolutions as PyTorch does by default)",
        "and the pair exchange between two processes on the node's own cores (`bench/exchange-swap.sh`),",
        "each side pinned to its own cores.",
        "",
        "## Steps on the GPU",
        "",
        "Median ms per step. *forward*: the forward pass alone (the rest of *pass* is the backward, what a",
        "swap sent as the backward produces each layer's gradient could hide behind; not timed in the",
        "first run). *rank, no swap*: the perturbation, one gradient pass, the parameters restored",
        "by copy, the gradient flattened and copied to the host, the peer's copied back, and the pair's",
        "update; everything a SAMPa rank does but the swap.",
        "*copies*: the two 4-byte-per-parameter copies alone (out to the host and back), through pinned",
        "buffers; out into a fresh pageable tensor each step (which the kernel must map and zero) and",
        "back from one allocated once; through pageable buffers allocated once (*reused*); tensor by",
        "tensor as the trainer's engine copies them by itself (*engine's*: a fresh host tensor each, then",
        "into the vector sent, and the peer's back tensor by tensor); and as the trainer copies them",
        "(*trainer's*: joined on the GPU, one copy into a staging buffer allocated once, then into the",
        "vector sent, and the peer's back in one copy). - where a run did not time it. bf16: autocast,",
        "channels-last; parameters, gradients and the swap stay fp32.",
        "",
        "| model | parameters | compute | forward | pass | SGD step | SAM step "
        "| rank, no swap (pinned / pageable) | copies (pinned / pageable / reused / engine's / trainer's) |",
        "| --- | ---: | --- | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    if not all(r.get("rankIncludesPerturbation") for r in gpu["rows"]):
        lines[-2:-2] = [
            "This run timed the rank's step without the perturbation and the restore (five elementwise",
            "passes over the parameters, which the script has timed since): under 1 ms at every size at",
            "the 4.3 TB/s that a device-to-device copy moves on an H200.",
            "",
        ]
    for r in gpu["rows"]:
        lines.append(
            f"| {TITLES[r['model']]} | {r['parameters']:,} | {r['precision']} | {forward(r)} | "
            f"{r['passMs']:.1f} | {r['sgdMs']:.1f} | "
            f"{r['samMs']:.1f} | {r['rankPinnedMs']:.1f} / {r['rankPageableMs']:.1f} | "
            f"{r['copiesPinnedMs']:.2f} / {r['copiesPageableMs']:.2f} / "
            f"{optional(r, 'copiesReusedMs')} / {optional(r, 'copiesEngineMs')} / "
            f"{optional(r, 'copiesStagedMs')} |")

    lines += [
        "",
        "## The swap on the node's cores",
        "",
        "p50 ms per swap (both directions at once) and CPU ms per swap of one process (all threads), the",
        "mean of the two sides; a range is the spread over the runs. Raw socket: `SocketSwap`, one TCP",
        "loopback connection, right before the exchange row on the same cores.",
        "",
        "| gradient of | wire | MB each way | cores per side | streams | raw socket p50 | exchange p50 "
        "| p50 ratio (target <= 1.5) "
        "| raw socket CPU | exchange CPU | CPU ratio (target <= 2) | runs |",
        "| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    order = ["resnet56", "mlp", "wrn-28-2", "wrn-28-10"]
    keys = sorted({(cores_per_side(s["cores"]), s["size"], s["precision"], s["streams"]) for s in swaps},
                  key=lambda k: (k[0], order.index(k[1]) if k[1] in order else 9, k[2] == "bf16", k[3]))
    for cores, size, precision, streams in keys:
        rs = rows(size, precision, cores, streams)
        p50 = [r["exchange"]["p50Millis"] / r["socket"]["p50Millis"] for r in rs]
        cpu_ratio = [r["exchange"]["cpuMillisPerSwap"] / r["socket"]["cpuMillisPerSwap"] for r in rs]
        lines.append(
            f"| {TITLES.get(size, size)} | {precision} | {rs[0]['bytes'] / 1e6:.2f} | {cores} | {streams} | "
            f"{span([r['socket']['p50Millis'] for r in rs])} | {span([r['exchange']['p50Millis'] for r in rs])} | "
            f"**{span(p50, '%.2f')}** | {span([r['socket']['cpuMillisPerSwap'] for r in rs])} | "
            f"{span([r['exchange']['cpuMillisPerSwap'] for r in rs])} | **{span(cpu_ratio, '%.2f')}** | {len(rs)} |")

    lines += [
        "",
        "## SAMPa against SAM and SGD on this GPU (an estimate)",
        "",
        "A SAMPa pair step is taken as *rank, no swap* plus the swap's p50 at this model's size",
        "with four cores per side (and eight, where measured); the swap is not overlapped with the pass.",
        "*rank, no swap* is the pinned one with its two copies replaced by the trainer's (marked *t*)",
        "where the run timed those; else the pinned one, a lower bound, since the trainer's engine",
        "(DJL 0.35) cannot pin host memory.",
        "SAM's and SGD's steps are the measured ones above. The ranks' two GPUs run their passes at once,",
        "so the pair's step is one rank's. MB: fp32 gradient, each way, every step. *swap*: the raw",
        "socket's p50, then the exchange's over each number of streams measured (*streams: ms*).",
        "",
        "| model | compute | MB each way | SAM step | SGD step | rank, no swap | cores per side "
        "| swap: raw socket / exchange by streams "
        "| SAMPa step with the exchange, best of the streams | SAMPa/SAM | SAMPa/SGD | SAMPa/SAM with a raw socket |",
        "| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for r, cores in estimated:
        model = r["model"]
        by_streams = swaps_by_streams(model, cores)
        socket = statistics.mean(x["socket"]["p50Millis"] for x in rows(model, cores=cores))
        swap = min(by_streams.values())
        rank, trainers = rank_ms(r)
        pair = rank + swap
        lines.append(
            f"| {TITLES[model]} | {r['precision']} | {r['parameters'] * 4 / 1e6:.1f} | "
            f"{r['samMs']:.1f} | {r['sgdMs']:.1f} | {rank:.1f}{' t' if trainers else ''} | {cores} | "
            f"{socket:.1f} / {', '.join(f'{n}: {by_streams[n]:.1f}' for n in sorted(by_streams))} | "
            f"{pair:.1f} | **{pair / r['samMs']:.2f}** | {pair / r['sgdMs']:.2f} | "
            f"{(rank + socket) / r['samMs']:.2f} |")
    hidden = [(r, cores) for r, cores in estimated if "readiness" in r]
    if hidden:
        lines += [
            "",
            "If the swap were sent as the backward pass makes each gradient final (the exchange can;",
            "the trainer does at one cut with `--overlap-backward`: see the notes and `overlap-swap.md`), it could overlap the backward. *final by*: when half, 80% and all of the gradient's",
            "bytes are final, in ms after the backward's start (a hook per parameter). *swap ends*: when",
            "a swap at the best rate above, sending each gradient once it is final, would end; what it",
            "outlasts the backward by is added to *rank, no swap*. *one cut*: the backward split once",
            "(at the best place), the gradients above the cut sent as soon as the last of them is final",
            "and the rest after the backward; the share of the bytes above the cut, and SAMPa/SAM. The",
            "last column is the bound if the whole gradient were final at the backward's start.",
            "",
            "| model | compute | backward | final by (50% / 80% / 100%) | cores per side | best swap | swap ends "
            "| SAMPa/SAM, swap not hidden | SAMPa/SAM, swap sent as the gradient is final "
            "| one cut: bytes above it, SAMPa/SAM | SAMPa/SAM, all final at the start |",
            "| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
        ]
        for r, cores in hidden:
            ready, swap = r["readiness"], min(swaps_by_streams(r["model"], cores).values())
            backward, rank = ready["backwardMs"], rank_ms(r)[0]
            ends = overlapped_finish(ready, swap)
            cut_ends, cut_share = one_cut_finish(ready, swap)
            shares = " / ".join(f"{final_by(ready, share):.1f}" for share in (0.5, 0.8, 1.0))
            lines.append(
                f"| {TITLES[r['model']]} | {r['precision']} | {backward:.1f} | {shares} | {cores} | {swap:.1f} | "
                f"{ends:.1f} | {(rank + swap) / r['samMs']:.2f} | "
                f"**{(rank + max(0.0, ends - backward)) / r['samMs']:.2f}** | "
                f"{cut_share:.0%}, {(rank + max(0.0, cut_ends - backward)) / r['samMs']:.2f} | "
                f"{(rank + max(0.0, swap - backward)) / r['samMs']:.2f} |")
    notes = os.path.join(os.path.dirname(out), "gpu-picture-notes.md")
    if os.path.exists(notes):
        with open(notes) as f:
            lines += ["", f.read().rstrip()]
    with open(out, "w") as f:
        f.write("\n".join(lines) + "\n")
    print("\n".join(lines))


if __name__ == "__main__":
    if len(sys.argv) >= 5 and sys.argv[1:3] == ["collect", "--add"]:
        collect(sys.argv[3], sys.argv[4:], add=True)
    elif len(sys.argv) >= 4 and sys.argv[1] == "collect":
        collect(sys.argv[2], sys.argv[3:])
    elif len(sys.argv) == 4 and sys.argv[1] == "report":
        report(sys.argv[2], sys.argv[3])
    else:
        sys.exit(__doc__)
