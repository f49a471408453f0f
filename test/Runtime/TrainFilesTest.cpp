//===- TrainFilesTest.cpp - What a run knows at the start fails there -----===//
//
// run() on the fake linear model of FakeModel.h: output files that cannot
// be written, --init-from files that are no weight files or hold NaN, and
// --eval-steps beyond the validation data all fail before the first step
// (no micro-step ran); a --log write that fails mid-run costs the log,
// not the trained weights.
//
//===----------------------------------------------------------------------===//

#include "FakeModel.h"
#include "RuntimeTestUtil.h"

#include "runtime/data/token_shard.h"
#include "runtime/train/run_main.h"
#include "runtime/train/safetensors.h"

#include <nlohmann/json.hpp>

#include <csignal>
#include <cstring>
#include <fcntl.h>
#include <sstream>
#include <sys/resource.h>
#include <sys/stat.h>

using namespace ptc::rt;
using namespace ptc::rt::train;
namespace fake = ptc::test::fake;

namespace {

class TrainFiles : public ptc::test::TempDirTest {
protected:
  void SetUp() override {
    TempDirTest::SetUp();
    fake::calls = fake::Calls();
    std::vector<uint16_t> t(1000);
    for (size_t i = 0; i < t.size(); ++i)
      t[i] = uint16_t(i % fake::kV);
    ASSERT_TRUE(writeTokenShard(path("train.bin"), t.data(), 1000).isOk());
    // 500 tokens: 62 sequences of 8 (+1), 31 micro-batches of 2.
    ASSERT_TRUE(writeTokenShard(path("val.bin"), t.data(), 500).isOk());
  }

  int runWith(std::vector<std::string> args) {
    args.insert(args.begin(), "linear");
    out_.str("");
    err_.str("");
    fake::calls = fake::Calls();
    return run(fake::model(), args, out_, err_);
  }

  // Runs `args` (after --data); expects one error line containing `error`
  // before any step.
  void expectEarlyError(std::vector<std::string> args,
                        const std::string &error) {
    args.insert(args.begin(), {"--data", path("train.bin")});
    EXPECT_EQ(runWith(args), 1);
    const std::string err = err_.str();
    EXPECT_CONTAINS(err, "error: " + error);
    EXPECT_EQ(std::count(err.begin(), err.end(), '\n'), 1) << err;
    EXPECT_EQ(fake::calls.micro, 0) << "no step ran";
  }

  std::vector<float> readW(const std::string &p) {
    SafetensorsReader reader;
    std::vector<float> w(2, -1.0f);
    Status s = reader.open(p);
    EXPECT_TRUE(s.isOk()) << s.message();
    if (s) {
      EXPECT_TRUE(reader.read(*reader.find("w"), w.data()).isOk());
    }
    return w;
  }

  std::ostringstream out_, err_;
};

TEST_F(TrainFiles, OutputsAreCheckedBeforeTheFirstStep) {
  expectEarlyError({"--save-weights", path("missing/w.safetensors")},
                   "--save-weights '" + path("missing/w.safetensors") +
                       "': the directory '" + path("missing") +
                       "' does not exist");
  EXPECT_EQ(fake::calls.init, 0) << "checked before the initialization";
  expectEarlyError({"--save-initial-weights", dir_},
                   "--save-initial-weights '" + dir_ +
                       "': is a directory, not a regular file");
  expectEarlyError({"--log", path("missing/log.jsonl")},
                   "--log '" + path("missing/log.jsonl") +
                       "': the directory '" + path("missing") +
                       "' does not exist");
  expectEarlyError({"--log", dir_}, "--log '" + dir_ +
                                        "': is a directory, not a file");
  expectEarlyError(
      {"--log", path("x"), "--save-weights", path("x")},
      "--log and --save-weights name the same file '" + path("x") +
          "'; one would overwrite the other");
}

// A file size limit makes the log's third record fail (the weights file is
// smaller): the run reports it once, trains on, saves, and exits 3.
TEST_F(TrainFiles, LogWriteFailureCostsTheLogNotTheRun) {
  const std::string log = path("log.jsonl"), weights = path("w.safetensors");
  ASSERT_EQ(runWith({"--data", path("train.bin"), "--log", log}), 0);
  std::istringstream full(readFile(log));
  std::string line;
  size_t twoRecords = 0;
  for (int i = 0; i < 2 && std::getline(full, line); ++i)
    twoRecords += line.size() + 1;

  struct rlimit old;
  ASSERT_EQ(getrlimit(RLIMIT_FSIZE, &old), 0);
  struct rlimit small = old;
  small.rlim_cur = twoRecords + 20;
  void (*oldHandler)(int) = signal(SIGXFSZ, SIG_IGN);
  ASSERT_EQ(setrlimit(RLIMIT_FSIZE, &small), 0);
  const int rc = runWith({"--data", path("train.bin"), "--steps", "5",
                          "--log", log, "--save-weights", weights});
  setrlimit(RLIMIT_FSIZE, &old);
  signal(SIGXFSZ, oldHandler);

  EXPECT_EQ(rc, kExitLogFailed);
  const std::string err = err_.str();
  EXPECT_EQ(err, "error: --log '" + log +
                     "': cannot write: File too large; training goes on "
                     "without the log (the weights are still saved; the "
                     "exit status will be 3)\n");
  EXPECT_EQ(fake::calls.optimizer, 5) << "every step ran";
  EXPECT_CONTAINS(out_.str(), "saved the weights to " + weights);
  EXPECT_NE(readW(weights), (std::vector<float>{0.0f, 0.0f}));
  // The log keeps its whole records only: start and step 1.
  std::istringstream kept(readFile(log));
  int records = 0;
  while (std::getline(kept, line)) {
    EXPECT_FALSE(nlohmann::json::parse(line, nullptr, false).is_discarded())
        << line;
    ++records;
  }
  EXPECT_EQ(records, 2);
}

TEST_F(TrainFiles, InitFromMustBeARegularFile) {
  expectEarlyError({"--init-from", dir_},
                   "safetensors file '" + dir_ +
                       "': is a directory, not a regular file");
  // A FIFO with a writer: opening it cannot block, and the message says
  // what it is (not "truncated: 0 bytes").
  ASSERT_EQ(mkfifo(path("fifo").c_str(), 0644), 0);
  const int writer = open(path("fifo").c_str(), O_RDWR | O_NONBLOCK);
  ASSERT_GE(writer, 0);
  expectEarlyError({"--init-from", path("fifo")},
                   "safetensors file '" + path("fifo") +
                       "': is a FIFO, not a regular file");
  close(writer);
}

// A NaN in --init-from weights is named by tensor and element at load,
// not reported steps later as a diverged loss "(try a lower learning
// rate)".
TEST_F(TrainFiles, NonFiniteInitFromNamesTheTensor) {
  const std::string p = path("w.safetensors");
  ASSERT_EQ(runWith({"--steps", "0", "--seed", "3", "--save-weights", p}), 0);
  const std::string good = readFile(p);
  for (const auto &[value, name] :
       {std::pair<float, std::string>{std::nanf(""), "nan at element 1"},
        {-INFINITY, "-inf at element 1"}}) {
    std::string bytes = good; // w's two floats end the file
    std::memcpy(&bytes[bytes.size() - 4], &value, 4);
    writeFile(p, bytes);
    expectEarlyError({"--init-from", p},
                     "weights '" + p + "': tensor 'w' holds " + name +
                         " (row-major); the file is damaged or was saved "
                         "by a run that diverged");
  }
}

TEST_F(TrainFiles, EvalStepsMustFitTheValidationData) {
  expectEarlyError(
      {"--val-data", path("val.bin"), "--eval-steps", "32"},
      "--eval-steps 32: the validation data (1 file(s)) holds 62 sequences "
      "of 8 tokens, 31 micro-batches of 2; a validation of 32 would read "
      "some of them twice: pass --eval-steps 31 or fewer, or more "
      "--val-data");
  std::vector<uint16_t> t(10, 1);
  ASSERT_TRUE(writeTokenShard(path("tiny.bin"), t.data(), 10).isOk());
  expectEarlyError({"--val-data", path("tiny.bin")},
                   "--val-data: the validation data (1 file(s)) holds 1 "
                   "sequences of 8 tokens, fewer than one micro-batch of 2; "
                   "give more validation data");
  EXPECT_EQ(runWith({"--data", path("train.bin"), "--val-data",
                     path("val.bin"), "--eval-steps", "31", "--steps", "1"}),
            0)
      << err_.str();
  EXPECT_EQ(fake::calls.eval, 31);
}

} // namespace
