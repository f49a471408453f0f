//===- AttentionTest.cpp - causal grouped-query attention -----------------===//

#include "runtime/cpu/attention.h"

#include "GradCheck.h"

#include <type_traits>

using namespace ptc::rt::cpu;
using namespace ptc::rt::test;

namespace {

constexpr int64_t B = 2, T = 5, Dh = 6;

struct Shape {
  int64_t Hq, Hkv;
};

// Direct formula: scores for all (t, j), masked j > t, softmax, times v.
void naiveAttention(std::vector<double> &out, std::vector<double> &lse,
                    const std::vector<double> &q, const std::vector<double> &k,
                    const std::vector<double> &v, Shape s, double scale) {
  for (int64_t b = 0; b < B; ++b)
    for (int64_t h = 0; h < s.Hq; ++h) {
      int64_t hk = h / (s.Hq / s.Hkv);
      for (int64_t t = 0; t < T; ++t) {
        std::vector<double> w(T, 0.0);
        double z = 0;
        for (int64_t j = 0; j <= t; ++j) {
          double d = 0;
          for (int64_t e = 0; e < Dh; ++e)
            d += q[((b * s.Hq + h) * T + t) * Dh + e] *
                 k[((b * s.Hkv + hk) * T + j) * Dh + e];
          w[j] = std::exp(scale * d);
          z += w[j];
        }
        lse[(b * s.Hq + h) * T + t] = std::log(z);
        for (int64_t e = 0; e < Dh; ++e) {
          double acc = 0;
          for (int64_t j = 0; j <= t; ++j)
            acc += w[j] / z * v[((b * s.Hkv + hk) * T + j) * Dh + e];
          out[((b * s.Hq + h) * T + t) * Dh + e] = acc;
        }
      }
    }
}

class Attention : public testing::TestWithParam<Shape> {};

TEST_P(Attention, MatchesDirectFormula) {
  Shape s = GetParam();
  const double scale = 1 / std::sqrt(double(Dh));
  std::vector<double> q = randomVector(B * s.Hq * T * Dh, 1, -2, 2),
                      k = randomVector(B * s.Hkv * T * Dh, 2, -2, 2),
                      v = randomVector(B * s.Hkv * T * Dh, 3);
  std::vector<double> out(q.size()), lse(B * s.Hq * T), ref(q.size()),
      refLse(lse.size());
  attention_forward(out.data(), lse.data(), q.data(), k.data(), v.data(), B,
                    s.Hq, s.Hkv, T, Dh, scale);
  naiveAttention(ref, refLse, q, k, v, s, scale);
  for (size_t i = 0; i < out.size(); ++i)
    EXPECT_NEAR(out[i], ref[i], 1e-14);
  for (size_t i = 0; i < lse.size(); ++i)
    EXPECT_NEAR(lse[i], refLse[i], 1e-14);
}

TEST_P(Attention, CausalMask) {
  // Perturbing q, k, v at positions > t leaves the outputs at t unchanged.
  Shape s = GetParam();
  std::vector<double> q = randomVector(B * s.Hq * T * Dh, 4),
                      k = randomVector(B * s.Hkv * T * Dh, 5),
                      v = randomVector(B * s.Hkv * T * Dh, 6);
  std::vector<double> out(q.size()), out2(q.size());
  attention_forward(out.data(), (double *)nullptr, q.data(), k.data(), v.data(),
                    B, s.Hq, s.Hkv, T, Dh, 0.4);
  for (int64_t cut = 0; cut < T; ++cut) {
    std::vector<double> q2 = q, k2 = k, v2 = v;
    auto perturb = [&](std::vector<double> &x, int64_t H) {
      for (int64_t bh = 0; bh < B * H; ++bh)
        for (int64_t t = cut + 1; t < T; ++t)
          for (int64_t e = 0; e < Dh; ++e)
            x[(bh * T + t) * Dh + e] += 10.0;
    };
    perturb(q2, s.Hq);
    perturb(k2, s.Hkv);
    perturb(v2, s.Hkv);
    attention_forward(out2.data(), (double *)nullptr, q2.data(), k2.data(),
                      v2.data(), B, s.Hq, s.Hkv, T, Dh, 0.4);
    for (int64_t bh = 0; bh < B * s.Hq; ++bh)
      for (int64_t t = 0; t < T; ++t)
        for (int64_t e = 0; e < Dh; ++e) {
          int64_t i = (bh * T + t) * Dh + e;
          if (t <= cut)
            EXPECT_EQ(out2[i], out[i]) << "cut " << cut << " t " << t;
          else
            EXPECT_NE(out2[i], out[i]);
        }
  }
}

TEST_P(Attention, GradCheck) {
  Shape s = GetParam();
  const double scale = 1 / std::sqrt(double(Dh));
  std::vector<double> q = randomVector(B * s.Hq * T * Dh, 7, -2, 2),
                      k = randomVector(B * s.Hkv * T * Dh, 8, -2, 2),
                      v = randomVector(B * s.Hkv * T * Dh, 9),
                      r = randomVector(q.size(), 10);
  std::vector<double> out(q.size()), lse(B * s.Hq * T), dq, dk, dv;
  auto loss = [&] {
    attention_forward(out.data(), lse.data(), q.data(), k.data(), v.data(), B,
                      s.Hq, s.Hkv, T, Dh, scale);
    return dotProduct(out, r);
  };
  auto backward = [&] {
    loss();
    attention_backward(dq.data(), dk.data(), dv.data(), r.data(), q.data(),
                       k.data(), v.data(), out.data(), lse.data(), B, s.Hq,
                       s.Hkv, T, Dh, scale);
  };
  expectGradientsMatch(loss, backward,
                       {{"q", &q, &dq}, {"k", &k, &dk}, {"v", &v, &dv}});
}

// Multi-head (Hkv = Hq = 3), grouped-query (6 query heads on 2 kv heads) and
// multi-query (Hkv = 1).
INSTANTIATE_TEST_SUITE_P(Heads, Attention,
                         testing::Values(Shape{3, 3}, Shape{6, 2}, Shape{3, 1}),
                         [](const testing::TestParamInfo<Shape> &info) {
                           return "Hq" + std::to_string(info.param.Hq) +
                                  "Hkv" + std::to_string(info.param.Hkv);
                         });

TEST(AttentionSingle, OneTokenReturnsV) {
  // T = 1: the only key is the token itself, softmax weight 1: out = v of the
  // query head's kv head.
  const int64_t Hq = 4, Hkv = 2;
  std::vector<double> q = randomVector(B * Hq * Dh, 11),
                      k = randomVector(B * Hkv * Dh, 12),
                      v = randomVector(B * Hkv * Dh, 13), out(q.size());
  attention_forward(out.data(), (double *)nullptr, q.data(), k.data(), v.data(),
                    B, Hq, Hkv, 1, Dh, 0.5);
  for (int64_t b = 0; b < B; ++b)
    for (int64_t h = 0; h < Hq; ++h)
      for (int64_t e = 0; e < Dh; ++e)
        EXPECT_DOUBLE_EQ(out[(b * Hq + h) * Dh + e],
                         v[(b * Hkv + h / 2) * Dh + e]);
}

// lse is kept in at least fp32: float for float and for any 16-bit type,
// double for double.
static_assert(std::is_same_v<AttentionLse<float>, float>);
static_assert(std::is_same_v<AttentionLse<double>, double>);
static_assert(std::is_same_v<AttentionLse<uint16_t>, float>);

TEST(AttentionDeathTest, KvHeadsMustDivideQueryHeads) {
  double buf[64] = {};
  EXPECT_DEATH(attention_forward(buf, buf, buf, buf, buf, 1, 3, 2, 1, 4, 0.5),
               "Hkv must divide Hq");
}

} // namespace
