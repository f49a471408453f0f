//===- vocab_parallel.cu - Vocabulary-parallel kernels (CUDA) -------------===//

#include "runtime/cuda/vocab_parallel.cuh"

#include "runtime/cuda/check.h"
#include "runtime/cuda/context.h"
#include "runtime/cuda/device_utils.cuh"
#include "runtime/cuda/embedding.cuh"
#include "runtime/dist/mesh_coordinate.h"

#include <algorithm>
#include <cfloat>

namespace ptc::kernels {

using namespace ptc::cuda;

namespace {

constexpr int kThreads = 256;

int64_t validColumns(int64_t V, int64_t numClasses, int64_t first) {
  return std::clamp<int64_t>(numClasses - first, 0, V);
}

__device__ float blockMax(float v, float *shared) {
  const int lane = threadIdx.x % 32, warp = threadIdx.x / 32;
  v = warpMax(v);
  __syncthreads();
  if (lane == 0)
    shared[warp] = v;
  __syncthreads();
  v = lane < int(blockDim.x / 32) ? shared[lane] : -FLT_MAX;
  v = warpMax(v);
  __syncthreads();
  return v;
}

template <typename S, typename T>
__global__ void __launch_bounds__(kThreads)
    vocabMaxKernel(S *out, const T *logits, int64_t V, int64_t valid) {
  __shared__ float shared[32];
  const T *row = logits + blockIdx.x * V;
  float m = -FLT_MAX;
  for (int64_t j = threadIdx.x; j < valid; j += kThreads)
    m = fmaxf(m, toFloat(row[j]));
  m = blockMax(m, shared);
  if (threadIdx.x == 0)
    out[blockIdx.x] = S(m);
}

template <typename S, typename T>
__global__ void __launch_bounds__(kThreads)
    vocabPartialsKernel(S *out, const T *logits, const int32_t *targets,
                        const S *max, int64_t N, int64_t V, int64_t valid,
                        int64_t first, int64_t numClasses) {
  __shared__ float shared[32];
  const int64_t n = blockIdx.x;
  const int32_t target = targets[n];
  if (target < 0) {
    if (threadIdx.x == 0)
      out[n] = out[N + n] = S(0);
    return;
  }
  PTC_DEVICE_REQUIRE(target < numClasses,
                     "vocab_partials: targets[%lld] = %d is outside [0, %lld)",
                     (long long)n, target, (long long)numClasses);
  const T *row = logits + n * V;
  const float m = float(max[n]);
  float sum = 0.f;
  for (int64_t j = threadIdx.x; j < valid; j += kThreads)
    sum += __expf(toFloat(row[j]) - m);
  sum = blockSum(sum, shared);
  if (threadIdx.x == 0) {
    const int64_t t = int64_t(target) - first;
    out[n] = S(sum);
    out[N + n] = t >= 0 && t < valid ? S(toFloat(row[t]) - m) : S(0);
  }
}

template <typename T, typename S>
__global__ void __launch_bounds__(kThreads)
    vocabPartialsGradKernel(T *dlogits, const T *logits, const int32_t *targets,
                            const S *max, const S *dpartials, int64_t N,
                            int64_t V, int64_t valid, int64_t first) {
  const int64_t n = blockIdx.x;
  const T *row = logits + n * V;
  T *drow = dlogits + n * V;
  const float m = float(max[n]);
  const float dsum = float(dpartials[n]), dtarget = float(dpartials[N + n]);
  const int64_t t = int64_t(targets[n]) - first;
  for (int64_t j = threadIdx.x; j < V; j += kThreads) {
    float g = 0.f;
    if (j < valid) {
      g = dsum * __expf(toFloat(row[j]) - m);
      if (j == t)
        g += dtarget;
    }
    drow[j] = fromFloat<T>(g);
  }
}

template <typename S>
__global__ void __launch_bounds__(1024)
    ceFromPartialsKernel(S *loss, const S *partials, int64_t N) {
  __shared__ double shared[32];
  double total = 0, counted = 0;
  // Every row but the ignored ones (sum exactly 0) counts: a NaN or inf sum
  // must reach the loss (see ce_row_counts in runtime/cpu/vocab_parallel.h).
  for (int64_t n = threadIdx.x; n < N; n += blockDim.x)
    if (!(partials[n] == S(0))) {
      total += log(double(partials[n])) - double(partials[N + n]);
      counted += 1;
    }
  total = blockSum(total, shared);
  counted = blockSum(counted, shared);
  if (threadIdx.x == 0)
    *loss = S(counted > 0 ? total / counted : 0.0);
}

template <typename S>
__global__ void __launch_bounds__(1024)
    ceFromPartialsGradKernel(S *dpartials, const S *partials, const S *dloss,
                             int64_t N) {
  __shared__ double shared[32];
  double counted = 0;
  for (int64_t n = threadIdx.x; n < N; n += blockDim.x)
    counted += !(partials[n] == S(0));
  counted = blockSum(counted, shared);
  const double g = counted > 0 ? double(*dloss) / counted : 0.0;
  for (int64_t n = threadIdx.x; n < N; n += blockDim.x) {
    const bool counts = !(partials[n] == S(0));
    dpartials[n] = counts ? S(g / double(partials[n])) : S(0);
    dpartials[N + n] = counts ? S(-g) : S(0);
  }
}

__global__ void addF64Kernel(double *acc, const double *x) { *acc += *x; }

void checkRows(const char *fn, int64_t N, int64_t V) {
  PTC_CUDA_REQUIRE(N >= 0 && N <= INT32_MAX && V > 0,
                   "%s: bad sizes N=%lld V=%lld", fn, (long long)N,
                   (long long)V);
}

} // namespace

template <typename T>
void embedding_shard_forward(T *out, const int32_t *ids, const T *table,
                             int64_t N, int64_t V, int64_t C,
                             int64_t meshAxis) {
  embedding_rows_forward(out, ids, table, N, V, C,
                         mesh_coordinate(meshAxis) * V);
}

template <typename T>
void embedding_shard_backward(T *dtable, const int32_t *ids, const T *dout,
                              int64_t N, int64_t V, int64_t C,
                              int64_t meshAxis) {
  embedding_rows_backward(dtable, ids, dout, N, V, C,
                          mesh_coordinate(meshAxis) * V);
}

template <typename S, typename T>
void vocab_max(S *out, const T *logits, int64_t N, int64_t V,
               int64_t numClasses, int64_t meshAxis) {
  checkRows("vocab_max", N, V);
  if (N == 0)
    return;
  const int64_t first = mesh_coordinate(meshAxis) * V;
  vocabMaxKernel<S, T><<<unsigned(N), kThreads, 0, stream()>>>(
      out, logits, V, validColumns(V, numClasses, first));
  PTC_CUDA_CHECK_LAUNCH();
}

template <typename S, typename T>
void vocab_partials(S *out, const T *logits, const int32_t *targets,
                    const S *max, int64_t N, int64_t V, int64_t numClasses,
                    int64_t meshAxis) {
  checkRows("vocab_partials", N, V);
  if (N == 0)
    return;
  const int64_t first = mesh_coordinate(meshAxis) * V;
  vocabPartialsKernel<S, T><<<unsigned(N), kThreads, 0, stream()>>>(
      out, logits, targets, max, N, V, validColumns(V, numClasses, first),
      first, numClasses);
  PTC_CUDA_CHECK_LAUNCH();
}

template <typename T, typename S>
void vocab_partials_grad(T *dlogits, const T *logits, const int32_t *targets,
                         const S *max, const S *dpartials, int64_t N, int64_t V,
                         int64_t numClasses, int64_t meshAxis) {
  checkRows("vocab_partials_grad", N, V);
  if (N == 0)
    return;
  const int64_t first = mesh_coordinate(meshAxis) * V;
  vocabPartialsGradKernel<T, S><<<unsigned(N), kThreads, 0, stream()>>>(
      dlogits, logits, targets, max, dpartials, N, V,
      validColumns(V, numClasses, first), first);
  PTC_CUDA_CHECK_LAUNCH();
}

template <typename S>
void ce_from_partials(S *loss, const S *partials, int64_t N) {
  ceFromPartialsKernel<S><<<1, 1024, 0, stream()>>>(loss, partials, N);
  PTC_CUDA_CHECK_LAUNCH();
}

template <typename S>
void ce_from_partials_grad(S *dpartials, const S *partials, const S *dloss,
                           int64_t N) {
  ceFromPartialsGradKernel<S>
      <<<1, 1024, 0, stream()>>>(dpartials, partials, dloss, N);
  PTC_CUDA_CHECK_LAUNCH();
}

void add_f64(double *acc, const double *x) {
  addF64Kernel<<<1, 1, 0, stream()>>>(acc, x);
  PTC_CUDA_CHECK_LAUNCH();
}

#define PTC_INSTANTIATE(T)                                                     \
  template void embedding_shard_forward<T>(                                    \
      T *, const int32_t *, const T *, int64_t, int64_t, int64_t, int64_t);    \
  template void embedding_shard_backward<T>(                                   \
      T *, const int32_t *, const T *, int64_t, int64_t, int64_t, int64_t);    \
  template void vocab_max<float, T>(float *, const T *, int64_t, int64_t,      \
                                    int64_t, int64_t);                         \
  template void vocab_partials<float, T>(float *, const T *, const int32_t *,  \
                                         const float *, int64_t, int64_t,      \
                                         int64_t, int64_t);                    \
  template void vocab_partials_grad<T, float>(                                 \
      T *, const T *, const int32_t *, const float *, const float *, int64_t,  \
      int64_t, int64_t, int64_t);
PTC_CUDA_FOR_FLOAT_TYPES(PTC_INSTANTIATE)
#undef PTC_INSTANTIATE
template void ce_from_partials<float>(float *, const float *, int64_t);
template void ce_from_partials_grad<float>(float *, const float *,
                                           const float *, int64_t);

} // namespace ptc::kernels
