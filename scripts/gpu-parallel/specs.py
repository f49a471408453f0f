#!/usr/bin/env python3
"""Writes the specs of the GPU plan-equivalence runs and benchmarks.

usage: specs.py MODELS_DIR OUT_DIR

g124-* / g13-*: gpt2-124m (micro-batch 8, global 16) and gpt-1.3b
(micro-batch 4, global 8) in fp32 or bf16 with a parallel plan (1, tp2, dp2,
tp2dp2, all = tp2 + SP x dp2 + ZeRO-1, tp4); a 20-step warm-up and cosine
decay over 300 steps, so that 20-step and 200-step runs learn. b124-dp{1,2,4}:
gpt2-124m bf16, micro-batch 16, global 16 x dp; b13-tp{1,2,4}: gpt-1.3b bf16,
micro-batch 8. g124a-*: gpt2-124m fp32, micro-batch 8, global 32 (4, 2, 1
micro-batches per rank at dp 1, 2, 4: micro_step and last_micro_step).
b124-dp{2,4}-bk{0,10,100}: b124-dp* with other gradient bucket sizes (MiB;
0 = reduce after the backward). g124k-* / b124k-*: with keep_bf16_weights. g124-fp32-dp2z: dp=2 + ZeRO-1.
g124-fp32-dp2zw: the same, compiled with --zero-whole-copies (prepare.sh: names
with "-zw"), every f32 master a dp chunk. g124-bf16-dp2 / g124-bf16-dp2z and
b124-dp2z: bf16 dp=2 with ZeRO-1 (the masters of the bf16-read weights
sharded) beside dp=2 without.
"""
import json
import os
import sys

models, out = sys.argv[1], sys.argv[2]
os.makedirs(out, exist_ok=True)
PLANS = {"1": {}, "tp2": {"tp": 2}, "dp2": {"dp": 2},
         "tp2dp2": {"tp": 2, "dp": 2}, "tp4": {"tp": 4},
         "all": {"tp": 2, "dp": 2, "sequence_parallel": True,
                 "zero_stage": 1}}


def write(name, model, precision, micro, glob, plan, bucket=None, keep=False):
    with open(os.path.join(models, model + ".json")) as f:
        spec = json.load(f)
    t = spec["training"]
    t.update(precision=precision, micro_batch_size=micro,
             global_batch_size=glob, steps=300)
    t["lr_schedule"] = {"type": "cosine", "warmup_steps": 20, "min_lr": 6e-5}
    t.pop("eval", None)
    if keep:
        t["keep_bf16_weights"] = True
    spec["parallel"] = dict({"tp": 1, "pp": 1, "dp": 1}, **plan)
    if bucket is not None:
        spec["parallel"]["grad_bucket_mb"] = bucket
    with open(os.path.join(out, name + ".json"), "w") as f:
        json.dump(spec, f, indent=1)


for p in ["1", "tp2", "dp2", "tp2dp2", "all", "tp4"]:
    write(f"g124-fp32-{p}", "gpt2-124m", "fp32", 8, 16, PLANS[p])
for p in ["1", "tp2", "dp2", "tp2dp2", "tp4"]:
    write(f"g13-fp32-{p}", "gpt-1.3b", "fp32", 4, 8, PLANS[p])
for p in ["1", "tp2", "tp2dp2"]:
    write(f"g124-bf16-{p}", "gpt2-124m", "bf16", 8, 16, PLANS[p])
    write(f"g13-bf16-{p}", "gpt-1.3b", "bf16", 4, 8, PLANS[p])
write("g13-bf16-dp2", "gpt-1.3b", "bf16", 4, 8, PLANS["dp2"])
for n in [1, 2, 4]:
    write(f"b124-dp{n}", "gpt2-124m", "bf16", 16, 16 * n, {"dp": n})
    write(f"b13-tp{n}", "gpt-1.3b", "bf16", 8, 8, {"tp": n})
for p in ["1", "dp2"]:
    write(f"g124a-fp32-{p}", "gpt2-124m", "fp32", 8, 32, PLANS[p])
write("g124a-fp32-dp4", "gpt2-124m", "fp32", 8, 32, {"dp": 4})
for n in [2, 4]:
    for b in [0, 10, 100]:
        write(f"b124-dp{n}-bk{b}", "gpt2-124m", "bf16", 16, 16 * n, {"dp": n}, b)
write("g124k-bf16-1", "gpt2-124m", "bf16", 8, 16, {}, keep=True)
for n in [1, 2, 4]:
    write(f"b124k-dp{n}", "gpt2-124m", "bf16", 16, 16 * n, {"dp": n}, keep=True)
write("g124-fp32-dp2z", "gpt2-124m", "fp32", 8, 16, {"dp": 2, "zero_stage": 1})
write("g124-fp32-dp2zw", "gpt2-124m", "fp32", 8, 16, {"dp": 2, "zero_stage": 1})
write("g124-bf16-dp2", "gpt2-124m", "bf16", 8, 16, {"dp": 2})
write("g124-bf16-dp2z", "gpt2-124m", "bf16", 8, 16, {"dp": 2, "zero_stage": 1})
write("b124-dp2z", "gpt2-124m", "bf16", 16, 32, {"dp": 2, "zero_stage": 1})
