//===- KernelsTest.cpp - The launch wrappers of runtime/cpu/kernels.h
//------===//
//
// The wrappers that do more than forward: runtime values read through
// pointers (lr, clip factor, step, seed, dloss), the dropout seed mixed from
// (seed, step, micro-batch), the schedule code of lr_schedule, clipping off
// at max_norm 0, a null bias for gemm, the bias-free layer norm.
//
//===----------------------------------------------------------------------===//

#include "runtime/cpu/kernels.h"

#include "GradCheck.h"

#include <cmath>

namespace k = ptc::kernels;
namespace cpu = ptc::rt::cpu;
using ptc::rt::test::randomVector;

namespace {

TEST(KernelsClipFactor, ClipsToMaxNorm) {
  float norm = 4.0f, out = -1.0f;
  k::clip_factor(&out, &norm, 1.0);
  EXPECT_FLOAT_EQ(out, float(1.0 / (4.0 + 1e-6)));
  norm = 0.5f;
  k::clip_factor(&out, &norm, 1.0);
  EXPECT_EQ(out, 1.0f);
}

TEST(KernelsClipFactor, MaxNormZeroMeansNoClipping) {
  float norm = 1000.0f, out = -1.0f;
  k::clip_factor(&out, &norm, 0.0);
  EXPECT_EQ(out, 1.0f);
  norm = 0.0f;
  k::clip_factor(&out, &norm, 0.0);
  EXPECT_EQ(out, 1.0f);
}

TEST(KernelsLRSchedule, ReadsTheStepAndMapsTheScheduleCode) {
  // The lowering's codes: cosine 0, linear 1, constant 2. At a quarter of
  // the decay the three differ.
  const double lr = 1e-3, minLr = 1e-4;
  const int64_t warmup = 10, decay = 110;
  int64_t step = 35;
  float out[3];
  for (int64_t code = 0; code < 3; ++code)
    k::lr_schedule(&out[code], &step, code, lr, minLr, warmup, decay);
  EXPECT_FLOAT_EQ(out[0],
                  float(minLr + (lr - minLr) * 0.5 * (1 + std::cos(M_PI / 4))));
  EXPECT_FLOAT_EQ(out[1], float(lr - (lr - minLr) * 0.25));
  EXPECT_FLOAT_EQ(out[2], float(lr));
  // Another step through the same pointer: the warm-up.
  step = 2;
  k::lr_schedule(&out[0], &step, 0, lr, minLr, warmup, decay);
  EXPECT_FLOAT_EQ(out[0], float(lr * 0.2));
}

TEST(KernelsAdamW, ReadsLrScaleAndStepThroughPointers) {
  const int64_t n = 17;
  std::vector<double> g = randomVector(n, 1);
  std::vector<float> grad(g.begin(), g.end());
  std::vector<double> p0 = randomVector(n, 2);
  std::vector<float> param(p0.begin(), p0.end()), m(n, 0.01f), v(n, 0.02f);
  std::vector<float> wantP = param, wantM = m, wantV = v;
  const float lr = 3e-3f, scale = 0.25f;
  const int64_t step = 3;
  k::adamw_update(param.data(), m.data(), v.data(), grad.data(), &lr, &scale,
                  &step, n, 0.9, 0.95, 1e-8, 0.1);
  cpu::adamw_step(wantP.data(), grad.data(), wantM.data(), wantV.data(), n,
                  double(lr), 0.9, 0.95, 1e-8, 0.1, step, double(scale));
  EXPECT_EQ(param, wantP);
  EXPECT_EQ(m, wantM);
  EXPECT_EQ(v, wantV);
  // The scale and the step matter: scale 0.25 is not scale 1, step 3 is not
  // step 1 (bias correction).
  std::vector<float> other(p0.begin(), p0.end());
  std::vector<float> m1(n, 0.01f), v1(n, 0.02f);
  const float one = 1.0f;
  const int64_t first = 1;
  k::adamw_update(other.data(), m1.data(), v1.data(), grad.data(), &lr, &one,
                  &first, n, 0.9, 0.95, 1e-8, 0.1);
  EXPECT_NE(other, param);
}

TEST(KernelsAdamW, SegmentsAreUpdatesOfConsecutiveTensors) {
  // Three tensors of 5, 1 and 11 elements back to back, weight decay 0.1,
  // 0 and 0.3: one adamw_update_segments equals three adamw_updates.
  const int64_t n = 17;
  std::vector<double> g = randomVector(n, 5), p0 = randomVector(n, 6);
  std::vector<float> grad(g.begin(), g.end());
  std::vector<float> param(p0.begin(), p0.end()), m(n, 0.01f), v(n, 0.02f);
  std::vector<float> wantP = param, wantM = m, wantV = v;
  const float lr = 3e-3f, scale = 0.5f;
  const int64_t step = 4;
  k::adamw_update_segments(param.data(), m.data(), v.data(), grad.data(), &lr,
                           &scale, &step, n, 0.9, 0.95, 1e-8,
                           {{5, 0.1}, {1, 0.0}, {11, 0.3}});
  int64_t offset = 0;
  for (auto [count, decay] :
       {std::pair<int64_t, double>{5, 0.1}, {1, 0.0}, {11, 0.3}}) {
    k::adamw_update(wantP.data() + offset, wantM.data() + offset,
                    wantV.data() + offset, grad.data() + offset, &lr, &scale,
                    &step, count, 0.9, 0.95, 1e-8, decay);
    offset += count;
  }
  EXPECT_EQ(param, wantP);
  EXPECT_EQ(m, wantM);
  EXPECT_EQ(v, wantV);
}

TEST(KernelsAdamWDeathTest, SegmentsMustCoverTheElements) {
  std::vector<float> x(4, 0.f);
  const float lr = 1e-3f, scale = 1.f;
  const int64_t step = 1;
  EXPECT_DEATH(k::adamw_update_segments(x.data(), x.data(), x.data(), x.data(),
                                        &lr, &scale, &step, 4, 0.9, 0.95, 1e-8,
                                        {{1, 0.1}, {2, 0.0}}),
               "cover 3 of 4");
}

TEST(KernelsAdamW, LrAndScaleMayBeDouble) {
  double param = 1.0, m = 0, v = 0;
  const double grad = 0.5, lr = 0.1, scale = 2.0;
  const int64_t step = 1;
  k::adamw_update(&param, &m, &v, &grad, &lr, &scale, &step, 1, 0.9, 0.999, 0.0,
                  0.0);
  // First step without decay: p -= lr * sign(g).
  EXPECT_NEAR(param, 0.9, 1e-12);
  EXPECT_NEAR(m, 0.1 * 1.0, 1e-15);
}

TEST(KernelsCrossEntropy, BackwardReadsDlossThroughAPointer) {
  const int64_t N = 3, V = 5, Vp = 8;
  std::vector<double> logits = randomVector(N * Vp, 4), lse(N);
  std::vector<int32_t> targets = {1, 4, 0};
  double loss = 0;
  k::cross_entropy_forward(&loss, lse.data(), logits.data(), targets.data(), N,
                           V, Vp);
  std::vector<double> dOne(N * Vp, 0.0), dTwo(N * Vp, 0.0), want(N * Vp, 0.0);
  const double one = 1.0, two = 2.0;
  k::cross_entropy_backward(dOne.data(), logits.data(), lse.data(),
                            targets.data(), &one, N, V, Vp);
  k::cross_entropy_backward(dTwo.data(), logits.data(), lse.data(),
                            targets.data(), &two, N, V, Vp);
  cpu::cross_entropy_backward(want.data(), logits.data(), lse.data(),
                              targets.data(), 1.0, N, V, Vp);
  EXPECT_EQ(dOne, want);
  for (int64_t i = 0; i < N * Vp; ++i)
    EXPECT_DOUBLE_EQ(dTwo[i], 2 * dOne[i]) << i;
  // It accumulates: the lowering zeroes first.
  k::cross_entropy_backward(dOne.data(), logits.data(), lse.data(),
                            targets.data(), &one, N, V, Vp);
  for (int64_t i = 0; i < N * Vp; ++i)
    EXPECT_DOUBLE_EQ(dOne[i], 2 * want[i]) << i;
}

TEST(KernelsCrossEntropy, FloatLossAndF32Dloss) {
  const int64_t N = 2, V = 3;
  std::vector<float> logits = {0.f, 1.f, 2.f, -1.f, 0.5f, 0.f}, lse(N),
                     d(N * V, 0.f);
  std::vector<int32_t> targets = {2, 0};
  float loss = 0, dloss = 0.5f;
  k::cross_entropy_forward(&loss, lse.data(), logits.data(), targets.data(), N,
                           V, V);
  EXPECT_GT(loss, 0.f);
  k::cross_entropy_backward(d.data(), logits.data(), lse.data(), targets.data(),
                            &dloss, N, V, V);
  // Each row's gradient sums to zero (softmax minus one-hot).
  for (int64_t r = 0; r < N; ++r)
    EXPECT_NEAR(d[r * V] + d[r * V + 1] + d[r * V + 2], 0.0, 1e-6);
}

std::vector<float> dropoutMask(int64_t seed, int64_t step, int64_t micro,
                               int64_t site, int64_t n = 1000) {
  std::vector<float> x(n, 1.0f), out(n);
  k::dropout_forward(out.data(), x.data(), &seed, &step, &micro, n, 0.5, site);
  return out;
}

TEST(KernelsDropout, MaskIsAFunctionOfSeedStepMicroAndSite) {
  const std::vector<float> base = dropoutMask(1234, 7, 1, 0);
  EXPECT_EQ(dropoutMask(1234, 7, 1, 0), base);
  EXPECT_NE(dropoutMask(1235, 7, 1, 0), base); // seed
  EXPECT_NE(dropoutMask(1234, 8, 1, 0), base); // step
  EXPECT_NE(dropoutMask(1234, 7, 0, 0), base); // micro-batch
  EXPECT_NE(dropoutMask(1234, 7, 1, 1), base); // site (stream)
  // (step 1, micro 0) and (step 0, micro 1) do not alias.
  EXPECT_NE(dropoutMask(1234, 1, 0, 0), dropoutMask(1234, 0, 1, 0));
  int64_t kept = 0;
  for (float v : base) {
    ASSERT_TRUE(v == 0.0f || v == 2.0f);
    kept += v != 0.0f;
  }
  EXPECT_GT(kept, 400);
  EXPECT_LT(kept, 600);
}

TEST(KernelsDropout, BackwardRegeneratesTheForwardMask) {
  const int64_t n = 300, seed = 9, step = 4, micro = 2;
  std::vector<double> x = randomVector(n, 5), y(n), dout = randomVector(n, 6),
                      dx(n, 0.0);
  k::dropout_forward(y.data(), x.data(), &seed, &step, &micro, n, 0.2, 3);
  k::dropout_backward(dx.data(), dout.data(), &seed, &step, &micro, n, 0.2, 3);
  for (int64_t i = 0; i < n; ++i) {
    if (y[i] == 0.0)
      EXPECT_EQ(dx[i], 0.0) << i;
    else
      EXPECT_DOUBLE_EQ(dx[i], dout[i] / 0.8) << i;
  }
}

TEST(KernelsInitNormal, ReadsTheSeedThroughAPointer) {
  const int64_t seed = 77;
  std::vector<float> a(64), b(64);
  k::init_normal(a.data(), &seed, 64, 5, 0.02);
  cpu::init_normal(b.data(), 64, 77, 5, 0.02);
  EXPECT_EQ(a, b);
}

TEST(KernelsGlobalNorm, SumSquaresAccumulateThenSqrt) {
  std::vector<float> a = {3.0f, 0.0f}, b = {4.0f};
  double acc = 0;
  k::sum_squares_add(&acc, a.data(), 2);
  k::sum_squares_add(&acc, b.data(), 1);
  float norm = 0;
  k::sqrt_to(&norm, &acc);
  EXPECT_EQ(norm, 5.0f);
}

TEST(KernelsGemm, NullBiasAndBiasAgainstNaive) {
  const int64_t M = 3, N = 4, K = 5;
  std::vector<double> a = randomVector(M * K, 1), w = randomVector(N * K, 2),
                      bias = randomVector(N, 3), out(M * N), outBias(M * N);
  // y = a wᵀ, as the lowering of graph.linear calls it.
  k::gemm(out.data(), a.data(), w.data(), nullptr, 1, M, N, K, false, true,
          false, M * K, N * K, M * N);
  k::gemm(outBias.data(), a.data(), w.data(), bias.data(), 1, M, N, K, false,
          true, false, M * K, N * K, M * N);
  for (int64_t i = 0; i < M; ++i)
    for (int64_t j = 0; j < N; ++j) {
      double want = 0;
      for (int64_t p = 0; p < K; ++p)
        want += a[i * K + p] * w[j * K + p];
      EXPECT_NEAR(out[i * N + j], want, 1e-12);
      EXPECT_NEAR(outBias[i * N + j], want + bias[j], 1e-12);
    }
}

// The GELU epilogues (what exec-gemm-gelu makes of a GEMM and the GELU
// kernels around it) against those kernels run one by one: the same values
// bit for bit, every transpose, odd sizes.
TEST(KernelsGemmGelu, FusedEqualsTheUnfusedKernels) {
  const int64_t M = 7, N = 5, K = 3;
  for (int ta = 0; ta < 2; ++ta)
    for (int tb = 0; tb < 2; ++tb) {
      std::vector<double> a = randomVector(M * K, 1 + ta),
                          b = randomVector(K * N, 3 + tb),
                          bias = randomVector(N, 5),
                          dy = randomVector(M * K, 6),
                          wp = randomVector(K * N, 7);
      // Forward: aux = a b + bias, out = gelu(aux).
      std::vector<double> h(M * N), g(M * N), out(M * N), aux(M * N),
          outNoAux(M * N);
      k::gemm(h.data(), a.data(), b.data(), bias.data(), 1, M, N, K, ta, tb,
              false, M * K, K * N, M * N);
      k::gelu_forward(g.data(), h.data(), M * N, 1);
      k::gemm_bias_gelu_aux(out.data(), aux.data(), a.data(), b.data(),
                            bias.data(), M, N, K, ta, tb);
      k::gemm_bias_gelu(outNoAux.data(), a.data(), b.data(), bias.data(), M, N,
                        K, ta, tb);
      EXPECT_EQ(aux, h);
      EXPECT_EQ(out, g);
      EXPECT_EQ(outNoAux, g);
      // Backward: dh = (dy wp) * gelu'(h), db = column sums of dh.
      std::vector<double> dh(M * N), db(N), fused(M * N), fusedDb(N);
      k::gemm(dh.data(), dy.data(), wp.data(), nullptr, 1, M, N, K, ta, tb,
              false, M * K, K * N, M * N);
      k::gelu_backward(dh.data(), h.data(), dh.data(), M * N, 1);
      k::reduce_leading(db.data(), dh.data(), M, N);
      k::gemm_dgelu_bgrad(fused.data(), fusedDb.data(), dy.data(), wp.data(),
                          h.data(), M, N, K, ta, tb);
      EXPECT_EQ(fused, dh);
      EXPECT_EQ(fusedDb, db);
      // And the gradient is GELU's: dh = (dy wp) * gelu'(h), tanh form.
      std::vector<double> p(M * N);
      k::gemm(p.data(), dy.data(), wp.data(), nullptr, 1, M, N, K, ta, tb,
              false, M * K, K * N, M * N);
      for (int64_t i = 0; i < M * N; ++i) {
        const double x = h[i], c = std::sqrt(2.0 / M_PI);
        const double t = std::tanh(c * (x + 0.044715 * x * x * x));
        const double d = 0.5 * (1 + t) +
                         0.5 * x * (1 - t * t) * c * (1 + 3 * 0.044715 * x * x);
        EXPECT_NEAR(fused[i], p[i] * d, 1e-12);
      }
    }
}

TEST(KernelsLayerNorm, NoBiasIsAZeroBias) {
  const int64_t N = 3, C = 7;
  std::vector<double> x = randomVector(N * C, 1), g = randomVector(C, 2),
                      zero(C, 0.0), out(N * C), want(N * C), mean(N), rstd(N),
                      mean2(N), rstd2(N);
  k::layernorm_forward_nobias(out.data(), mean.data(), rstd.data(), x.data(),
                              g.data(), N, C, 1e-5);
  k::layernorm_forward(want.data(), mean2.data(), rstd2.data(), x.data(),
                       g.data(), zero.data(), N, C, 1e-5);
  EXPECT_EQ(out, want);
  EXPECT_EQ(mean, mean2);
  EXPECT_EQ(rstd, rstd2);
}

TEST(KernelsDataMovement, FillAndCopy) {
  std::vector<float> a(5);
  k::fill(a.data(), 5, 2.5);
  EXPECT_EQ(a, std::vector<float>(5, 2.5f));
  std::vector<int64_t> s(3);
  k::fill(s.data(), 3, 7.0);
  EXPECT_EQ(s, std::vector<int64_t>(3, 7));
  std::vector<float> b(5, 0.0f);
  k::copy(b.data(), a.data(), 4);
  EXPECT_EQ(b, (std::vector<float>{2.5f, 2.5f, 2.5f, 2.5f, 0.0f}));
}

} // namespace
