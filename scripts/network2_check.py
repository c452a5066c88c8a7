#!/usr/bin/env python3
"""Check decaylab's network files against an independent implementation.

    scripts/network2_check.py evaluate NET.json [--set validation|test]
        Load NET.json as network2.py's `load` does (sizes, weights, biases,
        cost), run network2's `feedforward` on MNIST from data/mnist/, and print
        the accuracy. It must equal what `decaylab train` reported for the same
        network on the same set.

    scripts/network2_check.py write NET.json [--sizes 784,30,10] [--seed 0]
        Write a freshly initialized network (network2's
        default_weight_initializer) exactly as network2.py's `save` writes it
        (json.dump of lists), for `decaylab train --load NET.json`.

Uses numpy when it is installed, plain Python otherwise (slower: about a
minute for 10,000 images).
"""

import argparse
import gzip
import json
import math
import os
import random
import struct
import sys

try:
    import numpy as np
except ImportError:  # plain Python fallback
    np = None

DATA = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "data", "mnist")


def read_idx(name):
    with gzip.open(os.path.join(DATA, name + ".gz"), "rb") as f:
        raw = f.read()
    zero, kind, rank = struct.unpack(">HBB", raw[:4])
    assert zero == 0 and kind == 8, name
    dims = struct.unpack(">" + "I" * rank, raw[4 : 4 + 4 * rank])
    return dims, raw[4 + 4 * rank :]


def load_set(which):
    """Nielsen's split: validation = last 10,000 of train, test = t10k."""
    prefix = "t10k" if which == "test" else "train"
    (count, rows, cols), pixels = read_idx(prefix + "-images-idx3-ubyte")
    _, labels = read_idx(prefix + "-labels-idx1-ubyte")
    size = rows * cols
    first = 0 if which == "test" else count - 10000
    images = [pixels[i * size : (i + 1) * size] for i in range(first, count)]
    return images, list(labels[first:count])


def sigmoid(z):
    if z < -700:
        return 0.0
    return 1.0 / (1.0 + math.exp(-z))


def evaluate(path, which):
    with open(path) as f:
        data = json.load(f)
    sizes, weights, biases = data["sizes"], data["weights"], data["biases"]
    assert data["cost"] in ("CrossEntropyCost", "QuadraticCost"), data["cost"]
    images, labels = load_set(which)
    correct = 0
    if np is not None:
        # network2's feedforward, a whole set at once: a = sigmoid(w a + b).
        a = np.array([list(img) for img in images], dtype=np.float64).T / 255.0
        for w, b in zip(weights, biases):
            a = 1.0 / (1.0 + np.exp(-(np.array(w) @ a + np.array(b))))
        correct = int(np.sum(np.argmax(a, axis=0) == np.array(labels)))
    else:
        for img, label in zip(images, labels):
            a = [p / 255.0 for p in img]
            for w, b in zip(weights, biases):
                a = [sigmoid(sum(wi * ai for wi, ai in zip(row, a)) + bj[0]) for row, bj in zip(w, b)]
            correct += int(a.index(max(a)) == label)
    print(f"{path}: sizes {sizes}, {data['cost']}, {which} accuracy {correct}/{len(labels)} = {100.0 * correct / len(labels):.2f}%")


def write(path, sizes, seed):
    rng = random.Random(seed)
    biases = [[[rng.gauss(0, 1)] for _ in range(y)] for y in sizes[1:]]
    weights = [
        [[rng.gauss(0, 1) / math.sqrt(x) for _ in range(x)] for _ in range(y)]
        for x, y in zip(sizes[:-1], sizes[1:])
    ]
    with open(path, "w") as f:
        json.dump({"sizes": sizes, "weights": weights, "biases": biases, "cost": "CrossEntropyCost"}, f)
    print(f"wrote {path} (network2 format, sizes {sizes})")


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(dest="command", required=True)
    ev = sub.add_parser("evaluate")
    ev.add_argument("net")
    ev.add_argument("--set", choices=["validation", "test"], default="validation")
    wr = sub.add_parser("write")
    wr.add_argument("net")
    wr.add_argument("--sizes", default="784,30,10")
    wr.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    if args.command == "evaluate":
        evaluate(args.net, args.set)
    else:
        write(args.net, [int(s) for s in args.sizes.split(",")], args.seed)


if __name__ == "__main__":
    sys.exit(main())
