#!/usr/bin/env python3
"""What a host buffer's first touch costs: copying a gradient into a fresh host tensor against one
allocated once, on this machine's CPU (no GPU needed).

A SAMPa rank on a GPU copies its gradient to the host every step, and the GPU picture
(`gpu_pair_estimate.py`) first timed that through `tensor.cpu()`, which allocates a fresh host
tensor each time. A fresh buffer of 146 MB is beyond the C library's reuse of freed memory, so the
kernel maps and zeroes its pages on the first touch: that, not the copy, may be what the pageable
figure measured. This times the same three ways of filling 4 bytes per parameter on the CPU alone,
for each model's parameters: into one buffer allocated once, into a fresh one each time, tensor
by tensor into fresh tensors kept until all are copied (what the trainer's engine does with a GPU
tensor's `toByteBuffer`), then into the vector sent; and into a staging buffer allocated once, then
into the vector (what the trainer does with a GPU's gradient, `WireVectors`: on the GPU it joins the
tensors first, so one copy comes off the device). Median ms over the repeats.

Usage: host_buffers.py [--models resnet56,wrn-28-2,wrn-28-10] [--repeats 15]
"""
import argparse

import torch

from gpu_pair_estimate import MODELS, median_ms


def timed(step, repeats):  # one run to warm up, then the median of repeats
    return median_ms(step, 1, repeats, lambda: None)


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--models", default="resnet56,wrn-28-2,wrn-28-10")
    p.add_argument("--repeats", type=int, default=15)
    a = p.parse_args()
    torch.set_num_threads(1)  # a rank's copy runs on one thread
    print(f"torch {torch.__version__}, one thread, median of {a.repeats}")
    print("| model | MB | into a buffer allocated once | into a fresh buffer | tensor by tensor, fresh each, "
          "then into the vector | into a staging buffer allocated once, then into the vector | fresh / once |")
    print("| --- | ---: | ---: | ---: | ---: | ---: | ---: |")
    for name in a.models.split(","):
        sizes = [q.numel() for q in MODELS[name]().parameters()]
        grads = [torch.rand(n) for n in sizes]
        flat = torch.cat(grads)
        once = torch.empty_like(flat)
        parts = once.split(sizes)
        reused = timed(lambda: once.copy_(flat), a.repeats)
        fresh = timed(lambda: torch.empty_like(flat).copy_(flat), a.repeats)

        def per_tensor():
            kept = [g.clone() for g in grads]  # fresh host tensors, alive until the step ends
            for out, host in zip(parts, kept):
                out.copy_(host)

        tensors = timed(per_tensor, a.repeats)
        staging = torch.empty_like(flat)

        def staged():
            staging.copy_(flat)  # on a GPU: the tensors joined there, then one copy to the host
            once.copy_(staging)

        through_staging = timed(staged, a.repeats)
        print(f"| {name} | {4 * flat.numel() / 1e6:.1f} | {reused:.2f} | {fresh:.2f} | {tensors:.2f} | "
              f"{through_staging:.2f} | {fresh / reused:.1f} |", flush=True)


if __name__ == "__main__":
    main()
