//===- RopeTest.cpp - rope_forward/backward -------------------------------===//

#include "runtime/cpu/rope.h"

#include "GradCheck.h"

using namespace ptc::rt::cpu;
using namespace ptc::rt::test;

namespace {

constexpr int64_t B = 2, H = 3, T = 5, Dh = 6, n = B * H * T * Dh;

TEST(Rope, KnownRotation) {
  // Dh = 4, theta = 100: pairs (0, 2) with freq 1 and (1, 3) with freq 1/10.
  double x[2 * 4] = {1, 2, 3, 4, /*t=1*/ 1, 2, 3, 4}, out[8];
  rope_forward(out, x, 1, 1, 2, 4, 100.0);
  for (int i = 0; i < 4; ++i)
    EXPECT_EQ(out[i], x[i]) << "position 0 is the identity";
  const double c0 = std::cos(1.0), s0 = std::sin(1.0);
  const double c1 = std::cos(0.1), s1 = std::sin(0.1);
  EXPECT_NEAR(out[4], 1 * c0 - 3 * s0, 1e-15);
  EXPECT_NEAR(out[6], 3 * c0 + 1 * s0, 1e-15);
  EXPECT_NEAR(out[5], 2 * c1 - 4 * s1, 1e-15);
  EXPECT_NEAR(out[7], 4 * c1 + 2 * s1, 1e-15);
  // pos_offset = 1 makes the first row the t = 1 rotation.
  rope_forward(out, x, 1, 1, 1, 4, 100.0, 1);
  EXPECT_NEAR(out[0], 1 * c0 - 3 * s0, 1e-15);
}

TEST(Rope, InPlaceAndInverse) {
  std::vector<double> x = randomVector(n, 1), out(n), back(n, 0.0);
  rope_forward(out.data(), x.data(), B, H, T, Dh, 10000.0);
  std::vector<double> inplace = x;
  rope_forward(inplace.data(), inplace.data(), B, H, T, Dh, 10000.0);
  EXPECT_EQ(inplace, out);
  // The backward applies the inverse rotation: it undoes the forward.
  rope_backward(back.data(), out.data(), B, H, T, Dh, 10000.0);
  for (int64_t i = 0; i < n; ++i)
    EXPECT_NEAR(back[i], x[i], 1e-15);
}

TEST(Rope, GradCheck) {
  std::vector<double> x = randomVector(n, 2), r = randomVector(n, 3);
  std::vector<double> out(n), dx;
  auto loss = [&] {
    rope_forward(out.data(), x.data(), B, H, T, Dh, 10000.0, 3);
    return dotProduct(out, r);
  };
  auto backward = [&] {
    rope_backward(dx.data(), r.data(), B, H, T, Dh, 10000.0, 3);
  };
  expectGradientsMatch(loss, backward, {{"x", &x, &dx}});
}

TEST(RopeDeathTest, OddHeadDim) {
  double buf[8] = {};
  EXPECT_DEATH(rope_forward(buf, buf, 1, 1, 1, 5, 10000.0),
               "Dh=5 \\(Dh must be even\\)");
}

} // namespace
