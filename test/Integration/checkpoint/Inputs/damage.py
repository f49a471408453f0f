#!/usr/bin/env python3
"""Damages a copy of a checkpoint for the refusal tests.

usage: damage.py flip FILE OFFSET     flips the bits of one byte
       damage.py truncate FILE BYTES  cuts the file to BYTES
       damage.py write FILE TEXT      replaces the file's contents
"""
import sys

what, path, arg = sys.argv[1:4]
if what == "flip":
    with open(path, "r+b") as f:
        f.seek(int(arg))
        byte = f.read(1)
        f.seek(int(arg))
        f.write(bytes([byte[0] ^ 0xFF]))
elif what == "truncate":
    with open(path, "r+b") as f:
        f.truncate(int(arg))
elif what == "write":
    with open(path, "w") as f:
        f.write(arg)
else:
    sys.exit(f"damage.py: unknown action {what}")
