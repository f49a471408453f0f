//===- dropout.cu - Deterministic dropout (CUDA) --------------------------===//

#include "runtime/cuda/dropout.cuh"

#include "runtime/cuda/device_utils.cuh"

namespace ptc::kernels {

using namespace ptc::cuda;

namespace {

constexpr int kThreads = 256;

template <bool Backward, typename T>
__global__ void dropoutKernel(T *out, const T *x, const int64_t *seed,
                              const int64_t *step, const int64_t *micro,
                              int64_t n, double p, uint64_t offset) {
  const uint64_t key = mix64(
      uint64_t(*seed) ^ mix64(uint64_t(*step) * 1000003ULL + uint64_t(*micro)));
  const double scale = 1.0 / (1.0 - p);
  for (int64_t i = blockIdx.x * int64_t(blockDim.x) + threadIdx.x; i < n;
       i += int64_t(gridDim.x) * blockDim.x) {
    const bool keep = uniform24(key, offset + uint64_t(i)) >= p;
    if (Backward) {
      if (keep)
        out[i] = fromDouble<T>(toDouble(out[i]) +
                               double(fromDouble<T>(toDouble(x[i]) * scale)));
    } else {
      out[i] = keep ? fromDouble<T>(toDouble(x[i]) * scale) : fromFloat<T>(0.f);
    }
  }
}

template <bool Backward, typename T>
void launch(const char *fn, T *out, const T *x, const int64_t *seed,
            const int64_t *step, const int64_t *micro, int64_t n, double p,
            int64_t site) {
  PTC_CUDA_REQUIRE(n >= 0 && p >= 0 && p < 1 && site >= 0,
                   "%s: n = %lld, p = %g (need p in [0, 1)), site = %lld", fn,
                   (long long)n, p, (long long)site);
  if (n == 0)
    return;
  dropoutKernel<Backward><<<blocksFor(n, kThreads), kThreads, 0, stream()>>>(
      out, x, seed, step, micro, n, p, uint64_t(site) << 40);
  PTC_CUDA_CHECK_LAUNCH();
}

} // namespace

template <typename T>
void dropout_forward(T *out, const T *x, const int64_t *seed,
                     const int64_t *step, const int64_t *micro, int64_t n,
                     double p, int64_t site) {
  launch<false>("dropout_forward", out, x, seed, step, micro, n, p, site);
}
template <typename T>
void dropout_backward(T *dx, const T *dout, const int64_t *seed,
                      const int64_t *step, const int64_t *micro, int64_t n,
                      double p, int64_t site) {
  launch<true>("dropout_backward", dx, dout, seed, step, micro, n, p, site);
}

#define PTC_INSTANTIATE(T)                                                     \
  template void dropout_forward<T>(T *, const T *, const int64_t *,            \
                                   const int64_t *, const int64_t *, int64_t,  \
                                   double, int64_t);                           \
  template void dropout_backward<T>(T *, const T *, const int64_t *,           \
                                    const int64_t *, const int64_t *, int64_t, \
                                    double, int64_t);
PTC_CUDA_FOR_FLOAT_TYPES(PTC_INSTANTIATE)
#undef PTC_INSTANTIATE

} // namespace ptc::kernels
