//===- RunClockTest.cpp - Elapsed time and the ETA of the step line -------===//

#include "runtime/train/metrics.h"
#include "runtime/train/run_clock.h"

#include <gtest/gtest.h>

#include <cmath>

using namespace ptc::rt::train;

namespace {

// Step 1 takes 10 s (warm-up), step 2 4 s, then 1 s a step: from step 3 on
// the estimate is 1 s per step left, not the mean with the warm-up.
TEST(RunClock, LeavesTheWarmupStepsOutOfTheEstimate) {
  RunClock clock(1, 100);
  clock.stepDone(1, 10);
  EXPECT_DOUBLE_EQ(clock.etaSeconds(), 10 * 99);
  clock.stepDone(2, 14);
  EXPECT_DOUBLE_EQ(clock.etaSeconds(), 7 * 98);
  clock.stepDone(3, 15);
  EXPECT_DOUBLE_EQ(clock.etaSeconds(), 97);
  clock.stepDone(4, 16.5); // 1.25 s a step over steps 3 and 4
  EXPECT_DOUBLE_EQ(clock.etaSeconds(), 1.25 * 96);
  EXPECT_DOUBLE_EQ(clock.elapsedSeconds(), 16.5);
  clock.stepDone(100, 200);
  EXPECT_DOUBLE_EQ(clock.etaSeconds(), 0);
}

// A resumed run's warm-up is its own first steps, whatever their number.
TEST(RunClock, CountsFromTheFirstStepOfThisProcess) {
  RunClock clock(51, 60);
  clock.stepDone(51, 30);
  EXPECT_DOUBLE_EQ(clock.etaSeconds(), 30 * 9);
  clock.stepDone(52, 32);
  clock.stepDone(53, 34);
  EXPECT_DOUBLE_EQ(clock.etaSeconds(), 2 * 7);
}

TEST(RunClock, FormatsDurations) {
  EXPECT_EQ(formatDuration(0), "0:00:00");
  EXPECT_EQ(formatDuration(161.4), "0:02:41");
  EXPECT_EQ(formatDuration(12 * 3600 + 5), "12:00:05");
  EXPECT_EQ(formatDuration(86400 * 3 + 4 * 3600 + 12 * 60 + 9), "3d 04:12:09");
  EXPECT_EQ(formatDuration(-1), "?");
  EXPECT_EQ(formatDuration(NAN), "?");
  EXPECT_EQ(formatDuration(INFINITY), "?");
}

TEST(RunClock, StepLineAndRecordCarryIt) {
  StepMetrics m;
  m.step = 3;
  m.steps = 10;
  m.elapsedSeconds = 61;
  m.etaSeconds = 3600;
  const std::string line = formatStepLine(m);
  EXPECT_NE(line.find("| elapsed 0:01:01 | eta 1:00:00"), std::string::npos)
      << line;
  const nlohmann::ordered_json r = stepRecord(m);
  EXPECT_EQ(r["elapsed_s"], 61);
  EXPECT_EQ(r["eta_s"], 3600);
  // The keys before them stay where scripts find them.
  EXPECT_EQ(r.begin().key(), "step");
}

} // namespace
