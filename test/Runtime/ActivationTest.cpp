//===- ActivationTest.cpp - gelu, silu, swiglu ----------------------------===//

#include "runtime/cpu/gelu.h"
#include "runtime/cpu/silu.h"

#include "GradCheck.h"

using namespace ptc::rt::cpu;
using namespace ptc::rt::test;

namespace {

constexpr int64_t n = 70; // B=2 x T=5 x C=7

TEST(Gelu, KnownValues) {
  // Reference values from the formulas in Python (math.erf, math.tanh).
  double x[] = {0.0, 1.0, -1.0, 2.0, -3.0}, out[5];
  gelu_forward(out, x, 5, GeluApprox::None);
  EXPECT_EQ(out[0], 0.0);
  EXPECT_NEAR(out[1], 0.8413447460685429, 1e-15);
  EXPECT_NEAR(out[2], -0.15865525393145707, 1e-15);
  EXPECT_NEAR(out[3], 1.9544997361036416, 1e-15);
  EXPECT_NEAR(out[4], -0.00404969409489031, 1e-15);
  gelu_forward(out, x, 5, GeluApprox::Tanh);
  EXPECT_EQ(out[0], 0.0);
  EXPECT_NEAR(out[1], 0.8411919906082768, 1e-15);
  EXPECT_NEAR(out[2], -0.15880800939172324, 1e-15);
  EXPECT_NEAR(out[3], 1.954597694087775, 1e-15);
  EXPECT_NEAR(out[4], -0.0036373920817729943, 1e-15);
}

TEST(Silu, KnownValues) {
  double x[] = {0.0, 1.0, -2.0, -1000.0}, out[4];
  silu_forward(out, x, 4);
  EXPECT_EQ(out[0], 0.0);
  EXPECT_NEAR(out[1], 0.7310585786300049, 1e-15);
  EXPECT_NEAR(out[2], -0.2384058440442351, 1e-15);
  EXPECT_EQ(out[3], -0.0); // no NaN from exp overflow
  double gate[] = {1.0, -2.0}, up[] = {3.0, 0.5}, sw[2];
  swiglu_forward(sw, gate, up, 2);
  EXPECT_NEAR(sw[0], 3 * 0.7310585786300049, 1e-15);
  EXPECT_NEAR(sw[1], 0.5 * -0.2384058440442351, 1e-15);
}

void gradCheckGelu(GeluApprox approx) {
  std::vector<double> x = randomVector(n, 1, -4, 4), r = randomVector(n, 2);
  std::vector<double> out(n), dx;
  auto loss = [&] {
    gelu_forward(out.data(), x.data(), n, approx);
    return dotProduct(out, r);
  };
  auto backward = [&] {
    gelu_backward(dx.data(), x.data(), r.data(), n, approx);
  };
  expectGradientsMatch(loss, backward, {{"x", &x, &dx}});
}

TEST(Gelu, GradCheckErf) { gradCheckGelu(GeluApprox::None); }
TEST(Gelu, GradCheckTanh) { gradCheckGelu(GeluApprox::Tanh); }

TEST(Silu, GradCheck) {
  std::vector<double> x = randomVector(n, 3, -5, 5), r = randomVector(n, 4);
  std::vector<double> out(n), dx;
  auto loss = [&] {
    silu_forward(out.data(), x.data(), n);
    return dotProduct(out, r);
  };
  auto backward = [&] { silu_backward(dx.data(), x.data(), r.data(), n); };
  expectGradientsMatch(loss, backward, {{"x", &x, &dx}});
}

TEST(SwiGLU, GradCheck) {
  std::vector<double> gate = randomVector(n, 5, -4, 4),
                      up = randomVector(n, 6, -2, 2), r = randomVector(n, 7);
  std::vector<double> out(n), dgate, dup;
  auto loss = [&] {
    swiglu_forward(out.data(), gate.data(), up.data(), n);
    return dotProduct(out, r);
  };
  auto backward = [&] {
    swiglu_backward(dgate.data(), dup.data(), gate.data(), up.data(), r.data(),
                    n);
  };
  expectGradientsMatch(loss, backward,
                       {{"gate", &gate, &dgate}, {"up", &up, &dup}});
}

TEST(ActivationDeathTest, NegativeSize) {
  double x = 0;
  EXPECT_DEATH(gelu_forward(&x, &x, -1, GeluApprox::Tanh),
               "gelu_forward: n = -1 < 0");
}

} // namespace
