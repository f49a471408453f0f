//===- GreedyBySize.h - Offsets for buffers with live intervals -*- C++ -*-===//
//
// exec-plan-memory's placement of the transient buffers of one function in
// one arena, apart from the IR.
//
//===----------------------------------------------------------------------===//
#ifndef PTC_PASSES_EXEC_GREEDYBYSIZE_H
#define PTC_PASSES_EXEC_GREEDYBYSIZE_H

#include "llvm/ADT/ArrayRef.h"

#include <cstdint>

namespace ptc::exec {

/// A buffer to place: its size, its live interval [first, last] and its
/// position (which breaks ties) in the numbering of its function's ops, and
/// the offset the placement gives it.
struct LiveBuffer {
  int64_t bytes;
  int64_t position;
  int64_t first;
  int64_t last;
  int64_t offset = 0;
};

/// TensorFlow Lite's "greedy by size": largest first, each at the lowest
/// aligned offset >= `base` that is free of every placed buffer it overlaps
/// in time. Sets the offsets; returns the end of the highest buffer (at
/// least `base`).
int64_t placeGreedyBySize(llvm::ArrayRef<LiveBuffer *> buffers, int64_t base,
                          int64_t alignment);

} // namespace ptc::exec

#endif // PTC_PASSES_EXEC_GREEDYBYSIZE_H
