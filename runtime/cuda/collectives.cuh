//===- collectives.cuh - Collectives over NCCL ------------------*- C++ -*-===//
//
// The CUDA twins of runtime/cpu/collectives.h: the same ptc::kernels names
// and arguments (buffers first, device pointers; `comm` indexes
// Model::comms; op 0 sum, 1 max, 2 min, 3 avg; roots and peers are indices
// within the group), enqueued on ptc::kernels::stream() through the NCCL
// communicators of runtime/cuda/nccl_comms.h. Asynchronous like every
// kernel launch, and capturable in CUDA graphs. send and recv that pair up
// between two ranks must sit between group_start() and group_end() (an
// NCCL group), or the two ranks wait on each other. Inside a group,
// all-reduces of buffers that sit back to back in memory (a bucket of
// gradient accumulators) are merged into one NCCL call at group_end().
//
// In a single-rank world (no NCCL communicators) every group has one
// member: all_reduce and broadcast do nothing, all_gather and
// reduce_scatter copy on the stream.
//
// Instantiated for float, bf16, double, int32_t and int64_t.
//
//===----------------------------------------------------------------------===//
#ifndef PTC_RUNTIME_CUDA_COLLECTIVES_CUH
#define PTC_RUNTIME_CUDA_COLLECTIVES_CUH

#include "runtime/dist/mesh_coordinate.h"

#include <cuda_bf16.h>

#include <cstdint>

namespace ptc::kernels {

template <typename T>
void all_reduce(T *buf, int64_t count, int64_t comm, int64_t op);
template <typename T>
void all_gather(T *out, const T *in, int64_t inCount, int64_t comm);
template <typename T>
void reduce_scatter(T *out, const T *in, int64_t outCount, int64_t comm,
                    int64_t op);
/// buf = groupSize blocks of count; this member's block becomes op over
/// that block of every member's buf (NCCL's in-place reduce-scatter).
template <typename T>
void reduce_scatter_inplace(T *buf, int64_t count, int64_t comm, int64_t op);
/// In place: every member's block `count` elements at its group index is
/// gathered into the same block of everyone's buf (NCCL's in-place
/// all-gather).
template <typename T>
void all_gather_inplace(T *buf, int64_t count, int64_t comm);
template <typename T>
void broadcast(T *buf, int64_t count, int64_t comm, int64_t root);
template <typename T>
void send(const T *buf, int64_t count, int64_t comm, int64_t peer);
template <typename T>
void recv(T *buf, int64_t count, int64_t comm, int64_t peer);
void group_start();
void group_end();

} // namespace ptc::kernels

#endif // PTC_RUNTIME_CUDA_COLLECTIVES_CUH
