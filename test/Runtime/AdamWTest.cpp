//===- AdamWTest.cpp - adamw_step, sum_of_squares, clip_factor ------------===//

#include "runtime/cpu/adamw.h"
#include "runtime/cpu/global_norm.h"

#include "GradCheck.h"

using namespace ptc::rt::cpu;
using namespace ptc::rt::test;

namespace {

TEST(AdamW, FirstStepByHand) {
  // p = 1, g = 0.5, lr = 0.1, betas (0.9, 0.999), eps = 1e-8, wd = 0.01:
  //   decay: p = 1 - 0.1 * 0.01 * 1 = 0.999
  //   m = 0.05, v = 0.00025; mhat = 0.5, vhat = 0.25
  //   p = 0.999 - 0.1 * 0.5 / (0.5 + 1e-8) = 0.899 + 2e-9 (to 1e-16)
  double p = 1, g = 0.5, m = 0, v = 0;
  adamw_step(&p, &g, &m, &v, 1, 0.1, 0.9, 0.999, 1e-8, 0.01, 1);
  EXPECT_NEAR(m, 0.05, 1e-16);
  EXPECT_NEAR(v, 0.00025, 1e-18);
  EXPECT_NEAR(p, 0.899000002, 1e-15);
  // Second step, g = -0.25:
  //   p = 0.899000002 * (1 - 0.001); m = 0.045 - 0.025 = 0.02;
  //   v = 0.999 * 0.00025 + 0.001 * 0.0625 = 0.00031225
  //   mhat = 0.02 / 0.19, vhat = 0.00031225 / 0.001999
  double g2 = -0.25;
  adamw_step(&p, &g2, &m, &v, 1, 0.1, 0.9, 0.999, 1e-8, 0.01, 2);
  double expected = 0.899000002 * 0.999 -
                    0.1 * (0.02 / 0.19) /
                        (std::sqrt(0.00031225 / 0.001999) + 1e-8);
  EXPECT_NEAR(m, 0.02, 1e-16);
  EXPECT_NEAR(v, 0.00031225, 1e-18);
  EXPECT_NEAR(p, expected, 1e-14);
}

TEST(AdamW, GradScaleMultipliesTheGradient) {
  std::vector<double> p1 = randomVector(9, 1), p2 = p1, g = randomVector(9, 2),
                      half(9), m1(9, 0.0), v1(9, 0.0), m2(9, 0.0), v2(9, 0.0);
  for (int i = 0; i < 9; ++i)
    half[i] = 0.5 * g[i];
  for (int64_t step = 1; step <= 3; ++step) {
    adamw_step(p1.data(), g.data(), m1.data(), v1.data(), 9, 1e-3, 0.9, 0.95,
               1e-8, 0.1, step, 0.5);
    adamw_step(p2.data(), half.data(), m2.data(), v2.data(), 9, 1e-3, 0.9,
               0.95, 1e-8, 0.1, step);
  }
  EXPECT_EQ(p1, p2);
  EXPECT_EQ(m1, m2);
  EXPECT_EQ(v1, v2);
}

TEST(AdamW, ZeroWeightDecayAndZeroGradLeaveParamsAlone) {
  std::vector<float> p = {1.5f, -2.0f}, g = {0.0f, 0.0f}, m = {0.0f, 0.0f},
                     v = {0.0f, 0.0f};
  adamw_step(p.data(), g.data(), m.data(), v.data(), 2, 0.1, 0.9, 0.999, 1e-8,
             0.0, 1);
  EXPECT_EQ(p[0], 1.5f);
  EXPECT_EQ(p[1], -2.0f);
}

TEST(GlobalNorm, SumOfSquaresAndClipFactor) {
  const float a[] = {3.0f}, b[] = {0.0f, 4.0f};
  const float *bufs[] = {a, b};
  const int64_t sizes[] = {1, 2};
  double ss = sum_of_squares(bufs, sizes, 2);
  EXPECT_EQ(ss, 25.0);
  const double norm = std::sqrt(ss);
  EXPECT_DOUBLE_EQ(clip_factor(norm, 1.0), 1.0 / (5.0 + 1e-6));
  EXPECT_EQ(clip_factor(norm, 10.0), 1.0);
  EXPECT_EQ(clip_factor(norm, 0.0), 1.0) << "max_norm <= 0: no clipping";
  EXPECT_TRUE(std::isnan(clip_factor(NAN, 1.0)));
  std::vector<double> x = randomVector(101, 3);
  double direct = 0;
  for (double e : x)
    direct += e * e;
  EXPECT_DOUBLE_EQ(sum_of_squares(x.data(), 101), direct);
}

TEST(AdamWDeathTest, StepIsOneBased) {
  double p = 0, g = 0, m = 0, v = 0;
  EXPECT_DEATH(adamw_step(&p, &g, &m, &v, 1, 0.1, 0.9, 0.999, 1e-8, 0.0, 0),
               "steps are 1-based");
  EXPECT_DEATH(adamw_step(&p, &g, &m, &v, 1, 0.1, 1.0, 0.999, 1e-8, 0.0, 1),
               "beta1 = 1");
}

} // namespace
