//===- CrossEntropyTest.cpp - fused softmax + cross-entropy ---------------===//

#include "runtime/cpu/cross_entropy.h"

#include "GradCheck.h"

using namespace ptc::rt::cpu;
using namespace ptc::rt::test;

namespace {

constexpr int64_t N = 10, V = 11, Vp = 13; // B=2 x T=5 rows, 2 padding columns

// Logits with garbage in the padding columns: they must not matter.
std::vector<double> paddedLogits(uint64_t seed) {
  std::vector<double> l = randomVector(N * Vp, seed, -3, 3);
  for (int64_t n = 0; n < N; ++n)
    for (int64_t c = V; c < Vp; ++c)
      l[n * Vp + c] = 50.0 + c;
  return l;
}

TEST(CrossEntropy, UniformLogitsGiveLogV) {
  std::vector<double> logits(N * Vp, 0.7), lse(N);
  for (int64_t n = 0; n < N; ++n)
    logits[n * Vp + V] = logits[n * Vp + V + 1] = 1000.0; // padding
  std::vector<int32_t> targets = {0, 1, 2, 3, 4, 5, 6, 7, 8, 10};
  double loss = -1;
  EXPECT_EQ(cross_entropy_forward(&loss, lse.data(), logits.data(),
                                  targets.data(), N, V, Vp),
            N);
  EXPECT_NEAR(loss, std::log(double(V)), 1e-14);
  EXPECT_NEAR(lse[0], 0.7 + std::log(double(V)), 1e-14);
}

TEST(CrossEntropy, MatchesDirectFormulaAndIgnoresRows) {
  std::vector<double> logits = paddedLogits(1);
  std::vector<int32_t> targets = {3, -1, 10, 0, 7, -1, 1, 9, 2, 5};
  double sum = 0;
  int count = 0;
  for (int64_t n = 0; n < N; ++n) {
    if (targets[n] < 0)
      continue;
    double z = 0;
    for (int64_t c = 0; c < V; ++c)
      z += std::exp(logits[n * Vp + c]);
    sum += -std::log(std::exp(logits[n * Vp + targets[n]]) / z);
    ++count;
  }
  double loss;
  EXPECT_EQ(cross_entropy_forward(&loss, (double *)nullptr, logits.data(),
                                  targets.data(), N, V, Vp),
            8);
  EXPECT_NEAR(loss, sum / count, 1e-14);
  // Another ignore index: -1 is then an invalid target.
  std::vector<int32_t> t2 = targets;
  for (int32_t &t : t2)
    if (t == -1)
      t = -100;
  double loss2;
  cross_entropy_forward(&loss2, (double *)nullptr, logits.data(), t2.data(), N,
                        V, Vp, -100);
  EXPECT_EQ(loss2, loss);
}

TEST(CrossEntropy, GradCheckPaddingAndIgnoredRowsGetZero) {
  std::vector<double> logits = paddedLogits(2), lse(N), dlogits;
  std::vector<int32_t> targets = {3, -1, 10, 0, 7, 4, 1, -1, 2, 5};
  std::vector<double> dloss = {1.7}; // the upstream gradient of the scalar
  double loss;
  auto lossFn = [&] {
    cross_entropy_forward(&loss, lse.data(), logits.data(), targets.data(), N,
                          V, Vp);
    return loss * dloss[0];
  };
  auto backward = [&] {
    lossFn();
    cross_entropy_backward(dlogits.data(), logits.data(), lse.data(),
                           targets.data(), dloss[0], N, V, Vp);
  };
  expectGradientsMatch(lossFn, backward, {{"logits", &logits, &dlogits}});
  for (int64_t n = 0; n < N; ++n)
    for (int64_t c = 0; c < Vp; ++c)
      if (c >= V || targets[n] == -1) {
        EXPECT_EQ(dlogits[n * Vp + c], kPrefill) << n << "," << c;
      }
  // Recomputing lse (null) gives the same gradient.
  std::vector<double> d2(N * Vp, kPrefill);
  cross_entropy_backward(d2.data(), logits.data(), (const double *)nullptr,
                         targets.data(), dloss[0], N, V, Vp);
  for (int64_t i = 0; i < N * Vp; ++i)
    EXPECT_NEAR(d2[i], dlogits[i], 1e-15);
}

TEST(CrossEntropy, AllRowsIgnored) {
  std::vector<double> logits = paddedLogits(3), d(N * Vp, 0.0);
  std::vector<int32_t> targets(N, -1);
  double loss = 5;
  EXPECT_EQ(cross_entropy_forward(&loss, (double *)nullptr, logits.data(),
                                  targets.data(), N, V, Vp),
            0);
  EXPECT_EQ(loss, 0.0);
  cross_entropy_backward(d.data(), logits.data(), (const double *)nullptr,
                         targets.data(), 1.0, N, V, Vp);
  for (double x : d)
    EXPECT_EQ(x, 0.0);
}

TEST(CrossEntropyDeathTest, TargetOutOfRange) {
  std::vector<double> logits(2 * Vp, 0.0);
  double loss;
  int32_t padded[2] = {0, int32_t(V)}, negative[2] = {-2, 0};
  EXPECT_DEATH(cross_entropy_forward(&loss, (double *)nullptr, logits.data(),
                                     padded, 2, V, Vp),
               "targets\\[1\\] = 11 is outside \\[0, 11\\)");
  EXPECT_DEATH(cross_entropy_forward(&loss, (double *)nullptr, logits.data(),
                                     negative, 2, V, Vp),
               "targets\\[0\\] = -2");
  EXPECT_DEATH(cross_entropy_backward(logits.data(), logits.data(),
                                      (const double *)nullptr, padded, 1.0, 2,
                                      V, Vp),
               "cross_entropy_backward: targets\\[1\\]");
  EXPECT_DEATH(cross_entropy_forward(&loss, (double *)nullptr, logits.data(),
                                     padded, 2, 14, 13),
               "need 0 < V <= Vp");
}

} // namespace
