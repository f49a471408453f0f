#!/usr/bin/env python3
"""Checks the JSON-lines log of a ptc training run.

Usage: check_training.py LOG --steps N [--first-near X] [--final-below Y]
                          [--val-below Z] [--data SHARD...]

--final-below-unigram compares the mean loss of the last 10 steps with the
unigram (byte-frequency) entropy of the training shards given by --data:
a model that learned nothing beyond byte frequencies cannot go below it.
"""
import argparse
import glob
import json
import math
import struct
import sys
from collections import Counter


def unigram_entropy(patterns):
    counts = Counter()
    for pattern in patterns:
        for path in sorted(glob.glob(pattern)):
            with open(path, "rb") as f:
                header = struct.unpack("<256i", f.read(1024))
                assert header[0] == 20240520, f"{path}: bad magic"
                tokens = struct.unpack(f"<{header[2]}H", f.read(2 * header[2]))
                counts.update(tokens)
    total = sum(counts.values())
    return -sum(c / total * math.log(c / total) for c in counts.values())


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("log")
    parser.add_argument("--steps", type=int, required=True)
    parser.add_argument("--first-near", type=float)
    parser.add_argument("--final-below", type=float)
    parser.add_argument("--below-unigram-by", type=float)
    parser.add_argument("--data", nargs="*", default=[])
    args = parser.parse_args()

    records = [json.loads(line) for line in open(args.log)]
    steps = [r for r in records if "loss" in r and "step" in r]
    vals = [r for r in records if "val_loss" in r]
    failures = []
    if len(steps) != args.steps:
        failures.append(f"{len(steps)} step records, expected {args.steps}")
    losses = [r["loss"] for r in steps]
    if any(not math.isfinite(l) for l in losses):
        failures.append("a loss is not finite")
    first = losses[0]
    final = sum(losses[-10:]) / len(losses[-10:])
    print(f"first loss {first:.4f}, mean of the last 10 {final:.4f}, "
          f"{len(vals)} validations"
          + (f", final val loss {vals[-1]['val_loss']:.4f}" if vals else ""))
    if args.first_near is not None and abs(first - args.first_near) > 0.15:
        failures.append(f"first loss {first:.4f} is not near {args.first_near}")
    if args.final_below is not None and not final < args.final_below:
        failures.append(f"final loss {final:.4f} is not below {args.final_below}")
    if args.below_unigram_by is not None:
        entropy = unigram_entropy(args.data)
        print(f"unigram entropy of the data {entropy:.4f}")
        if not final < entropy - args.below_unigram_by:
            failures.append(f"final loss {final:.4f} is not below the unigram "
                            f"entropy {entropy:.4f} - {args.below_unigram_by}")
        if vals and not vals[-1]["val_loss"] < entropy - args.below_unigram_by:
            failures.append(f"val loss {vals[-1]['val_loss']:.4f} is not below "
                            f"the unigram entropy")
    for failure in failures:
        print("FAILED:", failure)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
