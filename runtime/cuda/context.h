//===- context.h - The stream every kernel runs on, and scratch -*- C++ -*-===//
//
// Every launcher of the CUDA kernel library enqueues its work on
// ptc::kernels::stream(): a process-wide setting, the legacy default stream
// (0) until set_stream() changes it. Kernels that need temporary device
// memory (the per-block partial sums of the deterministic reductions, the
// per-row losses of cross-entropy, ...) take it from one stream-ordered
// scratch block that grows on demand (cudaMallocAsync/cudaFreeAsync on the
// current stream), so no launcher allocates in steady state. Switch streams
// only with the old one synchronized.
//
//===----------------------------------------------------------------------===//
#ifndef PTC_RUNTIME_CUDA_CONTEXT_H
#define PTC_RUNTIME_CUDA_CONTEXT_H

#include <cuda_runtime_api.h>

#include <cstddef>
#include <cstdint>

namespace ptc::kernels {

/// The stream every kernel launches on (default 0).
cudaStream_t stream();
void set_stream(cudaStream_t stream);

/// Side stream `index` (an exec.stream of the program, numbered in module
/// order), created on first use: non-blocking, at the device's highest
/// priority so that a collective is not queued behind compute kernels.
/// Index -1 is stream().
cudaStream_t side_stream(int64_t index);

/// Records event `event` (an exec.event, created on first use, without
/// timing) on side stream `stream` (-1: stream()).
void record_event(int64_t event, int64_t stream);
/// Makes side stream `stream` (-1: stream()) wait for the last record of
/// `event`.
void wait_event(int64_t stream, int64_t event);

/// Makes side stream `index` the kernels' stream for its lifetime: the
/// emitted code wraps each launch that the program puts on an exec.stream.
class StreamScope {
public:
  explicit StreamScope(int64_t index) : saved_(stream()) {
    set_stream(side_stream(index));
  }
  ~StreamScope() { set_stream(saved_); }
  StreamScope(const StreamScope &) = delete;
  StreamScope &operator=(const StreamScope &) = delete;

private:
  cudaStream_t saved_;
};

} // namespace ptc::kernels

namespace ptc::cuda {

/// At least `bytes` of device memory, 256-byte aligned, valid for work
/// enqueued on the current stream until the next call of scratch().
void *scratch(size_t bytes);

/// Blocks of at most `threads` threads covering n items, at most `maxBlocks`
/// of them (grid-stride loops cover the rest).
inline unsigned blocksFor(int64_t n, int threads, int64_t maxBlocks = 8192) {
  int64_t blocks = (n + threads - 1) / threads;
  if (blocks > maxBlocks)
    blocks = maxBlocks;
  return unsigned(blocks < 1 ? 1 : blocks);
}

} // namespace ptc::cuda

#endif // PTC_RUNTIME_CUDA_CONTEXT_H
