#!/usr/bin/env python3
"""Checks safetensors files written by a compiled ptc program.

Usage:
  check_safetensors.py same A B     every tensor of A is in B with the same
                                    dtype, shape and bytes, and nothing more
  check_safetensors.py differ A B   the same tensors, but some bytes differ
  check_safetensors.py params INSPECT FILE [VOCAB]
                                    FILE holds exactly the parameters that
                                    `ptc inspect` printed to INSPECT, each
                                    with its shape, as F32 of the right size;
                                    with VOCAB, the token embedding and the
                                    output projection with only VOCAB rows
                                    (checkpoints leave out the padding)

Prints one line per check; exits 1 with a message on the first failure.
"""
import json
import re
import struct
import sys

DTYPE_BYTES = {"F64": 8, "F32": 4, "BF16": 2, "F16": 2, "I64": 8, "I32": 4}


def fail(message):
    print(f"check_safetensors: {message}", file=sys.stderr)
    sys.exit(1)


def read(path):
    """(metadata, {name: (dtype, shape, bytes)}) of a safetensors file."""
    with open(path, "rb") as f:
        blob = f.read()
    if len(blob) < 8:
        fail(f"{path}: shorter than the 8-byte header length")
    (n,) = struct.unpack("<Q", blob[:8])
    header = json.loads(blob[8:8 + n])
    data = blob[8 + n:]
    metadata = header.pop("__metadata__", {})
    tensors = {}
    end = 0
    for name, entry in header.items():
        begin, stop = entry["data_offsets"]
        if not 0 <= begin <= stop <= len(data):
            fail(f"{path}: tensor '{name}' has offsets {begin}..{stop} outside "
                 f"the {len(data)} data bytes")
        count = 1
        for d in entry["shape"]:
            count *= d
        if stop - begin != count * DTYPE_BYTES[entry["dtype"]]:
            fail(f"{path}: tensor '{name}' has {stop - begin} bytes for "
                 f"{entry['dtype']} {entry['shape']}")
        tensors[name] = (entry["dtype"], entry["shape"], data[begin:stop])
        end = max(end, stop)
    if end != len(data):
        fail(f"{path}: {len(data) - end} data bytes belong to no tensor")
    return metadata, tensors


def compare(a, b):
    """The names whose bytes differ; fails on different names/dtypes/shapes."""
    _, ta = read(a)
    _, tb = read(b)
    if sorted(ta) != sorted(tb):
        fail(f"{a} and {b} hold different tensors: "
             f"{sorted(set(ta) ^ set(tb))}")
    for name in ta:
        if ta[name][:2] != tb[name][:2]:
            fail(f"tensor '{name}' is {ta[name][:2]} in {a}, {tb[name][:2]} in {b}")
    return len(ta), [name for name in ta if ta[name][2] != tb[name][2]]


def parse_inspect(path):
    """{name: shape} from the parameter table of `ptc inspect`."""
    params = {}
    line_re = re.compile(r"^\s+(\S+)\s+\[([0-9, ]+)\]\s+[0-9,]+\s+(\S+)$")
    with open(path) as f:
        for line in f:
            m = line_re.match(line.rstrip("\n"))
            if m:
                params[m.group(1)] = ([int(d) for d in m.group(2).split(",")],
                                      m.group(3))
    if not params:
        fail(f"{path}: no parameter lines")
    return params


def main():
    if len(sys.argv) not in (4, 5) or sys.argv[1] not in ("same", "differ",
                                                           "params"):
        fail(__doc__)
    mode, x, y = sys.argv[1:4]
    vocab = int(sys.argv[4]) if len(sys.argv) == 5 else None
    if mode == "same":
        count, differing = compare(x, y)
        if differing:
            fail(f"{len(differing)} of {count} tensors differ, first "
                 f"'{differing[0]}'")
        print(f"same: {count} tensors, identical bytes")
    elif mode == "differ":
        count, differing = compare(x, y)
        if not differing:
            fail(f"all {count} tensors are identical")
        print(f"differ: {len(differing)} of {count} tensors differ")
    else:
        params = parse_inspect(x)
        metadata, tensors = read(y)
        if sorted(params) != sorted(tensors):
            fail(f"inspect lists {len(params)} parameters, the file holds "
                 f"{len(tensors)}; not in both: "
                 f"{sorted(set(params) ^ set(tensors))}")
        for name, (shape, role) in params.items():
            if vocab is not None and role in ("token_embedding",
                                              "output_weight"):
                shape = [vocab] + shape[1:]
            dtype, got, _ = tensors[name]
            if dtype != "F32" or got != shape:
                fail(f"tensor '{name}' is {dtype} {got}, inspect says F32 {shape}")
        print(f"params: {len(params)} parameters, all F32 with inspect's shapes")
        for key in sorted(metadata):
            print(f"metadata {key} = {metadata[key]}")


if __name__ == "__main__":
    main()
