#!/usr/bin/env python3
"""Compares two JSON-lines training logs (ptc's --log, torch_reference.py's).

Step mode (default): step by step over the first K steps (--steps K; default
all steps both logs hold),

    rel(x) = |x_a - x_b| / max(|x_b|, 1e-12)     (B is the reference)

for loss (--rtol), grad_norm (--grad-norm-rtol, default: --rtol) and lr
(--lr-rtol, default 1e-6: both sides round the same schedule to float32).
Prints a table and the largest differences; exits 1 when one is over its
tolerance.

Curve mode (--curve, for long bf16 runs, where the two runs drift apart
step by step but must learn alike): the steps are cut into consecutive
windows of --window steps (the last one may be shorter, at least half a
window, else it joins the one before), and for every window

    |mean(loss_a) - mean(loss_b)| / mean(loss_b) < --rtol;

the learning rates are still compared step by step (--lr-rtol).

Records without "step" and "loss" (start, end, validation) are ignored.
Exit status: 0 within tolerance, 1 over it, 2 unusable logs (missing steps,
non-finite values, bad JSON).

  compare_logs.py ptc.jsonl torch.jsonl --steps 20 --rtol 1e-4
  compare_logs.py ptc.jsonl torch.jsonl --curve --window 50 --rtol 0.02
"""
import argparse
import json
import math
import sys


class LogError(Exception):
    pass


def read_steps(path):
    """{step: record} of the training-step records of a log."""
    steps = {}
    try:
        f = open(path)
    except OSError as e:
        raise LogError("%s: %s" % (path, e.strerror))
    with f:
        for i, line in enumerate(f, 1):
            line = line.strip()
            if not line:
                continue
            try:
                r = json.loads(line)
            except ValueError as e:
                raise LogError("%s:%d: not JSON: %s" % (path, i, e))
            if not isinstance(r, dict) or "step" not in r or "loss" not in r:
                continue
            s = int(r["step"])
            if s in steps:
                raise LogError("%s:%d: step %d appears twice" % (path, i, s))
            steps[s] = r
    if not steps:
        raise LogError("%s: no training-step records" % path)
    return steps


def rel(a, b):
    if a == b:
        return 0.0
    return abs(a - b) / max(abs(b), 1e-12)


def value(rec, key, path):
    v = rec.get(key)
    if v is None:
        raise LogError("%s: step %s has no %r" % (path, rec.get("step"), key))
    v = float(v)
    if not math.isfinite(v):
        raise LogError("%s: step %s: %s is %r" % (path, rec.get("step"), key, v))
    return v


def select_steps(a, b, args):
    common = sorted(set(a) & set(b))
    if args.steps is None:
        if not common:
            raise LogError("the logs share no step")
        steps = common
    else:
        steps = list(range(1, args.steps + 1))
        for name, log in (("A", a), ("B", b)):
            missing = [s for s in steps if s not in log]
            if missing:
                raise LogError("log %s lacks %d of the first %d steps (first: %d)"
                               % (name, len(missing), args.steps, missing[0]))
    return steps


def fmt(x):
    return "%.6e" % x


def compare_steps(a, b, steps, args, out):
    keys = [("loss", args.rtol), ("grad_norm", args.grad_norm_rtol),
            ("lr", args.lr_rtol)]
    worst = {k: (0.0, None) for k, _ in keys}
    rows = []
    for s in steps:
        row = [str(s)]
        for k, _ in keys:
            va, vb = value(a[s], k, args.a), value(b[s], k, args.b)
            r = rel(va, vb)
            if worst[k][1] is None or r > worst[k][0]:
                worst[k] = (r, s)
            row += [fmt(va), fmt(vb), "%.2e" % r]
        rows.append(row)
    header = ["step", "loss A", "loss B", "rel", "grad_norm A", "grad_norm B", "rel",
              "lr A", "lr B", "rel"]
    every = args.print_every or max(1, len(rows) // 40)
    shown = [r for i, r in enumerate(rows) if i % every == 0 or i == len(rows) - 1]
    widths = [max(len(h), *(len(r[i]) for r in shown)) for i, h in enumerate(header)]
    out.write("  ".join(h.rjust(w) for h, w in zip(header, widths)) + "\n")
    for r in shown:
        out.write("  ".join(c.rjust(w) for c, w in zip(r, widths)) + "\n")
    failed = False
    for k, tol in keys:
        r, s = worst[k]
        ok = r <= tol
        failed |= not ok
        out.write("%-9s max rel diff %.3e at step %s  (rtol %.1e)  %s\n"
                  % (k, r, s, tol, "ok" if ok else "FAIL"))
    return failed


def compare_curve(a, b, steps, args, out):
    W = args.window
    windows = [steps[i:i + W] for i in range(0, len(steps), W)]
    if len(windows) > 1 and len(windows[-1]) < (W + 1) // 2:
        windows[-2] = windows[-2] + windows.pop()
    failed = False
    worst = (0.0, None)
    out.write("%13s  %12s  %12s  %9s\n" % ("steps", "mean loss A", "mean loss B", "rel"))
    for w in windows:
        ma = sum(value(a[s], "loss", args.a) for s in w) / len(w)
        mb = sum(value(b[s], "loss", args.b) for s in w) / len(w)
        r = rel(ma, mb)
        bad = r >= args.rtol
        failed |= bad
        if r >= worst[0]:
            worst = (r, "%d-%d" % (w[0], w[-1]))
        out.write("%13s  %12.6f  %12.6f  %9.2e%s\n"
                  % ("%d-%d" % (w[0], w[-1]), ma, mb, r, "  FAIL" if bad else ""))
    out.write("loss      max window rel diff %.3e at steps %s  (rtol %.1e, %d windows of %d)  %s\n"
              % (worst[0], worst[1], args.rtol, len(windows), W, "FAIL" if failed else "ok"))
    lr_worst = max((rel(value(a[s], "lr", args.a), value(b[s], "lr", args.b)), s) for s in steps)
    lr_bad = lr_worst[0] > args.lr_rtol
    out.write("lr        max rel diff %.3e at step %d  (rtol %.1e)  %s\n"
              % (lr_worst[0], lr_worst[1], args.lr_rtol, "FAIL" if lr_bad else "ok"))
    return failed or lr_bad


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                formatter_class=argparse.RawDescriptionHelpFormatter,
                                epilog=__doc__.split("\n\n", 1)[1])
    p.add_argument("a", help="log A (ptc)")
    p.add_argument("b", help="log B (the reference: relative differences divide by B)")
    p.add_argument("--steps", type=int, help="compare steps 1..K (default: all common steps)")
    p.add_argument("--rtol", type=float, default=1e-4,
                   help="loss tolerance (curve mode: per window) (1e-4)")
    p.add_argument("--grad-norm-rtol", type=float,
                   help="grad_norm tolerance (default: --rtol; 'inf' skips it)")
    p.add_argument("--lr-rtol", type=float, default=1e-6, help="lr tolerance (1e-6)")
    p.add_argument("--curve", action="store_true", help="compare moving averages of the loss")
    p.add_argument("--window", type=int, default=50, help="curve window in steps (50)")
    p.add_argument("--print-every", type=int, help="table rows: every Nth step (default: about 40 rows)")
    args = p.parse_args(argv)
    if args.grad_norm_rtol is None:
        args.grad_norm_rtol = args.rtol
    if args.window < 1 or (args.steps is not None and args.steps < 1):
        p.error("--window and --steps must be positive")
    try:
        a, b = read_steps(args.a), read_steps(args.b)
        steps = select_steps(a, b, args)
        out = sys.stdout
        out.write("A: %s\nB: %s\n%d steps (%d..%d), %s mode\n"
                  % (args.a, args.b, len(steps), steps[0], steps[-1],
                     "curve" if args.curve else "step"))
        failed = (compare_curve if args.curve else compare_steps)(a, b, steps, args, out)
    except LogError as e:
        print("compare_logs: error: %s" % e, file=sys.stderr)
        return 2
    print("compare_logs: %s" % ("FAIL" if failed else "PASS"))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
