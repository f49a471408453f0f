//===- context.cpp - The stream every kernel runs on, and scratch ---------===//

#include "runtime/cuda/context.h"

#include "runtime/cuda/check.h"

namespace ptc::kernels {

static cudaStream_t currentStream = nullptr;

cudaStream_t stream() { return currentStream; }
void set_stream(cudaStream_t stream) { currentStream = stream; }

} // namespace ptc::kernels

namespace ptc::cuda {

void *scratch(size_t bytes) {
  static void *block = nullptr;
  static size_t capacity = 0;
  if (bytes <= capacity)
    return block;
  cudaStream_t s = ptc::kernels::stream();
  if (block)
    PTC_CUDA_CHECK(cudaFreeAsync(block, s));
  // Grow geometrically so that a sequence of slightly larger requests does
  // not reallocate every time.
  size_t grown = capacity + capacity / 2;
  capacity = bytes > grown ? bytes : grown;
  capacity = (capacity + 255) / 256 * 256;
  PTC_CUDA_CHECK(cudaMallocAsync(&block, capacity, s));
  return block;
}

} // namespace ptc::cuda
