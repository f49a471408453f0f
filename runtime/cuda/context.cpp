//===- context.cpp - The stream every kernel runs on, and scratch ---------===//

#include "runtime/cuda/context.h"

#include "runtime/cuda/check.h"

#include <vector>

namespace ptc::kernels {

static cudaStream_t currentStream = nullptr;

cudaStream_t stream() { return currentStream; }
void set_stream(cudaStream_t stream) { currentStream = stream; }

namespace {
// Side streams and events live as long as the process: entry points are
// captured into CUDA graphs that refer to them.
std::vector<cudaStream_t> &sideStreams() {
  static std::vector<cudaStream_t> streams;
  return streams;
}
std::vector<cudaEvent_t> &events() {
  static std::vector<cudaEvent_t> list;
  return list;
}

void requireIndex(int64_t index, const char *what) {
  PTC_CUDA_REQUIRE(index >= 0 && index <= 1024,
                   "%s index %lld out of range [0, 1024]", what,
                   static_cast<long long>(index));
}

cudaEvent_t eventAt(int64_t index) {
  requireIndex(index, "event");
  std::vector<cudaEvent_t> &list = events();
  while (int64_t(list.size()) <= index) {
    cudaEvent_t event = nullptr;
    PTC_CUDA_CHECK(cudaEventCreateWithFlags(&event, cudaEventDisableTiming));
    list.push_back(event);
  }
  return list[size_t(index)];
}
} // namespace

cudaStream_t side_stream(int64_t index) {
  if (index < 0)
    return currentStream;
  requireIndex(index, "stream");
  std::vector<cudaStream_t> &streams = sideStreams();
  while (int64_t(streams.size()) <= index) {
    int least = 0, greatest = 0;
    PTC_CUDA_CHECK(cudaDeviceGetStreamPriorityRange(&least, &greatest));
    cudaStream_t created = nullptr;
    PTC_CUDA_CHECK(cudaStreamCreateWithPriority(
        &created, cudaStreamNonBlocking, greatest));
    streams.push_back(created);
  }
  return streams[size_t(index)];
}

void record_event(int64_t event, int64_t stream) {
  PTC_CUDA_CHECK(cudaEventRecord(eventAt(event), side_stream(stream)));
}

void wait_event(int64_t stream, int64_t event) {
  PTC_CUDA_CHECK(cudaStreamWaitEvent(side_stream(stream), eventAt(event), 0));
}

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
