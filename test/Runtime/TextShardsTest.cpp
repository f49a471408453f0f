//===- TextShardsTest.cpp - byte-level shards from a text file ------------===//

#include "RuntimeTestUtil.h"

#include "runtime/data/text_shards.h"
#include "runtime/data/token_shard.h"

#include <csignal>
#include <sys/resource.h>
#include <sys/stat.h>

using namespace ptc::rt;

namespace {

class TextShards : public ptc::test::TempDirTest {
protected:
  std::vector<uint16_t> tokensOf(const std::string &p) {
    std::vector<uint16_t> t;
    Status s = readTokenShard(p, &t, 256);
    EXPECT_TRUE(s.isOk()) << s.message();
    return t;
  }
  static std::vector<uint16_t> bytesOf(const std::string &text) {
    std::vector<uint16_t> t;
    for (unsigned char c : text)
      t.push_back(c);
    return t;
  }
};

TEST_F(TextShards, SplitsBytesIntoTrainAndValShards) {
  // Bytes above 127 are tokens 128..255, not negative chars.
  const std::string text = "To be, or not to be\xc3\xa9!";
  ASSERT_EQ(text.size(), 22u);
  writeFile(path("in.txt"), text);
  TextShardOptions o;
  o.outputDir = path("out/nested");
  o.valFraction = 0.25; // floor(22 * 0.25) = 5 bytes
  o.shardTokens = 8;
  TextShardResult r;
  Status s = writeTextShards(path("in.txt"), o, &r);
  ASSERT_TRUE(s.isOk()) << s.message();
  EXPECT_EQ(r.trainTokens, 17);
  EXPECT_EQ(r.valTokens, 5);
  ASSERT_EQ(r.trainShards.size(), 3u); // 8 + 8 + 1
  ASSERT_EQ(r.valShards.size(), 1u);
  EXPECT_EQ(r.trainShards[0], path("out/nested/train_000000.bin"));
  EXPECT_EQ(r.trainShards[2], path("out/nested/train_000002.bin"));
  EXPECT_EQ(r.valShards[0], path("out/nested/val_000000.bin"));
  std::vector<uint16_t> all;
  for (const std::string &f : r.trainShards) {
    std::vector<uint16_t> t = tokensOf(f);
    all.insert(all.end(), t.begin(), t.end());
  }
  EXPECT_EQ(all, bytesOf(text.substr(0, 17)));
  EXPECT_EQ(tokensOf(r.valShards[0]), bytesOf(text.substr(17)));
  EXPECT_EQ(tokensOf(r.valShards[0]).back(), uint16_t('!'));
  EXPECT_EQ(tokensOf(r.valShards[0])[2], 0xc3);
}

TEST_F(TextShards, DefaultsAndNoValidation) {
  writeFile(path("in.txt"), std::string(1000, 'a'));
  TextShardOptions o;
  o.outputDir = dir_;
  TextShardResult r;
  ASSERT_TRUE(writeTextShards(path("in.txt"), o, &r).isOk());
  EXPECT_EQ(r.trainTokens, 900);
  EXPECT_EQ(r.valTokens, 100);
  o.valFraction = 0;
  o.replace = true; // the same directory again
  ASSERT_TRUE(writeTextShards(path("in.txt"), o, &r).isOk());
  EXPECT_EQ(r.trainTokens, 1000);
  EXPECT_TRUE(r.valShards.empty());
  EXPECT_EQ(listDir(), (std::vector<std::string>{"in.txt", "train_000000.bin"}))
      << "the old val_000000.bin is gone";
  // A tiny positive fraction still gives one validation byte.
  o.valFraction = 1e-9;
  ASSERT_TRUE(writeTextShards(path("in.txt"), o, &r).isOk());
  EXPECT_EQ(r.valTokens, 1);
}

TEST_F(TextShards, Errors) {
  writeFile(path("empty.txt"), "");
  writeFile(path("one.txt"), "x");
  writeFile(path("in.txt"), "hello");
  writeFile(path("file"), "");
  struct Case {
    std::string input, outputDir;
    double valFraction;
    int64_t shardTokens;
    std::string expected;
  };
  const std::vector<Case> cases = {
      {path("missing.txt"), dir_, 0.1, 100,
       "text file '" + path("missing.txt") + "': cannot open"},
      {path("empty.txt"), dir_, 0.1, 100,
       "text file '" + path("empty.txt") + "': the file is empty"},
      {path("one.txt"), dir_, 0.1, 100, "1 bytes are too few to split"},
      {dir_, dir_, 0.1, 100, "not a regular file"},
      {path("in.txt"), dir_, 1.0, 100, "validation fraction must be in [0, 1)"},
      {path("in.txt"), dir_, -0.5, 100,
       "validation fraction must be in [0, 1)"},
      {path("in.txt"), dir_, 0.1, 0, "tokens per shard must be in 1..2^31-1"},
      {path("in.txt"), path("file/out"), 0.1, 100,
       "output directory '" + path("file/out") + "': '" + path("file") +
           "' is not a directory"},
      {path("in.txt"), "", 0.1, 100, "no output directory given"},
  };
  for (const Case &c : cases) {
    SCOPED_TRACE(c.expected);
    TextShardOptions o;
    o.outputDir = c.outputDir;
    o.valFraction = c.valFraction;
    o.shardTokens = c.shardTokens;
    TextShardResult r;
    Status s = writeTextShards(c.input, o, &r);
    EXPECT_FALSE(s.isOk());
    EXPECT_CONTAINS(s.message(), c.expected);
  }
}

TEST_F(TextShards, UnwritableShardIsNamed) {
  writeFile(path("in.txt"), "hello world");
  // A file size limit below the shard header: the write fails, even as
  // root, with EFBIG (the signal it would raise is ignored).
  struct rlimit old;
  ASSERT_EQ(getrlimit(RLIMIT_FSIZE, &old), 0);
  struct rlimit small = old;
  small.rlim_cur = 100;
  void (*oldHandler)(int) = signal(SIGXFSZ, SIG_IGN);
  ASSERT_EQ(setrlimit(RLIMIT_FSIZE, &small), 0);
  TextShardOptions o;
  o.outputDir = path("out");
  TextShardResult r;
  Status s = writeTextShards(path("in.txt"), o, &r);
  setrlimit(RLIMIT_FSIZE, &old);
  signal(SIGXFSZ, oldHandler);
  EXPECT_FALSE(s.isOk());
  EXPECT_CONTAINS(s.message(), "token shard '" + path("out/train_000000.bin") +
                                   "': cannot write (through '" +
                                   path("out/train_000000.bin.tmp."));
  EXPECT_CONTAINS(s.message(), "File too large");
}

// `ptc data -o DIR` twice: shards of the first text past the second's last
// one would stay and be read with the new ones by --data 'DIR/train_*.bin'.
TEST_F(TextShards, UsedDirectoryIsRefusedUnlessReplaced) {
  writeFile(path("long.txt"), std::string(100, 'a'));
  writeFile(path("short.txt"), std::string(20, 'b'));
  TextShardOptions o;
  o.outputDir = path("out");
  o.shardTokens = 30; // long.txt: 3 train shards and 1 val shard
  TextShardResult r;
  ASSERT_TRUE(writeTextShards(path("long.txt"), o, &r).isOk());
  ASSERT_EQ(r.trainShards.size(), 3u);
  Status s = writeTextShards(path("short.txt"), o, &r);
  EXPECT_FALSE(s.isOk());
  EXPECT_CONTAINS(s.message(),
                  "output directory '" + path("out") +
                      "' already holds 4 token shard(s) (train_000000.bin, "
                      "...); the new shards would be read together with "
                      "them: use an empty directory, or pass --force to "
                      "delete them first");
  EXPECT_EQ(tokensOf(path("out/train_000000.bin"))[0], 'a') << "untouched";
  // Another file in the directory is no shard and stays.
  writeFile(path("out/notes.txt"), "mine");
  o.replace = true;
  s = writeTextShards(path("short.txt"), o, &r);
  ASSERT_TRUE(s.isOk()) << s.message();
  EXPECT_EQ(r.trainShards.size(), 1u);
  EXPECT_TRUE(access(path("out/train_000001.bin").c_str(), F_OK) != 0);
  EXPECT_TRUE(access(path("out/train_000002.bin").c_str(), F_OK) != 0);
  EXPECT_EQ(tokensOf(path("out/train_000000.bin"))[0], 'b');
  EXPECT_EQ(readFile(path("out/notes.txt")), "mine");
}

TEST_F(TextShards, UnwritableOutputDirectory) {
  if (geteuid() == 0)
    GTEST_SKIP() << "root can write anywhere";
  writeFile(path("in.txt"), "hello world");
  ASSERT_EQ(mkdir(path("ro").c_str(), 0555), 0);
  TextShardOptions o;
  o.outputDir = path("ro");
  TextShardResult r;
  Status s = writeTextShards(path("in.txt"), o, &r);
  EXPECT_FALSE(s.isOk());
  EXPECT_CONTAINS(s.message(), "token shard '" + path("ro/train_000000.bin") +
                                   "': cannot create a temporary file in '" +
                                   path("ro") + "': Permission denied");
  chmod(path("ro").c_str(), 0755);
}

} // namespace
