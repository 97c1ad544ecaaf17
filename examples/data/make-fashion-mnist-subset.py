#!/usr/bin/env python3
"""Writes the small Fashion-MNIST subset shipped in examples/data/fashion-mnist-subset.

Takes the first 10000 training and the first 2000 test images (with their labels) from the
Fashion-MNIST IDX files Debian installs (apt-get install dataset-fashion-mnist) and writes
them gzipped with mtime 0, so running it again gives byte-identical files.

Usage: make-fashion-mnist-subset.py [SOURCE_DIR [OUTPUT_DIR]]
"""

import gzip
import os
import struct
import sys

IMAGES_MAGIC = 0x00000803
LABELS_MAGIC = 0x00000801
PARTS = (("train", 10000), ("t10k", 2000))


def read_idx(path, magic, header_ints):
    with gzip.open(path, "rb") as f:
        data = f.read()
    fields = struct.unpack(">%dI" % header_ints, data[: 4 * header_ints])
    if fields[0] != magic:
        sys.exit("%s: bad magic 0x%08x, expected 0x%08x" % (path, fields[0], magic))
    return fields, data[4 * header_ints :]


def write_gz(path, payload):
    with open(path, "wb") as raw:
        # filename="" keeps the name out of the gzip header, mtime=0 keeps the time out.
        with gzip.GzipFile(filename="", mode="wb", fileobj=raw, compresslevel=9, mtime=0) as f:
            f.write(payload)


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    source = sys.argv[1] if len(sys.argv) > 1 else "/usr/share/datasets/fashion-mnist"
    output = sys.argv[2] if len(sys.argv) > 2 else os.path.join(here, "fashion-mnist-subset")
    os.makedirs(output, exist_ok=True)
    for part, count in PARTS:
        (_, n, rows, cols), pixels = read_idx(
            os.path.join(source, part + "-images-idx3-ubyte.gz"), IMAGES_MAGIC, 4)
        (_, n_labels), labels = read_idx(
            os.path.join(source, part + "-labels-idx1-ubyte.gz"), LABELS_MAGIC, 2)
        if n != n_labels or n < count:
            sys.exit("%s: %d images, %d labels, need %d" % (part, n, n_labels, count))
        size = rows * cols
        write_gz(os.path.join(output, part + "-images-idx3-ubyte.gz"),
                 struct.pack(">4I", IMAGES_MAGIC, count, rows, cols) + pixels[: count * size])
        write_gz(os.path.join(output, part + "-labels-idx1-ubyte.gz"),
                 struct.pack(">2I", LABELS_MAGIC, count) + labels[:count])
        counts = [0] * 10
        for label in labels[:count]:
            counts[label] += 1
        print("%s: %d images of %dx%d, class counts %s" % (part, count, rows, cols, counts))


if __name__ == "__main__":
    main()
