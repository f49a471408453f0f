#!/usr/bin/env python3
"""Fuzzes the settings of graph modules given to ptc as .mlir input.

Builds the frontend-level module of a spec (`ptc compile SPEC --dump-ir`, the
first dump) for a few parallel plans, then mutates its settings attributes
(`ptc.model = #graph.model<...>`, `ptc.training = #graph.training<...>`,
`ptc.parallel = #dist.parallel<...>`) with a fixed seed: numbers to 0, -1,
huge values, 2^63; reals to NaN, infinities, negatives; enums to unknown
names; keys dropped, duplicated, added or misspelt; values of the wrong kind;
whole attributes replaced by the old dictionaries or dropped. Each mutant
goes through one of `ptc-opt` (parse and verify), `ptc plan` (the whole
pipeline and the memory plan) and `ptc compile --emit=cpu` (the emitter).

A run fails when a tool ends by a signal, exits with anything but 0 or 1,
exits 1 without a message, prints a stack dump, takes longer than the
timeout, or (for --emit=cpu) prints C++ that holds `inf` or `nan`.

CI: test/fuzz/settings.test runs 100 mutants. The long run (docs/spec.md):
  python3 test/fuzz/settings-fuzz.py --ptc build/bin/ptc \
      --ptc-opt build/bin/ptc-opt --spec models/tiny.json --count 5000 --seed 1
"""

import argparse
import concurrent.futures
import json
import os
import random
import re
import subprocess
import sys
import tempfile

# The settings attributes and their parameters, with the kind of each value.
SETTINGS = {
    "#graph.model": {
        "family": "enum", "layers": "int", "hidden": "int", "heads": "int",
        "kv_heads": "int", "ffn_hidden": "int", "seq_len": "int",
        "vocab_size": "int", "padded_vocab": "int",
        "vocab_pad_multiple": "int", "tied_embeddings": "bool"},
    "#graph.training": {
        "optimizer": "enum", "lr": "real", "beta1": "real", "beta2": "real",
        "eps": "real", "weight_decay": "real", "decay_embeddings": "bool",
        "lr_schedule": "enum", "warmup_steps": "int", "decay_steps": "int",
        "min_lr": "real", "global_batch_size": "int",
        "micro_batch_size": "int", "steps": "int", "precision": "enum",
        "keep_bf16_weights": "bool", "seed": "int", "grad_clip": "real",
        "eval_every": "int", "eval_steps": "int", "checkpoint_every": "int",
        "checkpoint_keep": "int"},
    "#dist.parallel": {
        "automatic": "bool", "tp": "int", "pp": "int", "dp": "int",
        "schedule": "enum", "virtual_stages": "int",
        "sequence_parallel": "bool", "zero_stage": "int",
        "grad_bucket_mb": "real", "recompute": "enum"},
}
NAMES = {"#graph.model": "ptc.model", "#graph.training": "ptc.training",
         "#dist.parallel": "ptc.parallel"}

INTS = ["0", "-1", "1", "2", "3", "4", "7", "64", "1024", "65536", "1048576",
        "1048577", "16777216", "2147483648", "2147483649", "1099511627776",
        "4611686018427387904", "9223372036854775807", "9223372036854775808",
        "-9223372036854775808", "18446744073709551616", "0x10", "1.5",
        "1.0e+03"]
REALS = ["0.0", "-0.0", "-1.0", "1.0", "0.5", "0.999999", "1.0e+308",
         "-1.0e+308", "1.0e-320", "0x7FF8000000000000", "0x7FF0000000000000",
         "0xFFF0000000000000", "0x0000000000000001", "1", "-1", "2.5e+04",
         "6.6e+04", "1.0e+400"]
ENUMS = ["gpt", "llama", "bert", "adamw", "sgd", "cosine", "linear",
         "constant", "step", "bf16", "fp32", "fp64", "fp16", "gpipe",
         "\"1f1b\"", "1f1b", "interleaved_1f1b", "zero_bubble", "none",
         "selective", "full", "attention", "\"\"", "\"x\\00y\""]
BOOLS = ["true", "false", "1", "0", "\"true\"", "yes"]
WRONG = ["[1, 2]", "\"text\"", "@sym", "{a = 1}", "unit", "#dist.parallel<>",
         "dense<1> : tensor<1xi64>", "i64", "", "<>"]


# Values a setting may well have: most of them pass the verifiers, so that
# the passes, `ptc plan` and the emitter see unusual but accepted settings,
# and settings that disagree with the module's tensors.
PLAUSIBLE_INTS = ["1", "2", "3", "4", "8", "16", "32", "64", "128", "256",
                  "257", "300", "512", "1024"]
PLAUSIBLE_REALS = ["0.0", "1.0e-08", "1.0e-04", "1.0e-03", "0.1", "0.5",
                   "0.9", "0.999", "1.0", "25.0", "50.0", "65536.0"]
ENUM_CASES = {
    "family": ["gpt", "llama"], "optimizer": ["adamw"],
    "lr_schedule": ["cosine", "linear", "constant"],
    "precision": ["bf16", "fp32", "fp64"],
    "schedule": ["gpipe", "\"1f1b\"", "interleaved_1f1b", "zero_bubble"],
    "recompute": ["none", "selective", "full"]}


def pick_value(rng, key, kind):
    if rng.random() < 0.6:
        if kind == "int":
            return rng.choice(PLAUSIBLE_INTS)
        if kind == "real":
            return rng.choice(PLAUSIBLE_REALS)
        if kind == "enum":
            return rng.choice(ENUM_CASES[key])
        return rng.choice(["true", "false"])
    pools = {"int": INTS, "real": REALS, "enum": ENUMS, "bool": BOOLS}
    pool = pools[kind] if rng.random() < 0.8 else WRONG + INTS + REALS
    return rng.choice(pool)


def split_fields(body):
    return [f.strip() for f in body.split(",") if f.strip()]


def mutate_attr(rng, kind, body):
    """One mutation of the `key = value, ...` body of a settings attribute."""
    fields = split_fields(body)
    params = SETTINGS[kind]
    op = rng.choice(["set"] * 12 + ["drop", "duplicate", "unknown", "bare",
                                    "set_all_extreme"])
    if op == "set":
        key = rng.choice(list(params))
        fields = [f for f in fields if f.split("=")[0].strip() != key]
        fields.insert(rng.randrange(len(fields) + 1),
                      f"{key} = {pick_value(rng, key, params[key])}")
    elif op == "drop" and fields:
        fields.pop(rng.randrange(len(fields)))
    elif op == "duplicate" and fields:
        fields.append(rng.choice(fields))
    elif op == "unknown":
        fields.append(f"{rng.choice(['auto', 'tpp', 'Lr', 'x'])} = 1")
    elif op == "bare" and fields:
        fields[rng.randrange(len(fields))] = rng.choice(list(params))
    elif op == "set_all_extreme":
        for key, k in params.items():
            if k == "int" and rng.random() < 0.3:
                fields = [f for f in fields
                          if f.split("=")[0].strip() != key]
                fields.append(f"{key} = {rng.choice(['0', '-1', '9223372036854775807'])}")
    return ", ".join(fields)


ATTR = re.compile(r"(ptc\.(?:model|training|parallel)) = "
                  r"(#graph\.model|#graph\.training|#dist\.parallel)<([^<>]*)>")


def mutate(rng, text):
    """The module `text` with 1 to 3 mutations of its settings."""
    for _ in range(rng.randint(1, 3)):
        matches = list(ATTR.finditer(text))
        if not matches:
            break
        m = rng.choice(matches)
        name, kind, body = m.group(1), m.group(2), m.group(3)
        r = rng.random()
        if r < 0.90:
            new = f"{name} = {kind}<{mutate_attr(rng, kind, body)}>"
        elif r < 0.93:
            # The old, untyped dictionary.
            dict_body = ", ".join(
                f"{f.split('=')[0].strip()} = 1" for f in split_fields(body))
            new = f"{name} = {{{dict_body}}}"
        elif r < 0.95:
            new = f"{name} = {rng.choice(WRONG) or '1'}"
        elif r < 0.97:
            new = ""  # the attribute dropped
        elif r < 0.985:
            new = m.group(0) + ", " + m.group(0)  # given twice
        else:
            other = rng.choice([k for k in SETTINGS if k != kind])
            new = f"{name} = {other}<{body}>"  # the wrong kind
        text = text[:m.start()] + new + text[m.end():]
    # Dropping an attribute can leave a stray comma.
    text = re.sub(r"\{\s*,\s*", "{", text)
    text = re.sub(r",\s*,", ",", text)
    return re.sub(r",\s*\}", "}", text)


def check(command, timeout, cpp_output=None):
    """(exit code, None) if `command` ended well, else (exit code, why not)."""
    try:
        run = subprocess.run(command, capture_output=True, text=True,
                             errors="replace", timeout=timeout)
    except subprocess.TimeoutExpired:
        return None, f"took longer than {timeout} s"
    err = run.stderr
    if run.returncode < 0:
        return run.returncode, f"killed by signal {-run.returncode}: {err[-2000:]}"
    if run.returncode not in (0, 1):
        return run.returncode, f"exit code {run.returncode}: {err[-2000:]}"
    if "Stack dump" in err or "PLEASE submit a bug report" in err:
        return run.returncode, f"stack dump: {err[-2000:]}"
    if run.returncode == 1 and not err.strip():
        return run.returncode, "exit 1 without a message"
    if run.returncode == 0 and cpp_output:
        with open(cpp_output, errors="replace") as f:
            cpp = f.read()
        if re.search(r"\b(inf|nan)\b", cpp):
            return run.returncode, "the emitted C++ holds inf or nan"
    return run.returncode, None


def base_modules(args, work):
    """The frontend-level modules of the spec under a few parallel plans."""
    with open(args.spec) as f:
        spec = json.load(f)
    plans = [({}, {}),
             ({"tp": 2, "dp": 2, "zero_stage": 1}, {"micro_batch_size": 2}),
             ({"tp": 2, "sequence_parallel": True}, {})]
    modules = []
    for i, (parallel, training) in enumerate(plans):
        variant = json.loads(json.dumps(spec))
        variant.setdefault("parallel", {}).update(parallel)
        variant["training"].update(training)
        spec_path = os.path.join(work, f"base{i}.json")
        with open(spec_path, "w") as f:
            json.dump(variant, f)
        dump = os.path.join(work, f"dump{i}")
        subprocess.run([args.ptc, "compile", spec_path, "--emit=graph",
                        f"--dump-ir={dump}", "-o", os.devnull], check=True)
        first = sorted(os.listdir(dump))[0]
        with open(os.path.join(dump, first)) as f:
            modules.append(f.read())
    return modules


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--ptc", required=True, help="the ptc binary")
    parser.add_argument("--ptc-opt", required=True, help="the ptc-opt binary")
    parser.add_argument("--spec", required=True, help="a valid spec")
    parser.add_argument("--count", type=int, default=100)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--timeout", type=float, default=30.0)
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--keep", help="copy failing mutants to this folder")
    args = parser.parse_args()
    ptc_opt = args.ptc_opt

    rng = random.Random(args.seed)
    with tempfile.TemporaryDirectory() as work:
        bases = base_modules(args, work)
        jobs = []
        for i in range(args.count):
            path = os.path.join(work, f"mutant{i}.mlir")
            with open(path, "w") as f:
                f.write(mutate(rng, rng.choice(bases)))
            tool = i % 3
            cpp = None
            if tool == 0:
                command = [ptc_opt, path, "-o", os.devnull]
            elif tool == 1:
                command = [args.ptc, "plan", path]
            else:
                cpp = os.path.join(work, f"mutant{i}.cpp")
                command = [args.ptc, "compile", path, "--emit=cpu", "-o", cpp]
            jobs.append((path, command, cpp))
        failures = 0
        accepted = 0
        with concurrent.futures.ThreadPoolExecutor(args.jobs) as pool:
            results = pool.map(lambda j: (j, check(j[1], args.timeout, j[2])),
                               jobs)
            for (path, command, _), (code, why) in results:
                if why is None:
                    accepted += code == 0
                    continue
                failures += 1
                print(f"FAIL: {' '.join(command)}: {why}")
                if args.keep:
                    os.makedirs(args.keep, exist_ok=True)
                    with open(path) as src, open(
                            os.path.join(args.keep, os.path.basename(path)),
                            "w") as dst:
                        dst.write(src.read())
    print(f"settings fuzz: {args.count} mutants (seed {args.seed}), "
          f"{accepted} accepted, {failures} failures")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
