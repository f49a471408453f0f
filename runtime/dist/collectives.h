//===- collectives.h - Collectives over MPI (the cpu target) ----*- C++ -*-===//
//
// The cpu target's collectives, type-erased: runtime/cpu/collectives.h
// wraps them in the typed ptc::kernels names that emitted code calls.
// `comm` indexes Model::comms; peers and roots are indices within the group
// (dist::world().groups[comm].key is this rank's). Blocking: the result is
// in place when the call returns. Between groupStart() and groupEnd(), send
// and recv are posted without blocking and complete in groupEnd (so that a
// pipeline stage may send and receive in either order, like an NCCL group).
//
// A group of one rank (every group of a single-rank program, where MPI is
// never initialized) needs no communication: all_reduce and broadcast leave
// the buffer as it is, all_gather and reduce_scatter copy.
//
// Element types: f32, f64, i32, i64. A bad argument (comm, op, root, peer,
// type) is a compiler bug; it ends the job with a message naming the call.
//
//===----------------------------------------------------------------------===//
#ifndef PTC_RUNTIME_DIST_COLLECTIVES_H
#define PTC_RUNTIME_DIST_COLLECTIVES_H

#include "runtime/train/model_abi.h"

#include <cstdint>

namespace ptc::rt::dist {

/// The `op` argument of all_reduce and reduce_scatter.
enum class ReduceOp : int64_t { Sum = 0, Max = 1, Min = 2, Avg = 3 };

/// Ranks in group `comm` (1 before startWorld).
int64_t groupSize(int64_t comm);
/// This rank's index in group `comm` (0 before startWorld).
int64_t groupIndex(int64_t comm);

void allReduce(void *buf, int64_t count, abi::DType type, int64_t comm,
               int64_t op);
void allGather(void *out, const void *in, int64_t inCount, abi::DType type,
               int64_t comm);
void reduceScatter(void *out, const void *in, int64_t outCount, abi::DType type,
                   int64_t comm, int64_t op);
void broadcast(void *buf, int64_t count, abi::DType type, int64_t comm,
               int64_t root);
void send(const void *buf, int64_t count, abi::DType type, int64_t comm,
          int64_t peer);
void recv(void *buf, int64_t count, abi::DType type, int64_t comm,
          int64_t peer);
void groupStart();
void groupEnd();

} // namespace ptc::rt::dist

#endif // PTC_RUNTIME_DIST_COLLECTIVES_H
