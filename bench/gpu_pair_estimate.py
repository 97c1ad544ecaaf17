#!/usr/bin/env python3
"""What a SAMPa rank's step costs on a GPU besides the swap, beside SAM's and SGD's steps.

The trainer's engine (DJL 0.35) has no CUDA build on the machines this was measured on, so the
GPU picture in docs/benchmarks is put together from two measurements on the same GPU node: this
script times the steps in PyTorch (eager, the models of the picture at batch 128 on 32x32x3
images), and `bench/exchange-swap.sh` times the pair exchange on the node's cores. A SAMPa rank's
step is the perturbation, one gradient pass, the parameters restored by copy, the gradient's copy
to the host (the exchange sends from host memory), the swap, the peer's gradient's copy back and
the update; this script times all of it but the swap ("rank, no swap"), with the host buffers
pinned and pageable, and the copies alone five ways (see `through_host`). SAM is two passes with the
perturbation between them (ALGORITHMS.md); SGD one pass. Each figure is the median over the timed
steps, each step bounded by a device synchronisation. It also times when each parameter's gradient
becomes final during the backward pass (a hook per parameter, timed by CUDA events on a GPU): what a
swap sent as the backward goes could already send.

Usage: gpu_pair_estimate.py [--models resnet56,wrn-28-2,wrn-28-10] [--json FILE]
"""
import argparse
import json
import statistics
import time

import torch
import torch.nn as nn
import torch.nn.functional as F

from gpu_picture_report import final_by
from pytorch_step_reference import CifarResNet


class WideBlock(nn.Module):
    """Pre-activation block of a wide ResNet (Zagoruyko and Komodakis), no dropout."""

    def __init__(self, cin, cout, stride):
        super().__init__()
        self.bn1 = nn.BatchNorm2d(cin)
        self.conv1 = nn.Conv2d(cin, cout, 3, stride, 1, bias=False)
        self.bn2 = nn.BatchNorm2d(cout)
        self.conv2 = nn.Conv2d(cout, cout, 3, 1, 1, bias=False)
        self.shortcut = None if stride == 1 and cin == cout else nn.Conv2d(cin, cout, 1, stride, bias=False)

    def forward(self, x):
        o = F.relu(self.bn1(x))
        y = self.conv1(o)
        y = self.conv2(F.relu(self.bn2(y)))
        return y + (x if self.shortcut is None else self.shortcut(o))


class WideResNet(nn.Module):
    def __init__(self, depth, width, classes=10):
        super().__init__()
        n = (depth - 4) // 6
        self.conv = nn.Conv2d(3, 16, 3, 1, 1, bias=False)
        layers, cin = [], 16
        for channels, stride in ((16 * width, 1), (32 * width, 2), (64 * width, 2)):
            for i in range(n):
                layers.append(WideBlock(cin, channels, stride if i == 0 else 1))
                cin = channels
        self.layers = nn.Sequential(*layers)
        self.bn = nn.BatchNorm2d(cin)
        self.fc = nn.Linear(cin, classes)

    def forward(self, x):
        out = F.relu(self.bn(self.layers(self.conv(x))))
        return self.fc(torch.flatten(F.adaptive_avg_pool2d(out, 1), 1))


MODELS = {
    "resnet56": lambda: CifarResNet(56, 3, 10),
    "wrn-28-2": lambda: WideResNet(28, 2),
    "wrn-28-10": lambda: WideResNet(28, 10),
}


def median_ms(step, warmup, steps, sync):
    for _ in range(warmup):
        step()
    sync()
    times = []
    for _ in range(steps):
        start = time.perf_counter()
        step()
        sync()
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times)


def measure(name, precision, device, batch, warmup, steps, rho=0.05):
    torch.manual_seed(1)
    model = MODELS[name]().to(device).train()
    fmt = torch.channels_last if precision == "bf16" else torch.contiguous_format
    model = model.to(memory_format=fmt)
    params = [p for p in model.parameters()]
    count = sum(p.numel() for p in params)
    opt = torch.optim.SGD(params, lr=0.01, momentum=0.9, weight_decay=5e-4)
    x = torch.randn(batch, 3, 32, 32, device=device).to(memory_format=fmt)
    y = torch.randint(0, 10, (batch,), device=device)
    cuda = device.type == "cuda"
    sync = torch.cuda.synchronize if cuda else (lambda: None)

    def forward():
        with torch.autocast(device.type, dtype=torch.bfloat16, enabled=precision == "bf16"):
            return F.cross_entropy(model(x), y)

    def grad_pass():
        for p in params:
            p.grad = None
        forward().backward()

    def sgd():
        grad_pass()
        opt.step()

    def sam():
        grad_pass()
        with torch.no_grad():
            grads = [p.grad for p in params]
            norm = torch.linalg.vector_norm(torch.stack(torch._foreach_norm(grads)))
            eps = torch._foreach_mul(grads, rho / (norm + 1e-12))
            torch._foreach_add_(params, eps)
        grad_pass()
        with torch.no_grad():
            torch._foreach_sub_(params, eps)
        opt.step()

    flat = torch.empty(count, device=device)
    pinned = {k: torch.zeros(count, pin_memory=cuda) for k in ("own", "peer")}
    # allocated once, as the trainer's: the vector sent, the peer's, and the trainer's staging buffer
    pageable = {k: torch.zeros(count) for k in ("own", "peer", "staging")}
    sizes = [p.numel() for p in params]
    views = [v.view_as(p) for v, p in zip(flat.split(sizes), params)]

    saved = [p.detach().clone() for p in params]
    gy = [torch.zeros_like(p) for p in params]  # the last gradient from the y worker

    def copy_all(dst, src):
        if hasattr(torch, "_foreach_copy_"):
            torch._foreach_copy_(dst, src)
        else:  # PyTorch before 2.1
            for d, s in zip(dst, src):
                d.copy_(s)

    host_views = {k: v.split(sizes) for k, v in pageable.items()}

    def through_host(how, own_on_host_first):
        """The rank's gradient out to the host and the peer's (there, as the swap leaves it) back.

        how: "pinned", through pinned buffers allocated once; "pageable", out into a fresh pageable
        tensor (`flat.cpu()`: the kernel maps and zeroes 4 bytes per parameter on every step) and
        back from one allocated once; "reused", both through pageable buffers allocated once;
        "engine", what the trainer's engine does by itself (DJL 0.35, `toByteBuffer` on a GPU
        tensor): each gradient tensor out into a fresh host tensor of its own, kept until the step
        ends, copied into the vector the exchange sends, and the peer's back tensor by tensor from
        its receive buffer; and "trainer", what the trainer does (`WireVectors`): the gradient
        tensors joined on the device, one copy into a staging buffer allocated once, then into the
        vector sent, and the peer's back in one copy whose views are its tensors.
        """
        if how == "pinned":
            pinned["own"].copy_(flat, non_blocking=True)
            if own_on_host_first:
                sync()  # the exchange reads the host copy
            flat.copy_(pinned["peer"], non_blocking=True)  # the swap would fill "peer"
        elif how == "pageable":
            flat.cpu()
            flat.copy_(pageable["peer"].to(device))
        elif how == "reused":
            pageable["own"].copy_(flat)
            flat.copy_(pageable["peer"])
        elif how == "engine":
            kept = [g.cpu() for g in flat.split(sizes)]
            for out, host in zip(host_views["own"], kept):
                out.copy_(host)
            for into, peer in zip(flat.split(sizes), host_views["peer"]):
                into.copy_(peer.to(device))
        else:  # "trainer"
            pageable["staging"].copy_(torch.cat(flat.split(sizes)))
            pageable["own"].copy_(pageable["staging"])
            flat.copy_(pageable["peer"].to(device))

    def rank(pin):
        def step():
            # worker 0's side (worker 1's tentative step costs the same): x + rho gy / ||gy||,
            # the pass there, and x restored by copy (ALGORITHMS.md, SAMPa)
            with torch.no_grad():
                copy_all(saved, params)
                norm = torch.linalg.vector_norm(torch.stack(torch._foreach_norm(gy)))
                torch._foreach_add_(params, torch._foreach_mul(gy, rho / (norm + 1e-12)))
            grad_pass()
            with torch.no_grad():
                copy_all(params, saved)
            torch.cat([p.grad.reshape(-1) for p in params], out=flat)
            through_host("pinned" if pin else "pageable", own_on_host_first=True)
            # unflatten, and the update with both gradients (the pair's step, ALGORITHMS.md)
            grads = [p.grad for p in params]  # no autograd here: gradients are not leaves
            torch._foreach_add_(grads, views)
            torch._foreach_mul_(grads, 0.5)
            opt.step()

        return step

    def copies(how):
        return lambda: through_host(how, own_on_host_first=False)

    def readiness():
        """When each parameter's gradient is final in the backward pass: ms after the backward's start
        (median over the steps) and its fp32 bytes, in the order they come; and the backward's median.
        What a swap sent as the backward goes could send, and when."""
        clock = (lambda: torch.cuda.Event(enable_timing=True)) if cuda else None

        def now():
            if not cuda:
                return time.perf_counter()
            event = clock()
            event.record()  # on the stream the backward runs on: marks the GPU's progress
            return event

        def elapsed(start, end):
            return start.elapsed_time(end) if cuda else (end - start) * 1000

        marks = {}

        def stamp(i):
            def hook(grad):
                marks[i] = now()  # the gradient for parameter i is computed; accumulating it is a copy
            return hook

        handles = [p.register_hook(stamp(i)) for i, p in enumerate(params)]
        ready, backward = [[] for _ in params], []
        try:
            for n in range(warmup + steps):
                for p in params:
                    p.grad = None
                loss = forward()
                start = now()
                loss.backward()
                end = now()
                sync()
                if n >= warmup:
                    backward.append(elapsed(start, end))
                    for i in range(len(params)):
                        ready[i].append(elapsed(start, marks[i]))
        finally:
            for h in handles:
                h.remove()
        order = sorted(range(len(params)), key=lambda i: statistics.median(ready[i]))
        return {"backwardMs": statistics.median(backward),
                "readyMs": [round(statistics.median(ready[i]), 3) for i in order],
                "readyBytes": [4 * params[i].numel() for i in order]}

    row = {"model": name, "parameters": count, "precision": precision, "batch": batch}
    # The forward pass alone, graph kept as for a backward: the rest of a pass is the backward,
    # the time a swap sent layer by layer as the backward produces them could hide behind.
    row["forwardMs"] = median_ms(forward, warmup, steps, sync)
    row["passMs"] = median_ms(grad_pass, warmup, steps, sync)
    row["sgdMs"] = median_ms(sgd, warmup, steps, sync)
    row["samMs"] = median_ms(sam, warmup, steps, sync)
    row["rankIncludesPerturbation"] = True
    row["rankPinnedMs"] = median_ms(rank(True), warmup, steps, sync)
    row["rankPageableMs"] = median_ms(rank(False), warmup, steps, sync)
    row["copiesPinnedMs"] = median_ms(copies("pinned"), warmup, steps, sync)
    row["copiesPageableMs"] = median_ms(copies("pageable"), warmup, steps, sync)
    row["copiesReusedMs"] = median_ms(copies("reused"), warmup, steps, sync)
    row["copiesEngineMs"] = median_ms(copies("engine"), warmup, steps, sync)
    row["copiesStagedMs"] = median_ms(copies("trainer"), warmup, steps, sync)
    row["readiness"] = readiness()
    return row


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--models", default="resnet56,wrn-28-2,wrn-28-10")
    p.add_argument("--precisions", default="fp32,bf16")
    p.add_argument("--batch", type=int, default=128)
    p.add_argument("--warmup", type=int, default=10)
    p.add_argument("--steps", type=int, default=30)
    p.add_argument("--device", default="cuda" if torch.cuda.is_available() else "cpu")
    p.add_argument("--json")
    a = p.parse_args()
    device = torch.device(a.device)
    torch.backends.cudnn.benchmark = True
    report = {
        "torch": torch.__version__,
        "device": torch.cuda.get_device_name(device) if device.type == "cuda" else "cpu",
        "cudnnAllowTf32": torch.backends.cudnn.allow_tf32,
        "rows": [],
    }
    print(f"torch {report['torch']} on {report['device']}, batch {a.batch}, 32x32x3", flush=True)
    print("model | parameters | precision | forward | pass | SGD | SAM | "
          "rank, no swap (pinned / pageable) | copies (pinned / pageable / reused / engine's / trainer's) ms")
    for name in a.models.split(","):
        for precision in a.precisions.split(","):
            r = measure(name, precision, device, a.batch, a.warmup, a.steps)
            report["rows"].append(r)
            print(
                f"{name} | {r['parameters']:,} | {precision} | {r['forwardMs']:.2f} | {r['passMs']:.2f} | "
                f"{r['sgdMs']:.2f} | {r['samMs']:.2f} | {r['rankPinnedMs']:.2f} / {r['rankPageableMs']:.2f} | "
                f"{r['copiesPinnedMs']:.2f} / {r['copiesPageableMs']:.2f} / "
                f"{r['copiesReusedMs']:.2f} / {r['copiesEngineMs']:.2f} / {r['copiesStagedMs']:.2f}",
                flush=True,
            )
            ready = r["readiness"]
            print("  the gradient's bytes final in the backward: " + ", ".join(
                f"{share:.0%} at {final_by(ready, share):.2f} ms" for share in (0.5, 0.8, 0.95, 1.0))
                + f" of {ready['backwardMs']:.2f} ms", flush=True)
            if a.json:
                with open(a.json, "w") as f:
                    json.dump(report, f, indent=2)


if __name__ == "__main__":
    main()
