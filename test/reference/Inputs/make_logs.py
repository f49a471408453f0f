#!/usr/bin/env python3
"""Writes JSON-lines logs for compare-logs.test into DIR:

  base.jsonl       60 steps in ptc's record format, with start/val/end records
  same.jsonl       the same step values, other timings, no extra records
  loss-1e-3.jsonl  base with the loss of step 7 multiplied by 1 + 1e-3
  gnorm.jsonl      base with grad_norm of step 3 multiplied by 1.01
  lr.jsonl         base with lr of step 5 multiplied by 1 + 1e-5
  short.jsonl      the first 10 steps of base
  nan.jsonl        base with a NaN loss at step 4
  noisy.jsonl      base plus +-1% step-to-step noise (zero mean per window of 10)
  shifted.jsonl    base with every loss of steps 41..60 raised by 5%
"""
import json
import math
import os
import sys


def base_records():
    out = []
    for s in range(1, 61):
        lr = 1e-3 * min(1.0, s / 20)
        out.append({"step": s, "loss": 5.545 * math.exp(-s / 40) + 1.5,
                    "lr": float("%.9g" % lr), "grad_norm": 2.0 / math.sqrt(s),
                    "tokens_per_s": 1000.0 + s, "ms": 3.0, "mem_bytes": 123})
    return out


def write(path, records, extra=True):
    with open(path, "w") as f:
        if extra:
            f.write(json.dumps({"event": "start", "model": "tiny", "steps": 60}) + "\n")
        for r in records:
            f.write(json.dumps(r) + "\n")
            if extra and r["step"] % 20 == 0:
                f.write(json.dumps({"step": r["step"], "val_loss": 2.0,
                                    "val_batches": 4, "ms": 1.0}) + "\n")
        if extra:
            f.write(json.dumps({"event": "end", "steps": 60}) + "\n")


def perturbed(step, key, factor):
    recs = base_records()
    recs[step - 1][key] *= factor
    return recs


def main():
    d = sys.argv[1]
    os.makedirs(d, exist_ok=True)
    write(os.path.join(d, "base.jsonl"), base_records())
    same = base_records()
    for r in same:
        r["ms"], r["tokens_per_s"] = 99.0, 1.0
    write(os.path.join(d, "same.jsonl"), same, extra=False)
    write(os.path.join(d, "loss-1e-3.jsonl"), perturbed(7, "loss", 1 + 1e-3))
    write(os.path.join(d, "gnorm.jsonl"), perturbed(3, "grad_norm", 1.01))
    write(os.path.join(d, "lr.jsonl"), perturbed(5, "lr", 1 + 1e-5))
    write(os.path.join(d, "short.jsonl"), base_records()[:10])
    nan = base_records()
    nan[3]["loss"] = float("nan")
    write(os.path.join(d, "nan.jsonl"), nan)
    noisy = base_records()
    for r in noisy:
        r["loss"] *= 1 + 0.01 * (1 if r["step"] % 2 else -1)
    write(os.path.join(d, "noisy.jsonl"), noisy)
    shifted = base_records()
    for r in shifted[40:]:
        r["loss"] *= 1.05
    write(os.path.join(d, "shifted.jsonl"), shifted)


if __name__ == "__main__":
    main()
