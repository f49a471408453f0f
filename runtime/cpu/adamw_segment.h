//===- adamw_segment.h - Rows of a coalesced AdamW launch ------*- C++ -*-===//
//
// exec-coalesce merges the AdamW updates of parameters that sit back to
// back in memory into one launch; where their weight decay differs, the
// launch takes one row per parameter: its element count and weight decay,
// in memory order. Shared by the cpu and cuda kernel libraries (the emitted
// code passes the rows as a braced list).
//
//===----------------------------------------------------------------------===//
#ifndef PTC_RUNTIME_CPU_ADAMW_SEGMENT_H
#define PTC_RUNTIME_CPU_ADAMW_SEGMENT_H

#include <cstdint>

namespace ptc::kernels {

struct AdamWSegment {
  int64_t count;
  double weightDecay;
};

} // namespace ptc::kernels

#endif // PTC_RUNTIME_CPU_ADAMW_SEGMENT_H
