#!/usr/bin/env python3
"""Proves token_loader.py (the reference's batch order) equal to ptc's C++
TokenLoader, without torch.

  test_batch_order.py --src-root ROOT --work DIR [--data 'shards/train_*.bin']

1. writes token shards with Python (token_loader.write_shard): several
   shards of uneven sizes, one too short to hold a window, tails that are
   not a whole window;
2. builds print_batches.cpp against ROOT/runtime/data/token_loader.cpp,
   token_shard.cpp and file_io.cpp with the host compiler ($CXX, else c++,
   as ptc compile);
3. for every configuration (sequence lengths, batch sizes, seeds including
   0 and one >= 2^63, shuffle on and off, ranks of worlds 1..3, a seek,
   enough batches to run through several epochs) compares the text of the
   C++ driver with token_loader.py's, byte for byte;
4. with --data, the same on real shards (ptc data's), with the settings of
   ptc's training loop (shuffle on, rank 0 of 1) and the shapes of tiny.json;
5. checks splitmix64 against the published test vector of the algorithm
   (seed 1234567) and the C++ loader's rejections of bad input against the
   Python loader's.

Prints one line per configuration and "batch order: N configurations, all
identical"; exits 1 on the first difference, showing it.
"""
import argparse
import os
import random
import shutil
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import token_loader as tl  # noqa: E402


def build_driver(src_root, work):
    cxx = os.environ.get("CXX") or "c++"
    exe = os.path.join(work, "print_batches")
    here = os.path.dirname(os.path.abspath(__file__))
    cmd = [cxx, "-std=c++17", "-O1", "-I" + src_root,
           os.path.join(here, "print_batches.cpp"),
           os.path.join(src_root, "runtime", "data", "token_loader.cpp"),
           os.path.join(src_root, "runtime", "data", "token_shard.cpp"),
           os.path.join(src_root, "runtime", "data", "file_io.cpp"),
           "-o", exe]
    r = subprocess.run(cmd, capture_output=True, text=True)
    if r.returncode != 0:
        sys.stderr.write("cannot build the driver: %s\n%s" % (" ".join(cmd), r.stderr))
        sys.exit(1)
    return exe


def python_text(patterns, T, V, B, n, seed, shuffle, rank, world, seek):
    loader = tl.TokenLoader(patterns, T, V, seed, shuffle, rank, world)
    loader.position = seek
    parts = [tl.format_header(loader)]
    for i in range(n):
        x, y, _ = loader.next(B)
        parts.append(tl.format_batch(i, x, y))
    return "".join(parts)


def cpp_text(exe, patterns, T, V, B, n, seed, shuffle, rank, world, seek):
    cmd = [exe, "--seq-len", str(T), "--vocab", str(V), "--batch", str(B),
           "--batches", str(n), "--seed", str(seed), "--rank", str(rank),
           "--world", str(world), "--seek", str(seek)]
    if not shuffle:
        cmd.append("--no-shuffle")
    for p in patterns:
        cmd += ["--data", p]
    r = subprocess.run(cmd, capture_output=True, text=True)
    return r.returncode, r.stdout, r.stderr


def first_difference(a, b):
    la, lb = a.splitlines(), b.splitlines()
    for i, (x, y) in enumerate(zip(la, lb)):
        if x != y:
            return "line %d:\n  c++:    %s\n  python: %s" % (i + 1, x[:200], y[:200])
    return "c++ has %d lines, python %d" % (len(la), len(lb))


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--src-root", required=True)
    ap.add_argument("--work", required=True)
    ap.add_argument("--data", action="append", default=[],
                    help="real shards to compare on as well (globs)")
    a = ap.parse_args()
    src_root = os.path.abspath(a.src_root)
    work = os.path.abspath(a.work)
    shutil.rmtree(work, ignore_errors=True)
    os.makedirs(work)

    # splitmix64's published sequence for seed 1234567 (Vigna's splitmix64.c).
    rng = tl.SplitMix64(1234567)
    got = [rng.next() for _ in range(5)]
    want = [6457827717110365317, 3203168211198807973, 9817491932198370423,
            4593380528125082431, 16408922859458223821]
    if got != want:
        print("splitmix64 differs from its test vector: %s" % got)
        return 1
    print("splitmix64: test vector ok")

    # Synthetic shards: sizes chosen so that T = 7 leaves tails, one shard
    # holds no window for T >= 9, and the windows number a prime (few
    # divisors: uneven rank splits).
    rnd = random.Random(20240520)
    V = 1000
    sizes = [200, 9, 117, 64, 301]
    shard_dir = os.path.join(work, "shards")
    os.makedirs(shard_dir)
    for i, n in enumerate(sizes):
        toks = [rnd.randrange(V) for _ in range(n)]
        tl.write_shard(os.path.join(shard_dir, "train_%06d.bin" % i), toks)
    # An extra file named so that only a sorted glob puts it first.
    tl.write_shard(os.path.join(shard_dir, "train_-first.bin"),
                   [rnd.randrange(V) for _ in range(50)])
    glob_all = os.path.join(shard_dir, "train_*.bin")
    listed = [os.path.join(shard_dir, "train_%06d.bin" % i) for i in (4, 0, 2)]

    exe = build_driver(src_root, work)
    configs = []
    # (patterns, T, V, B, batches, seed, shuffle, rank, world, seek)
    for T in (1, 7, 16, 64):
        for seed in (0, 1234, 2**64 - 1, 2**63 + 12345):
            configs.append(([glob_all], T, V, 3, 12, seed, True, 0, 1, 0))
    configs += [
        ([glob_all], 7, V, 5, 40, 1337, True, 0, 1, 0),     # many epochs
        ([glob_all], 7, V, 4, 30, 1337, False, 0, 1, 0),    # no shuffle
        (listed, 5, V, 2, 25, 42, True, 0, 1, 0),           # paths, given order
        (listed + [glob_all], 8, V, 3, 10, 7, True, 0, 1, 0),
        ([glob_all], 7, V, 3, 20, 99, True, 0, 1, 1000),    # seek to epoch > 0
        ([glob_all], 64, V, 1, 30, 5, True, 0, 1, 0),       # few windows
    ]
    for world in (2, 3):
        for rank in range(world):
            configs.append(([glob_all], 7, V, 4, 15, 1234, True, rank, world, 0))
            configs.append(([glob_all], 7, V, 4, 6, 1234, False, rank, world, 3))

    # Real shards with ptc's training-loop settings: shuffle on, rank 0 of 1,
    # the micro-batch and sequence of tiny.json (4 x 64) and gpt2's (1024),
    # 2 micro-batches per step.
    for pattern in a.data:
        for T, B, seed in ((64, 4, 1234), (64, 4, 7), (1024, 2, 1337)):
            configs.append(([pattern], T, 256, B, 24, seed, True, 0, 1, 0))

    for cfg in configs:
        patterns, T, V_, B, n, seed, shuffle, rank, world, seek = cfg
        rc, ctext, cerr = cpp_text(exe, *cfg)
        if rc != 0:
            print("c++ driver failed on %s: %s" % (cfg, cerr))
            return 1
        ptext = python_text(*cfg)
        label = "T=%d B=%d batches=%d seed=%d shuffle=%d rank=%d/%d seek=%d %s" % (
            T, B, n, seed, shuffle, rank, world, seek,
            ",".join(os.path.relpath(p, work) if p.startswith(work) else p
                     for p in patterns))
        if ctext != ptext:
            print("DIFFERENT: %s\n%s" % (label, first_difference(ctext, ptext)))
            return 1
        print("same: %s (%s)" % (label, ctext.splitlines()[0]))

    # Rejections: both loaders refuse the same bad inputs.
    bad = os.path.join(work, "bad")
    os.makedirs(bad)
    tl.write_shard(os.path.join(bad, "big.bin"), [5, 6, V + 3, 7, 8, 9])
    with open(os.path.join(bad, "magic.bin"), "wb") as f:
        f.write(b"\0" * 1030)
    rejections = [
        ([os.path.join(bad, "big.bin")], 2, V, 3, "token id >= vocab"),
        ([os.path.join(bad, "magic.bin")], 2, V, 1, "bad magic"),
        ([os.path.join(bad, "none_*.bin")], 2, V, 1, "no match"),
        ([os.path.join(shard_dir, "train_000001.bin")], 9, V, 1, "no window"),
    ]
    for patterns, T, V_, B, what in rejections:
        rc, _, cerr = cpp_text(exe, patterns, T, V_, B, 1, 0, False, 0, 1, 0)
        try:
            python_text(patterns, T, V_, B, 1, 0, False, 0, 1, 0)
            perr = None
        except tl.LoaderError as e:
            perr = str(e)
        if rc == 0 or perr is None:
            print("rejection differs (%s): c++ rc %d %r, python %r" % (what, rc, cerr, perr))
            return 1
        print("both reject: %s" % what)

    print("batch order: %d configurations, all identical" % len(configs))
    return 0


if __name__ == "__main__":
    sys.exit(main())
