#!/usr/bin/env python3
"""Makes examples/data/fashion-mnist-subset from Debian's dataset-fashion-mnist package.

The first 10,000 training and 2,000 test images of Fashion-MNIST, in the original IDX format,
gzip-compressed with a fixed timestamp so the output is byte-for-byte reproducible.
Usage: examples/data/make-fashion-mnist-subset.py [SOURCE_DIR]
"""
import collections
import gzip
import os
import struct
import sys

SOURCE = sys.argv[1] if len(sys.argv) > 1 else "/usr/share/datasets/fashion-mnist"
TARGET = os.path.join(os.path.dirname(os.path.abspath(__file__)), "fashion-mnist-subset")
PARTS = {"train": 10000, "t10k": 2000}


def write(name, data):
    with open(os.path.join(TARGET, name), "wb") as raw:
        with gzip.GzipFile(fileobj=raw, mode="wb", compresslevel=9, mtime=0, filename="") as out:
            out.write(data)


os.makedirs(TARGET, exist_ok=True)
for part, count in PARTS.items():
    with gzip.open(os.path.join(SOURCE, f"{part}-images-idx3-ubyte.gz")) as f:
        magic, n, rows, cols = struct.unpack(">IIII", f.read(16))
        images = f.read(count * rows * cols)
    with gzip.open(os.path.join(SOURCE, f"{part}-labels-idx1-ubyte.gz")) as f:
        magic_l, n_l = struct.unpack(">II", f.read(8))
        labels = f.read(count)
    assert magic == 0x803 and magic_l == 0x801 and n >= count and n_l >= count
    write(f"{part}-images-idx3-ubyte.gz", struct.pack(">IIII", magic, count, rows, cols) + images)
    write(f"{part}-labels-idx1-ubyte.gz", struct.pack(">II", magic_l, count) + labels)
    print(part, count, "images, per class:", sorted(collections.Counter(labels).items()))
