//===- embedding.cu - Embedding lookup (CUDA) -----------------------------===//

#include "runtime/cuda/embedding.cuh"

#include "runtime/cuda/device_utils.cuh"

#include <cub/device/device_radix_sort.cuh>

namespace ptc::kernels {

using namespace ptc::cuda;

namespace {

constexpr int kThreads = 256;

// `sharded`: the table holds rows [first, first + V) of a vocabulary-
// parallel table; other ids give zeros. Otherwise every id must be a row.
template <typename T>
__global__ void embeddingForwardKernel(T *out, const int32_t *ids,
                                       const T *table, int64_t N, int64_t V,
                                       int64_t C, int64_t first, bool sharded) {
  const int64_t n = N * C;
  for (int64_t k = blockIdx.x * int64_t(blockDim.x) + threadIdx.x; k < n;
       k += int64_t(gridDim.x) * blockDim.x) {
    const int64_t row = k / C, c = k % C;
    const int64_t id = int64_t(ids[row]) - first;
    if (sharded && (id < 0 || id >= V)) {
      out[k] = fromFloat<T>(0.f);
      continue;
    }
    PTC_DEVICE_REQUIRE(id >= 0 && id < V,
                       "embedding_forward: ids[%lld] = %d is outside [0, %lld)",
                       (long long)row, ids[row], (long long)V);
    out[k] = table[id * C + c];
  }
}

// The rows a vocabulary shard owns, as local ids; V for the others (sorted
// last, skipped by the run kernel).
__global__ void localIdsKernel(int32_t *out, const int32_t *ids, int64_t n,
                               int64_t V, int64_t first) {
  for (int64_t i = blockIdx.x * int64_t(blockDim.x) + threadIdx.x; i < n;
       i += int64_t(gridDim.x) * blockDim.x) {
    const int64_t id = int64_t(ids[i]) - first;
    out[i] = id >= 0 && id < V ? int32_t(id) : int32_t(V);
  }
}

__global__ void iotaKernel(int32_t *out, int64_t n) {
  for (int64_t i = blockIdx.x * int64_t(blockDim.x) + threadIdx.x; i < n;
       i += int64_t(gridDim.x) * blockDim.x)
    out[i] = int32_t(i);
}

// Block i handles the run of equal ids that starts at sorted position i (the
// other blocks return at once): dtable[id] += sum over the run of dout[n], in
// fp32, rounded once. The block finds the run's end together (a text has few
// distinct tokens, so runs can be thousands long), and each thread sums its
// columns with kLanes independent accumulators over rows j, j + kLanes, ...
// (in increasing n, the sort is stable), added in a fixed order at the end:
// deterministic, and not one long chain of dependent loads.
constexpr int kLanes = 8;
template <typename T>
__global__ void __launch_bounds__(kThreads)
    embeddingBackwardRunKernel(T *dtable, const int32_t *sortedIds,
                               const int32_t *sortedN, const T *dout, int64_t N,
                               int64_t V, int64_t C, bool sharded) {
  const int64_t i = blockIdx.x;
  const int32_t id = sortedIds[i];
  if ((i > 0 && sortedIds[i - 1] == id) || (sharded && id == V))
    return;
  PTC_DEVICE_REQUIRE(id >= 0 && id < V,
                     "embedding_backward: an id = %d is outside [0, %lld)", id,
                     (long long)V);
  __shared__ unsigned long long runEnd;
  if (threadIdx.x == 0)
    runEnd = (unsigned long long)N;
  __syncthreads();
  for (int64_t base = i + 1; base < N; base += blockDim.x) {
    const int64_t j = base + threadIdx.x;
    if (j < N && sortedIds[j] != id)
      atomicMin(&runEnd, (unsigned long long)j);
    __syncthreads();
    const bool found = runEnd < (unsigned long long)N;
    __syncthreads(); // every thread has read runEnd before the next round
    if (found)
      break;
  }
  const int64_t end = int64_t(runEnd);
  T *dst = dtable + int64_t(id) * C;
  for (int64_t c = threadIdx.x; c < C; c += kThreads) {
    float acc[kLanes] = {};
    int64_t j = i;
    for (; j + kLanes <= end; j += kLanes) {
#pragma unroll
      for (int l = 0; l < kLanes; ++l)
        acc[l] += toFloat(dout[int64_t(sortedN[j + l]) * C + c]);
    }
    for (int l = 0; j < end; ++j, ++l)
      acc[l] += toFloat(dout[int64_t(sortedN[j]) * C + c]);
    float sum = 0.f;
#pragma unroll
    for (int l = 0; l < kLanes; ++l)
      sum += acc[l];
    dst[c] = fromFloat<T>(toFloat(dst[c]) + sum);
  }
}

void checkSizes(const char *fn, int64_t N, int64_t V, int64_t C) {
  PTC_CUDA_REQUIRE(N >= 0 && V > 0 && C > 0 && V < INT32_MAX,
                   "%s: bad sizes N=%lld V=%lld C=%lld", fn, (long long)N,
                   (long long)V, (long long)C);
}

template <typename T>
void embeddingForward(T *out, const int32_t *ids, const T *table, int64_t N,
                      int64_t V, int64_t C, int64_t first, bool sharded) {
  checkSizes("embedding_forward", N, V, C);
  if (N == 0)
    return;
  embeddingForwardKernel<<<blocksFor(N * C, kThreads), kThreads, 0, stream()>>>(
      out, ids, table, N, V, C, first, sharded);
  PTC_CUDA_CHECK_LAUNCH();
}

template <typename T>
void embeddingBackward(T *dtable, const int32_t *ids, const T *dout, int64_t N,
                       int64_t V, int64_t C, int64_t first, bool sharded) {
  checkSizes("embedding_backward", N, V, C);
  PTC_CUDA_REQUIRE(N <= INT32_MAX, "embedding_backward: N = %lld",
                   (long long)N);
  if (N == 0)
    return;
  // Scratch: sorted ids, positions, sorted positions, then cub's storage.
  int endBit = 1;
  while (endBit < 31 && (int64_t(1) << endBit) <= V)
    ++endBit;
  size_t cubBytes = 0;
  PTC_CUDA_CHECK(cub::DeviceRadixSort::SortPairs(
      nullptr, cubBytes, (const int32_t *)nullptr, (int32_t *)nullptr,
      (const int32_t *)nullptr, (int32_t *)nullptr, int(N), 0, endBit,
      stream()));
  const size_t arrayBytes = (size_t(N) * sizeof(int32_t) + 255) / 256 * 256;
  auto *base =
      static_cast<char *>(scratch((sharded ? 4 : 3) * arrayBytes + cubBytes));
  auto *sortedIds = reinterpret_cast<int32_t *>(base);
  auto *positions = reinterpret_cast<int32_t *>(base + arrayBytes);
  auto *sortedN = reinterpret_cast<int32_t *>(base + 2 * arrayBytes);
  void *cubStorage = base + (sharded ? 4 : 3) * arrayBytes;
  if (sharded) {
    auto *localIds = reinterpret_cast<int32_t *>(base + 3 * arrayBytes);
    localIdsKernel<<<blocksFor(N, kThreads), kThreads, 0, stream()>>>(
        localIds, ids, N, V, first);
    PTC_CUDA_CHECK_LAUNCH();
    ids = localIds;
  }
  iotaKernel<<<blocksFor(N, kThreads), kThreads, 0, stream()>>>(positions, N);
  PTC_CUDA_CHECK_LAUNCH();
  PTC_CUDA_CHECK(cub::DeviceRadixSort::SortPairs(cubStorage, cubBytes, ids,
                                                 sortedIds, positions, sortedN,
                                                 int(N), 0, endBit, stream()));
  embeddingBackwardRunKernel<<<unsigned(N), kThreads, 0, stream()>>>(
      dtable, sortedIds, sortedN, dout, N, V, C, sharded);
  PTC_CUDA_CHECK_LAUNCH();
}

} // namespace

template <typename T>
void embedding_forward(T *out, const int32_t *ids, const T *table, int64_t N,
                       int64_t V, int64_t C) {
  embeddingForward(out, ids, table, N, V, C, 0, false);
}

template <typename T>
void embedding_backward(T *dtable, const int32_t *ids, const T *dout, int64_t N,
                        int64_t V, int64_t C) {
  embeddingBackward(dtable, ids, dout, N, V, C, 0, false);
}

template <typename T>
void embedding_rows_forward(T *out, const int32_t *ids, const T *table,
                            int64_t N, int64_t V, int64_t C, int64_t first) {
  embeddingForward(out, ids, table, N, V, C, first, true);
}

template <typename T>
void embedding_rows_backward(T *dtable, const int32_t *ids, const T *dout,
                             int64_t N, int64_t V, int64_t C, int64_t first) {
  embeddingBackward(dtable, ids, dout, N, V, C, first, true);
}

#define PTC_INSTANTIATE(T)                                                     \
  template void embedding_forward<T>(T *, const int32_t *, const T *, int64_t, \
                                     int64_t, int64_t);                        \
  template void embedding_backward<T>(T *, const int32_t *, const T *,         \
                                      int64_t, int64_t, int64_t);              \
  template void embedding_rows_forward<T>(T *, const int32_t *, const T *,     \
                                          int64_t, int64_t, int64_t, int64_t); \
  template void embedding_rows_backward<T>(                                    \
      T *, const int32_t *, const T *, int64_t, int64_t, int64_t, int64_t);
PTC_CUDA_FOR_FLOAT_TYPES(PTC_INSTANTIATE)
#undef PTC_INSTANTIATE

} // namespace ptc::kernels
