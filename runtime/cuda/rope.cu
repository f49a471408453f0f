//===- rope.cu - Rotary position embedding (CUDA) -------------------------===//

#include "runtime/cuda/rope.cuh"

#include "runtime/cuda/device_utils.cuh"

namespace ptc::kernels {

using namespace ptc::cuda;

namespace {

constexpr int kThreads = 256;

// One thread per pair (bh, t, i), i < Dh/2.
template <typename T>
__global__ void ropeKernel(T *out, const T *x, int64_t BH, int64_t Tn,
                           int64_t Dh, double theta, int64_t posOffset,
                           double sign, bool accumulate) {
  const int64_t half = Dh / 2, n = BH * Tn * half;
  for (int64_t k = blockIdx.x * int64_t(blockDim.x) + threadIdx.x; k < n;
       k += int64_t(gridDim.x) * blockDim.x) {
    const int64_t i = k % half, row = k / half, t = row % Tn;
    const double angle =
        double(t + posOffset) * pow(theta, -2.0 * double(i) / double(Dh));
    double s, c;
    sincos(angle, &s, &c);
    s *= sign;
    const T *xv = x + row * Dh;
    T *ov = out + row * Dh;
    const double x1 = toDouble(xv[i]), x2 = toDouble(xv[i + half]);
    double y1 = x1 * c - x2 * s, y2 = x2 * c + x1 * s;
    if (accumulate) {
      y1 += toDouble(ov[i]);
      y2 += toDouble(ov[i + half]);
    }
    ov[i] = fromDouble<T>(y1);
    ov[i + half] = fromDouble<T>(y2);
  }
}

template <typename T>
void rotate(const char *fn, T *out, const T *x, int64_t B, int64_t H,
            int64_t Tn, int64_t Dh, double theta, int64_t posOffset,
            double sign, bool accumulate) {
  PTC_CUDA_REQUIRE(B >= 0 && H >= 0 && Tn >= 0 && Dh > 0 && Dh % 2 == 0,
                   "%s: bad sizes B=%lld H=%lld T=%lld Dh=%lld (Dh must be "
                   "even)",
                   fn, (long long)B, (long long)H, (long long)Tn,
                   (long long)Dh);
  PTC_CUDA_REQUIRE(theta > 0 && posOffset >= 0,
                   "%s: theta = %g, pos_offset = %lld", fn, theta,
                   (long long)posOffset);
  const int64_t n = B * H * Tn * (Dh / 2);
  if (n == 0)
    return;
  ropeKernel<<<blocksFor(n, kThreads), kThreads, 0, stream()>>>(
      out, x, B * H, Tn, Dh, theta, posOffset, sign, accumulate);
  PTC_CUDA_CHECK_LAUNCH();
}

} // namespace

template <typename T>
void rope_forward(T *out, const T *x, int64_t B, int64_t H, int64_t T_,
                  int64_t Dh, double theta, int64_t pos_offset) {
  rotate("rope_forward", out, x, B, H, T_, Dh, theta, pos_offset, 1.0, false);
}
template <typename T>
void rope_backward(T *dx, const T *dout, int64_t B, int64_t H, int64_t T_,
                   int64_t Dh, double theta, int64_t pos_offset) {
  rotate("rope_backward", dx, dout, B, H, T_, Dh, theta, pos_offset, -1.0,
         true);
}

#define PTC_INSTANTIATE(T)                                                     \
  template void rope_forward<T>(T *, const T *, int64_t, int64_t, int64_t,     \
                                int64_t, double, int64_t);                     \
  template void rope_backward<T>(T *, const T *, int64_t, int64_t, int64_t,    \
                                 int64_t, double, int64_t);
PTC_CUDA_FOR_FLOAT_TYPES(PTC_INSTANTIATE)
#undef PTC_INSTANTIATE

} // namespace ptc::kernels
