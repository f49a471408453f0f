//===- ScheduleTest.cpp - learning-rate schedule and normal initialisation
//-===//
//
// learning_rate against the formula of graph.lr_schedule at its warm-up,
// endpoints and midpoints; init_normal's moments, determinism and streams.
//
//===----------------------------------------------------------------------===//

#include "runtime/cpu/schedule.h"

#include <gtest/gtest.h>

#include <cmath>
#include <vector>

using namespace ptc::rt::cpu;

namespace {

constexpr double kLr = 6e-4, kMinLr = 6e-5;

double lr(int64_t step, LRSchedule schedule, int64_t warmup, int64_t decay) {
  return learning_rate(step, schedule, kLr, kMinLr, warmup, decay);
}

// The linear decay is computed as lr - (lr - min_lr) p (graph.lr_schedule's
// formula): at p = 1 that is min_lr up to a rounding of lr's magnitude, a few
// ulps of min_lr (6.0000000000000049e-05 for 6e-05), and the same after the
// f32 conversion of the lr_schedule launch.
#define EXPECT_LR_EQ(actual, expected)                                         \
  EXPECT_NEAR((actual), (expected), 1e-15 * kLr)

TEST(LearningRate, WarmsUpLinearlyFromStepOne) {
  for (LRSchedule s :
       {LRSchedule::Cosine, LRSchedule::Linear, LRSchedule::Constant}) {
    EXPECT_DOUBLE_EQ(lr(1, s, 10, 100), kLr * 0.1);
    EXPECT_DOUBLE_EQ(lr(5, s, 10, 100), kLr * 0.5);
    // The last warm-up step reaches lr.
    EXPECT_DOUBLE_EQ(lr(10, s, 10, 100), kLr);
  }
}

TEST(LearningRate, CosineEndpointsAndMidpoint) {
  // Decay from step 10 (progress 0) to 110 (progress 1).
  EXPECT_DOUBLE_EQ(lr(11, LRSchedule::Cosine, 10, 110),
                   kMinLr + (kLr - kMinLr) * 0.5 * (1 + std::cos(M_PI * 0.01)));
  EXPECT_DOUBLE_EQ(lr(60, LRSchedule::Cosine, 10, 110), (kLr + kMinLr) / 2);
  EXPECT_DOUBLE_EQ(lr(35, LRSchedule::Cosine, 10, 110),
                   kMinLr + (kLr - kMinLr) * 0.5 * (1 + std::cos(M_PI / 4)));
  EXPECT_DOUBLE_EQ(lr(110, LRSchedule::Cosine, 10, 110), kMinLr);
}

TEST(LearningRate, LinearEndpointsAndMidpoint) {
  EXPECT_LR_EQ(lr(11, LRSchedule::Linear, 10, 110),
               kLr - (kLr - kMinLr) * 0.01);
  EXPECT_LR_EQ(lr(35, LRSchedule::Linear, 10, 110),
               kLr - (kLr - kMinLr) * 0.25);
  EXPECT_LR_EQ(lr(60, LRSchedule::Linear, 10, 110), (kLr + kMinLr) / 2);
  EXPECT_LR_EQ(lr(110, LRSchedule::Linear, 10, 110), kMinLr);
}

TEST(LearningRate, HoldsMinLrAfterTheDecay) {
  for (LRSchedule s : {LRSchedule::Cosine, LRSchedule::Linear}) {
    EXPECT_LR_EQ(lr(111, s, 10, 110), kMinLr);
    EXPECT_LR_EQ(lr(1000000, s, 10, 110), kMinLr);
  }
}

TEST(LearningRate, ConstantAfterWarmUp) {
  for (int64_t step : {11, 60, 110, 5000})
    EXPECT_DOUBLE_EQ(lr(step, LRSchedule::Constant, 10, 110), kLr);
  // Without warm-up: lr from step 1.
  EXPECT_DOUBLE_EQ(lr(1, LRSchedule::Constant, 0, 110), kLr);
}

TEST(LearningRate, WithoutWarmUpDecaysFromStepOne) {
  EXPECT_LR_EQ(lr(1, LRSchedule::Linear, 0, 100), kLr - (kLr - kMinLr) * 0.01);
  EXPECT_LR_EQ(lr(50, LRSchedule::Cosine, 0, 100), (kLr + kMinLr) / 2);
  EXPECT_LR_EQ(lr(100, LRSchedule::Cosine, 0, 100), kMinLr);
}

TEST(LearningRate, DecayNotAfterWarmUpGoesStraightToMinLr) {
  // decay_steps <= warmup_steps: nothing to decay over; after the warm-up
  // the rate is min_lr (no division by zero, no NaN).
  for (LRSchedule s : {LRSchedule::Cosine, LRSchedule::Linear}) {
    EXPECT_LR_EQ(lr(10, s, 10, 10), kLr);
    EXPECT_LR_EQ(lr(11, s, 10, 10), kMinLr);
    EXPECT_LR_EQ(lr(11, s, 10, 5), kMinLr);
    EXPECT_LR_EQ(lr(3, s, 10, 5), kLr * 0.3);
    EXPECT_LR_EQ(lr(1, s, 0, 0), kMinLr);
  }
}

TEST(LearningRateDeathTest, StepsAreOneBased) {
  EXPECT_DEATH(lr(0, LRSchedule::Cosine, 10, 100),
               "learning_rate: step 0 \\(steps are 1-based\\)");
}

struct Moments {
  double mean, std, withinOneStd;
};

Moments moments(const std::vector<double> &v) {
  double sum = 0, sq = 0;
  for (double x : v)
    sum += x;
  const double mean = sum / double(v.size());
  for (double x : v)
    sq += (x - mean) * (x - mean);
  const double std = std::sqrt(sq / double(v.size() - 1));
  int64_t within = 0;
  for (double x : v)
    within += std::abs(x - mean) <= std;
  return {mean, std, double(within) / double(v.size())};
}

TEST(InitNormal, HasMeanZeroAndTheGivenStd) {
  const int64_t n = 100000;
  for (double std : {0.02, 1.0}) {
    std::vector<double> v(n);
    init_normal(v.data(), n, 1234, 3, std);
    Moments m = moments(v);
    // The mean of n draws has std / sqrt(n): allow 4 of those.
    EXPECT_NEAR(m.mean, 0.0, 4 * std / std::sqrt(double(n))) << std;
    EXPECT_NEAR(m.std, std, 0.03 * std) << std;
    // Normal, not merely centred: 68.27% within one standard deviation.
    EXPECT_NEAR(m.withinOneStd, 0.6827, 0.01) << std;
  }
}

TEST(InitNormal, DeterministicPerSeedAndStream) {
  const int64_t n = 4096;
  std::vector<float> a(n), b(n), c(n), d(n);
  init_normal(a.data(), n, 42, 7, 0.02);
  init_normal(b.data(), n, 42, 7, 0.02);
  EXPECT_EQ(a, b);
  // Another stream (another parameter) or another seed: other values.
  init_normal(c.data(), n, 42, 8, 0.02);
  init_normal(d.data(), n, 43, 7, 0.02);
  int64_t sameStream = 0, sameSeed = 0;
  for (int64_t i = 0; i < n; ++i) {
    sameStream += a[i] == c[i];
    sameSeed += a[i] == d[i];
  }
  EXPECT_EQ(sameStream, 0);
  EXPECT_EQ(sameSeed, 0);
}

TEST(InitNormal, ElementsDependOnTheirIndexOnlyAndScaleWithStd) {
  // Counter-based: a shorter call is a prefix of a longer one, the float
  // values are the double values rounded, and std only scales.
  std::vector<double> longer(1000), shorter(10), unit(1000);
  init_normal(longer.data(), 1000, 5, 0, 0.5);
  init_normal(shorter.data(), 10, 5, 0, 0.5);
  init_normal(unit.data(), 1000, 5, 0, 1.0);
  for (int i = 0; i < 10; ++i)
    EXPECT_EQ(shorter[i], longer[i]);
  std::vector<float> f(1000);
  init_normal(f.data(), 1000, 5, 0, 0.5);
  for (int i = 0; i < 1000; ++i) {
    ASSERT_EQ(f[i], float(longer[i])) << i;
    ASSERT_NEAR(longer[i], 0.5 * unit[i], 1e-15) << i;
    ASSERT_TRUE(std::isfinite(longer[i])) << i;
  }
  // std = 0 gives zeros.
  init_normal(f.data(), 1000, 5, 0, 0.0);
  for (float x : f)
    ASSERT_EQ(x, 0.0f);
}

} // namespace
