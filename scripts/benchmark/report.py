#!/usr/bin/env python3
"""The single-GPU benchmark, part 3: reads run.sh's raw outputs and writes
results.md (a Markdown table: tokens/s, ms per step, MFU, peak memory, the
ratio of ptc to each baseline, the card and the date) and results.json.

MFU counts model FLOPs as ../shared/bench/torch_gpt.py does (Megatron-LM's
72 B s l h^2 (1 + s/6h + V/12lh), V = 50304, no recomputation) over the
card's dense bf16 peak (989 TFLOP/s for the H100 and H200), for every
implementation alike, so the column compares like with like."""
import argparse, datetime, json, os, re, statistics, sys

PEAK_TFLOPS = 989.0
VOCAB = 50304


def model_flops_per_step(layers, h, seq, vocab, tokens):
    return 72 * tokens * layers * h * h * (1 + seq / (6 * h) + vocab / (12 * layers * h))


def shape_of(model):
    spec = json.load(open(f"{model}.json"))
    m, t = spec["model"], spec["training"]
    return m["layers"], m["hidden"], m["seq_len"], t["micro_batch_size"]


def ptc_result(path):
    if not os.path.exists(path):
        return None
    steps = [json.loads(l) for l in open(path) if l.startswith("{") and '"step"' in l]
    steps = [r for r in steps if "ms" in r and r.get("step", 0) > 10]
    if not steps:
        return None
    return {"ms": statistics.median(r["ms"] for r in steps),
            "peak_gib": max(r.get("mem_bytes", 0) for r in steps) / 2**30}


def torch_result(path):
    if not os.path.exists(path):
        return None
    for line in open(path):
        if line.startswith("{"):
            r = json.loads(line)
            return {"ms": r["step_ms"], "peak_gib": r["mem_GiB"]}
    return None


def llmc_result(path):
    if not os.path.exists(path):
        return None
    text = open(path).read()
    ms = [float(x) for k, x in re.findall(r"^step\s+(\d+)/\d+ \|.*?\| ([0-9.]+) ms \|", text, re.M)
          if int(k) > 10]
    mem = re.search(r"device memory usage: (\d+) MiB", text)
    if not ms:
        return None
    return {"ms": statistics.median(ms), "peak_gib": int(mem.group(1)) / 1024 if mem else None}


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--card", required=True)
    p.add_argument("--raw", required=True)
    p.add_argument("--models", required=True)
    p.add_argument("--out", required=True)
    a = p.parse_args()
    date = datetime.date.today().isoformat()
    rows = []
    for model in a.models.strip().split(","):
        layers, hidden, seq, micro = shape_of(model)
        tokens = micro * seq
        flops = model_flops_per_step(layers, hidden, seq, VOCAB, tokens)
        for impl, read in (("ptc", ptc_result), ("pytorch+compile", torch_result),
                           ("llm.c", llmc_result)):
            stem = {"ptc": "ptc", "pytorch+compile": "torch", "llm.c": "llmc"}[impl]
            ext = "jsonl" if impl == "ptc" else "txt"
            r = read(os.path.join(a.raw, f"{stem}-{model}.{ext}"))
            if r is None:
                continue
            rows.append({"model": model, "impl": impl, "micro_batch": micro, "seq": seq,
                         "ms": round(r["ms"], 2), "tokens_per_s": round(tokens / r["ms"] * 1000),
                         "mfu": round(flops / (r["ms"] / 1000) / 1e12 / PEAK_TFLOPS, 4),
                         "peak_gib": None if r["peak_gib"] is None else round(r["peak_gib"], 2),
                         "card": a.card, "date": date})
    for row in rows:
        ptc = next((r for r in rows if r["model"] == row["model"] and r["impl"] == "ptc"), None)
        row["ptc_ratio"] = round(ptc["tokens_per_s"] / row["tokens_per_s"], 3) if ptc else None
    os.makedirs(a.out, exist_ok=True)
    json.dump(rows, open(os.path.join(a.out, "results.json"), "w"), indent=1)
    lines = [f"Single-GPU benchmark on {a.card}, {date} (median step after warm-up; MFU over "
             f"{PEAK_TFLOPS:.0f} TFLOP/s dense bf16; ptc / x: ptc's tokens/s over x's)", "",
             "| model | micro-batch | implementation | tokens/s | ms/step | MFU | peak GiB | ptc / x |",
             "| --- | --- | --- | --- | --- | --- | --- | --- |"]
    for r in rows:
        peak = "" if r["peak_gib"] is None else f"{r['peak_gib']:.2f}"
        ratio = "" if r["impl"] == "ptc" or r["ptc_ratio"] is None else f"{r['ptc_ratio']:.3f}"
        lines.append(f"| {r['model']} | {r['micro_batch']} | {r['impl']} | {r['tokens_per_s']:,} | "
                     f"{r['ms']:.2f} | {100 * r['mfu']:.1f}% | {peak} | {ratio} |")
    open(os.path.join(a.out, "results.md"), "w").write("\n".join(lines) + "\n")
    print("\n".join(lines))
    if not rows:
        print("report.py: no run produced a result (see the raw outputs)", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
