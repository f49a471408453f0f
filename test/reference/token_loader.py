"""A Python copy of ptc's TokenLoader (runtime/data/token_loader.{h,cpp}).

Pure Python (no numpy, no torch), so that it runs anywhere and the lit test
batch-order.test can prove it equal to the C++ loader on every CI machine.

What it reproduces, from runtime/data/token_loader.h:

  * Shards (llm.c format, runtime/data/token_shard.h): a header of 256
    little-endian int32 -- [0] magic 20240520, [1] version 1, [2] token count
    n > 0 -- then n little-endian uint16 tokens; the file is exactly
    1024 + 2n bytes.
  * Patterns: an entry holding '*', '?' or '[' is a glob, expanded to its
    matches in sorted (byte) order; no match is an error. Other entries are
    paths. Shards keep the order of the entries.
  * Windows: shard s with n_s tokens holds floor((n_s - 1) / T) windows, the
    k-th starting at token k*T and T+1 tokens long; inputs are its first T
    tokens, targets its last T. Windows are numbered globally in shard order.
  * Order: epoch e visits the W windows in a permutation P_e, a Fisher-Yates
    shuffle (i = W-1 down to 1: swap(order[i], order[below(i+1)])) driven by
    splitmix64 seeded with seed ^ (0xD1B54A32D192ED03 * (e + 1)) mod 2^64;
    below(b) = (next() * b) >> 64 (Lemire). Identity when shuffle is off.
  * Ranks: rank r of `world` takes P_e[r], P_e[r + world], ...,
    floor(W / world) windows per epoch; a rank's windows form one endless
    stream; position p lies in epoch p // perRank at index
    (p % perRank) * world + rank.
  * Token ids are checked (< vocab_size) when a shard is opened (every id,
    the unused tail too), and again as windows are read.

ptc's training loop (runtime/train/loop.cpp) opens the training data with
shuffle on, the --seed value, rank 0 of world 1, and calls next(micro_batch,
seq_len) once per micro-batch: step s (1-based), micro-batch m reads the
stream positions ((s-1)*accum + m)*B ... + B-1.
"""

import bisect
import glob as _glob
import os
import struct
import sys
from array import array

SHARD_MAGIC = 20240520
SHARD_VERSION = 1
HEADER_INTS = 256
HEADER_BYTES = HEADER_INTS * 4

MASK64 = (1 << 64) - 1
GOLDEN = 0x9E3779B97F4A7C15
MIX1 = 0xBF58476D1CE4E5B9
MIX2 = 0x94D049BB133111EB
EPOCH_MULT = 0xD1B54A32D192ED03


class LoaderError(Exception):
    pass


class SplitMix64:
    """splitmix64 (Steele, Lea, Flood 2014), as SplitMix64 in token_loader.cpp."""

    __slots__ = ("state",)

    def __init__(self, state):
        self.state = state & MASK64

    def next(self):
        self.state = (self.state + GOLDEN) & MASK64
        z = self.state
        z = ((z ^ (z >> 30)) * MIX1) & MASK64
        z = ((z ^ (z >> 27)) * MIX2) & MASK64
        return z ^ (z >> 31)

    def below(self, bound):
        """Uniform in [0, bound): uint64((U128(next()) * bound) >> 64)."""
        return (self.next() * bound) >> 64


def epoch_permutation(num_windows, seed, epoch, shuffle=True):
    """P_e of TokenLoader::shuffleFor: a list of window indices."""
    order = list(range(num_windows))
    if not shuffle:
        return order
    rng = SplitMix64((seed & MASK64) ^ ((EPOCH_MULT * (epoch + 1)) & MASK64))
    # Inlined rng.below for speed (millions of windows on big data sets).
    state = rng.state
    for i in range(num_windows - 1, 0, -1):
        state = (state + GOLDEN) & MASK64
        z = state
        z = ((z ^ (z >> 30)) * MIX1) & MASK64
        z = ((z ^ (z >> 27)) * MIX2) & MASK64
        z ^= z >> 31
        j = (z * (i + 1)) >> 64
        order[i], order[j] = order[j], order[i]
    return order


def expand_patterns(patterns):
    paths = []
    for p in patterns:
        if any(c in p for c in "*?["):
            matches = sorted(_glob.glob(p), key=os.fsencode)  # glob(3): byte order
            if not matches:
                raise LoaderError(
                    "token shards: no file matches the pattern '%s'" % p)
            paths.extend(matches)
        else:
            paths.append(p)
    if not paths:
        raise LoaderError("token shards: no shard files given")
    return paths


def inspect_shard(path):
    """Validates header and size like inspectTokenShard; returns n."""
    try:
        size = os.path.getsize(path)
        with open(path, "rb") as f:
            header = f.read(HEADER_BYTES)
    except OSError as e:
        raise LoaderError("token shard '%s': cannot open: %s" % (path, e.strerror))
    if len(header) < HEADER_BYTES:
        raise LoaderError("token shard '%s': shorter than the header" % path)
    magic, version, n = struct.unpack_from("<3i", header)
    if magic != SHARD_MAGIC:
        raise LoaderError("token shard '%s': bad magic %d" % (path, magic))
    if version != SHARD_VERSION:
        raise LoaderError("token shard '%s': bad version %d" % (path, version))
    if n <= 0:
        raise LoaderError("token shard '%s': token count %d" % (path, n))
    if size != HEADER_BYTES + 2 * n:
        raise LoaderError("token shard '%s': %d bytes, expected %d"
                          % (path, size, HEADER_BYTES + 2 * n))
    return n


def write_shard(path, tokens):
    """Writes tokens (ints in [0, 65535]) as an llm.c shard."""
    header = [0] * HEADER_INTS
    header[0], header[1], header[2] = SHARD_MAGIC, SHARD_VERSION, len(tokens)
    body = array("H", tokens)
    if sys.byteorder != "little":
        body.byteswap()
    with open(path, "wb") as f:
        f.write(struct.pack("<256i", *header))
        f.write(body.tobytes())


class TokenLoader:
    def __init__(self, patterns, seq_len, vocab_size, seed=0, shuffle=True,
                 rank=0, world=1):
        if isinstance(patterns, str):
            patterns = [patterns]
        if seq_len <= 0 or vocab_size <= 0 or world <= 0 or not 0 <= rank < world:
            raise LoaderError("token loader: bad options seqLen=%d vocabSize=%d "
                              "rank=%d world=%d" % (seq_len, vocab_size, rank, world))
        self.T, self.vocab_size = seq_len, vocab_size
        self.seed, self.shuffle = seed & MASK64, shuffle
        self.rank, self.world = rank, world
        self.paths = expand_patterns(patterns)
        self.num_tokens, self.first_window, self.fds = [], [], []
        total = 0
        for path in self.paths:
            n = inspect_shard(path)
            self.num_tokens.append(n)
            self.first_window.append(total)
            total += (n - 1) // seq_len
            self.fds.append(os.open(path, os.O_RDONLY))
            self._check_ids(path, self.fds[-1], n)
        if total < world or total > 0xFFFFFFFF:
            self.close()
            raise LoaderError("token shards: %d file(s) hold %d window(s) of "
                              "seqLen+1 = %d tokens; need at least one per rank "
                              "(world = %d) and at most 2^32-1"
                              % (len(self.paths), total, seq_len + 1, world))
        self.num_windows = total
        self.windows_per_rank = total // world
        self.position = 0
        self._order, self._order_epoch = None, None

    def _check_ids(self, path, fd, n):
        """Every id of the shard < vocab_size, or the first one that is not."""
        if self.vocab_size > 0xFFFF:
            return
        toks = array("H")
        toks.frombytes(os.pread(fd, 2 * n, HEADER_BYTES))
        if sys.byteorder != "little":
            toks.byteswap()
        if max(toks) < self.vocab_size:
            return
        i = next(i for i, t in enumerate(toks) if t >= self.vocab_size)
        self.close()
        raise LoaderError("token shard '%s': token %d at index %d is >= "
                          "the vocabulary size %d"
                          % (path, toks[i], i, self.vocab_size))

    def close(self):
        for fd in self.fds:
            os.close(fd)
        self.fds = []

    def __del__(self):
        try:
            self.close()
        except Exception:
            pass

    def _order_for(self, epoch):
        if self._order_epoch != epoch:
            self._order = epoch_permutation(self.num_windows, self.seed, epoch,
                                            self.shuffle)
            self._order_epoch = epoch
        return self._order

    def window_at(self, pos):
        """Global window index of stream position pos for this rank."""
        per = self.windows_per_rank
        order = self._order_for(pos // per)
        return order[(pos % per) * self.world + self.rank]

    def read_window(self, window):
        """The T+1 tokens of a global window (a list of ints)."""
        # upper_bound(firstWindow_, window) - 1: shards without windows share
        # their first window with the next shard, which wins.
        s = bisect.bisect_right(self.first_window, window) - 1
        start = (window - self.first_window[s]) * self.T
        nbytes = 2 * (self.T + 1)
        data = os.pread(self.fds[s], nbytes, HEADER_BYTES + 2 * start)
        if len(data) != nbytes:
            raise LoaderError("token shard '%s': cannot read tokens %d..%d"
                              % (self.paths[s], start, start + self.T))
        toks = array("H")
        toks.frombytes(data)
        if sys.byteorder != "little":
            toks.byteswap()
        for i, t in enumerate(toks):
            if t >= self.vocab_size:
                raise LoaderError("token shard '%s': token %d at index %d is >= "
                                  "the vocabulary size %d"
                                  % (self.paths[s], t, start + i, self.vocab_size))
        return toks.tolist()

    def next(self, B):
        """The next B windows: (inputs, targets), each a list of B lists of T ints.
        Also returns the global window indices (for tests and logs)."""
        inputs, targets, windows = [], [], []
        for b in range(B):
            w = self.window_at(self.position + b)
            toks = self.read_window(w)
            inputs.append(toks[:-1])
            targets.append(toks[1:])
            windows.append(w)
        self.position += B
        return inputs, targets, windows


def main(argv=None):
    """Prints batches like print_batches.cpp (for by-hand comparisons)."""
    import argparse
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--data", action="append", required=True)
    p.add_argument("--seq-len", type=int, required=True)
    p.add_argument("--vocab", type=int, required=True)
    p.add_argument("--batch", type=int, required=True)
    p.add_argument("--batches", type=int, required=True)
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--no-shuffle", action="store_true")
    p.add_argument("--rank", type=int, default=0)
    p.add_argument("--world", type=int, default=1)
    a = p.parse_args(argv)
    loader = TokenLoader(a.data, a.seq_len, a.vocab, a.seed, not a.no_shuffle,
                         a.rank, a.world)
    sys.stdout.write(format_header(loader))
    for i in range(a.batches):
        x, y, _ = loader.next(a.batch)
        sys.stdout.write(format_batch(i, x, y))
    return 0


def format_header(loader):
    return "windows %d per_rank %d\n" % (loader.num_windows, loader.windows_per_rank)


def format_batch(index, inputs, targets):
    """The text print_batches.cpp prints for one batch."""
    lines = []
    for b, (x, y) in enumerate(zip(inputs, targets)):
        lines.append("batch %d row %d in %s\n" % (index, b, " ".join(map(str, x))))
        lines.append("batch %d row %d tg %s\n" % (index, b, " ".join(map(str, y))))
    return "".join(lines)


if __name__ == "__main__":
    try:
        sys.exit(main())
    except LoaderError as e:
        print("error: %s" % e, file=sys.stderr)
        sys.exit(1)
