//===- shard.h - A rank's piece of a split tensor (cpu) ---------*- C++ -*-===//
//
// Pure data movement with the index math of runtime/dist/shard_index.h,
// which the CUDA twins (runtime/cuda/shard.cuh) and the checkpoint code
// share; kernels.h wraps them as ptc::kernels::shard_slice (this rank's
// part) and shard_unslice. `in` / `out` are viewed as [outer, globalDim,
// inner]; globalDim is the sum of the first numSegments of s0..s3, each split
// evenly in `parts`.
//
//===----------------------------------------------------------------------===//
#ifndef PTC_RUNTIME_CPU_SHARD_H
#define PTC_RUNTIME_CPU_SHARD_H

#include "runtime/cpu/check.h"
#include "runtime/dist/shard_index.h"

#include <cstdint>

namespace ptc::rt::cpu {

/// out [outer, G/parts, inner] = piece `part` of every segment of in
/// [outer, G, inner], concatenated in segment order.
template <typename T>
void shard_slice_part(T *out, const T *in, int64_t outer, int64_t inner,
                      const dist::SegmentSplit &split, int64_t part) {
  PTC_RT_CHECK(dist::isValidSplit(split) && part >= 0 && part < split.parts &&
                   outer >= 0 && inner >= 0,
               "shard_slice: bad split (parts %lld, part %lld, %lld segments)",
               (long long)split.parts, (long long)part,
               (long long)split.numSegments);
  const int64_t n = outer * split.localDim() * inner;
  for (int64_t o = 0; o < n; ++o)
    out[o] = in[dist::sliceSource(split, part, inner, o)];
}

/// out [outer, G, inner] from the gathered pieces [parts, outer, G/parts,
/// inner]: the inverse of shard_slice_part over all parts.
template <typename T>
void shard_unslice(T *out, const T *gathered, int64_t outer, int64_t inner,
                   const dist::SegmentSplit &split) {
  PTC_RT_CHECK(dist::isValidSplit(split) && outer >= 0 && inner >= 0,
               "shard_unslice: bad split (parts %lld, %lld segments)",
               (long long)split.parts, (long long)split.numSegments);
  const int64_t n = outer * split.globalDim() * inner;
  for (int64_t o = 0; o < n; ++o)
    out[o] = gathered[dist::unsliceSource(split, outer, inner, o)];
}

} // namespace ptc::rt::cpu

#endif // PTC_RUNTIME_CPU_SHARD_H
