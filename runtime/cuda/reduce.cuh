//===- reduce.cuh - Deterministic column sums (nvcc only) ------*- C++ -*-===//
//
// The reductions over rows that backward kernels need (dgamma, dbeta, the
// gradient of a broadcast operand, reduce_leading) without float atomics:
//   pass 1: block (x, chunk) sums rows [chunk * rowsPerChunk, ...) of columns
//           blockIdx.x * 256 + threadIdx.x into partial[k][chunk][col]
//           (float, each thread its own column: reads coalesced along rows);
//   pass 2: one thread per column sums its chunks in order, in double.
// The chunking depends on the sizes only, so the result is the same bit for
// bit on every run.
//
//===----------------------------------------------------------------------===//
#ifndef PTC_RUNTIME_CUDA_REDUCE_CUH
#define PTC_RUNTIME_CUDA_REDUCE_CUH

#include "runtime/cuda/device_utils.cuh"

namespace ptc::cuda {

constexpr int kColumnThreads = 256;

struct ColumnPlan {
  int64_t rows, cols, rowsPerChunk, chunks;
  /// Floats of scratch that `outputs` column sums need.
  size_t partialFloats(int outputs) const {
    return size_t(outputs) * size_t(chunks) * size_t(cols);
  }
};

inline ColumnPlan planColumns(int64_t rows, int64_t cols) {
  ColumnPlan plan{rows, cols, 32, 1};
  // At most 1024 chunks (grid.y) and at least 32 rows each.
  if (rows > 32 * 1024)
    plan.rowsPerChunk = (rows + 1023) / 1024;
  plan.chunks = rows > 0 ? (rows + plan.rowsPerChunk - 1) / plan.rowsPerChunk
                         : 1;
  return plan;
}

/// F is a functor: `__device__ void operator()(int64_t row, int64_t col,
/// float (&acc)[NOUT]) const` that adds row's contributions to acc.
template <int NOUT, typename F>
__global__ void columnPartialsKernel(float *partial, ColumnPlan plan, F f) {
  const int64_t col = blockIdx.x * int64_t(blockDim.x) + threadIdx.x;
  const int64_t chunk = blockIdx.y;
  if (col >= plan.cols)
    return;
  float acc[NOUT];
#pragma unroll
  for (int k = 0; k < NOUT; ++k)
    acc[k] = 0.f;
  const int64_t r0 = chunk * plan.rowsPerChunk;
  const int64_t r1 = min(plan.rows, r0 + plan.rowsPerChunk);
  for (int64_t r = r0; r < r1; ++r)
    f(r, col, acc);
#pragma unroll
  for (int k = 0; k < NOUT; ++k)
    partial[(k * plan.chunks + chunk) * plan.cols + col] = acc[k];
}

/// out[col] (+)= the sum over chunks of partial[col]; out may be null.
template <typename T>
__global__ void columnFinalizeKernel(T *out, const float *partial,
                                     ColumnPlan plan, bool accumulate) {
  const int64_t col = blockIdx.x * int64_t(blockDim.x) + threadIdx.x;
  if (col >= plan.cols || !out)
    return;
  double s = 0;
  for (int64_t c = 0; c < plan.chunks; ++c)
    s += partial[c * plan.cols + col];
  out[col] = accumulate ? fromDouble<T>(toDouble(out[col]) + double(fromDouble<T>(s)))
                        : fromDouble<T>(s);
}

/// Runs both passes: outs[k] (k < NOUT, each may be null) (+)= column sums.
template <int NOUT, typename T, typename F>
void columnSums(T *const (&outs)[NOUT], int64_t rows, int64_t cols,
                bool accumulate, F f) {
  if (cols <= 0)
    return;
  ColumnPlan plan = planColumns(rows, cols);
  float *partial = static_cast<float *>(scratch(plan.partialFloats(NOUT) * 4));
  cudaStream_t s = ptc::kernels::stream();
  dim3 grid(unsigned((cols + kColumnThreads - 1) / kColumnThreads),
            unsigned(plan.chunks));
  columnPartialsKernel<NOUT><<<grid, kColumnThreads, 0, s>>>(partial, plan, f);
  PTC_CUDA_CHECK_LAUNCH();
  for (int k = 0; k < NOUT; ++k) {
    if (!outs[k])
      continue;
    columnFinalizeKernel<<<blocksFor(cols, kColumnThreads, 1 << 30),
                           kColumnThreads, 0, s>>>(
        outs[k], partial + size_t(k) * plan.chunks * cols, plan, accumulate);
    PTC_CUDA_CHECK_LAUNCH();
  }
}

} // namespace ptc::cuda

#endif // PTC_RUNTIME_CUDA_REDUCE_CUH
