//===- shard_index.h - Where a shard sits in the full tensor ----*- C++ -*-===//
//
// The index math of a segmented split (model_abi.h, ParamLayout), shared by
// the cpu kernels, the CUDA kernels (compiled by nvcc: __host__ __device__)
// and the checkpoint code, so that all three agree by construction.
//
// A split dimension of global size G is the concatenation of n segments
// s_0..s_{n-1} (sum G). Each segment is split evenly into `parts` pieces;
// part c of the mesh axis holds piece c of every segment, concatenated in
// segment order, so its local dimension has L = G / parts entries:
//
//   global: [ s_0 = p0 p1 | s_1 = p0 p1 ]        (parts = 2)
//   part 0: [ s_0.p0 | s_1.p0 ]   part 1: [ s_0.p1 | s_1.p1 ]
//
// Tensors are viewed as [outer, dim, inner] around the split dimension.
// Nothing here depends on the ABI structs or on MPI.
//
//===----------------------------------------------------------------------===//
#ifndef PTC_RUNTIME_DIST_SHARD_INDEX_H
#define PTC_RUNTIME_DIST_SHARD_INDEX_H

#include <cstdint>

#if defined(__CUDACC__)
#define PTC_HOST_DEVICE __host__ __device__
#else
#define PTC_HOST_DEVICE
#endif

namespace ptc::rt::dist {

constexpr int kMaxShardSegments = 4;

/// A segmented split of one dimension (plain split: one segment).
struct SegmentSplit {
  int64_t parts = 1;
  int64_t numSegments = 1;
  int64_t segments[kMaxShardSegments] = {0, 0, 0, 0};

  /// G, the global size of the split dimension.
  PTC_HOST_DEVICE int64_t globalDim() const {
    int64_t g = 0;
    for (int64_t k = 0; k < numSegments; ++k)
      g += segments[k];
    return g;
  }
  /// L = G / parts, the local size.
  PTC_HOST_DEVICE int64_t localDim() const { return globalDim() / parts; }

  /// The global index of entry `local` of part `part`.
  PTC_HOST_DEVICE int64_t toGlobal(int64_t part, int64_t local) const {
    int64_t localStart = 0, globalStart = 0;
    for (int64_t k = 0; k < numSegments; ++k) {
      const int64_t piece = segments[k] / parts;
      if (local < localStart + piece || k == numSegments - 1)
        return globalStart + part * piece + (local - localStart);
      localStart += piece;
      globalStart += segments[k];
    }
    return -1; // unreachable: numSegments >= 1
  }

  /// The part and local index that hold global entry `global`.
  PTC_HOST_DEVICE void toLocal(int64_t global, int64_t *part,
                               int64_t *local) const {
    int64_t localStart = 0, globalStart = 0;
    for (int64_t k = 0; k < numSegments; ++k) {
      const int64_t piece = segments[k] / parts;
      if (global < globalStart + segments[k] || k == numSegments - 1) {
        const int64_t q = global - globalStart;
        *part = q / piece;
        *local = localStart + q % piece;
        return;
      }
      localStart += piece;
      globalStart += segments[k];
    }
  }
};

/// Makes the split of the kernels' argument convention (numSegments, then
/// s0..s3 of which the first numSegments count).
PTC_HOST_DEVICE inline SegmentSplit makeSplit(int64_t parts,
                                              int64_t numSegments, int64_t s0,
                                              int64_t s1, int64_t s2,
                                              int64_t s3) {
  SegmentSplit split;
  split.parts = parts;
  split.numSegments = numSegments;
  split.segments[0] = s0;
  split.segments[1] = s1;
  split.segments[2] = s2;
  split.segments[3] = s3;
  return split;
}

/// True when `split` is well formed: 1 <= numSegments <= 4, parts >= 1, every
/// segment positive and divisible by parts. Host code checks this once;
/// the per-element functions above assume it.
inline bool isValidSplit(const SegmentSplit &split) {
  if (split.parts < 1 || split.numSegments < 1 ||
      split.numSegments > kMaxShardSegments)
    return false;
  for (int64_t k = 0; k < split.numSegments; ++k)
    if (split.segments[k] <= 0 || split.segments[k] % split.parts != 0)
      return false;
  return true;
}

/// shard_slice, element `o` of out ([outer, L, inner]): its index in the full
/// tensor ([outer, G, inner]) for part `part`.
PTC_HOST_DEVICE inline int64_t
sliceSource(const SegmentSplit &split, int64_t part, int64_t inner, int64_t o) {
  const int64_t L = split.localDim(), G = split.globalDim();
  const int64_t i = o % inner, j = (o / inner) % L, b = o / (inner * L);
  return (b * G + split.toGlobal(part, j)) * inner + i;
}

/// shard_unslice, element `o` of out ([outer, G, inner]): its index in the
/// gathered pieces ([parts, outer, L, inner], rank-major).
PTC_HOST_DEVICE inline int64_t unsliceSource(const SegmentSplit &split,
                                             int64_t outer, int64_t inner,
                                             int64_t o) {
  const int64_t L = split.localDim(), G = split.globalDim();
  const int64_t i = o % inner, g = (o / inner) % G, b = o / (inner * G);
  int64_t part = 0, j = 0;
  split.toLocal(g, &part, &j);
  return ((part * outer + b) * L + j) * inner + i;
}

} // namespace ptc::rt::dist

#endif // PTC_RUNTIME_DIST_SHARD_INDEX_H
