//===- NormTest.cpp - layernorm and rmsnorm -------------------------------===//

#include "runtime/cpu/layernorm.h"
#include "runtime/cpu/rmsnorm.h"

#include "GradCheck.h"

using namespace ptc::rt::cpu;
using namespace ptc::rt::test;

namespace {

constexpr int64_t N = 10, C = 7; // B=2 x T=5 rows, C=7 channels

TEST(LayerNorm, NormalizedRowsHaveMeanZeroVarOne) {
  std::vector<double> x = randomVector(N * C, 1, -3, 5), out(N * C),
                      mean(N), rstd(N);
  std::vector<double> gamma(C, 1.0), beta(C, 0.0);
  layernorm_forward(out.data(), mean.data(), rstd.data(), x.data(),
                    gamma.data(), beta.data(), N, C, 0.0);
  for (int64_t n = 0; n < N; ++n) {
    double m = 0, v = 0, xm = 0;
    for (int64_t c = 0; c < C; ++c) {
      m += out[n * C + c];
      xm += x[n * C + c];
    }
    m /= C;
    xm /= C;
    for (int64_t c = 0; c < C; ++c)
      v += (out[n * C + c] - m) * (out[n * C + c] - m);
    EXPECT_NEAR(m, 0.0, 1e-14);
    EXPECT_NEAR(v / C, 1.0, 1e-13);
    EXPECT_NEAR(mean[n], xm, 1e-14);
  }
}

TEST(LayerNorm, AffineAndNullBeta) {
  std::vector<double> x = randomVector(N * C, 2), gamma = randomVector(C, 3),
                      beta = randomVector(C, 4);
  std::vector<double> plain(N * C), affine(N * C), noBias(N * C), ones(C, 1.0);
  layernorm_forward(plain.data(), (double *)nullptr, (double *)nullptr,
                    x.data(), ones.data(), (const double *)nullptr, N, C, 1e-5);
  layernorm_forward(affine.data(), (double *)nullptr, (double *)nullptr,
                    x.data(), gamma.data(), beta.data(), N, C, 1e-5);
  layernorm_forward(noBias.data(), (double *)nullptr, (double *)nullptr,
                    x.data(), gamma.data(), (const double *)nullptr, N, C,
                    1e-5);
  for (int64_t i = 0; i < N * C; ++i) {
    EXPECT_NEAR(affine[i], plain[i] * gamma[i % C] + beta[i % C], 1e-14);
    EXPECT_NEAR(noBias[i], plain[i] * gamma[i % C], 1e-14);
  }
}

TEST(LayerNorm, GradCheck) {
  std::vector<double> x = randomVector(N * C, 5), gamma = randomVector(C, 6),
                      beta = randomVector(C, 7), r = randomVector(N * C, 8);
  std::vector<double> out(N * C), mean(N), rstd(N), dx, dgamma, dbeta;
  auto loss = [&] {
    layernorm_forward(out.data(), mean.data(), rstd.data(), x.data(),
                      gamma.data(), beta.data(), N, C, 1e-5);
    return dotProduct(out, r);
  };
  auto backward = [&] {
    loss();
    layernorm_backward(dx.data(), dgamma.data(), dbeta.data(), r.data(),
                       x.data(), gamma.data(), mean.data(), rstd.data(), N, C);
  };
  expectGradientsMatch(loss, backward,
                       {{"x", &x, &dx},
                        {"gamma", &gamma, &dgamma},
                        {"beta", &beta, &dbeta}});
}

TEST(RMSNorm, RowsHaveUnitMeanSquare) {
  std::vector<double> x = randomVector(N * C, 9, -2, 3), out(N * C), rstd(N);
  std::vector<double> gamma(C, 1.0);
  rmsnorm_forward(out.data(), rstd.data(), x.data(), gamma.data(), N, C, 0.0);
  for (int64_t n = 0; n < N; ++n) {
    double ms = 0, xs = 0;
    for (int64_t c = 0; c < C; ++c) {
      ms += out[n * C + c] * out[n * C + c];
      xs += x[n * C + c] * x[n * C + c];
    }
    EXPECT_NEAR(ms / C, 1.0, 1e-13);
    EXPECT_NEAR(rstd[n], 1.0 / std::sqrt(xs / C), 1e-13);
  }
}

TEST(RMSNorm, GradCheck) {
  std::vector<double> x = randomVector(N * C, 10), gamma = randomVector(C, 11),
                      r = randomVector(N * C, 12);
  std::vector<double> out(N * C), rstd(N), dx, dgamma;
  auto loss = [&] {
    rmsnorm_forward(out.data(), rstd.data(), x.data(), gamma.data(), N, C,
                    1e-6);
    return dotProduct(out, r);
  };
  auto backward = [&] {
    loss();
    rmsnorm_backward(dx.data(), dgamma.data(), r.data(), x.data(),
                     gamma.data(), rstd.data(), N, C);
  };
  expectGradientsMatch(loss, backward,
                       {{"x", &x, &dx}, {"gamma", &gamma, &dgamma}});
}

TEST(NormDeathTest, BadSizes) {
  std::vector<double> buf(8);
  EXPECT_DEATH(layernorm_forward(buf.data(), buf.data(), buf.data(),
                                 buf.data(), buf.data(), buf.data(), 1, 0,
                                 1e-5),
               "layernorm_forward: bad sizes N=1 C=0");
  EXPECT_DEATH(rmsnorm_forward(buf.data(), buf.data(), buf.data(), buf.data(),
                               -1, 4, 1e-5),
               "rmsnorm_forward: bad sizes");
}

} // namespace
