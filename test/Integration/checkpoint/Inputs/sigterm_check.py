#!/usr/bin/env python3
"""SIGTERM (a preemption) ends a run after its step, with a checkpoint.

usage: sigterm_check.py PROG --data GLOB --work DIR [--ranks R]

Starts PROG (under `mpirun -np R` when R > 1) for many steps with a
checkpoint directory, waits until its log holds 3 steps, and sends SIGTERM
to one process: the program itself, or with R > 1 one rank only (the
signal reaches the others through the ranks' agreement after each step).
The run must exit 0 after the step in flight, saying so, with a complete
checkpoint of that step. Resumed to 3 more steps, it must equal a straight
run of as many steps bit for bit. Prints "sigterm_check: PASS" or exits 1.
"""
import argparse
import json
import os
import signal
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
MPIRUN = ["mpirun", "--oversubscribe", "--allow-run-as-root"]


def steps_logged(path):
    try:
        with open(path) as f:
            return sum(1 for line in f if '"loss"' in line)
    except FileNotFoundError:
        return 0


def rank_pids(prog, parent):
    """The pids of the processes running `prog` (the ranks), newest last."""
    pids = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit() or int(entry) == parent:
            continue
        try:
            with open(f"/proc/{entry}/cmdline", "rb") as f:
                argv0 = f.read().split(b"\0")[0].decode()
        except OSError:
            continue
        if os.path.abspath(argv0) == os.path.abspath(prog):
            pids.append(int(entry))
    return sorted(pids)


def main():
    p = argparse.ArgumentParser()
    p.add_argument("prog")
    p.add_argument("--data", required=True)
    p.add_argument("--work", required=True)
    p.add_argument("--ranks", type=int, default=1)
    args = p.parse_args()
    os.makedirs(args.work, exist_ok=True)
    w = lambda name: os.path.join(args.work, name)
    launch = (MPIRUN + ["-np", str(args.ranks)]) if args.ranks > 1 else []
    common = launch + [args.prog, "--data", args.data, "--quiet"]
    job = subprocess.Popen(common + ["--steps", "100000", "--log",
                                     w("stopped.jsonl"), "--checkpoint-dir",
                                     w("ckpt")],
                           stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                           text=True)
    deadline = time.time() + 120
    while steps_logged(w("stopped.jsonl")) < 3:
        if job.poll() is not None or time.time() > deadline:
            job.kill()
            sys.exit("sigterm_check: the run ended or hung before step 3:\n" +
                     job.communicate()[0])
        time.sleep(0.02)
    if args.ranks > 1:
        pids = rank_pids(args.prog, job.pid)
        if len(pids) != args.ranks:
            job.kill()
            sys.exit(f"sigterm_check: found {len(pids)} rank processes")
        target = pids[-1]
    else:
        target = job.pid
    os.kill(target, signal.SIGTERM)
    try:
        out, _ = job.communicate(timeout=120)
    except subprocess.TimeoutExpired:
        job.kill()
        sys.exit("sigterm_check: still running 120 s after SIGTERM")
    print(out, end="")
    if job.returncode != 0:
        sys.exit(f"sigterm_check: exit status {job.returncode} after SIGTERM")
    stopped = steps_logged(w("stopped.jsonl"))
    step_dir = os.path.join(w("ckpt"), "step_%08d" % stopped)
    if not os.path.exists(os.path.join(step_dir, "manifest.json")):
        sys.exit(f"sigterm_check: no complete checkpoint {step_dir}")
    total = stopped + 3
    for name, extra in (("resumed", ["--resume", "auto", "--checkpoint-dir",
                                     w("ckpt")]),
                        ("straight", [])):
        subprocess.run(common + ["--steps", str(total), "--log",
                                 w(name + ".jsonl")] + extra, check=True,
                       stdout=subprocess.DEVNULL)
    subprocess.run([sys.executable, os.path.join(HERE, "same_steps.py"),
                    w("straight.jsonl"), w("stopped.jsonl"),
                    w("resumed.jsonl"), "--steps", str(total)], check=True)
    print("sigterm_check: PASS")


if __name__ == "__main__":
    main()
