//===- FloatTest.cpp - The f32 instantiations agree with the f64 ones -----===//
//
// The gradient checks run in double; these tests run the float versions that
// f32 programs call on the same inputs and compare with the double results
// (float storage, double accumulation: agreement to ~1e-6 relative).
//
//===----------------------------------------------------------------------===//

#include "runtime/cpu/attention.h"
#include "runtime/cpu/cross_entropy.h"
#include "runtime/cpu/layernorm.h"
#include "runtime/cpu/matmul.h"

#include "GradCheck.h"

using namespace ptc::rt::cpu;
using namespace ptc::rt::test;

namespace {

std::vector<float> toFloat(const std::vector<double> &v) {
  return std::vector<float>(v.begin(), v.end());
}

// Rounds the double inputs to float first, so that both runs see the same
// values and only the kernels' own rounding differs.
std::vector<double> roundedRandom(size_t n, uint64_t seed) {
  std::vector<double> v = randomVector(n, seed);
  for (double &x : v)
    x = float(x);
  return v;
}

void expectClose(const std::vector<float> &f, const std::vector<double> &d,
                 double tol = 2e-6) {
  ASSERT_EQ(f.size(), d.size());
  for (size_t i = 0; i < f.size(); ++i)
    EXPECT_NEAR(f[i], d[i], tol * (1 + std::fabs(d[i]))) << "at " << i;
}

TEST(Float, LayerNormForwardBackward) {
  const int64_t N = 10, C = 7;
  auto x = roundedRandom(N * C, 1), g = roundedRandom(C, 2),
       b = roundedRandom(C, 3), dy = roundedRandom(N * C, 4);
  std::vector<double> y(N * C), mean(N), rstd(N), dx(N * C, 0.0), dg(C, 0.0),
      db(C, 0.0);
  layernorm_forward(y.data(), mean.data(), rstd.data(), x.data(), g.data(),
                    b.data(), N, C, 1e-5);
  layernorm_backward(dx.data(), dg.data(), db.data(), dy.data(), x.data(),
                     g.data(), mean.data(), rstd.data(), N, C);
  auto xf = toFloat(x), gf = toFloat(g), bf = toFloat(b), dyf = toFloat(dy);
  std::vector<float> yf(N * C), meanf(N), rstdf(N), dxf(N * C, 0.0f),
      dgf(C, 0.0f), dbf(C, 0.0f);
  layernorm_forward(yf.data(), meanf.data(), rstdf.data(), xf.data(),
                    gf.data(), bf.data(), N, C, 1e-5);
  layernorm_backward(dxf.data(), dgf.data(), dbf.data(), dyf.data(), xf.data(),
                     gf.data(), meanf.data(), rstdf.data(), N, C);
  expectClose(yf, y);
  expectClose(dxf, dx, 1e-5);
  expectClose(dgf, dg);
  expectClose(dbf, db);
}

TEST(Float, AttentionForwardBackward) {
  const int64_t B = 2, Hq = 4, Hkv = 2, T = 5, Dh = 6;
  const size_t nq = B * Hq * T * Dh, nk = B * Hkv * T * Dh;
  auto q = roundedRandom(nq, 5), k = roundedRandom(nk, 6),
       v = roundedRandom(nk, 7), dout = roundedRandom(nq, 8);
  std::vector<double> out(nq), lse(B * Hq * T), dq(nq, 0.0), dk(nk, 0.0),
      dv(nk, 0.0);
  attention_forward(out.data(), lse.data(), q.data(), k.data(), v.data(), B,
                    Hq, Hkv, T, Dh, 0.4);
  attention_backward(dq.data(), dk.data(), dv.data(), dout.data(), q.data(),
                     k.data(), v.data(), out.data(), lse.data(), B, Hq, Hkv, T,
                     Dh, 0.4);
  auto qf = toFloat(q), kf = toFloat(k), vf = toFloat(v), doutf = toFloat(dout);
  std::vector<float> outf(nq), lsef(B * Hq * T), dqf(nq, 0.0f), dkf(nk, 0.0f),
      dvf(nk, 0.0f);
  attention_forward(outf.data(), lsef.data(), qf.data(), kf.data(), vf.data(),
                    B, Hq, Hkv, T, Dh, 0.4);
  attention_backward(dqf.data(), dkf.data(), dvf.data(), doutf.data(),
                     qf.data(), kf.data(), vf.data(), outf.data(), lsef.data(),
                     B, Hq, Hkv, T, Dh, 0.4);
  expectClose(outf, out);
  expectClose(dqf, dq, 1e-5);
  expectClose(dkf, dk, 1e-5);
  expectClose(dvf, dv, 1e-5);
}

TEST(Float, MatmulAndCrossEntropy) {
  const int64_t N = 10, K = 9, V = 11, Vp = 13;
  auto x = roundedRandom(N * K, 9), w = roundedRandom(Vp * K, 10);
  std::vector<int32_t> targets = {3, -1, 10, 0, 7, 4, 1, 9, 2, 5};
  std::vector<double> logits(N * Vp), dlogits(N * Vp, 0.0);
  matmul(logits.data(), x.data(), w.data(), N, Vp, K, false, true, false);
  double loss;
  cross_entropy_forward(&loss, (double *)nullptr, logits.data(),
                        targets.data(), N, V, Vp);
  cross_entropy_backward(dlogits.data(), logits.data(), (const double *)nullptr,
                         targets.data(), 1.0, N, V, Vp);
  auto xf = toFloat(x), wf = toFloat(w);
  std::vector<float> logitsf(N * Vp), dlogitsf(N * Vp, 0.0f);
  matmul(logitsf.data(), xf.data(), wf.data(), N, Vp, K, false, true, false);
  float lossf;
  cross_entropy_forward(&lossf, (float *)nullptr, logitsf.data(),
                        targets.data(), N, V, Vp);
  cross_entropy_backward(dlogitsf.data(), logitsf.data(),
                         (const float *)nullptr, targets.data(), 1.0, N, V,
                         Vp);
  expectClose(logitsf, logits);
  EXPECT_NEAR(lossf, loss, 2e-6 * loss);
  expectClose(dlogitsf, dlogits);
}

} // namespace
