//===- zero.cu - ZeRO-1 chunk kernels (CUDA) ------------------------------===//

#include "runtime/cuda/zero.cuh"

#include "runtime/cuda/adamw.cuh"
#include "runtime/cuda/check.h"
#include "runtime/cuda/context.h"
#include "runtime/cuda/device_utils.cuh"
#include "runtime/dist/mesh_coordinate.h"
#include "runtime/dist/zero_chunk.h"

#include <algorithm>

namespace ptc::kernels {

using namespace ptc::cuda;

namespace {

constexpr int kThreads = 256;

template <typename T>
__global__ void copyChunkKernel(T *out, const T *param, int64_t count,
                                int64_t chunk) {
  for (int64_t i = blockIdx.x * int64_t(blockDim.x) + threadIdx.x; i < chunk;
       i += int64_t(gridDim.x) * blockDim.x)
    out[i] = i < count ? param[i] : T(0);
}

} // namespace

template <typename T, typename S>
void adamw_update_chunk(T *param, T *m, T *v, const T *grad, const S *lr,
                        const S *gradScale, const int64_t *step, int64_t n,
                        int64_t chunk, int64_t meshAxis, double beta1,
                        double beta2, double eps, double weightDecay) {
  const int64_t first = mesh_coordinate(meshAxis) * chunk;
  const int64_t count = rt::dist::zeroChunkCount(n, chunk, first);
  if (count > 0)
    adamw_update(param + first, m, v, grad, lr, gradScale, step, count, beta1,
                 beta2, eps, weightDecay);
}

template <typename T>
void copy_chunk(T *out, const T *param, int64_t n, int64_t chunk,
                int64_t meshAxis) {
  PTC_CUDA_REQUIRE(chunk > 0 && n >= 0, "copy_chunk: n=%lld chunk=%lld",
                   (long long)n, (long long)chunk);
  const int64_t first = mesh_coordinate(meshAxis) * chunk;
  copyChunkKernel<<<blocksFor(chunk, kThreads), kThreads, 0, stream()>>>(
      out, param + std::min(first, n),
      rt::dist::zeroChunkCount(n, chunk, first), chunk);
  PTC_CUDA_CHECK_LAUNCH();
}

template void adamw_update_chunk<float, float>(float *, float *, float *,
                                               const float *, const float *,
                                               const float *, const int64_t *,
                                               int64_t, int64_t, int64_t,
                                               double, double, double, double);
template void copy_chunk<float>(float *, const float *, int64_t, int64_t,
                                int64_t);

} // namespace ptc::kernels
