//===- collectives.cpp - Collectives over NCCL (the cuda target) ----------===//

#include "runtime/cuda/collectives.cuh"

#include "runtime/cuda/check.h"
#include "runtime/cuda/context.h"
#include "runtime/cuda/nccl_check.h"
#include "runtime/cuda/nccl_comms.h"
#include "runtime/dist/adjacent_runs.h"
#include "runtime/dist/world.h"

#include <nccl.h>

#include <string>
#include <type_traits>
#include <vector>

namespace ptc::kernels {

namespace {

namespace dist = ptc::rt::dist;

template <typename T> ncclDataType_t ncclTypeOf() {
  if constexpr (std::is_same_v<T, float>)
    return ncclFloat32;
  else if constexpr (std::is_same_v<T, __nv_bfloat16>)
    return ncclBfloat16;
  else if constexpr (std::is_same_v<T, double>)
    return ncclFloat64;
  else if constexpr (std::is_same_v<T, int32_t>)
    return ncclInt32;
  else
    return ncclInt64;
}

ncclRedOp_t ncclOpOf(int64_t op, const char *call) {
  switch (op) {
  case 0:
    return ncclSum;
  case 1:
    return ncclMax;
  case 2:
    return ncclMin;
  case 3:
    return ncclAvg;
  default:
    dist::abortAll(std::string(call) + ": reduction op " + std::to_string(op) +
                   " is not 0 (sum), 1 (max), 2 (min) or 3 (avg)");
  }
}

// The size of group `comm` (1 before the world is started).
int64_t groupSize(int64_t comm) {
  const dist::World &w = dist::world();
  return w.groups.empty() ? 1 : w.groups[size_t(comm)].size;
}

template <typename T> void copyOnStream(T *out, const T *in, int64_t count) {
  if (out != in && count > 0)
    PTC_CUDA_CHECK(cudaMemcpyAsync(out, in, size_t(count) * sizeof(T),
                                   cudaMemcpyDeviceToDevice, stream()));
}

void requireCount(int64_t count, const char *call) {
  if (count < 0)
    dist::abortAll(std::string(call) + ": negative count " +
                   std::to_string(count));
}

// A peer or root must be a member of the group (and a peer not this rank).
void requireMember(int64_t comm, int64_t index, bool notSelf,
                   const char *call) {
  const dist::World &w = dist::world();
  const int64_t n = groupSize(comm);
  const int64_t self = w.groups.empty() ? 0 : w.groups[size_t(comm)].key;
  if (index < 0 || index >= n || (notSelf && index == self))
    dist::abortAll(std::string(call) + ": " + (notSelf ? "peer " : "root ") +
                   std::to_string(index) + " is not " +
                   (notSelf ? "another member" : "a member") +
                   " of a group of " + std::to_string(n));
}

// Between group_start() and group_end(), all-reduces wait in `pending`;
// group_end() merges runs of adjacent buffers (same element type,
// communicator, reduction and stream) into one ncclAllReduce. The gradient
// accumulators of consecutive parameters sit back to back in the gradients
// arena, so a bucket of them becomes one collective. Every rank runs the
// same program, so every rank merges the same runs.
struct PendingAllReduce {
  char *buf;
  size_t count;
  size_t width;
  ncclDataType_t type;
  ncclComm_t comm;
  ncclRedOp_t op;
  cudaStream_t stream;
};
int groupDepth = 0;
std::vector<PendingAllReduce> pending;

void issue(const PendingAllReduce &r) {
  PTC_NCCL_CHECK(ncclAllReduce(r.buf, r.buf, r.count, r.type, r.op, r.comm,
                               r.stream));
}

void flushPending() {
  dist::forEachAdjacentRun(
      pending,
      [](const PendingAllReduce &a, const PendingAllReduce &b) {
        return a.type == b.type && a.comm == b.comm && a.op == b.op &&
               a.stream == b.stream;
      },
      issue);
  pending.clear();
}

} // namespace

template <typename T>
void all_reduce(T *buf, int64_t count, int64_t comm, int64_t op) {
  ncclComm_t c = ptc::cuda::ncclCommOf(comm, "all_reduce");
  const ncclRedOp_t nop = ncclOpOf(op, "all_reduce");
  requireCount(count, "all_reduce");
  if (!c || count == 0)
    return;
  PendingAllReduce r{reinterpret_cast<char *>(buf), size_t(count), sizeof(T),
                     ncclTypeOf<T>(), c, nop, stream()};
  if (groupDepth > 0)
    pending.push_back(r);
  else
    issue(r);
}

template <typename T>
void all_gather(T *out, const T *in, int64_t inCount, int64_t comm) {
  ncclComm_t c = ptc::cuda::ncclCommOf(comm, "all_gather");
  requireCount(inCount, "all_gather");
  if (!c)
    return copyOnStream(out, in, inCount);
  PTC_NCCL_CHECK(
      ncclAllGather(in, out, size_t(inCount), ncclTypeOf<T>(), c, stream()));
}

template <typename T>
void reduce_scatter(T *out, const T *in, int64_t outCount, int64_t comm,
                    int64_t op) {
  ncclComm_t c = ptc::cuda::ncclCommOf(comm, "reduce_scatter");
  const ncclRedOp_t nop = ncclOpOf(op, "reduce_scatter");
  requireCount(outCount, "reduce_scatter");
  if (!c)
    return copyOnStream(out, in, outCount);
  PTC_NCCL_CHECK(ncclReduceScatter(in, out, size_t(outCount), ncclTypeOf<T>(),
                                   nop, c, stream()));
}

template <typename T>
void reduce_scatter_inplace(T *buf, int64_t count, int64_t comm, int64_t op) {
  ncclComm_t c = ptc::cuda::ncclCommOf(comm, "reduce_scatter_inplace");
  const ncclRedOp_t nop = ncclOpOf(op, "reduce_scatter_inplace");
  requireCount(count, "reduce_scatter_inplace");
  if (!c || count == 0)
    return; // one member: its block is the reduction
  const dist::World &w = dist::world();
  const int64_t self = w.groups[size_t(comm)].key;
  PTC_NCCL_CHECK(ncclReduceScatter(buf, buf + self * count, size_t(count),
                                   ncclTypeOf<T>(), nop, c, stream()));
}

template <typename T>
void all_gather_inplace(T *buf, int64_t count, int64_t comm) {
  ncclComm_t c = ptc::cuda::ncclCommOf(comm, "all_gather_inplace");
  requireCount(count, "all_gather_inplace");
  if (!c || count == 0)
    return; // one member: its block is the whole buffer
  const dist::World &w = dist::world();
  const int64_t self = w.groups[size_t(comm)].key;
  PTC_NCCL_CHECK(ncclAllGather(buf + self * count, buf, size_t(count),
                               ncclTypeOf<T>(), c, stream()));
}

template <typename T>
void broadcast(T *buf, int64_t count, int64_t comm, int64_t root) {
  ncclComm_t c = ptc::cuda::ncclCommOf(comm, "broadcast");
  requireCount(count, "broadcast");
  requireMember(comm, root, false, "broadcast");
  if (!c)
    return;
  PTC_NCCL_CHECK(ncclBroadcast(buf, buf, size_t(count), ncclTypeOf<T>(),
                               int(root), c, stream()));
}

template <typename T>
void send(const T *buf, int64_t count, int64_t comm, int64_t peer) {
  ncclComm_t c = ptc::cuda::ncclCommOf(comm, "send");
  requireCount(count, "send");
  requireMember(comm, peer, true, "send");
  PTC_NCCL_CHECK(
      ncclSend(buf, size_t(count), ncclTypeOf<T>(), int(peer), c, stream()));
}

template <typename T>
void recv(T *buf, int64_t count, int64_t comm, int64_t peer) {
  ncclComm_t c = ptc::cuda::ncclCommOf(comm, "recv");
  requireCount(count, "recv");
  requireMember(comm, peer, true, "recv");
  PTC_NCCL_CHECK(
      ncclRecv(buf, size_t(count), ncclTypeOf<T>(), int(peer), c, stream()));
}

void group_start() {
  PTC_NCCL_CHECK(ncclGroupStart());
  ++groupDepth;
}

void group_end() {
  if (groupDepth > 0 && --groupDepth == 0)
    flushPending();
  PTC_NCCL_CHECK(ncclGroupEnd());
}

#define PTC_INSTANTIATE_COLLECTIVES(T)                                         \
  template void all_reduce<T>(T *, int64_t, int64_t, int64_t);                 \
  template void all_gather<T>(T *, const T *, int64_t, int64_t);               \
  template void reduce_scatter<T>(T *, const T *, int64_t, int64_t, int64_t);  \
  template void reduce_scatter_inplace<T>(T *, int64_t, int64_t, int64_t);     \
  template void all_gather_inplace<T>(T *, int64_t, int64_t);                  \
  template void broadcast<T>(T *, int64_t, int64_t, int64_t);                  \
  template void send<T>(const T *, int64_t, int64_t, int64_t);                 \
  template void recv<T>(T *, int64_t, int64_t, int64_t);
PTC_INSTANTIATE_COLLECTIVES(float)
PTC_INSTANTIATE_COLLECTIVES(__nv_bfloat16)
PTC_INSTANTIATE_COLLECTIVES(double)
PTC_INSTANTIATE_COLLECTIVES(int32_t)
PTC_INSTANTIATE_COLLECTIVES(int64_t)
#undef PTC_INSTANTIATE_COLLECTIVES

} // namespace ptc::kernels
