#!/usr/bin/env python3
"""An independent forward pass of an exported sam-trainer model, in numpy alone.

    numpy_forward.py MODEL.safetensors IMAGES.safetensors

IMAGES holds one float32 tensor "images" of shape (N, C, H, W), already normalized. Prints the
logits, (N, classes), as JSON. Knows the mlp, the cnn and the CIFAR ResNets (docs/export.md).
"""
import json
import struct
import sys

import numpy as np

DTYPES = {"F32": "<f4", "I64": "<i8"}


def load(path):
    """The tensors and metadata of a safetensors file."""
    with open(path, "rb") as f:
        (length,) = struct.unpack("<Q", f.read(8))
        header = json.loads(f.read(length))
        data = f.read()
    metadata = header.pop("__metadata__", {})
    tensors = {}
    for name, entry in header.items():
        start, end = entry["data_offsets"]
        tensors[name] = np.frombuffer(data[start:end], DTYPES[entry["dtype"]]).reshape(entry["shape"])
    return tensors, metadata


def linear(x, p, name):
    return x @ p[name + ".weight"].T + p[name + ".bias"]


def conv2d(x, w, stride, padding):
    """Cross-correlation as PyTorch's conv2d, by im2col: (N, C, H, W) * (O, C, k, k)."""
    n, c, h, wd = x.shape
    k = w.shape[2]
    xp = np.pad(x, ((0, 0), (0, 0), (padding, padding), (padding, padding)))
    oh = (h + 2 * padding - k) // stride + 1
    ow = (wd + 2 * padding - k) // stride + 1
    cols = np.empty((n, c, k, k, oh, ow), dtype=np.float64)
    for i in range(k):
        for j in range(k):
            cols[:, :, i, j] = xp[:, :, i : i + stride * oh : stride, j : j + stride * ow : stride]
    return np.einsum("nckluv,ockl->nouv", cols, w, optimize=True)


def batch_norm(x, p, name, eps):
    """Inference mode: the running statistics, not the batch's."""
    shape = (1, -1, 1, 1)
    scale = p[name + ".weight"] / np.sqrt(p[name + ".running_var"] + eps)
    return (x - p[name + ".running_mean"].reshape(shape)) * scale.reshape(shape) + p[
        name + ".bias"
    ].reshape(shape)


def relu(x):
    return np.maximum(x, 0)


def max_pool2(x):
    n, c, h, w = x.shape
    h2, w2 = h // 2, w // 2
    return x[:, :, : 2 * h2, : 2 * w2].reshape(n, c, h2, 2, w2, 2).max(axis=(3, 5))


def mlp(x, p, eps):
    x = x.reshape(x.shape[0], -1)
    x = relu(linear(x, p, "fc1"))
    x = relu(linear(x, p, "fc2"))
    return linear(x, p, "fc3")


def cnn(x, p, eps):
    x = max_pool2(relu(batch_norm(conv2d(x, p["conv1.weight"], 1, 1), p, "bn1", eps)))
    x = max_pool2(relu(batch_norm(conv2d(x, p["conv2.weight"], 1, 1), p, "bn2", eps)))
    x = relu(linear(x.reshape(x.shape[0], -1), p, "fc1"))
    return linear(x, p, "fc2")


def resnet(x, p, eps):
    x = relu(batch_norm(conv2d(x, p["conv1.weight"], 1, 1), p, "bn1", eps))
    for stage in (1, 2, 3):
        i = 0
        while f"layer{stage}.{i}.conv1.weight" in p:
            b = f"layer{stage}.{i}"
            stride = 2 if stage > 1 and i == 0 else 1
            out = relu(batch_norm(conv2d(x, p[b + ".conv1.weight"], stride, 1), p, b + ".bn1", eps))
            out = batch_norm(conv2d(out, p[b + ".conv2.weight"], 1, 1), p, b + ".bn2", eps)
            if b + ".shortcut.0.weight" in p:
                x = batch_norm(conv2d(x, p[b + ".shortcut.0.weight"], stride, 0), p, b + ".shortcut.1", eps)
            x = relu(out + x)
            i += 1
    return linear(x.mean(axis=(2, 3)), p, "fc")


NETWORKS = {"mlp": mlp, "cnn": cnn, "resnet20": resnet, "resnet32": resnet, "resnet56": resnet}


def main():
    params, metadata = load(sys.argv[1])
    images, _ = load(sys.argv[2])
    x = images["images"].astype(np.float64)
    p = {k: v.astype(np.float64) for k, v in params.items()}
    logits = NETWORKS[metadata["architecture"]](x, p, float(metadata["batch_norm_eps"]))
    json.dump(logits.tolist(), sys.stdout)


if __name__ == "__main__":
    main()
