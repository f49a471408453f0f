//===- CudaTestUtil.h - Device buffers and comparisons for tests -*- C++ -*-===//
//
// Dev<T>: a device buffer made from host floats (rounded to T) or poisoned
// with NaN bytes (so an element a kernel forgets to write fails the
// comparison), read back as floats. expectClose compares with the CPU
// reference by |got - want| / (|want| + rms(want)) <= tol.
//
//===----------------------------------------------------------------------===//
#ifndef PTC_TEST_RUNTIME_CUDA_CUDATESTUTIL_H
#define PTC_TEST_RUNTIME_CUDA_CUDATESTUTIL_H

#include "runtime/cuda/check.h"

#include <cuda_bf16.h>
#include <cuda_runtime.h>
#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <random>
#include <string>
#include <type_traits>
#include <vector>

namespace ptc::test {

using bf16 = __nv_bfloat16;

/// True when a GPU of compute capability >= 9.0 is present.
inline bool haveHopperGpu() {
  static int cached = -1;
  if (cached < 0) {
    int count = 0;
    cudaDeviceProp prop{};
    cached = cudaGetDeviceCount(&count) == cudaSuccess && count > 0 &&
             cudaGetDeviceProperties(&prop, 0) == cudaSuccess &&
             prop.major >= 9;
    cudaGetLastError();
  }
  return cached == 1;
}

template <typename T> inline float toHost(T x) {
  if constexpr (std::is_same_v<T, bf16>)
    return __bfloat162float(x);
  else
    return float(x);
}
template <typename T> inline T fromHost(float x) {
  if constexpr (std::is_same_v<T, bf16>)
    return __float2bfloat16(x);
  else
    return T(x);
}

/// The values as T would hold them (bf16 rounding; identity for float).
template <typename T> std::vector<float> rounded(std::vector<float> v) {
  for (float &x : v)
    x = toHost(fromHost<T>(x));
  return v;
}

/// Relative tolerance of a storage type: fp32 arithmetic, or bf16 storage.
template <typename T> constexpr double kTol = std::is_same_v<T, bf16> ? 2e-2
                                                                      : 1e-4;

template <typename T> class Dev {
public:
  /// n elements of NaN bytes (0xFF...).
  explicit Dev(size_t n) : n_(n) {
    PTC_CUDA_CHECK(cudaMalloc(&p_, bytes()));
    PTC_CUDA_CHECK(cudaMemset(p_, 0xFF, bytes()));
  }
  explicit Dev(const std::vector<float> &host) : Dev(host.size()) {
    set(host);
  }
  Dev(const Dev &) = delete;
  Dev &operator=(const Dev &) = delete;
  ~Dev() { cudaFree(p_); }

  void set(const std::vector<float> &host) {
    std::vector<T> t(host.size());
    for (size_t i = 0; i < host.size(); ++i)
      t[i] = fromHost<T>(host[i]);
    PTC_CUDA_CHECK(cudaMemcpy(p_, t.data(), bytes(), cudaMemcpyHostToDevice));
  }
  std::vector<float> get() const {
    std::vector<T> t(n_);
    PTC_CUDA_CHECK(cudaDeviceSynchronize());
    PTC_CUDA_CHECK(cudaMemcpy(t.data(), p_, bytes(), cudaMemcpyDeviceToHost));
    std::vector<float> out(n_);
    for (size_t i = 0; i < n_; ++i)
      out[i] = toHost(t[i]);
    return out;
  }
  T *ptr() const { return p_; }
  operator T *() const { return p_; }
  size_t size() const { return n_; }

private:
  size_t bytes() const { return (n_ ? n_ : 1) * sizeof(T); }
  T *p_ = nullptr;
  size_t n_;
};

/// A device buffer of plain values (ints, doubles) with exact copies.
template <typename U> class Raw {
public:
  explicit Raw(const std::vector<U> &host) : n_(host.size()) {
    PTC_CUDA_CHECK(cudaMalloc(&p_, (n_ ? n_ : 1) * sizeof(U)));
    PTC_CUDA_CHECK(cudaMemcpy(p_, host.data(), n_ * sizeof(U),
                              cudaMemcpyHostToDevice));
  }
  Raw(const Raw &) = delete;
  Raw &operator=(const Raw &) = delete;
  ~Raw() { cudaFree(p_); }
  std::vector<U> get() const {
    std::vector<U> out(n_);
    PTC_CUDA_CHECK(cudaDeviceSynchronize());
    PTC_CUDA_CHECK(cudaMemcpy(out.data(), p_, n_ * sizeof(U),
                              cudaMemcpyDeviceToHost));
    return out;
  }
  U *ptr() const { return p_; }
  operator U *() const { return p_; }

private:
  U *p_ = nullptr;
  size_t n_;
};

inline std::vector<float> randomVector(size_t n, std::mt19937 &rng,
                                       float lo = -1.f, float hi = 1.f) {
  std::uniform_real_distribution<float> dist(lo, hi);
  std::vector<float> v(n);
  for (float &x : v)
    x = dist(rng);
  return v;
}

/// max_i |got - want| / (|want_i| + rms(want)) <= tol, no NaN, same sizes.
inline void expectClose(const std::vector<float> &got,
                        const std::vector<float> &want, double tol,
                        const std::string &what) {
  ASSERT_EQ(got.size(), want.size()) << what;
  double ss = 0;
  for (float w : want)
    ss += double(w) * w;
  const double rms = want.empty() ? 0 : std::sqrt(ss / want.size()) + 1e-30;
  double worst = 0;
  size_t at = 0;
  for (size_t i = 0; i < got.size(); ++i) {
    if (std::isnan(got[i]) != std::isnan(want[i])) {
      ADD_FAILURE() << what << ": NaN mismatch at " << i << ": got " << got[i]
                    << ", want " << want[i];
      return;
    }
    if (std::isnan(want[i]))
      continue;
    const double err = std::fabs(double(got[i]) - want[i]) /
                       (std::fabs(double(want[i])) + rms);
    if (err > worst) {
      worst = err;
      at = i;
    }
  }
  EXPECT_LE(worst, tol) << what << ": worst relative error at " << at
                        << ": got " << got[at] << ", want " << want[at];
}

} // namespace ptc::test

#endif // PTC_TEST_RUNTIME_CUDA_CUDATESTUTIL_H
