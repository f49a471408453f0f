//===- elementwise.cu - Add, mul, scale (CUDA) ----------------------------===//

#include "runtime/cuda/elementwise.cuh"

#include "runtime/cuda/device_utils.cuh"
#include "runtime/cuda/reduce.cuh"

namespace ptc::kernels {

using namespace ptc::cuda;

namespace {

constexpr int kThreads = 256;

enum class Op { Add, Mul };

template <Op op, typename T>
__global__ void binaryKernel(T *out, const T *a, const T *b, int64_t n,
                             int64_t nb) {
  for (int64_t i = blockIdx.x * int64_t(blockDim.x) + threadIdx.x; i < n;
       i += int64_t(gridDim.x) * blockDim.x) {
    const float x = toFloat(a[i]), y = toFloat(b[i % nb]);
    out[i] = fromFloat<T>(op == Op::Add ? x + y : x * y);
  }
}

// da[i] += dout[i] (* b[i % nb] for Mul).
template <Op op, typename T>
__global__ void binaryBackwardKernel(T *da, const T *dout, const T *b,
                                     int64_t n, int64_t nb) {
  for (int64_t i = blockIdx.x * int64_t(blockDim.x) + threadIdx.x; i < n;
       i += int64_t(gridDim.x) * blockDim.x) {
    float g = toFloat(dout[i]);
    if (op == Op::Mul)
      g *= toFloat(b[i % nb]);
    da[i] = fromFloat<T>(toFloat(da[i]) + g);
  }
}

template <typename T>
__global__ void scaleKernel(T *out, const T *x, float alpha, int64_t n,
                            bool accumulate) {
  for (int64_t i = blockIdx.x * int64_t(blockDim.x) + threadIdx.x; i < n;
       i += int64_t(gridDim.x) * blockDim.x) {
    const float y = alpha * toFloat(x[i]);
    out[i] = fromFloat<T>(accumulate ? toFloat(out[i]) + y : y);
  }
}

// Column j of the [n / nb, nb] view: dout (* a for Mul).
template <Op op, typename T> struct BroadcastGrad {
  const T *dout, *a;
  int64_t nb;
  __device__ void operator()(int64_t r, int64_t c, float (&acc)[1]) const {
    const int64_t i = r * nb + c;
    float g = toFloat(dout[i]);
    if (op == Op::Mul)
      g *= toFloat(a[i]);
    acc[0] += g;
  }
};

void checkBroadcast(const char *fn, int64_t n, int64_t nb) {
  PTC_CUDA_REQUIRE(n >= 0 && nb > 0 && n % nb == 0,
                   "%s: the broadcast operand's size nb = %lld must be "
                   "positive and divide n = %lld",
                   fn, (long long)nb, (long long)n);
}

template <Op op, typename T>
void forward(const char *fn, T *out, const T *a, const T *b, int64_t n,
             int64_t nb) {
  checkBroadcast(fn, n, nb);
  if (n == 0)
    return;
  binaryKernel<op>
      <<<blocksFor(n, kThreads), kThreads, 0, stream()>>>(out, a, b, n, nb);
  PTC_CUDA_CHECK_LAUNCH();
}

template <Op op, typename T>
void backward(const char *fn, T *da, T *db, const T *dout, const T *a,
              const T *b, int64_t n, int64_t nb) {
  checkBroadcast(fn, n, nb);
  if (n == 0)
    return;
  if (da) {
    binaryBackwardKernel<op>
        <<<blocksFor(n, kThreads), kThreads, 0, stream()>>>(da, dout, b, n, nb);
    PTC_CUDA_CHECK_LAUNCH();
  }
  if (db) {
    T *const outs[1] = {db};
    columnSums<1>(outs, n / nb, nb, /*accumulate=*/true,
                  BroadcastGrad<op, T>{dout, a, nb});
  }
}

} // namespace

template <typename T>
void add_forward(T *out, const T *a, const T *b, int64_t n, int64_t nb) {
  forward<Op::Add>("add_forward", out, a, b, n, nb);
}
template <typename T>
void add_backward(T *da, T *db, const T *dout, int64_t n, int64_t nb) {
  backward<Op::Add>("add_backward", da, db, dout, (const T *)nullptr,
                    (const T *)nullptr, n, nb);
}
template <typename T>
void mul_forward(T *out, const T *a, const T *b, int64_t n, int64_t nb) {
  forward<Op::Mul>("mul_forward", out, a, b, n, nb);
}
template <typename T>
void mul_backward(T *da, T *db, const T *dout, const T *a, const T *b,
                  int64_t n, int64_t nb) {
  backward<Op::Mul>("mul_backward", da, db, dout, a, b, n, nb);
}
template <typename T>
void scale_forward(T *out, const T *x, double alpha, int64_t n) {
  PTC_CUDA_REQUIRE(n >= 0, "scale_forward: n = %lld < 0", (long long)n);
  if (n == 0)
    return;
  scaleKernel<<<blocksFor(n, kThreads), kThreads, 0, stream()>>>(
      out, x, float(alpha), n, false);
  PTC_CUDA_CHECK_LAUNCH();
}
template <typename T>
void scale_backward(T *dx, const T *dout, double alpha, int64_t n) {
  PTC_CUDA_REQUIRE(n >= 0, "scale_backward: n = %lld < 0", (long long)n);
  if (n == 0)
    return;
  scaleKernel<<<blocksFor(n, kThreads), kThreads, 0, stream()>>>(
      dx, dout, float(alpha), n, true);
  PTC_CUDA_CHECK_LAUNCH();
}

#define PTC_INSTANTIATE(T)                                                     \
  template void add_forward<T>(T *, const T *, const T *, int64_t, int64_t);   \
  template void add_backward<T>(T *, T *, const T *, int64_t, int64_t);        \
  template void mul_forward<T>(T *, const T *, const T *, int64_t, int64_t);   \
  template void mul_backward<T>(T *, T *, const T *, const T *, const T *,     \
                                int64_t, int64_t);                             \
  template void scale_forward<T>(T *, const T *, double, int64_t);             \
  template void scale_backward<T>(T *, const T *, double, int64_t);
PTC_CUDA_FOR_FLOAT_TYPES(PTC_INSTANTIATE)
#undef PTC_INSTANTIATE

} // namespace ptc::kernels
