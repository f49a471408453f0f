//===- DropoutTest.cpp - counter-based deterministic dropout --------------===//

#include "runtime/cpu/dropout.h"

#include "GradCheck.h"

using namespace ptc::rt::cpu;
using namespace ptc::rt::test;

namespace {

TEST(Dropout, Mix64IsSplitMix64) {
  // The first outputs of the reference splitmix64 generator seeded with 0
  // (state += golden ratio, then the finalizer) — pins the mask bit for bit
  // for the CUDA twin.
  EXPECT_EQ(mix64(0), 0xE220A8397B1DCDAFull);
  EXPECT_EQ(mix64(0x9E3779B97F4A7C15ull), 0x6E789E6AA1B965F4ull);
}

TEST(Dropout, ZeroProbabilityIsIdentity) {
  std::vector<double> x = randomVector(70, 1), out(70);
  dropout_forward(out.data(), x.data(), 70, 0.0, 42, 0);
  EXPECT_EQ(out, x);
}

TEST(Dropout, MaskIsDeterministicAndHasRateP) {
  const int64_t n = 200000;
  const double p = 0.3;
  std::vector<float> x(n, 1.0f), a(n), b(n), c(n);
  dropout_forward(a.data(), x.data(), n, p, 1234, 0);
  dropout_forward(b.data(), x.data(), n, p, 1234, 0);
  EXPECT_EQ(a, b);
  int64_t kept = 0;
  for (float v : a) {
    ASSERT_TRUE(v == 0.0f || v == float(1.0 / (1 - p)));
    kept += v != 0.0f;
  }
  EXPECT_NEAR(double(kept) / n, 1 - p, 0.005);
  // The offset selects a different part of the stream: element i of a call
  // at offset 1000 is element 1000 + i of a call at offset 0.
  dropout_forward(c.data(), x.data(), n - 1000, p, 1234, 1000);
  for (int64_t i = 0; i < n - 1000; ++i)
    ASSERT_EQ(c[i], a[i + 1000]);
  // Another seed, another mask.
  dropout_forward(c.data(), x.data(), n, p, 1235, 0);
  EXPECT_NE(a, c);
}

TEST(Dropout, BackwardUsesTheForwardMask) {
  std::vector<double> x = randomVector(70, 2), r = randomVector(70, 3);
  std::vector<double> out(70), dx;
  auto loss = [&] {
    dropout_forward(out.data(), x.data(), 70, 0.4, 99, 17);
    return dotProduct(out, r);
  };
  auto backward = [&] {
    dropout_backward(dx.data(), r.data(), 70, 0.4, 99, 17);
  };
  expectGradientsMatch(loss, backward, {{"x", &x, &dx}});
}

TEST(DropoutDeathTest, ProbabilityOutOfRange) {
  double x = 1;
  EXPECT_DEATH(dropout_forward(&x, &x, 1, 1.0, 0, 0), "need p in \\[0, 1\\)");
  EXPECT_DEATH(dropout_backward(&x, &x, 1, -0.1, 0, 0), "need p in \\[0, 1\\)");
}

} // namespace
