#!/usr/bin/env python3
"""Runs a job and checks how it ended, for the multi-process tests.

usage: run_job.py --fails|--succeeds --within SECONDS -- COMMAND...

Prints the job's stdout and stderr (merged) and exits 0 when the job ended
as expected within SECONDS; otherwise says why and exits 1. A job that is
still running after SECONDS is killed and reported as a hang: `not` alone
cannot tell a hang stopped by `timeout` from a clean failure.
"""
import argparse
import subprocess
import sys
import time


def main():
    parser = argparse.ArgumentParser()
    outcome = parser.add_mutually_exclusive_group(required=True)
    outcome.add_argument("--fails", action="store_true")
    outcome.add_argument("--succeeds", action="store_true")
    parser.add_argument("--within", type=float, required=True)
    parser.add_argument("command", nargs=argparse.REMAINDER)
    args = parser.parse_args()
    command = args.command[1:] if args.command[:1] == ["--"] else args.command
    start = time.monotonic()
    job = subprocess.Popen(command, stdout=subprocess.PIPE,
                           stderr=subprocess.STDOUT, start_new_session=True)
    try:
        output, _ = job.communicate(timeout=args.within)
    except subprocess.TimeoutExpired:
        job.kill()
        output, _ = job.communicate()
        sys.stdout.write(output.decode(errors="replace"))
        print(f"run_job: HANG: still running after {args.within:g} s")
        return 1
    sys.stdout.write(output.decode(errors="replace"))
    seconds = time.monotonic() - start
    if args.fails and job.returncode == 0:
        print("run_job: the job succeeded; expected a failure")
        return 1
    if args.succeeds and job.returncode != 0:
        print(f"run_job: the job failed with status {job.returncode}")
        return 1
    print(f"run_job: ended as expected (status {job.returncode}) "
          f"in {seconds:.1f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
