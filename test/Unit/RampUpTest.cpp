//===- RampUpTest.cpp - The batch-size ramp-up's phases -------------------===//
//
// rampPhases computes the phases one per iteration; these tests hold it to
// a walk step by step with Megatron's arithmetic, which is what the
// phases must reproduce exactly, over many shapes and MT-NLG's.
//
//===----------------------------------------------------------------------===//

#include "passes/Dist/RampUp.h"

#include <gtest/gtest.h>

#include <algorithm>

using ptc::dist::RampPhase;
using ptc::dist::rampPhases;

namespace {

/// Megatron's rule walked one step at a time until the full batch.
std::vector<RampPhase> walk(int64_t start, int64_t increment, int64_t samples,
                            int64_t global, int64_t replica) {
  std::vector<RampPhase> phases;
  const double perIncrement =
      double(samples) / double((global - start) / increment);
  int64_t consumed = 0;
  for (int64_t step = 1;; ++step) {
    int64_t grown = int64_t(double(consumed) / perIncrement);
    int64_t batch = std::min(global, start + grown * increment);
    if (phases.empty() || phases.back().microBatches != batch / replica)
      phases.push_back({step, batch / replica});
    if (batch == global)
      return phases;
    consumed += batch;
  }
}

void expectSame(const std::vector<RampPhase> &got,
                const std::vector<RampPhase> &want) {
  ASSERT_EQ(got.size(), want.size());
  for (size_t i = 0; i < got.size(); ++i) {
    EXPECT_EQ(got[i].firstStep, want[i].firstStep) << "phase " << i;
    EXPECT_EQ(got[i].microBatches, want[i].microBatches) << "phase " << i;
  }
}

TEST(RampUp, MtNlgPaper) {
  // 32 -> 1920 in steps of 32 over 5.86 M samples (models/mt-nlg-530b.json:
  // 5,859,375); micro-batch 1 x dp 8.
  std::vector<RampPhase> phases = rampPhases(32, 32, 5859375, 1920, 8);
  ASSERT_EQ(phases.size(), 60u);
  EXPECT_EQ(phases.front().firstStep, 1);
  EXPECT_EQ(phases.front().microBatches, 4);
  EXPECT_EQ(phases.back().firstStep, 14476);
  EXPECT_EQ(phases.back().microBatches, 240);
  expectSame(phases, walk(32, 32, 5859375, 1920, 8));
}

TEST(RampUp, EndsAtTheFullBatchWhateverTheSteps) {
  // The tiny ramp of test/Integration/parallel/rampup.test.
  std::vector<RampPhase> phases = rampPhases(4, 4, 32, 16, 2);
  EXPECT_EQ(phases.back().microBatches, 8);
  expectSame(phases, walk(4, 4, 32, 16, 2));
}

TEST(RampUp, MatchesTheStepWalkOverManyShapes) {
  for (int64_t replica : {1, 2, 8})
    for (int64_t start : {1, 3, 8})
      for (int64_t increment : {1, 2, 5})
        for (int64_t steps : {1, 4, 9})
          for (int64_t samples : {1, 7, 100, 999, 12345}) {
            int64_t s = start * replica, inc = increment * replica;
            int64_t global = s + steps * inc;
            SCOPED_TRACE(testing::Message()
                         << "start " << s << " increment " << inc << " samples "
                         << samples << " global " << global);
            expectSame(rampPhases(s, inc, samples, global, replica),
                       walk(s, inc, samples, global, replica));
          }
}

} // namespace
