#!/usr/bin/env python3
"""Plan equivalence on the cpu target, one parallel plan against one process.

usage: plan_check.py SPEC --set KEY=VALUE... --ranks N --ptc PTC --data GLOB
                     --work DIR [--steps 20] [--rtol 1e-5]
                     [--compile-arg ARG]...

Writes SPEC with the `parallel` entries of --set (tp=2, dp=2,
sequence_parallel=true, zero_stage=1, ...) next to the single-process spec,
compiles both for the cpu target (with the --compile-arg flags), trains the single-process program and the
parallel one under `mpirun -np N` for --steps steps from the same seed on
the same data, and compares:

  - the losses, gradient norms and learning rates step by step (relative
    difference below --rtol; test/reference/compare_logs.py);
  - the final weights, tensor by tensor (the same names and full shapes;
    |a - b| <= rtol * max|b| + 1e-6 everywhere): the parallel program
    gathers its shards into full tensors. The absolute term: reductions in
    another order change gradients in their 7th digit, and AdamW, which
    divides by sqrt(v), turns that into weight differences near 1e-7 where
    gradients are tiny (zero-initialised biases); 1e-6 is a thousandth of
    one step at lr 1e-3, far below what a wrong shard would give.

Then the single-process weights go through the parallel program
(`--init-from`, each rank keeps its shard; `--steps 0 --save-weights`, the
shards gathered again) and must come back bit for bit.

Exits 0 when both agree; otherwise prints what differs and exits 1. A job
that runs longer than 300 s is killed and reported as a hang.
"""
import argparse
import json
import os
import struct
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.abspath(os.path.join(HERE, "..", "..", "..", ".."))
COMPARE_LOGS = os.path.join(ROOT, "test", "reference", "compare_logs.py")
MPIRUN = ["mpirun", "--oversubscribe", "--allow-run-as-root"]

sys.path.insert(0, os.path.join(HERE, "..", "..", "Inputs"))
from checked_run import parse_value, run as checked_run  # noqa: E402


def run(command, timeout=300):
    return checked_run(command, "plan_check", timeout)


def load_safetensors(path):
    with open(path, "rb") as f:
        blob = f.read()
    (size,) = struct.unpack("<Q", blob[:8])
    header = json.loads(blob[8:8 + size])
    tensors = {}
    for name, info in header.items():
        if name == "__metadata__":
            continue
        if info["dtype"] not in ("F32", "F64"):
            sys.exit(f"plan_check: {path}: {name} has dtype {info['dtype']}")
        start, end = info["data_offsets"]
        fmt = "<%d%s" % ((end - start) // (4 if info["dtype"] == "F32" else 8),
                         "f" if info["dtype"] == "F32" else "d")
        tensors[name] = (info["shape"],
                         struct.unpack(fmt, blob[8 + size + start:8 + size + end]))
    return tensors


def compare_weights(parallel, single, rtol):
    a, b = load_safetensors(parallel), load_safetensors(single)
    if a.keys() != b.keys():
        sys.exit(f"plan_check: tensor names differ: {sorted(a.keys() ^ b.keys())}")
    worst, where = 0.0, ""
    for name in sorted(b):
        if a[name][0] != b[name][0]:
            sys.exit(f"plan_check: {name}: shape {a[name][0]} (parallel) vs "
                     f"{b[name][0]} (single)")
        scale = max((abs(x) for x in b[name][1]), default=0.0)
        diff = max((abs(x - y) for x, y in zip(a[name][1], b[name][1])),
                   default=0.0)
        rel = diff / (scale + 1e-12)
        if rel > worst:
            worst, where = rel, name
        if diff > rtol * scale + 1e-6:
            sys.exit(f"plan_check: {name}: max |parallel - single| = {diff:.3g}, "
                     f"over {rtol} x max|single| = {rtol * scale:.3g}")
    print(f"weights: {len(b)} tensors, max relative difference {worst:.3g}"
          f"{' (' + where + ')' if where else ''}")


def main():
    p = argparse.ArgumentParser()
    p.add_argument("spec")
    p.add_argument("--set", action="append", default=[], metavar="KEY=VALUE")
    p.add_argument("--ranks", type=int, required=True)
    p.add_argument("--ptc", required=True)
    p.add_argument("--data", required=True)
    p.add_argument("--work", required=True)
    p.add_argument("--steps", type=int, default=20)
    p.add_argument("--rtol", type=float, default=1e-5)
    p.add_argument("--compile-arg", action="append", default=[],
                   help="an extra `ptc compile` flag for both programs")
    args = p.parse_args()

    os.makedirs(args.work, exist_ok=True)
    with open(args.spec) as f:
        spec = json.load(f)
    spec.setdefault("parallel", {})
    single = json.loads(json.dumps(spec))
    single["parallel"].update({"tp": 1, "pp": 1, "dp": 1})
    for item in args.set:
        key, _, value = item.partition("=")
        spec["parallel"][key] = parse_value(value)
    paths = {}
    for name, content in (("single", single), ("parallel", spec)):
        paths[name] = os.path.join(args.work, name)
        with open(paths[name] + ".json", "w") as f:
            json.dump(content, f, indent=1)
        run([args.ptc, "compile", paths[name] + ".json", "--target=cpu",
             "-o", paths[name]] + args.compile_arg)
    common = ["--data", args.data, "--steps", str(args.steps), "--quiet"]
    for name in ("single", "parallel"):
        launch = [] if name == "single" else MPIRUN + ["-np", str(args.ranks)]
        print(run(launch + [paths[name]] + common +
                  ["--log", paths[name] + ".jsonl",
                   "--save-weights", paths[name] + ".safetensors"]), end="")
    print(run([sys.executable, COMPARE_LOGS, paths["parallel"] + ".jsonl",
               paths["single"] + ".jsonl", "--steps", str(args.steps),
               "--rtol", str(args.rtol), "--print-every", "5"]), end="")
    compare_weights(paths["parallel"] + ".safetensors",
                    paths["single"] + ".safetensors", args.rtol)
    round_trip = paths["parallel"] + "-roundtrip.safetensors"
    run(MPIRUN + ["-np", str(args.ranks), paths["parallel"], "--steps", "0",
                  "--init-from", paths["single"] + ".safetensors",
                  "--save-weights", round_trip])
    # The tensors, not the files: the metadata records the step.
    if load_safetensors(round_trip) != load_safetensors(paths["single"] +
                                                        ".safetensors"):
        sys.exit("plan_check: the single-process weights loaded into the "
                 "parallel program and saved again differ from the file")
    print("checkpoint round trip through the parallel program: identical "
          "tensors")
    print("plan_check: PASS")


if __name__ == "__main__":
    main()
