#!/usr/bin/env python3
"""Resuming is exact: N straight steps == K steps + a resumed run to N.

usage: resume_check.py SPEC [--set KEY=VALUE]... --ranks R --ptc PTC
                       --data GLOB --work DIR [--steps 20] [--split 10]
                       [--compile-arg ARG]...

Writes SPEC with the `parallel` entries of --set, compiles it for the cpu
target, and runs it (under `mpirun -np R` when R > 1) three times from the
same seed on the same data:

  straight   --steps N, saving the final weights;
  first      --steps K with a checkpoint every 4 steps (written alongside
             training) and after step K, keeping 3;
  resumed    --steps N --resume auto (the newest: step K), saving the
             final weights.

Then requires the losses, gradient norms and learning rates of steps 1..N
(first + resumed) to equal the straight run's bit for bit, and the final
weights (gathered to full tensors) to hold identical bytes. Prints what the
checkpoint holds (its plan, rank files and tensors per kind) and
"resume_check: PASS", or what differs and exits 1.
"""
import argparse
import json
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
MPIRUN = ["mpirun", "--oversubscribe", "--allow-run-as-root"]

sys.path.insert(0, os.path.join(HERE, "..", "..", "Inputs"))
from checked_run import parse_value, run as checked_run  # noqa: E402


def run(command, timeout=300):
    return checked_run(command, "resume_check", timeout)


def describe(step_dir):
    """What a checkpoint holds: its plan, rank files and tensors per kind."""
    with open(os.path.join(step_dir, "manifest.json")) as f:
        manifest = json.load(f)
    kinds = {}
    for shard in manifest["shards"]:
        for t in shard["tensors"]:
            kinds[t["kind"]] = kinds.get(t["kind"], 0) + 1
    files = sorted(s["file"] for s in manifest["shards"])
    return (f"checkpoint: plan {manifest['plan']}; files {' '.join(files)}; "
            + ", ".join(f"{n} {k}" for k, n in sorted(kinds.items())))


def main():
    p = argparse.ArgumentParser()
    p.add_argument("spec")
    p.add_argument("--set", action="append", default=[], metavar="KEY=VALUE")
    p.add_argument("--ranks", type=int, required=True)
    p.add_argument("--ptc", required=True)
    p.add_argument("--data", required=True)
    p.add_argument("--work", required=True)
    p.add_argument("--steps", type=int, default=20)
    p.add_argument("--split", type=int, default=10)
    p.add_argument("--compile-arg", action="append", default=[])
    args = p.parse_args()

    os.makedirs(args.work, exist_ok=True)
    with open(args.spec) as f:
        spec = json.load(f)
    spec.setdefault("parallel", {})
    for item in args.set:
        key, _, value = item.partition("=")
        spec["parallel"][key] = parse_value(value)
    w = lambda name: os.path.join(args.work, name)
    with open(w("spec.json"), "w") as f:
        json.dump(spec, f, indent=1)
    run([args.ptc, "compile", w("spec.json"), "--target=cpu", "-o",
         w("prog")] + args.compile_arg)
    launch = (MPIRUN + ["-np", str(args.ranks)]) if args.ranks > 1 else []
    common = launch + [w("prog"), "--data", args.data, "--quiet"]
    run(common + ["--steps", str(args.steps), "--log", w("straight.jsonl"),
                  "--save-weights", w("straight.safetensors")])
    saving = ["--checkpoint-dir", w("ckpt"), "--checkpoint-every", "4",
              "--checkpoint-keep", "3"]
    run(common + ["--steps", str(args.split), "--log", w("first.jsonl")] +
        saving)
    summary = describe(os.path.join(w("ckpt"), "step_%08d" % args.split))
    out = run(common + ["--steps", str(args.steps), "--log",
                        w("resumed.jsonl"), "--resume", "auto",
                        "--save-weights", w("resumed.safetensors")] + saving)
    print(out, end="")
    print(run([sys.executable, os.path.join(HERE, "same_steps.py"),
               w("straight.jsonl"), w("first.jsonl"), w("resumed.jsonl"),
               "--steps", str(args.steps)]), end="")
    with open(w("straight.safetensors"), "rb") as a, \
            open(w("resumed.safetensors"), "rb") as b:
        if a.read() != b.read():
            sys.exit("resume_check: the final weights differ")
    print("final weights: identical bytes")
    print(summary)
    records = []
    for name in ("first.jsonl", "resumed.jsonl"):
        with open(w(name)) as f:
            records += [json.loads(line) for line in f]
    saves = [r["background"] for r in records
             if r.get("event") == "checkpoint"]
    print(f"saves: {sum(saves)} alongside training, "
          f"{len(saves) - sum(saves)} at once")
    print("resume_check: PASS")


if __name__ == "__main__":
    main()
