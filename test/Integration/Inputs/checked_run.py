"""What the integration check scripts share (plan_check.py, resume_check.py):
reading a --set value, and running a command that must succeed."""
import subprocess
import sys


def parse_value(text):
    """A --set KEY=VALUE value as JSON would hold it: int, float, bool, str."""
    for convert in (int, float):
        try:
            return convert(text)
        except ValueError:
            pass
    return {"true": True, "false": False}.get(text, text)


def run(command, tool, timeout=300):
    """Runs `command`, its output captured; a hang past `timeout` or a
    non-zero exit ends `tool` with one line (the output printed first)."""
    print("$", " ".join(command), flush=True)
    try:
        done = subprocess.run(command, stdout=subprocess.PIPE,
                              stderr=subprocess.STDOUT, timeout=timeout,
                              text=True)
    except subprocess.TimeoutExpired:
        sys.exit(f"{tool}: {command[0]} still running after {timeout} s "
                 "(a hang)")
    if done.returncode != 0:
        print(done.stdout)
        sys.exit(f"{tool}: exit status {done.returncode}")
    return done.stdout
