//===- shard.cu - A rank's piece of a split tensor, and back (CUDA) -------===//

#include "runtime/cuda/shard.cuh"

#include "runtime/cuda/check.h"
#include "runtime/cuda/context.h"
#include "runtime/cuda/device_utils.cuh"
#include "runtime/dist/shard_index.h"

namespace ptc::kernels {

using ptc::rt::dist::SegmentSplit;

namespace {

constexpr int kThreads = 256;

template <typename T>
__global__ void sliceKernel(T *out, const T *in, int64_t n, SegmentSplit split,
                            int64_t part, int64_t inner) {
  for (int64_t o = blockIdx.x * int64_t(blockDim.x) + threadIdx.x; o < n;
       o += int64_t(gridDim.x) * blockDim.x)
    out[o] = in[ptc::rt::dist::sliceSource(split, part, inner, o)];
}

template <typename T>
__global__ void unsliceKernel(T *out, const T *gathered, int64_t n,
                              SegmentSplit split, int64_t outer,
                              int64_t inner) {
  for (int64_t o = blockIdx.x * int64_t(blockDim.x) + threadIdx.x; o < n;
       o += int64_t(gridDim.x) * blockDim.x)
    out[o] = gathered[ptc::rt::dist::unsliceSource(split, outer, inner, o)];
}

// The split of the launch arguments, checked like the cpu twin does.
SegmentSplit checkedSplit(const char *kernel, int64_t outer, int64_t globalDim,
                          int64_t inner, int64_t parts, int64_t numSegments,
                          int64_t s0, int64_t s1, int64_t s2, int64_t s3) {
  const SegmentSplit split =
      ptc::rt::dist::makeSplit(parts, numSegments, s0, s1, s2, s3);
  PTC_CUDA_REQUIRE(ptc::rt::dist::isValidSplit(split) &&
                       split.globalDim() == globalDim && outer >= 0 &&
                       inner >= 0,
                   "%s: segments do not tile globalDim %lld in %lld parts",
                   kernel, (long long)globalDim, (long long)parts);
  return split;
}

} // namespace

template <typename T>
void shard_slice_part(T *out, const T *in, int64_t outer, int64_t globalDim,
                      int64_t inner, int64_t part, int64_t parts,
                      int64_t numSegments, int64_t s0, int64_t s1, int64_t s2,
                      int64_t s3) {
  const SegmentSplit split =
      checkedSplit("shard_slice", outer, globalDim, inner, parts, numSegments,
                   s0, s1, s2, s3);
  PTC_CUDA_REQUIRE(part >= 0 && part < parts, "shard_slice: part %lld of %lld",
                   (long long)part, (long long)parts);
  const int64_t n = outer * split.localDim() * inner;
  if (n == 0)
    return;
  sliceKernel<<<ptc::cuda::blocksFor(n, kThreads), kThreads, 0, stream()>>>(
      out, in, n, split, part, inner);
  PTC_CUDA_CHECK_LAUNCH();
}

template <typename T>
void shard_slice(T *out, const T *in, int64_t outer, int64_t globalDim,
                 int64_t inner, int64_t meshAxis, int64_t parts,
                 int64_t numSegments, int64_t s0, int64_t s1, int64_t s2,
                 int64_t s3) {
  shard_slice_part(out, in, outer, globalDim, inner, mesh_coordinate(meshAxis),
                   parts, numSegments, s0, s1, s2, s3);
}

template <typename T>
void shard_unslice(T *out, const T *gathered, int64_t outer, int64_t globalDim,
                   int64_t inner, int64_t parts, int64_t numSegments,
                   int64_t s0, int64_t s1, int64_t s2, int64_t s3) {
  const SegmentSplit split =
      checkedSplit("shard_unslice", outer, globalDim, inner, parts, numSegments,
                   s0, s1, s2, s3);
  const int64_t n = outer * globalDim * inner;
  if (n == 0)
    return;
  unsliceKernel<<<ptc::cuda::blocksFor(n, kThreads), kThreads, 0, stream()>>>(
      out, gathered, n, split, outer, inner);
  PTC_CUDA_CHECK_LAUNCH();
}

#define PTC_INSTANTIATE_SHARD(T)                                               \
  template void shard_slice<T>(T *, const T *, int64_t, int64_t, int64_t,      \
                               int64_t, int64_t, int64_t, int64_t, int64_t,    \
                               int64_t, int64_t);                              \
  template void shard_slice_part<T>(T *, const T *, int64_t, int64_t, int64_t, \
                                    int64_t, int64_t, int64_t, int64_t,        \
                                    int64_t, int64_t, int64_t);                \
  template void shard_unslice<T>(T *, const T *, int64_t, int64_t, int64_t,    \
                                 int64_t, int64_t, int64_t, int64_t, int64_t,  \
                                 int64_t);
PTC_CUDA_FOR_ALL_TYPES(PTC_INSTANTIATE_SHARD)
#undef PTC_INSTANTIATE_SHARD

} // namespace ptc::kernels
