#!/usr/bin/env python3
"""Checks that a run split by checkpoints trains exactly like a straight run.

usage: same_steps.py STRAIGHT.jsonl PART.jsonl... --steps N

Reads the step records (those with "step" and "loss") of the straight run
and of the parts of the split run (later parts override earlier ones for a
step both hold: a part resumed from an older checkpoint repeats steps), and
requires steps 1..N to hold identical loss, grad_norm and lr: bit for bit,
the JSON numbers are written round-trip exact. Prints one line and exits 0,
or names the first difference and exits 1.
"""
import argparse
import json
import sys


def steps_of(path):
    out = {}
    with open(path) as f:
        for line in f:
            r = json.loads(line)
            if "step" in r and "loss" in r:
                out[r["step"]] = r
    return out


def main():
    p = argparse.ArgumentParser()
    p.add_argument("straight")
    p.add_argument("parts", nargs="+")
    p.add_argument("--steps", type=int, required=True)
    args = p.parse_args()
    straight = steps_of(args.straight)
    split = {}
    for part in args.parts:
        split.update(steps_of(part))
    for step in range(1, args.steps + 1):
        for where, log in (("straight", straight), ("split", split)):
            if step not in log:
                sys.exit(f"same_steps: step {step} missing from the {where} run")
        for key in ("loss", "grad_norm", "lr"):
            a, b = straight[step][key], split[step][key]
            if a != b:
                sys.exit(f"same_steps: step {step}: {key} {b!r} (split) vs "
                         f"{a!r} (straight)")
    print(f"same_steps: steps 1-{args.steps} identical (loss, grad_norm, lr)")


if __name__ == "__main__":
    main()
