//===- ElementwiseTest.cpp - add, mul, scale with suffix broadcast --------===//

#include "runtime/cpu/elementwise.h"

#include "GradCheck.h"

using namespace ptc::rt::cpu;
using namespace ptc::rt::test;

namespace {

constexpr int64_t B = 2, T = 5, C = 7, n = B * T * C, nb = T * C;

TEST(Elementwise, BroadcastForward) {
  // b [T, C] added to / multiplied into a [B, T, C].
  std::vector<double> a = randomVector(n, 1), b = randomVector(nb, 2);
  std::vector<double> sum(n), prod(n);
  add_forward(sum.data(), a.data(), b.data(), n, nb);
  mul_forward(prod.data(), a.data(), b.data(), n, nb);
  for (int64_t i = 0; i < B; ++i)
    for (int64_t t = 0; t < T; ++t)
      for (int64_t c = 0; c < C; ++c) {
        int64_t ia = (i * T + t) * C + c, ib = t * C + c;
        EXPECT_EQ(sum[ia], a[ia] + b[ib]);
        EXPECT_EQ(prod[ia], a[ia] * b[ib]);
      }
  std::vector<double> s(n);
  scale_forward(s.data(), a.data(), -2.5, n);
  EXPECT_EQ(s[3], -2.5 * a[3]);
}

class ElementwiseGrad : public testing::TestWithParam<int64_t> {};

TEST_P(ElementwiseGrad, Add) {
  const int64_t m = GetParam();
  std::vector<double> a = randomVector(n, 3), b = randomVector(m, 4),
                      r = randomVector(n, 5), out(n), da, db;
  auto loss = [&] {
    add_forward(out.data(), a.data(), b.data(), n, m);
    return dotProduct(out, r);
  };
  auto backward = [&] { add_backward(da.data(), db.data(), r.data(), n, m); };
  expectGradientsMatch(loss, backward, {{"a", &a, &da}, {"b", &b, &db}});
}

TEST_P(ElementwiseGrad, Mul) {
  const int64_t m = GetParam();
  std::vector<double> a = randomVector(n, 6), b = randomVector(m, 7),
                      r = randomVector(n, 8), out(n), da, db;
  auto loss = [&] {
    mul_forward(out.data(), a.data(), b.data(), n, m);
    return dotProduct(out, r);
  };
  auto backward = [&] {
    mul_backward(da.data(), db.data(), r.data(), a.data(), b.data(), n, m);
  };
  expectGradientsMatch(loss, backward, {{"a", &a, &da}, {"b", &b, &db}});
}

// Same shape, [T, C] over [B, T, C], [C] over [B, T, C], a scalar.
INSTANTIATE_TEST_SUITE_P(Broadcast, ElementwiseGrad,
                         testing::Values(n, nb, C, int64_t(1)));

TEST(Elementwise, ScaleGradCheck) {
  std::vector<double> x = randomVector(n, 9), r = randomVector(n, 10), out(n),
                      dx;
  auto loss = [&] {
    scale_forward(out.data(), x.data(), 0.37, n);
    return dotProduct(out, r);
  };
  auto backward = [&] { scale_backward(dx.data(), r.data(), 0.37, n); };
  expectGradientsMatch(loss, backward, {{"x", &x, &dx}});
}

TEST(ElementwiseDeathTest, BroadcastSizeMustDivide) {
  double buf[8] = {};
  EXPECT_DEATH(add_forward(buf, buf, buf, 8, 3),
               "nb = 3 must be positive and divide n = 8");
  EXPECT_DEATH(mul_backward(buf, buf, buf, buf, buf, 8, 0), "nb = 0");
}

} // namespace
