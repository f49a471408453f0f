#!/usr/bin/env python3
"""Compares the JSON logs of a single-process run and a parallel run.

usage: compare_runs.py SINGLE.jsonl PARALLEL.jsonl --steps N

Both logs must hold one record per step 1..N (a parallel run's log is
written by rank 0 alone: no duplicated or interleaved records) with the
same loss and grad norm (within 1e-6 relative: the parallel program
averages the loss over dp in f32), the same validation loss, and the same
tokens per step in the start record.
"""
import argparse
import json
import sys


def load(path):
    with open(path) as f:
        return [json.loads(line) for line in f]


def close(a, b):
    return abs(a - b) <= 1e-6 * max(abs(a), abs(b), 1e-12)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("single")
    parser.add_argument("parallel")
    parser.add_argument("--steps", type=int, required=True)
    args = parser.parse_args()
    single, parallel = load(args.single), load(args.parallel)
    errors = []
    for name, log in (("single", single), ("parallel", parallel)):
        steps = [r["step"] for r in log if "loss" in r]
        if steps != list(range(1, args.steps + 1)):
            errors.append(f"{name}: step records {steps}")
    if single[0]["tokens_per_step"] != parallel[0]["tokens_per_step"]:
        errors.append("tokens per step differ: "
                      f"{single[0]['tokens_per_step']} vs "
                      f"{parallel[0]['tokens_per_step']}")
    for s, p in zip(single, parallel):
        for key in ("loss", "grad_norm", "val_loss"):
            if key in s and not close(s[key], p.get(key, float("nan"))):
                errors.append(f"step {s['step']}: {key} {s[key]} (single) "
                              f"vs {p.get(key)} (parallel)")
    for e in errors:
        print("compare_runs:", e)
    if not errors:
        print(f"compare_runs: {args.steps} steps agree")
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main())
