#!/usr/bin/env python3
"""SIGKILL at random moments never leaves a checkpoint that resumes wrongly.

usage: kill_loop.py PROG --data GLOB --work DIR [--trials 30] [--steps 8]
                    [--seed 1]

A straight run of --steps steps gives the reference losses. Each trial
starts PROG with `--resume auto`, a checkpoint after every step (so that
most of its time is spent saving) and --checkpoint-keep 2, into the same
checkpoint directory, and kills it with SIGKILL after a random delay
(seeded: the trials are reproducible). After each kill, `--resume auto`
must pick a complete checkpoint (or none) and continue it for one step with
the straight run's numbers bit for bit, and every step any killed run
logged must equal the straight run's. A trial whose run finished before
the kill starts the directory afresh. Prints how many kills hit which
phase, and "kill_loop: PASS", or exits 1.
"""
import argparse
import json
import os
import random
import shutil
import signal
import subprocess
import sys
import time


def steps_of(path):
    out = {}
    try:
        with open(path) as f:
            for line in f:
                try:
                    r = json.loads(line)
                except ValueError:
                    continue  # the line a kill cut short
                if "step" in r and "loss" in r:
                    out[r["step"]] = r
    except FileNotFoundError:
        pass
    return out


def same(step, a, b, what):
    for key in ("loss", "grad_norm", "lr"):
        if a[key] != b[key]:
            sys.exit(f"kill_loop: {what}: step {step}: {key} {a[key]!r} vs "
                     f"{b[key]!r} (straight)")


def main():
    p = argparse.ArgumentParser()
    p.add_argument("prog")
    p.add_argument("--data", required=True)
    p.add_argument("--work", required=True)
    p.add_argument("--trials", type=int, default=30)
    p.add_argument("--steps", type=int, default=8)
    p.add_argument("--seed", type=int, default=1)
    args = p.parse_args()
    os.makedirs(args.work, exist_ok=True)
    w = lambda name: os.path.join(args.work, name)
    base = [args.prog, "--data", args.data, "--quiet"]
    started = time.time()
    subprocess.run(base + ["--steps", str(args.steps), "--log",
                           w("straight.jsonl")], check=True,
                   stdout=subprocess.DEVNULL)
    straight = steps_of(w("straight.jsonl"))
    duration = max(time.time() - started, 0.05)
    rng = random.Random(args.seed)
    ckpt = w("ckpt")
    finished = partial = 0
    phases = {}
    for trial in range(args.trials):
        log = w(f"trial{trial}.jsonl")
        job = subprocess.Popen(
            base + ["--steps", str(args.steps), "--log", log,
                    "--checkpoint-dir", ckpt, "--checkpoint-every", "1",
                    "--checkpoint-keep", "2", "--resume", "auto"],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        time.sleep(rng.uniform(0, 1.5 * duration))
        job.send_signal(signal.SIGKILL)
        job.wait()
        for step, r in steps_of(log).items():
            same(step, r, straight[step], f"trial {trial}'s killed run")
        if job.returncode == 0:
            finished += 1
            shutil.rmtree(ckpt, ignore_errors=True)
            continue
        # What --resume auto makes of the directory the kill left, on a
        # copy (the next trial continues the original): the newest complete
        # checkpoint, continued to the end like the straight run.
        scratch = w("scratch")
        shutil.rmtree(scratch, ignore_errors=True)
        if os.path.isdir(ckpt):
            shutil.copytree(ckpt, scratch)
        complete = sorted(d for d in os.listdir(scratch)
                          if os.path.exists(os.path.join(scratch, d,
                                                         "manifest.json"))) \
            if os.path.isdir(scratch) else []
        check = w(f"check{trial}.jsonl")
        out = subprocess.run(
            base + ["--steps", str(args.steps), "--log", check,
                    "--checkpoint-dir", scratch, "--resume", "auto"],
            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        if out.returncode != 0:
            sys.exit(f"kill_loop: trial {trial}: --resume auto failed:\n"
                     + out.stdout)
        want = (f"resuming from {os.path.join(scratch, complete[-1])} "
                if complete else "no complete checkpoint in")
        if want not in out.stdout:
            sys.exit(f"kill_loop: trial {trial}: expected '{want}':\n"
                     + out.stdout)
        checked = steps_of(check)
        for step, r in checked.items():
            same(step, r, straight[step], f"trial {trial}'s resumed run")
        newest = int(complete[-1][len("step_"):]) if complete else 0
        if args.steps not in checked and newest != args.steps:
            sys.exit(f"kill_loop: trial {trial}: the resumed run did not "
                     f"reach step {args.steps}")
        phases[("a complete checkpoint" if complete else "none")] = \
            phases.get("a complete checkpoint" if complete else "none", 0) + 1
        if any(not os.path.exists(os.path.join(ckpt, d, "manifest.json"))
               for d in os.listdir(ckpt)) if os.path.isdir(ckpt) else False:
            partial += 1
    print(f"kill_loop: {args.trials} trials: {finished} finished before the "
          f"kill, {partial} left an incomplete save behind; resumed from: "
          + ", ".join(f"{k} {n}" for k, n in sorted(phases.items())))
    print("kill_loop: PASS")


if __name__ == "__main__":
    main()
