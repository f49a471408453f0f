//===- TrainLoopTest.cpp - runMain end to end on a hand-written model -----===//
//
// Drives the whole program (run(), the body of runMain) on the fake linear
// model of FakeModel.h: data shards in a temporary directory, the JSON log,
// weights saved and loaded back, and the errors that must stop a run.
//
//===----------------------------------------------------------------------===//

#include "FakeModel.h"
#include "RuntimeTestUtil.h"

#include "runtime/data/token_shard.h"
#include "runtime/train/run_main.h"
#include "runtime/train/safetensors.h"

#include <nlohmann/json.hpp>

#include <sstream>

using namespace ptc::rt;
using namespace ptc::rt::train;
namespace fake = ptc::test::fake;

namespace {

class TrainLoop : public ptc::test::TempDirTest {
protected:
  void SetUp() override {
    TempDirTest::SetUp();
    fake::calls = fake::Calls();
    // Tokens 0, 1, ..., 15, 0, 1, ...: the next token is x + 1 mostly.
    std::vector<uint16_t> t(2000);
    for (size_t i = 0; i < t.size(); ++i)
      t[i] = uint16_t(i % fake::kV);
    ASSERT_TRUE(
        writeTokenShard(path("train_000000.bin"), t.data(), 1000).isOk());
    ASSERT_TRUE(writeTokenShard(path("train_000001.bin"), t.data() + 1000, 1000)
                    .isOk());
    ASSERT_TRUE(writeTokenShard(path("val_000000.bin"), t.data(), 500).isOk());
  }

  // Runs the fake model with `args`; stdout and stderr land in out_, err_.
  int runWith(std::vector<std::string> args,
              const ptc::abi::Model &model = fake::model()) {
    args.insert(args.begin(), "linear");
    out_.str("");
    err_.str("");
    return run(model, args, out_, err_);
  }

  std::vector<nlohmann::json> readLog(const std::string &p) {
    std::vector<nlohmann::json> records;
    std::istringstream in(readFile(p));
    for (std::string line; std::getline(in, line);)
      records.push_back(nlohmann::json::parse(line));
    return records;
  }

  std::vector<float> readW(const std::string &p) {
    SafetensorsReader reader;
    Status s = reader.open(p);
    EXPECT_TRUE(s.isOk()) << s.message();
    std::vector<float> w(2);
    if (s) {
      EXPECT_TRUE(reader.read(*reader.find("w"), w.data()).isOk());
    }
    return w;
  }

  std::string trainData() const { return dir_ + "/train_*.bin"; }

  std::ostringstream out_, err_;
};

TEST_F(TrainLoop, TrainsLogsAndSaves) {
  const std::string log = path("log.jsonl"), weights = path("w.safetensors");
  int rc = runWith({"--steps", "30", "--data", trainData(), "--val-data",
                    path("val_000000.bin"), "--eval-every=10", "--log", log,
                    "--save-weights", weights, "--seed", "3"});
  ASSERT_EQ(rc, 0) << err_.str();
  EXPECT_EQ(err_.str(), "");

  // The entry points, in the order of model_abi.h.
  EXPECT_EQ(fake::calls.seed, 3);
  EXPECT_EQ(fake::calls.init, 1);
  EXPECT_EQ(fake::calls.micro, 60);
  EXPECT_EQ(fake::calls.optimizer, 30);
  EXPECT_EQ(fake::calls.eval, 3 * 2); // steps 10, 20, 30; 2 batches each
  EXPECT_EQ(fake::calls.steps.front(), 1);
  EXPECT_EQ(fake::calls.steps.back(), 30);
  EXPECT_EQ(fake::calls.micros[0], 0);
  EXPECT_EQ(fake::calls.micros[1], 1);

  // start, 30 steps, 3 validations, end.
  std::vector<nlohmann::json> records = readLog(log);
  ASSERT_EQ(records.size(), 1u + 30 + 3 + 1);
  EXPECT_EQ(records[0]["event"], "start");
  EXPECT_EQ(records[0]["model"], "linear");
  EXPECT_EQ(records[0]["steps"], 30);
  EXPECT_EQ(records[0]["params"], 2);
  EXPECT_EQ(records[0]["tokens_per_step"], 32);
  EXPECT_EQ(records[0]["total_bytes"], 8 + 8 + 168);
  std::vector<double> losses, valLosses;
  for (const nlohmann::json &r : records) {
    if (r.contains("loss")) {
      losses.push_back(r["loss"]);
      for (const char *key :
           {"step", "lr", "grad_norm", "tokens_per_s", "ms", "mem_bytes",
            "elapsed_s", "eta_s"})
        EXPECT_TRUE(r.contains(key)) << key << " in " << r.dump();
      EXPECT_EQ(r["step"], int(losses.size()));
      EXPECT_EQ(r["lr"], 0.5);
      EXPECT_EQ(r["mem_bytes"], 8 + 8 + 168);
    }
    if (r.contains("val_loss"))
      valLosses.push_back(r["val_loss"]);
  }
  ASSERT_EQ(losses.size(), 30u);
  EXPECT_LT(losses.back(), losses.front() / 2) << "the loss falls";
  ASSERT_EQ(valLosses.size(), 3u);
  EXPECT_LT(valLosses[2], valLosses[0]);
  EXPECT_EQ(records.back()["event"], "end");

  // The human lines.
  const std::string out = out_.str();
  EXPECT_CONTAINS(out, "ptc: model 'linear', target cpu, device cpu");
  EXPECT_CONTAINS(out, "parameters  2 in 1 tensors");
  EXPECT_CONTAINS(out, "io                            168 bytes");
  EXPECT_CONTAINS(out, "step      1/30 | loss ");
  EXPECT_CONTAINS(out, "| lr 5.00e-01 | grad norm ");
  EXPECT_CONTAINS(out, " tok/s | ");
  EXPECT_CONTAINS(out, "| mem 184 B | elapsed ");
  EXPECT_CONTAINS(out, "30/30 | loss ");
  EXPECT_CONTAINS(out, " | eta 0:00:00\n");
  EXPECT_CONTAINS(out, "trained 30 steps in ");
  EXPECT_CONTAINS(out, "val step 20 | loss ");
  EXPECT_CONTAINS(out, "saved the weights to " + weights);

  // The saved weights load back: 0 steps from them reproduce the same file
  // content, and training from them starts where the first run ended.
  const std::vector<float> w = readW(weights);
  const std::string again = path("again.safetensors");
  rc = runWith(
      {"--steps=0", "--init-from", weights, "--save-initial-weights", again});
  ASSERT_EQ(rc, 0) << err_.str();
  EXPECT_EQ(readW(again), w);
  EXPECT_EQ(fake::calls.init, 1) << "--init-from replaces init_params";

  rc = runWith({"--steps", "1", "--data", trainData(), "--init-from", weights,
                "--log", log, "--quiet"});
  ASSERT_EQ(rc, 0) << err_.str();
  records = readLog(log);
  ASSERT_EQ(records.size(), 3u);
  EXPECT_LT(double(records[1]["loss"]), losses.front() / 2);
  EXPECT_EQ(out_.str().find("step      1/1"), std::string::npos)
      << "--quiet prints no step lines";
}

TEST_F(TrainLoop, SameSeedSameLosses) {
  auto lossesOf = [&](const char *seed) {
    const std::string log = path(std::string("log") + seed);
    EXPECT_EQ(runWith({"--steps", "4", "--data", trainData(), "--seed", seed,
                       "--log", log, "--quiet"}),
              0);
    std::vector<double> losses;
    for (const nlohmann::json &r : readLog(log))
      if (r.contains("loss"))
        losses.push_back(r["loss"]);
    return losses;
  };
  EXPECT_EQ(lossesOf("5"), lossesOf("5"));
}

TEST_F(TrainLoop, InitialWeightsAreSavedBeforeStepOne) {
  const std::string init = path("init.safetensors");
  ASSERT_EQ(runWith({"--steps", "0", "--save-initial-weights", init}), 0)
      << err_.str();
  EXPECT_EQ(readW(init), (std::vector<float>{0.0f, 0.0f})); // seed 42 % 7 = 0
  ASSERT_EQ(runWith({"--steps", "0", "--seed", "3", "--save-weights", init}),
            0);
  EXPECT_EQ(readW(init), (std::vector<float>{0.03f, 0.0f}));
  EXPECT_EQ(fake::calls.micro, 0);
}

TEST_F(TrainLoop, TokenOutsideTheVocabularyNamesTheFile) {
  std::vector<uint16_t> t(100, 1);
  t[40] = fake::kV; // vocabulary is 16
  const std::string bad = path("bad.bin");
  ASSERT_TRUE(writeTokenShard(bad, t.data(), 100).isOk());
  int rc = runWith({"--steps", "20", "--data", bad});
  EXPECT_EQ(rc, 1);
  EXPECT_CONTAINS(err_.str(), "error: token shard '" + bad +
                                  "': token 16 at "
                                  "index 40 is >= the vocabulary size 16");
  EXPECT_EQ(fake::calls.micro, 0) << "found when the shard is opened";
}

TEST_F(TrainLoop, DataErrorsNameTheFile) {
  const std::string junk = path("junk.bin");
  writeFile(junk, std::string(2000, 'x'));
  EXPECT_EQ(runWith({"--data", junk}), 1);
  EXPECT_CONTAINS(err_.str(),
                  "error: token shard '" + junk + "': bad magic number");
  EXPECT_EQ(runWith({"--data", path("nothing_*.bin")}), 1);
  EXPECT_CONTAINS(err_.str(), "no file matches the pattern");
  EXPECT_EQ(runWith({"--data", trainData(), "--val-data", junk}), 1);
  EXPECT_CONTAINS(err_.str(), junk);
  EXPECT_EQ(runWith({"--data", trainData(), "--init-from", junk}), 1);
  EXPECT_CONTAINS(err_.str(), "error: safetensors file '" + junk + "'");
  EXPECT_EQ(fake::calls.micro, 0);
}

TEST_F(TrainLoop, NaNLossStopsWithTheStep) {
  fake::calls.nanLoss = true;
  EXPECT_EQ(runWith({"--data", trainData()}), 1);
  EXPECT_CONTAINS(err_.str(), "error: step 1, micro-batch 0: the loss is nan");
}

TEST_F(TrainLoop, ModelTableIsChecked) {
  ptc::abi::Model m = fake::model();
  m.abiVersion = 99;
  EXPECT_EQ(runWith({"--data", trainData()}, m), 1);
  EXPECT_CONTAINS(err_.str(),
                  "compiled for runtime ABI version 99 but this runtime "
                  "implements version " +
                      std::to_string(ptc::abi::kVersion));

  // "loss" declared i32: the wrong type is named.
  ptc::abi::TensorSlot io[std::size(fake::kIO)];
  std::copy(std::begin(fake::kIO), std::end(fake::kIO), io);
  io[2].type = ptc::abi::DType::I32;
  m = fake::model();
  m.io = io;
  EXPECT_EQ(runWith({"--data", trainData()}, m), 1);
  EXPECT_CONTAINS(err_.str(), "io slot 'loss' is i32 [], expected f32 []");

  m.numIO = 7; // drops "micro"
  io[2].type = ptc::abi::DType::F32;
  EXPECT_EQ(runWith({"--data", trainData()}, m), 1);
  EXPECT_CONTAINS(err_.str(), "no io slot 'micro' (expected i64 [])");

  m = fake::model();
  m.target = ptc::abi::Target::CUDA;
  EXPECT_EQ(runWith({"--data", trainData()}, m), 1);
  EXPECT_CONTAINS(err_.str(), "compiled for the cuda target");
}

} // namespace

namespace {
/// A CPU device that reports little free memory.
class SmallDevice : public ptc::rt::train::Device {
public:
  explicit SmallDevice(int64_t free)
      : inner_(ptc::rt::train::createCpuDevice()), free_(free) {}
  const char *name() const override { return "small device"; }
  ptc::rt::Status allocate(int64_t bytes, uint8_t **base) override {
    return inner_->allocate(bytes, base);
  }
  void free(uint8_t *base) override { inner_->free(base); }
  ptc::rt::Status copyToDevice(uint8_t *base, int64_t offset, const void *src,
                               int64_t bytes) override {
    return inner_->copyToDevice(base, offset, src, bytes);
  }
  ptc::rt::Status copyToHost(void *dst, const uint8_t *base, int64_t offset,
                             int64_t bytes) override {
    return inner_->copyToHost(dst, base, offset, bytes);
  }
  ptc::rt::Status synchronize() override { return inner_->synchronize(); }
  int64_t bytesInUse() const override { return inner_->bytesInUse(); }
  int64_t peakBytes() const override { return inner_->peakBytes(); }
  int64_t availableBytes() const override { return free_; }

private:
  std::unique_ptr<ptc::rt::train::Device> inner_;
  int64_t free_;
};
} // namespace

TEST(TrainMemory, PlanLargerThanFreeMemoryIsOneClearError) {
  SmallDevice device(100);
  std::ostringstream out, err;
  ptc::abi::Model model = ptc::test::fake::model();
  const std::string unused = testing::TempDir() + "ptc-never-written";
  int rc = ptc::rt::train::run(
      model, {"prog", "--steps", "0", "--save-initial-weights", unused}, out,
      err, &device);
  EXPECT_EQ(rc, 1);
  EXPECT_NE(err.str().find("the memory plan of 'linear' needs"),
            std::string::npos)
      << err.str();
  EXPECT_NE(err.str().find("small device, which has"), std::string::npos)
      << err.str();
}
