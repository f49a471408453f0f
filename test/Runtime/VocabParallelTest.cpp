//===- VocabParallelTest.cpp - the vocabulary-parallel loss's last step ---===//
//
// ce_from_partials turns the partials summed over the tp ranks into the
// loss. A row whose logits diverged must make the loss non-finite: a run
// whose loss hides NaN rows looks healthy while its weights are NaN.
//
//===----------------------------------------------------------------------===//

#include "runtime/cpu/vocab_parallel.h"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <vector>

using namespace ptc::rt::cpu;

namespace {

constexpr float kNaN = std::numeric_limits<float>::quiet_NaN();
constexpr float kInf = std::numeric_limits<float>::infinity();

// Three rows: partials[0] = sums of exponentials, partials[1] = target
// logits minus the row maximum. Row 1 has the ignore index (sum 0).
std::vector<float> partials(float row2Sum) {
  return {2.0f, 0.0f, row2Sum, -0.5f, 0.0f, -0.25f};
}

TEST(VocabParallel, IgnoredRowsDoNotCount) {
  std::vector<float> p = partials(4.0f);
  float loss = 0;
  ce_from_partials(&loss, p.data(), 3);
  const double expected =
      ((std::log(2.0) + 0.5) + (std::log(4.0) + 0.25)) / 2;
  EXPECT_NEAR(loss, expected, 1e-6);
}

TEST(VocabParallel, NaNRowMakesTheLossNaN) {
  std::vector<float> p = partials(kNaN);
  float loss = 0;
  ce_from_partials(&loss, p.data(), 3);
  EXPECT_TRUE(std::isnan(loss)) << "loss " << loss;
}

TEST(VocabParallel, InfiniteRowMakesTheLossNonFinite) {
  std::vector<float> p = partials(kInf);
  float loss = 0;
  ce_from_partials(&loss, p.data(), 3);
  EXPECT_FALSE(std::isfinite(loss)) << "loss " << loss;
}

TEST(VocabParallel, NaNRowCountsInTheGradient) {
  std::vector<float> p = partials(kNaN);
  const float dloss = 1.0f;
  std::vector<float> dp(6, -1.0f);
  ce_from_partials_grad(dp.data(), p.data(), &dloss, 3);
  // Two rows count (the NaN row among them): -1/2 each on the target
  // partial; the ignored row gets nothing.
  EXPECT_FLOAT_EQ(dp[3], -0.5f);
  EXPECT_FLOAT_EQ(dp[4], 0.0f);
  EXPECT_FLOAT_EQ(dp[1], 0.0f);
  EXPECT_FLOAT_EQ(dp[5], -0.5f);
  EXPECT_TRUE(std::isnan(dp[2]));
}

} // namespace
