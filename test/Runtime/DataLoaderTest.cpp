//===- DataLoaderTest.cpp - token shards and TokenLoader ------------------===//

#include "runtime/data/token_loader.h"
#include "runtime/data/token_shard.h"

#include <gtest/gtest.h>

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <glob.h>
#include <set>
#include <string>
#include <sys/stat.h>
#include <unistd.h>
#include <vector>

using namespace ptc::rt;

// EXPECT_CONTAINS(text, part): text (a std::string) contains part.
#define EXPECT_CONTAINS(text, part)                                            \
  do {                                                                         \
    const std::string text_ = (text);                                          \
    EXPECT_NE(text_.find(part), std::string::npos)                             \
        << "\"" << text_ << "\" does not contain \"" << (part) << "\"";          \
  } while (0)

namespace {

class DataLoader : public testing::Test {
protected:
  void SetUp() override {
    std::string tmpl = testing::TempDir() + "ptc-data-XXXXXX";
    ASSERT_NE(mkdtemp(tmpl.data()), nullptr);
    dir_ = tmpl;
  }
  void TearDown() override {
    for (const std::string &f : created_)
      std::remove(f.c_str());
    rmdir(dir_.c_str());
  }
  std::string path(const std::string &name) {
    created_.push_back(dir_ + "/" + name);
    return created_.back();
  }
  // Writes tokens first, first+1, ... (mod 65536) to `name`.
  std::string writeSequence(const std::string &name, int64_t n,
                            int first = 0) {
    std::vector<uint16_t> t(n);
    for (int64_t i = 0; i < n; ++i)
      t[i] = uint16_t(first + i);
    std::string p = path(name);
    Status s = writeTokenShard(p, t.data(), n);
    EXPECT_TRUE(s.isOk()) << s.message();
    return p;
  }
  // Writes a raw file: a header (256 int32) and the given bytes of tokens.
  std::string writeRaw(const std::string &name, int32_t magic, int32_t version,
                       int32_t n, size_t tokenBytes) {
    std::vector<int32_t> header(256, 0);
    header[0] = magic;
    header[1] = version;
    header[2] = n;
    std::string p = path(name);
    std::ofstream f(p, std::ios::binary);
    f.write(reinterpret_cast<const char *>(header.data()), 1024);
    std::vector<char> body(tokenBytes, 0);
    f.write(body.data(), std::streamsize(body.size()));
    return p;
  }
  static TokenLoaderOptions options(int64_t T, uint64_t seed = 7,
                                    int64_t rank = 0, int64_t world = 1) {
    TokenLoaderOptions o;
    o.seqLen = T;
    o.vocabSize = 30000;
    o.seed = seed;
    o.rank = rank;
    o.world = world;
    return o;
  }

  std::string dir_;
  std::vector<std::string> created_;
};

TEST_F(DataLoader, ShardRoundTrip) {
  std::vector<uint16_t> tokens = {5, 0, 65535, 17, 50256};
  std::string p = path("a.bin");
  ASSERT_TRUE(writeTokenShard(p, tokens.data(), 5).isOk());
  int64_t n = 0;
  ASSERT_TRUE(inspectTokenShard(p, &n).isOk());
  EXPECT_EQ(n, 5);
  std::vector<uint16_t> back;
  Status s = readTokenShard(p, &back);
  ASSERT_TRUE(s.isOk()) << s.message();
  EXPECT_EQ(back, tokens);
  std::ifstream f(p, std::ios::binary | std::ios::ate);
  EXPECT_EQ(int64_t(f.tellg()), 1024 + 2 * 5);
  f.seekg(0);
  int32_t header[3];
  f.read(reinterpret_cast<char *>(header), sizeof(header));
  EXPECT_EQ(header[0], 20240520);
  EXPECT_EQ(header[1], 1);
  EXPECT_EQ(header[2], 5);
  // The vocabulary check of readTokenShard.
  s = readTokenShard(p, &back, 50257);
  EXPECT_CONTAINS(s.message(), "token 65535 at index 2 is >= the "
                                     "vocabulary size 50257");
  // No temporary file is left behind.
  glob_t g;
  EXPECT_EQ(glob((p + ".tmp*").c_str(), 0, nullptr, &g), GLOB_NOMATCH);
  globfree(&g);
}

TEST_F(DataLoader, WriterRejectsEmptyShard) {
  uint16_t t = 0;
  Status s = writeTokenShard(path("empty.bin"), &t, 0);
  EXPECT_FALSE(s.isOk());
  EXPECT_CONTAINS(s.message(), "cannot write 0 tokens");
}

TEST_F(DataLoader, InvalidShardsNameTheFileAndTheProblem) {
  struct Case {
    std::string file, expected;
  };
  std::vector<Case> cases = {
      {writeRaw("magic.bin", 12345, 1, 4, 8), "bad magic number 12345"},
      {writeRaw("version.bin", 20240520, 2, 4, 8), "unsupported version 2"},
      {writeRaw("zero.bin", 20240520, 1, 0, 0), "declares 0 tokens"},
      {writeRaw("negative.bin", 20240520, 1, -3, 0), "declares -3 tokens"},
      {writeRaw("truncated.bin", 20240520, 1, 100, 150),
       "truncated: the header declares 100 tokens (1224 bytes with the "
       "header) but the file has 1174 bytes"},
      {writeRaw("trailing.bin", 20240520, 1, 4, 9),
       "1 bytes after the 4 tokens"},
      {path("missing.bin"), "cannot open: No such file or directory"},
  };
  std::string tiny = path("tiny.bin");
  std::ofstream(tiny) << "abc";
  cases.push_back({tiny, "truncated: 3 bytes, smaller than the 1024-byte"});
  for (const Case &c : cases) {
    SCOPED_TRACE(c.file);
    int64_t n = -1;
    Status s = inspectTokenShard(c.file, &n);
    EXPECT_FALSE(s.isOk());
    EXPECT_CONTAINS(s.message(), "'" + c.file + "'");
    EXPECT_CONTAINS(s.message(), c.expected);
    // The loader reports the same error, with the good shard before it.
    TokenLoader loader;
    s = loader.open({writeSequence("good.bin", 50), c.file}, options(4));
    EXPECT_FALSE(s.isOk());
    EXPECT_CONTAINS(s.message(), c.expected);
  }
}

TEST_F(DataLoader, TokenOutOfVocabularyIsFoundAtOpen) {
  // Past the first 2 MiB read, in the second shard: the whole data set is
  // scanned before the first batch, not when a step reads the window.
  const int64_t n = (int64_t(1) << 20) + 41;
  std::vector<uint16_t> t(size_t(n), 1);
  t[size_t(n - 11)] = 30000; // vocabSize is 30000
  std::string p = path("bad-token.bin");
  ASSERT_TRUE(writeTokenShard(p, t.data(), n).isOk());
  TokenLoaderOptions o = options(10);
  TokenLoader loader;
  Status s = loader.open({writeSequence("good.bin", 50), p}, o);
  EXPECT_FALSE(s.isOk());
  EXPECT_CONTAINS(s.message(), "'" + p + "': token 30000 at index " +
                                   std::to_string(n - 11) +
                                   " is >= the vocabulary size 30000");
  // A vocabulary above 65535 holds every uint16 id.
  o.vocabSize = 65536;
  s = loader.open({p}, o);
  EXPECT_TRUE(s.isOk()) << s.message();
}

TEST_F(DataLoader, OnlyRegularFilesAreShards) {
  // A FIFO would block open() until a writer came; it is refused instead.
  ASSERT_EQ(mkfifo(path("fifo.bin").c_str(), 0644), 0);
  TokenLoader loader;
  Status s = loader.open({path("fifo.bin")}, options(4));
  EXPECT_CONTAINS(s.message(), "token shard '" + path("fifo.bin") +
                                   "': is a FIFO, not a regular file");
  ASSERT_EQ(mkdir(path("dir.bin").c_str(), 0755), 0);
  s = loader.open({path("dir.bin")}, options(4));
  EXPECT_CONTAINS(s.message(), "token shard '" + path("dir.bin") +
                                   "': is a directory, not a regular file");
}

TEST_F(DataLoader, TargetsAreInputsShiftedByOne) {
  const int64_t B = 3, T = 8;
  TokenLoader loader;
  ASSERT_TRUE(loader.open({writeSequence("seq.bin", 1000)}, options(T)).isOk());
  EXPECT_EQ(loader.numWindows(), (1000 - 1) / T);
  std::vector<int32_t> in(B * T), tg(B * T);
  for (int step = 0; step < 5; ++step) {
    ASSERT_TRUE(loader.next(B, T, in.data(), tg.data()).isOk());
    for (int64_t b = 0; b < B; ++b) {
      EXPECT_EQ(in[b * T] % T, 0) << "windows start at multiples of T";
      for (int64_t i = 0; i < T; ++i)
        EXPECT_EQ(tg[b * T + i], in[b * T + i] + 1);
    }
  }
}

TEST_F(DataLoader, EpochsVisitEveryWindowOnceAndAreDeterministic) {
  const int64_t T = 4;
  std::vector<std::string> files = {writeSequence("s1.bin", 41),
                                    writeSequence("s2.bin", 23, 10000)};
  TokenLoader a, b, c;
  ASSERT_TRUE(a.open(files, options(T, 1)).isOk());
  ASSERT_TRUE(b.open(files, options(T, 1)).isOk());
  ASSERT_TRUE(c.open(files, options(T, 2)).isOk());
  const int64_t W = 10 + 5; // (41-1)/4 + (23-1)/4
  ASSERT_EQ(a.numWindows(), W);
  std::vector<int32_t> ia(T), ta(T), ib(T), tb(T), ic(T), tc(T);
  std::vector<int32_t> orderA, orderC;
  for (int epoch = 0; epoch < 3; ++epoch) {
    EXPECT_EQ(a.epoch(), uint64_t(epoch));
    std::set<int32_t> starts;
    for (int64_t w = 0; w < W; ++w) {
      ASSERT_TRUE(a.next(1, T, ia.data(), ta.data()).isOk());
      ASSERT_TRUE(b.next(1, T, ib.data(), tb.data()).isOk());
      ASSERT_TRUE(c.next(1, T, ic.data(), tc.data()).isOk());
      EXPECT_EQ(ia, ib);
      EXPECT_EQ(ta, tb);
      starts.insert(ia[0]);
      orderA.push_back(ia[0]);
      orderC.push_back(ic[0]);
    }
    std::set<int32_t> expected;
    for (int32_t s = 0; s < 40; s += T)
      expected.insert(s);
    for (int32_t s = 10000; s < 10020; s += T)
      expected.insert(s);
    EXPECT_EQ(starts, expected) << "epoch " << epoch;
  }
  EXPECT_NE(orderA, orderC) << "another seed, another order";
  EXPECT_NE(std::vector<int32_t>(orderA.begin(), orderA.begin() + W),
            std::vector<int32_t>(orderA.begin() + W, orderA.begin() + 2 * W))
      << "each epoch is reshuffled";
}

TEST_F(DataLoader, RanksReadDisjointWindows) {
  const int64_t T = 4, world = 3;
  std::string f = writeSequence("r.bin", 4 * 20 + 3); // 20 windows
  std::set<int32_t> seen;
  int64_t total = 0;
  for (int64_t rank = 0; rank < world; ++rank) {
    TokenLoader loader;
    ASSERT_TRUE(loader.open({f}, options(T, 5, rank, world)).isOk());
    ASSERT_EQ(loader.windowsPerRank(), 6);
    std::vector<int32_t> in(6 * T), tg(6 * T);
    ASSERT_TRUE(loader.next(6, T, in.data(), tg.data()).isOk());
    for (int b = 0; b < 6; ++b) {
      seen.insert(in[b * T]);
      ++total;
    }
  }
  EXPECT_EQ(int64_t(seen.size()), total) << "no window read by two ranks";
  EXPECT_EQ(total, 18);
}

TEST_F(DataLoader, GlobShuffleOffAndSeek) {
  writeSequence("part_001.bin", 9, 100);
  writeSequence("part_000.bin", 9, 0);
  const int64_t T = 4;
  TokenLoaderOptions o = options(T);
  o.shuffle = false;
  TokenLoader loader;
  Status s = loader.open({dir_ + "/part_*.bin"}, o);
  ASSERT_TRUE(s.isOk()) << s.message();
  ASSERT_EQ(loader.shards().size(), 2u);
  EXPECT_EQ(loader.shards()[0].path, dir_ + "/part_000.bin") << "sorted";
  std::vector<int32_t> in(4 * T), tg(4 * T);
  ASSERT_TRUE(loader.next(4, T, in.data(), tg.data()).isOk());
  EXPECT_EQ(in[0], 0);
  EXPECT_EQ(in[T], 4);
  EXPECT_EQ(in[2 * T], 100);
  EXPECT_EQ(in[3 * T], 104);
  EXPECT_EQ(tg[4 * T - 1], 108) << "the last target is the shard's last token";
  // Resume from a position.
  TokenLoader other;
  ASSERT_TRUE(other.open({dir_ + "/part_*.bin"}, options(T)).isOk());
  std::vector<int32_t> x(T), y(T), x2(T), y2(T);
  ASSERT_TRUE(other.next(1, T, x.data(), y.data()).isOk());
  uint64_t pos = other.position();
  ASSERT_TRUE(other.next(1, T, x.data(), y.data()).isOk());
  TokenLoader resumed;
  ASSERT_TRUE(resumed.open({dir_ + "/part_*.bin"}, options(T)).isOk());
  resumed.seek(pos);
  ASSERT_TRUE(resumed.next(1, T, x2.data(), y2.data()).isOk());
  EXPECT_EQ(x, x2);
  EXPECT_EQ(y, y2);
}

TEST_F(DataLoader, UsageErrors) {
  TokenLoader loader;
  std::vector<int32_t> in(8), tg(8);
  EXPECT_CONTAINS(loader.next(1, 8, in.data(), tg.data()).message(), "before a successful open()");
  EXPECT_CONTAINS(loader.open({dir_ + "/nothing_*.bin"}, options(8)).message(), "no file matches the pattern");
  std::string f = writeSequence("small.bin", 20);
  EXPECT_CONTAINS(loader.open({f}, options(0)).message(), "need seqLen > 0");
  EXPECT_CONTAINS(loader.open({f}, options(8, 1, 3, 3)).message(), "0 <= rank < world");
  EXPECT_CONTAINS(loader.open({f}, options(8, 1, 0, 3)).message(), "hold 2 window(s) of seqLen+1 = 9 tokens; need at "
                        "least one per rank (world = 3)");
  ASSERT_TRUE(loader.open({f}, options(8)).isOk());
  EXPECT_CONTAINS(loader.next(1, 4, in.data(), tg.data()).message(), "T = the seqLen it was opened with (8)");
}

} // namespace
