//===- cuda_profile.cpp - Time per kernel on the cuda target --------------===//
//
// One event per mark, recorded on the kernel stream; flush() synchronizes
// and charges the time between consecutive events. Events are pooled.
//
//===----------------------------------------------------------------------===//

#include "runtime/cuda/check.h"
#include "runtime/cuda/context.h"
#include "runtime/profile/profile.h"
#include "runtime/profile/table.h"

#include <cuda_runtime.h>

#include <cstdlib>
#include <vector>

namespace ptc::profile {

namespace {
std::vector<cudaEvent_t> pool;
std::vector<const char *> names; // names[i]: the kernel after event i
size_t used = 0;
} // namespace

void mark(const char *name) {
  if (used == pool.size()) {
    cudaEvent_t event;
    PTC_CUDA_CHECK(cudaEventCreate(&event));
    pool.push_back(event);
    names.push_back(nullptr);
  }
  PTC_CUDA_CHECK(cudaEventRecord(pool[used], ptc::kernels::stream()));
  names[used] = name;
  ++used;
}

void flush() {
  mark(nullptr);
  PTC_CUDA_CHECK(cudaEventSynchronize(pool[used - 1]));
  // PTC_PROFILE_SKIP=n leaves the first n entry-point calls out of the
  // table (init_params and the first step make plans and scratch memory).
  static long skip = [] {
    const char *v = std::getenv("PTC_PROFILE_SKIP");
    return v ? std::atol(v) : 0L;
  }();
  if (skip > 0) {
    --skip;
    used = 0;
    return;
  }
  for (size_t i = 0; i + 1 < used; ++i) {
    if (!names[i])
      continue;
    float ms = 0;
    PTC_CUDA_CHECK(cudaEventElapsedTime(&ms, pool[i], pool[i + 1]));
    detail::charge(names[i], ms);
  }
  used = 0;
}

void report() { detail::print("CUDA events"); }

} // namespace ptc::profile
