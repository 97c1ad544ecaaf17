#!/usr/bin/env python3
"""Every training method of docs/ALGORITHMS.md written a second time, in PyTorch, and held against
the trainer.

    fidelity.py DIR [--slip NAME ...]

DIR is what the trainer's FidelityTest writes:
  runs.json                      steps, the data file, and per run: model, method, the optimizer spec
                                 as the trainer read it, and the two tensor files below
  data.safetensors               images (steps, batch, C, H, W) float32, labels (steps, batch) int64;
                                 step t trains on batch t
  <run>.initial.safetensors      the network before training, under PyTorch names (docs/export.md)
  <run>.final.safetensors        the trainer's network after `steps` steps

For every run this script loads the initial tensors into the PyTorch module of docs/export.md,
trains it with its own implementation of the method (below, from ALGORITHMS.md, not from the
trainer's code), and compares every tensor, BatchNorm running statistics included, with the
trainer's. It prints the table

  | model | method | max relative difference | tolerance | verdict | largest in | moved |

and exits 1 when any row fails (2 on a usage or input error).

The difference of one tensor is max|trainer - reference| / max(max|reference|, 1e-6) (the largest
deviation measured against the tensor's scale, so near-zero entries do not dominate); a row's is
the largest over its tensors. "moved" is ||final - initial|| / ||final|| over all the reference's tensors:
how far the run went, against which the difference is small.

--slip NAME puts a deliberate mistake into the reference, to show the comparison catches it:
  rho-doubled              every perturbation uses 2 rho
  k-one-short              K-SAM trains on k - 1 samples
  second-pass-updates-bn   SAM's perturbed pass updates the BatchNorm running statistics
  no-projection            LookSAM stores g_s itself instead of its part orthogonal to g
  y-without-momentum       SAMPa's y rank steps plainly: y = x - lr * gy
  lambda-swapped           SAMPa mixes lambda gA + (1 - lambda) gB
  one-statistics           SAMPa's two workers share one set of BatchNorm statistics
  x-worker-freezes-bn      SAMPa's rank 0 leaves its BatchNorm statistics as they were, as SAM's
                           perturbed pass does (ALGORITHMS.md does not say; the trainer updates them)
  losses-in-eval-mode      K-SAM ranks samples by losses from BatchNorm's running statistics
                           (ALGORITHMS.md does not say which; the trainer uses the batch's, as the
                           gradient passes do)
"""
import argparse
import contextlib
import json
import math
import os
import struct
import sys
import time

import numpy as np
import torch
from torch import nn
import torch.nn.functional as F

# Float32 on the CPU, two different programs calling different kernels (DJL's libtorch and Debian's
# torch 1.13; summation orders differ) through 50 steps: the trajectories drift apart by rounding
# alone. Measured on SGD, the base every method builds on: about 1e-6 on both models (table in
# docs/benchmarks/fidelity.md). The tolerance is 20x that: wide enough for methods that take two or
# three gradients a step and so accumulate more rounding, narrow enough that every deliberate slip
# above fails by orders of magnitude (docs/benchmarks/fidelity.md shows them).
TOLERANCE = {"mlp": 2e-5, "cnn": 2e-5}

NORM_EPSILON = 1e-12  # ALGORITHMS.md: every norm in a denominator is ||v|| + 1e-12
ADAPTIVE_OFFSET = 0.01  # ASAM: T = |x| + 0.01
SLIPS = ("rho-doubled", "k-one-short", "second-pass-updates-bn", "no-projection",
         "y-without-momentum", "lambda-swapped", "one-statistics", "x-worker-freezes-bn",
         "losses-in-eval-mode")


# ---------------------------------------------------------------------------------------------
# The networks, verbatim from docs/export.md.

class Mlp(nn.Module):                       # architecture: mlp
    def __init__(self, input_shape, classes):
        super().__init__()
        c, h, w = input_shape
        self.fc1, self.fc2, self.fc3 = nn.Linear(c * h * w, 512), nn.Linear(512, 256), nn.Linear(256, classes)

    def forward(self, x):
        x = x.flatten(1)
        return self.fc3(F.relu(self.fc2(F.relu(self.fc1(x)))))


class SmallCnn(nn.Module):                  # architecture: cnn
    def __init__(self, input_shape, classes):
        super().__init__()
        c, h, w = input_shape
        self.conv1, self.bn1 = nn.Conv2d(c, 32, 3, padding=1, bias=False), nn.BatchNorm2d(32)
        self.conv2, self.bn2 = nn.Conv2d(32, 64, 3, padding=1, bias=False), nn.BatchNorm2d(64)
        self.fc1, self.fc2 = nn.Linear(64 * (h // 4) * (w // 4), 128), nn.Linear(128, classes)

    def forward(self, x):
        x = F.max_pool2d(F.relu(self.bn1(self.conv1(x))), 2)
        x = F.max_pool2d(F.relu(self.bn2(self.conv2(x))), 2)
        return self.fc2(F.relu(self.fc1(x.flatten(1))))


MODULES = {"mlp": Mlp, "cnn": SmallCnn}


# ---------------------------------------------------------------------------------------------
# Files.

def read_safetensors(path):
    """name -> tensor. The format: 8-byte little-endian header length, JSON header, raw data."""
    dtypes = {"F32": np.float32, "I64": np.int64}
    with open(path, "rb") as f:
        (length,) = struct.unpack("<Q", f.read(8))
        header = json.loads(f.read(length))
        data = f.read()
    header.pop("__metadata__", None)
    tensors = {}
    for name, entry in header.items():
        start, end = entry["data_offsets"]
        array = np.frombuffer(data[start:end], dtype=np.dtype(dtypes[entry["dtype"]]).newbyteorder("<"))
        tensors[name] = torch.from_numpy(array.astype(dtypes[entry["dtype"]]).reshape(entry["shape"]))
    return tensors


# ---------------------------------------------------------------------------------------------
# Vector arithmetic over the flat parameter vector x (a list of tensors), norms in float64.

def norm(v):
    return math.sqrt(sum(float(t.double().square().sum()) for t in v))


def dot(a, b):
    return sum(float((s.double() * t.double()).sum()) for s, t in zip(a, b))


def scaled(v, a):
    return [t * a for t in v]


def added(a, b, scale=1.0):
    """a + scale * b"""
    return [s + scale * t for s, t in zip(a, b)]


# ---------------------------------------------------------------------------------------------
# The network as the methods see it.

class Net:
    """A module in training mode with its trainable tensors x and its BatchNorm statistics."""

    def __init__(self, module):
        self.module = module.train()
        self.x = list(module.parameters())

    def statistics(self):
        return [b for name, b in self.module.named_buffers()
                if name.endswith("running_mean") or name.endswith("running_var")]

    def gradient(self, images, labels):
        """g(x; B): gradient of the mean cross-entropy (no label smoothing: the runs use none);
        BatchNorm running statistics update as in any training step."""
        for p in self.x:
            p.grad = None
        F.cross_entropy(self.module(images), labels).backward()
        return [p.grad.detach().clone() for p in self.x]

    def per_sample_losses(self, images, labels, training=True):
        """Forward only, running statistics untouched; BatchNorm normalizes with the batch's own
        statistics (training mode), as the gradient passes do, unless `training` is False."""
        self.module.train(training)
        try:
            with torch.no_grad(), self.frozen_statistics():
                return F.cross_entropy(self.module(images), labels, reduction="none")
        finally:
            self.module.train()

    @contextlib.contextmanager
    def moved_to(self, values):
        """x = values for the block; afterwards x is restored by copy."""
        saved = [p.detach().clone() for p in self.x]
        with torch.no_grad():
            for p, v in zip(self.x, values):
                p.copy_(v)
        try:
            yield
        finally:
            with torch.no_grad():
                for p, s in zip(self.x, saved):
                    p.copy_(s)

    @contextlib.contextmanager
    def frozen_statistics(self):
        saved = [b.clone() for b in self.statistics()]
        try:
            yield
        finally:
            for b, s in zip(self.statistics(), saved):
                b.copy_(s)

    @contextlib.contextmanager
    def statistics_of(self, own):
        """Another worker's BatchNorm statistics `own` in place for the block; what the block's
        passes do to them is kept in `own`."""
        live = [b.clone() for b in self.statistics()]
        for b, o in zip(self.statistics(), own):
            b.copy_(o)
        try:
            yield
        finally:
            for b, o, l in zip(self.statistics(), own, live):
                o.copy_(b)
                b.copy_(l)


class BaseSgd:
    """The base optimizer: PyTorch's own torch.optim.SGD (momentum, coupled weight decay)."""

    def __init__(self, net, spec):
        base = spec["base"]
        if base["type"].upper() != "SGD":
            raise SystemExit(f"fidelity.py knows the SGD base optimizer, not {base['type']}")
        self.net = net
        self.momentum, self.weight_decay = base["momentum"], base["weightDecay"]
        self.optimizer = torch.optim.SGD(net.x, lr=base["learningRate"], momentum=self.momentum,
                                         weight_decay=self.weight_decay, nesterov=base["nesterov"])

    def step(self, d, lr):
        for p, di in zip(self.net.x, d):
            p.grad = di.clone()
        for group in self.optimizer.param_groups:
            group["lr"] = lr
        self.optimizer.step()

    def momentum_buffers(self):
        """buf of ALGORITHMS.md, zero before the first step."""
        buffers = []
        for p in self.net.x:
            buf = self.optimizer.state.get(p, {}).get("momentum_buffer")
            buffers.append(torch.zeros_like(p) if buf is None else buf)
        return buffers


def learning_rate(spec, step, steps):
    """The run is one epoch of `steps` steps, no warm-up."""
    peak, schedule = spec["base"]["learningRate"], spec["schedule"]
    if schedule.get("warmupEpochs", 0):
        raise SystemExit("fidelity.py does not model warm-up")
    if schedule["type"] == "constant":
        return peak
    if schedule["type"] == "cosine" and schedule["per"] == "step":
        return peak * 0.5 * (1 + math.cos(math.pi * step / steps))
    raise SystemExit(f"fidelity.py does not model the schedule {schedule}")


# ---------------------------------------------------------------------------------------------
# The methods, one function each, as ALGORITHMS.md states them.

class Method:
    """What every method needs: the network, the base optimizer, the batches, the settings."""

    def __init__(self, net, spec, batches, steps, slips):
        self.net, self.spec, self.batches, self.steps, self.slips = net, spec, batches, steps, slips
        self.base = BaseSgd(net, spec)
        self.rho = spec["rho"] * (2 if "rho-doubled" in slips else 1)
        self.notes = []

    def lr(self, t):
        return learning_rate(self.spec, t, self.steps)

    def eps(self, g):
        """SAM's ascent step: rho g / ||g||, or ASAM's rho T^2 g / ||T g||, T = |x| + 0.01."""
        if not self.spec["adaptive"]:
            return scaled(g, self.rho / (norm(g) + NORM_EPSILON))
        t = [p.detach().abs() + ADAPTIVE_OFFSET for p in self.net.x]
        tg = [ti * gi for ti, gi in zip(t, g)]
        factor = self.rho / (norm(tg) + NORM_EPSILON)
        return [ti * ti * gi * factor for ti, gi in zip(t, g)]

    def sam_gradient(self, g, images, labels, eps=None):
        """g_s = g(x + eps; B): same batch, BatchNorm statistics unchanged, x restored by copy."""
        eps = self.eps(g) if eps is None else eps
        x = [p.detach() for p in self.net.x]
        frozen = (contextlib.nullcontext() if "second-pass-updates-bn" in self.slips
                  else self.net.frozen_statistics())
        with self.net.moved_to(added(x, eps)), frozen:
            return self.net.gradient(images, labels)


def sgd(m):
    for t in range(m.steps):
        m.base.step(m.net.gradient(*m.batches[t]), m.lr(t))


def sam(m):
    """SAM, and ASAM when the spec says adaptive."""
    for t in range(m.steps):
        images, labels = m.batches[t]
        g = m.net.gradient(images, labels)
        m.base.step(m.sam_gradient(g, images, labels), m.lr(t))


def ksam(m):
    """SAM on the k highest-loss samples of each batch."""
    selection = m.spec["ksam"]
    closest = math.inf
    for t in range(m.steps):
        images, labels = m.batches[t]
        b = len(labels)
        k = selection["topK"] if selection.get("topK") is not None else math.ceil(selection["topFraction"] * b)
        k = max(1, min(k, b)) - (1 if "k-one-short" in m.slips else 0)
        losses = m.net.per_sample_losses(images, labels, training="losses-in-eval-mode" not in m.slips)
        ranked = torch.sort(losses, descending=True, stable=True)
        if k < b and float(ranked.values[k - 1]) > 1e-4:
            # How near the k-th and (k+1)-th losses come: were they within rounding, the two
            # implementations could pick different samples, and that would explain a failure.
            # (Among samples of loss near 0, which one is picked hardly changes the gradient.)
            gap = float(ranked.values[k - 1] - ranked.values[k])
            closest = min(closest, gap / float(ranked.values[k - 1]))
        chosen = ranked.indices[:k].sort().values
        g = m.net.gradient(images[chosen], labels[chosen])
        m.base.step(m.sam_gradient(g, images[chosen], labels[chosen]), m.lr(t))
    if closest < 1e-4:
        m.notes.append(f"K-SAM's k-th and (k+1)-th losses came within {closest:.1e} (relative) of each other")


def looksam(m, layer_perturbation=False):
    """LookSAM (global or per tensor); with layer_perturbation, Look-LayerSAM."""
    settings = m.spec["lookSam"]
    k, alpha, per_tensor = settings["interval"], settings["alpha"], settings["perTensor"]
    # The norms of the projection and the rescaling: over the whole vector, or tensor by tensor.
    parts = (lambda v: [[t] for t in v]) if per_tensor else (lambda v: [v])
    joined = (lambda ps: [p[0] for p in ps]) if per_tensor else (lambda ps: ps[0])
    gv = None
    for t in range(m.steps):
        images, labels = m.batches[t]
        g = m.net.gradient(images, labels)
        if t % k == 0:
            eps = None
            if layer_perturbation:
                eps = [m.rho * float(p.detach().norm()) * gj / (float(gj.norm()) + NORM_EPSILON)
                       for p, gj in zip(m.net.x, g)]
            gs = m.sam_gradient(g, images, labels, eps)
            if "no-projection" in m.slips:
                gv = gs
            else:
                gv = joined([added(s, gi, -dot(gi, s) / (norm(gi) + NORM_EPSILON) ** 2)
                             for s, gi in zip(parts(gs), parts(g))])
            d = gs
        else:
            d = joined([added(gi, v, alpha * norm(gi) / (norm(v) + NORM_EPSILON))
                        for gi, v in zip(parts(g), parts(gv))])
        m.base.step(d, m.lr(t))


def sampa(m):
    """SAMPa as its two workers run it (state: x, buf, gy, prev, each worker's BN statistics)."""
    if m.spec["adaptive"] or m.spec["base"]["nesterov"]:
        raise SystemExit("ALGORITHMS.md defines SAMPa's steps for plain eps and plain momentum only")
    lam = m.spec["sampa"]["lambda"]
    if "lambda-swapped" in m.slips:
        lam = 1 - lam
    mu, wd = m.base.momentum, m.base.weight_decay
    gy = [torch.zeros_like(p) for p in m.net.x]
    prev = 0
    # Both workers start from the same statistics; rank 0's are the module's own.
    rank_one = [s.clone() for s in m.net.statistics()]
    for t in range(m.steps):
        lr = m.lr(t)
        x = [p.detach().clone() for p in m.net.x]
        # rank 0: the gradient at x + rho gy / ||gy|| on the batch gy was computed on
        eps = scaled(gy, m.rho / (norm(gy) + NORM_EPSILON))
        frozen = (m.net.frozen_statistics() if "x-worker-freezes-bn" in m.slips
                  else contextlib.nullcontext())
        with m.net.moved_to(added(x, eps)), frozen:
            ga = m.net.gradient(*m.batches[prev])
        # rank 1: the gradient on this step's batch at the tentative base step y = x - s
        if t == 0 or "y-without-momentum" in m.slips:
            s = scaled(gy, lr)
        else:
            s = [lr * (gyi + wd * xi + mu * bi) for gyi, xi, bi in zip(gy, x, m.base.momentum_buffers())]
        own = (contextlib.nullcontext() if "one-statistics" in m.slips
               else m.net.statistics_of(rank_one))
        with own, m.net.moved_to(added(x, s, -1.0)):
            gb = m.net.gradient(*m.batches[t])
        # both: one base step along the mix, then gy, prev = gB, B_t
        m.base.step(added(scaled(ga, 1 - lam), gb, lam), lr)
        gy, prev = gb, t


METHODS = {
    "SGD": sgd,
    "SAM": sam,
    "KSAM": ksam,
    # lookSam.layerwise: Look-LayerSAM, whose SAM steps perturb each tensor by rho times its norm.
    "LookSAM": lambda m: looksam(m, layer_perturbation=m.spec["lookSam"].get("layerwise", False)),
    "SAMPa": sampa,
}


# ---------------------------------------------------------------------------------------------
# Comparison.

def relative_differences(trainer, reference):
    """name -> max|trainer - reference| / max|reference|, over the reference's tensors."""
    out = {}
    for name, ref in reference.items():
        if name not in trainer:
            raise SystemExit(f"the trainer's file lacks {name}")
        scale = max(float(ref.abs().max()), 1e-6)  # a tensor of zeros: compare absolutely
        out[name] = float((trainer[name].double() - ref.double()).abs().max()) / scale
    return out


def one_ulp_apart(tensors, seed):
    """Every float entry moved by one unit in the last place, up or down at random: the size of
    difference that different kernels make in one operation."""
    generator = torch.Generator().manual_seed(seed)
    out = {}
    for name, t in tensors.items():
        if t.dtype != torch.float32:
            out[name] = t
            continue
        up = torch.rand(t.shape, generator=generator) < 0.5
        out[name] = torch.where(up, torch.nextafter(t, torch.full_like(t, math.inf)),
                                torch.nextafter(t, torch.full_like(t, -math.inf)))
    return out


def reference_run(run, directory, batches, classes, steps, slips, nudged=False):
    initial = read_safetensors(os.path.join(directory, run["initial"]))
    if nudged:
        initial = one_ulp_apart(initial, seed=1)
    module = MODULES[run["model"]](tuple(batches[0][0].shape[1:]), classes)
    state = module.state_dict()
    for name in state:
        if name.endswith("num_batches_tracked"):
            initial.setdefault(name, state[name])  # unused with PyTorch's fixed momentum 0.1
    module.load_state_dict(initial, strict=True)
    net = Net(module)
    method = Method(net, run["optimizer"], batches, steps, slips)
    METHODS[run["optimizer"]["method"]](method)
    tensors = {name: t.detach() for name, t in module.state_dict().items()
               if not name.endswith("num_batches_tracked")}
    return tensors, {name: t for name, t in initial.items() if name in tensors}, method.notes


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("directory")
    parser.add_argument("--slip", action="append", default=[], choices=SLIPS)
    parser.add_argument("--sensitivity", action="store_true",
                        help="add a column: how far the reference drifts from itself over the run"
                             " when its initial tensors start one ulp apart (rounding's growth)")
    args = parser.parse_args()
    torch.set_num_threads(1)
    torch.manual_seed(0)  # nothing here should draw random numbers; this makes sure of it
    started = time.monotonic()

    with open(os.path.join(args.directory, "runs.json")) as f:
        index = json.load(f)
    steps = index["steps"]
    data = read_safetensors(os.path.join(args.directory, index["data"]))
    batches = [(data["images"][t], data["labels"][t]) for t in range(steps)]

    rows, notes, failed = [], [], False
    for run in index["runs"]:
        reference, initial, run_notes = reference_run(run, args.directory, batches, index["classes"], steps, args.slip)
        trainer = read_safetensors(os.path.join(args.directory, run["final"]))
        differences = relative_differences(trainer, reference)
        worst = max(differences, key=differences.get)
        moved = math.sqrt(sum(float((reference[n].double() - initial[n].double()).square().sum())
                              for n in reference) / sum(float(reference[n].double().square().sum())
                                                        for n in reference))
        tolerance = TOLERANCE[run["model"]]
        ok = differences[worst] <= tolerance
        failed |= not ok
        row = (run["model"], run["method"], f"{differences[worst]:.2e}", f"{tolerance:.0e}",
               "PASS" if ok else "FAIL", worst, f"{moved:.2e}")
        if args.sensitivity:
            nudged, _, _ = reference_run(run, args.directory, batches, index["classes"], steps, args.slip,
                                         nudged=True)
            row += (f"{max(relative_differences(nudged, reference).values()):.2e}",)
        rows.append(row)
        notes += [f"{run['model']} {run['method']}: {n}" for n in run_notes]

    header = ("model", "method", "max relative difference", "tolerance", "verdict", "largest in", "moved")
    if args.sensitivity:
        header += ("reference vs itself, 1 ulp apart",)
    widths = [max(len(r[i]) for r in rows + [header]) for i in range(len(header))]
    line = lambda cells: "| " + " | ".join(c.ljust(w) for c, w in zip(cells, widths)) + " |"
    print(line(header))
    print("|" + "|".join("-" * (w + 2) for w in widths) + "|")
    for r in rows:
        print(line(r))
    print()
    if args.slip:
        print("deliberate slips in the reference: " + ", ".join(args.slip))
    for n in notes:
        print("note: " + n)
    print(f"{len(rows)} runs of {steps} steps, torch {torch.__version__}, "
          f"reference computed in {time.monotonic() - started:.1f} s: "
          + ("FAIL" if failed else "all within tolerance"))
    if failed and not args.slip and not args.sensitivity:
        print("To tell a disagreement from rounding that the trajectory amplifies, rerun with"
              f" --sensitivity: python3 bench/fidelity.py {args.directory} --sensitivity")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
