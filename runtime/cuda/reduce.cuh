//===- reduce.cuh - Deterministic column sums (nvcc only) ------*- C++ -*-===//
//
// The reductions over rows that backward kernels need (dgamma, dbeta, the
// gradient of a broadcast operand, reduce_leading) without float atomics:
//   pass 1: block (x, chunk) sums rows [chunk * rowsPerChunk, ...) of columns
//           blockIdx.x * 256 + threadIdx.x into partial[k][chunk][col]
//           (float, each thread its own column: reads coalesced along rows);
//   pass 2: per column, 8 lanes sum the chunks j, j + 8, ... (j < 8) in
//           double, then add their 8 sums in order j = 0..7.
// Chunks: at least 32 rows, about 2048 blocks in pass 1 (planChunks).
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

/// Chunks of at least `minRows` rows, about `targetBlocks` blocks in all
/// when each chunk spans `colBlocks` blocks. Depends on the sizes only.
inline ColumnPlan planChunks(int64_t rows, int64_t cols, int64_t colBlocks,
                             int64_t minRows = 32,
                             int64_t targetBlocks = 2048) {
  ColumnPlan plan{rows, cols, minRows, 1};
  const int64_t wantChunks = (targetBlocks + colBlocks - 1) / colBlocks;
  const int64_t perChunk = (rows + wantChunks - 1) / wantChunks;
  if (perChunk > plan.rowsPerChunk)
    plan.rowsPerChunk = perChunk;
  // grid.y holds at most 65535 chunks.
  if (rows > plan.rowsPerChunk * 65535)
    plan.rowsPerChunk = (rows + 65534) / 65535;
  plan.chunks = rows > 0 ? (rows + plan.rowsPerChunk - 1) / plan.rowsPerChunk
                         : 1;
  return plan;
}

inline ColumnPlan planColumns(int64_t rows, int64_t cols) {
  return planChunks(rows, cols, (cols + kColumnThreads - 1) / kColumnThreads);
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
#pragma unroll 8
  for (int64_t r = r0; r < r1; ++r)
    f(r, col, acc);
#pragma unroll
  for (int k = 0; k < NOUT; ++k)
    partial[(k * plan.chunks + chunk) * plan.cols + col] = acc[k];
}

constexpr int kFinalizeLanes = 8; // chunk lanes per column in pass 2

/// out[col] (+)= the sum over chunks of partial[chunk * cols + col]; out may
/// be null. Block: 32 columns x kFinalizeLanes warps; warp j sums chunks j,
/// j + kFinalizeLanes, ... in double (each load 32 consecutive columns), then
/// warp 0 adds the lanes' sums in order j = 0, 1, ...: a fixed order.
template <typename T>
__global__ void columnFinalizeKernel(T *out, const float *partial,
                                     ColumnPlan plan, bool accumulate) {
  __shared__ double lanes[kFinalizeLanes][32];
  if (!out)
    return;
  const int lane = threadIdx.x % 32, j = threadIdx.x / 32;
  const int64_t col = blockIdx.x * int64_t(32) + lane;
  double s = 0;
  if (col < plan.cols) {
#pragma unroll 4
    for (int64_t c = j; c < plan.chunks; c += kFinalizeLanes)
      s += partial[c * plan.cols + col];
  }
  lanes[j][lane] = s;
  __syncthreads();
  if (j != 0 || col >= plan.cols)
    return;
  s = 0;
#pragma unroll
  for (int k = 0; k < kFinalizeLanes; ++k)
    s += lanes[k][lane];
  out[col] = accumulate ? fromDouble<T>(toDouble(out[col]) + double(fromDouble<T>(s)))
                        : fromDouble<T>(s);
}

/// Pass 2 for output k of `partial` ([k][chunk][col] floats).
template <typename T>
void columnFinalize(T *out, const float *partial, const ColumnPlan &plan,
                    bool accumulate, cudaStream_t s) {
  if (!out || plan.cols <= 0)
    return;
  columnFinalizeKernel<<<unsigned((plan.cols + 31) / 32), 32 * kFinalizeLanes,
                         0, s>>>(out, partial, plan, accumulate);
  PTC_CUDA_CHECK_LAUNCH();
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
  for (int k = 0; k < NOUT; ++k)
    columnFinalize(outs[k], partial + size_t(k) * plan.chunks * cols, plan,
                   accumulate, s);
}

} // namespace ptc::cuda

#endif // PTC_RUNTIME_CUDA_REDUCE_CUH
