//===- MatmulTest.cpp - matmul, matmul_batched, matmul_bias_backward ------===//

#include "runtime/cpu/matmul.h"

#include "GradCheck.h"

using namespace ptc::rt::cpu;
using namespace ptc::rt::test;

namespace {

constexpr int64_t M = 5, N = 7, K = 9;

// Naive op(A)·op(B) + bias with explicit index formulas.
std::vector<double> naive(const std::vector<double> &a,
                          const std::vector<double> &b,
                          const std::vector<double> &bias, bool tA, bool tB) {
  std::vector<double> c(M * N);
  for (int64_t i = 0; i < M; ++i)
    for (int64_t j = 0; j < N; ++j) {
      double s = bias.empty() ? 0.0 : bias[j];
      for (int64_t k = 0; k < K; ++k)
        s += (tA ? a[k * M + i] : a[i * K + k]) *
             (tB ? b[j * K + k] : b[k * N + j]);
      c[i * N + j] = s;
    }
  return c;
}

TEST(Matmul, AllTransposesBiasAndAccumulate) {
  std::vector<double> a = randomVector(M * K, 1), b = randomVector(K * N, 2),
                      bias = randomVector(N, 3), init = randomVector(M * N, 4);
  for (bool tA : {false, true})
    for (bool tB : {false, true}) {
      SCOPED_TRACE(testing::Message() << "transA=" << tA << " transB=" << tB);
      std::vector<double> ref = naive(a, b, {}, tA, tB);
      std::vector<double> refBias = naive(a, b, bias, tA, tB);
      std::vector<double> out(M * N, 123.0);
      matmul(out.data(), a.data(), b.data(), M, N, K, tA, tB, false);
      for (int64_t i = 0; i < M * N; ++i)
        EXPECT_NEAR(out[i], ref[i], 1e-14);
      out = init;
      matmul(out.data(), a.data(), b.data(), M, N, K, tA, tB, true,
             bias.data());
      for (int64_t i = 0; i < M * N; ++i)
        EXPECT_NEAR(out[i], init[i] + refBias[i], 1e-14);
    }
}

TEST(Matmul, KnownValues) {
  // [1 2; 3 4] · [5 6; 7 8] = [19 22; 43 50]
  double a[] = {1, 2, 3, 4}, b[] = {5, 6, 7, 8}, out[4];
  matmul(out, a, b, 2, 2, 2, false, false, false);
  EXPECT_EQ(out[0], 19);
  EXPECT_EQ(out[1], 22);
  EXPECT_EQ(out[2], 43);
  EXPECT_EQ(out[3], 50);
}

// y = x Wᵀ + b and its backward with the three calls documented in matmul.h.
TEST(Matmul, LinearLayerGradCheck) {
  constexpr int64_t R = 10, In = 9, Out = 7;
  std::vector<double> x = randomVector(R * In, 5), W = randomVector(Out * In, 6),
                      bias = randomVector(Out, 7), r = randomVector(R * Out, 8);
  std::vector<double> y(R * Out), dx, dW, db;
  auto loss = [&] {
    matmul(y.data(), x.data(), W.data(), R, Out, In, false, true, false,
           bias.data());
    return dotProduct(y, r);
  };
  auto backward = [&] {
    matmul(dx.data(), r.data(), W.data(), R, In, Out, false, false, true);
    matmul(dW.data(), r.data(), x.data(), Out, In, R, true, false, true);
    matmul_bias_backward(db.data(), r.data(), R, Out);
  };
  expectGradientsMatch(loss, backward,
                       {{"x", &x, &dx}, {"W", &W, &dW}, {"bias", &bias, &db}});
}

TEST(Matmul, BatchedEqualsLoopAndBroadcasts) {
  constexpr int64_t Bt = 3;
  std::vector<double> a = randomVector(Bt * M * K, 9),
                      b = randomVector(Bt * N * K, 10);
  std::vector<double> out(Bt * M * N), ref(M * N);
  // b stored [N, K] per batch (transB), like q · kᵀ.
  matmul_batched(out.data(), a.data(), b.data(), Bt, M, N, K, false, true,
                 false, M * K, N * K, M * N);
  for (int64_t i = 0; i < Bt; ++i) {
    matmul(ref.data(), a.data() + i * M * K, b.data() + i * N * K, M, N, K,
           false, true, false);
    for (int64_t j = 0; j < M * N; ++j)
      EXPECT_EQ(out[i * M * N + j], ref[j]);
  }
  // Stride 0 shares one B among all batches.
  matmul_batched(out.data(), a.data(), b.data(), Bt, M, N, K, false, true,
                 false, M * K, 0, M * N);
  for (int64_t i = 0; i < Bt; ++i) {
    matmul(ref.data(), a.data() + i * M * K, b.data(), M, N, K, false, true,
           false);
    for (int64_t j = 0; j < M * N; ++j)
      EXPECT_EQ(out[i * M * N + j], ref[j]);
  }
}

TEST(Matmul, EmptyInnerDimensionGivesBias) {
  double bias[3] = {1, 2, 3}, out[6];
  matmul(out, (const double *)nullptr, (const double *)nullptr, 2, 3, 0, false,
         false, false, bias);
  for (int i = 0; i < 6; ++i)
    EXPECT_EQ(out[i], bias[i % 3]);
}

TEST(MatmulDeathTest, BadSizes) {
  double buf[4] = {};
  EXPECT_DEATH(matmul(buf, buf, buf, 2, -1, 2, false, false, false),
               "matmul: bad sizes M=2 N=-1 K=2");
  EXPECT_DEATH(matmul_batched(buf, buf, buf, 2, 2, 2, 1, false, false, false,
                              2, 2, 3),
               "out stride must be >= M\\*N");
}

} // namespace
