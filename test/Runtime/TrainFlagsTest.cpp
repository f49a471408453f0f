//===- TrainFlagsTest.cpp - the command line of compiled programs ---------===//

#include "FakeModel.h"
#include "RuntimeTestUtil.h"

#include "runtime/train/flags.h"
#include "runtime/train/run_main.h"

#include <sstream>

using namespace ptc::rt;
using namespace ptc::rt::train;
namespace fake = ptc::test::fake;

namespace {

Status parse(std::vector<std::string> args, Flags *flags) {
  return parseFlags(fake::model(), args, flags);
}

TEST(TrainFlags, DefaultsComeFromTheModel) {
  Flags f;
  Status s = parse({"--data", "a.bin"}, &f);
  ASSERT_TRUE(s.isOk()) << s.message();
  EXPECT_EQ(f.steps, 5);
  EXPECT_EQ(f.seed, 42);
  EXPECT_EQ(f.evalEvery, 10);
  EXPECT_EQ(f.evalSteps, 2);
  EXPECT_FALSE(f.quiet);
  EXPECT_EQ(f.data, std::vector<std::string>{"a.bin"});
}

TEST(TrainFlags, BothValueFormsAndRepeatedPatterns) {
  Flags f;
  Status s =
      parse({"--steps=7", "--data", "a_*.bin", "--data=b.bin", "--val-data",
             "v.bin", "--val-data=w.bin", "--eval-every", "0", "--eval-steps=3",
             "--log=l.jsonl", "--seed", "0", "--save-weights",
             "out.safetensors", "--save-initial-weights=init.safetensors",
             "--init-from", "in.safetensors", "--quiet"},
            &f);
  ASSERT_TRUE(s.isOk()) << s.message();
  EXPECT_EQ(f.steps, 7);
  EXPECT_EQ(f.data, (std::vector<std::string>{"a_*.bin", "b.bin"}));
  EXPECT_EQ(f.valData, (std::vector<std::string>{"v.bin", "w.bin"}));
  EXPECT_EQ(f.evalEvery, 0);
  EXPECT_EQ(f.evalSteps, 3);
  EXPECT_EQ(f.logPath, "l.jsonl");
  EXPECT_EQ(f.seed, 0);
  EXPECT_EQ(f.saveWeights, "out.safetensors");
  EXPECT_EQ(f.saveInitialWeights, "init.safetensors");
  EXPECT_EQ(f.initFrom, "in.safetensors");
  EXPECT_TRUE(f.quiet);
}

// A spec's training.seed takes any 64-bit value; the flag takes the same,
// and a model's seed at or above 2^63 is its default, not a negative number.
TEST(TrainFlags, SeedTakesEvery64BitValue) {
  Flags f;
  Status s = parse({"--data", "a.bin", "--seed", "18446744073709551615"}, &f);
  ASSERT_TRUE(s.isOk()) << s.message();
  EXPECT_EQ(f.seed, 18446744073709551615ull);
  ptc::abi::Model m = fake::model();
  m.seed = 9223372036854775813ull;
  Flags g;
  s = parseFlags(m, {"--data", "a.bin"}, &g);
  ASSERT_TRUE(s.isOk()) << s.message();
  EXPECT_EQ(g.seed, 9223372036854775813ull);
  EXPECT_NE(usage(m, "prog").find("9223372036854775813"), std::string::npos);
}

TEST(TrainFlags, ZeroStepsOnlyToInitializeAndSave) {
  Flags f;
  Status s = parse({"--steps", "0", "--save-initial-weights", "w.st"}, &f);
  EXPECT_TRUE(s.isOk()) << s.message() << " (no --data needed)";
  s = parse({"--steps=0", "--init-from", "a.st", "--save-weights", "b.st"}, &f);
  EXPECT_TRUE(s.isOk()) << s.message();
  s = parse({"--steps", "0", "--data", "a.bin"}, &f);
  EXPECT_FALSE(s.isOk());
  EXPECT_CONTAINS(s.message(),
                  "--steps: expected a positive integer, got \"0\"");
}

TEST(TrainFlags, EveryErrorNamesTheFlag) {
  struct Case {
    std::vector<std::string> args;
    std::string expected;
  };
  const std::vector<Case> cases = {
      {{"--steps", "abc"}, "--steps: expected a positive integer, got \"abc\""},
      {{"--steps=-3"}, "--steps: expected a positive integer, got \"-3\""},
      {{"--steps", "1e3"}, "--steps: expected a positive integer, got \"1e3\""},
      {{"--steps", "99999999999999999999"},
       "got \"99999999999999999999\" (too large)"},
      {{"--steps="}, "--steps: expected a positive integer, got \"\""},
      {{"--data", "a", "--steps"},
       "--steps: missing value (expected --steps N)"},
      {{"--log", "--quiet"}, "--log: missing value (expected --log FILE)"},
      {{"--log="}, "--log: expected a FILE, got an empty value"},
      {{"--eval-steps", "0"},
       "--eval-steps: expected a positive integer, got \"0\""},
      {{"--eval-every", "x"},
       "--eval-every: expected a non-negative integer, got \"x\""},
      {{"--seed", "1.5"},
       "--seed: expected an integer in [0, 2^64 - 1], got \"1.5\""},
      {{"--seed", "-1"},
       "--seed: expected an integer in [0, 2^64 - 1], got \"-1\""},
      {{"--seed", "18446744073709551616"},
       "--seed: expected an integer in [0, 2^64 - 1], got "
       "\"18446744073709551616\" (too large)"},
      {{"--frobnicate"}, "--frobnicate: unknown flag (see --help)"},
      {{"--frob=1"}, "--frob: unknown flag"},
      {{"--quiet=yes"}, "--quiet: takes no value"},
      {{"train.bin"}, "unexpected argument \"train.bin\""},
      {{"-steps", "3"}, "unexpected argument \"-steps\""},
      {{"--steps", "3"}, "--data: no training data given"},
  };
  for (const Case &c : cases) {
    SCOPED_TRACE(testing::PrintToString(c.args));
    Flags f;
    Status s = parse(c.args, &f);
    EXPECT_FALSE(s.isOk());
    EXPECT_CONTAINS(s.message(), c.expected);
  }
}

TEST(TrainFlags, MissingDataSaysHowToMakeIt) {
  Flags f;
  Status s = parse({}, &f);
  EXPECT_CONTAINS(s.message(), "ptc data FILE.txt -o DIR");
}

// run(): the "error: " line on stderr and exit status 2; --help, --version.
TEST(TrainFlags, RunReportsBadFlagsWithStatusTwo) {
  std::ostringstream out, err;
  EXPECT_EQ(run(fake::model(), {"prog", "--steps", "abc"}, out, err), 2);
  EXPECT_EQ(err.str(), "error: --steps: expected a positive integer, got "
                       "\"abc\"\n");
  EXPECT_EQ(out.str(), "");
}

TEST(TrainFlags, HelpListsTheModelAndEveryFlag) {
  std::ostringstream out, err;
  EXPECT_EQ(run(fake::model(), {"prog", "--help"}, out, err), 0);
  const std::string help = out.str();
  EXPECT_CONTAINS(help, "usage: prog --data PATTERN");
  EXPECT_CONTAINS(help, "'linear' (target cpu, 2 parameters)");
  EXPECT_CONTAINS(help, "micro batch 2 x sequence 8 x 2 accumulation steps = "
                        "32 tokens per step; vocabulary 16");
  for (const char *flag :
       {"--steps N", "--data PATTERN", "--val-data PATTERN", "--eval-every N",
        "--eval-steps N", "--log FILE", "--seed N", "--save-weights FILE",
        "--save-initial-weights FILE", "--init-from FILE", "--quiet", "--help",
        "--version"})
    EXPECT_CONTAINS(help, flag);
  EXPECT_CONTAINS(help, "(default 5)");
  EXPECT_CONTAINS(help, "(default 42)");
  EXPECT_CONTAINS(help, "ptc data FILE.txt -o DIR");
}

TEST(TrainFlags, Version) {
  std::ostringstream out, err;
  EXPECT_EQ(run(fake::model(), {"prog", "--version"}, out, err), 0);
  EXPECT_CONTAINS(out.str(), "linear: ptc ");
  EXPECT_CONTAINS(out.str(),
                  "ABI version " + std::to_string(ptc::abi::kVersion));
}

} // namespace
