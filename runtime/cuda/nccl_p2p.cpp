//===- nccl_p2p.cpp - Point-to-point of pipeline stages over NCCL ---------===//

#include "runtime/cuda/nccl_p2p.h"

#include "runtime/cuda/check.h"
#include "runtime/cuda/context.h"
#include "runtime/cuda/nccl_check.h"
#include "runtime/cuda/nccl_comms.h"
#include "runtime/dist/p2p.h"
#include "runtime/dist/world.h"

#include <cuda_runtime_api.h>

#include <map>
#include <vector>

namespace ptc::cuda {

namespace dist = ptc::rt::dist;

namespace {

// A staging buffer of sends: busy until `sent` (recorded on the comm
// stream after its ncclSend) has completed.
struct Staging {
  void *ptr = nullptr;
  size_t capacity = 0;
  cudaEvent_t sent = nullptr;
  bool busy = false;
};

// One communicator's stream, the events that order it with the compute
// stream, and its staging buffers.
struct Channel {
  cudaStream_t stream = nullptr;
  cudaEvent_t computeDone = nullptr; // compute -> comm
  cudaEvent_t commDone = nullptr;    // comm -> compute
  std::vector<Staging> staging;
};
std::map<int64_t, Channel> gChannels;

void release() {
  for (auto &[comm, c] : gChannels) {
    PTC_CUDA_CHECK(cudaStreamSynchronize(c.stream));
    for (Staging &s : c.staging) {
      PTC_CUDA_CHECK(cudaFree(s.ptr));
      PTC_CUDA_CHECK(cudaEventDestroy(s.sent));
    }
    PTC_CUDA_CHECK(cudaEventDestroy(c.computeDone));
    PTC_CUDA_CHECK(cudaEventDestroy(c.commDone));
    PTC_CUDA_CHECK(cudaStreamDestroy(c.stream));
  }
  gChannels.clear();
}

cudaEvent_t newEvent() {
  cudaEvent_t e = nullptr;
  PTC_CUDA_CHECK(cudaEventCreateWithFlags(&e, cudaEventDisableTiming));
  return e;
}

Channel &channel(int64_t comm) {
  if (gChannels.empty())
    dist::addFinishHook(release);
  Channel &c = gChannels[comm];
  if (!c.stream) {
    PTC_CUDA_CHECK(cudaStreamCreateWithFlags(&c.stream, cudaStreamNonBlocking));
    c.computeDone = newEvent();
    c.commDone = newEvent();
  }
  return c;
}

// A staging buffer of at least `bytes` whose last send has finished.
Staging &stagingFor(Channel &c, size_t bytes) {
  Staging *idle = nullptr;
  for (Staging &s : c.staging) {
    if (s.busy) {
      const cudaError_t e = cudaEventQuery(s.sent);
      if (e == cudaErrorNotReady)
        continue;
      PTC_CUDA_CHECK(e);
      s.busy = false;
    }
    if (s.capacity >= bytes)
      return s;
    idle = &s;
  }
  if (!idle) {
    c.staging.emplace_back();
    idle = &c.staging.back();
    idle->sent = newEvent();
  }
  // Too small or new: (re)allocate. The sizes settle after the first step.
  if (idle->ptr)
    PTC_CUDA_CHECK(cudaFree(idle->ptr));
  PTC_CUDA_CHECK(cudaMalloc(&idle->ptr, bytes));
  idle->capacity = bytes;
  return *idle;
}

} // namespace

rt::Status p2pSend(int64_t comm, int64_t peer, const void *src,
                   int64_t bytes) {
  if (rt::Status s = dist::checkGroupMember(comm, peer, true, "send", "peer");
      !s)
    return s;
  if (bytes <= 0)
    return rt::Status::ok();
  ncclComm_t nccl = ncclCommOf(comm, "send");
  Channel &c = channel(comm);
  Staging &s = stagingFor(c, size_t(bytes));
  cudaStream_t compute = ptc::kernels::stream();
  PTC_CUDA_CHECK(cudaMemcpyAsync(s.ptr, src, size_t(bytes),
                                 cudaMemcpyDeviceToDevice, compute));
  PTC_CUDA_CHECK(cudaEventRecord(c.computeDone, compute));
  PTC_CUDA_CHECK(cudaStreamWaitEvent(c.stream, c.computeDone, 0));
  PTC_NCCL_CHECK(
      ncclSend(s.ptr, size_t(bytes), ncclUint8, int(peer), nccl, c.stream));
  PTC_CUDA_CHECK(cudaEventRecord(s.sent, c.stream));
  s.busy = true;
  return rt::Status::ok();
}

rt::Status p2pRecv(int64_t comm, int64_t peer, void *dst, int64_t bytes) {
  if (rt::Status s = dist::checkGroupMember(comm, peer, true, "recv", "peer");
      !s)
    return s;
  if (bytes <= 0)
    return rt::Status::ok();
  ncclComm_t nccl = ncclCommOf(comm, "recv");
  Channel &c = channel(comm);
  cudaStream_t compute = ptc::kernels::stream();
  PTC_CUDA_CHECK(cudaEventRecord(c.computeDone, compute));
  PTC_CUDA_CHECK(cudaStreamWaitEvent(c.stream, c.computeDone, 0));
  PTC_NCCL_CHECK(
      ncclRecv(dst, size_t(bytes), ncclUint8, int(peer), nccl, c.stream));
  PTC_CUDA_CHECK(cudaEventRecord(c.commDone, c.stream));
  PTC_CUDA_CHECK(cudaStreamWaitEvent(compute, c.commDone, 0));
  return rt::Status::ok();
}

rt::Status p2pFinishSends() {
  for (auto &[comm, c] : gChannels) {
    PTC_CUDA_CHECK(cudaStreamSynchronize(c.stream));
    for (Staging &s : c.staging)
      s.busy = false;
  }
  return rt::Status::ok();
}

} // namespace ptc::cuda
