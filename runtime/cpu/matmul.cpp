//===- matmul.cpp - General matrix multiply (CPU reference) ---------------===//

#include "runtime/cpu/matmul.h"

#include "runtime/cpu/check.h"

#include <vector>

namespace ptc::rt::cpu {

template <typename T>
void matmul(T *out, const T *a, const T *b, int64_t M, int64_t N, int64_t K,
            bool transA, bool transB, bool accumulate, const T *bias) {
  PTC_RT_CHECK(M >= 0 && N >= 0 && K >= 0,
               "matmul: bad sizes M=%lld N=%lld K=%lld", (long long)M,
               (long long)N, (long long)K);
  // op(A)[m, k].
  auto A = [&](int64_t m, int64_t k) -> double {
    return transA ? a[k * M + m] : a[m * K + k];
  };
  std::vector<double> acc(N);
  for (int64_t m = 0; m < M; ++m) {
    if (!transB) { // rows of B are contiguous: acc += A[m, k] * B[k, :]
      for (int64_t n = 0; n < N; ++n)
        acc[n] = 0;
      for (int64_t k = 0; k < K; ++k) {
        double amk = A(m, k);
        const T *brow = b + k * N;
        for (int64_t n = 0; n < N; ++n)
          acc[n] += amk * brow[n];
      }
    } else { // B is [N, K]: a dot product per output element
      for (int64_t n = 0; n < N; ++n) {
        const T *brow = b + n * K;
        double s = 0;
        for (int64_t k = 0; k < K; ++k)
          s += A(m, k) * brow[k];
        acc[n] = s;
      }
    }
    T *o = out + m * N;
    for (int64_t n = 0; n < N; ++n) {
      double r = acc[n] + (bias ? double(bias[n]) : 0.0);
      o[n] = accumulate ? T(o[n] + r) : T(r);
    }
  }
}

template <typename T>
void matmul_batched(T *out, const T *a, const T *b, int64_t batch, int64_t M,
                    int64_t N, int64_t K, bool transA, bool transB,
                    bool accumulate, int64_t strideA, int64_t strideB,
                    int64_t strideOut, const T *bias) {
  PTC_RT_CHECK(batch >= 0 && strideA >= 0 && strideB >= 0 &&
                   (batch <= 1 || strideOut >= M * N),
               "matmul_batched: bad batch=%lld or strides A=%lld B=%lld "
               "out=%lld (out stride must be >= M*N = %lld)",
               (long long)batch, (long long)strideA, (long long)strideB,
               (long long)strideOut, (long long)(M * N));
  for (int64_t i = 0; i < batch; ++i)
    matmul(out + i * strideOut, a + i * strideA, b + i * strideB, M, N, K,
           transA, transB, accumulate, bias);
}

template <typename T>
void matmul_bias_backward(T *dbias, const T *dout, int64_t M, int64_t N) {
  PTC_RT_CHECK(M >= 0 && N >= 0, "matmul_bias_backward: bad sizes M=%lld N=%lld",
               (long long)M, (long long)N);
  std::vector<double> acc(N, 0.0);
  for (int64_t m = 0; m < M; ++m)
    for (int64_t n = 0; n < N; ++n)
      acc[n] += dout[m * N + n];
  for (int64_t n = 0; n < N; ++n)
    dbias[n] += T(acc[n]);
}

#define PTC_INSTANTIATE(T)                                                     \
  template void matmul<T>(T *, const T *, const T *, int64_t, int64_t,         \
                          int64_t, bool, bool, bool, const T *);               \
  template void matmul_batched<T>(T *, const T *, const T *, int64_t, int64_t, \
                                  int64_t, int64_t, bool, bool, bool, int64_t, \
                                  int64_t, int64_t, const T *);                \
  template void matmul_bias_backward<T>(T *, const T *, int64_t, int64_t);
PTC_INSTANTIATE(float)
PTC_INSTANTIATE(double)
#undef PTC_INSTANTIATE

} // namespace ptc::rt::cpu
