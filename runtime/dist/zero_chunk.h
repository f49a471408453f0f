//===- zero_chunk.h - The elements a ZeRO-1 rank owns (both targets) -*- C++
//-*-===//
//
// A ZeRO-1 rank owns chunk c (its coordinate on the data-parallel axis) of a
// parameter flattened and zero-padded to `chunk` times the axis size:
// elements [first, first + count) with first = c * chunk; the padding does
// not exist in the parameter, so the last chunks may hold fewer (or none).
//
//===----------------------------------------------------------------------===//
#ifndef PTC_RUNTIME_DIST_ZERO_CHUNK_H
#define PTC_RUNTIME_DIST_ZERO_CHUNK_H

#include <cstdint>

namespace ptc::rt::dist {

/// How many elements of the chunk starting at `first` exist in a parameter
/// of `n` elements.
inline int64_t zeroChunkCount(int64_t n, int64_t chunk, int64_t first) {
  const int64_t left = n - first;
  return left <= 0 ? 0 : left < chunk ? left : chunk;
}

} // namespace ptc::rt::dist

#endif // PTC_RUNTIME_DIST_ZERO_CHUNK_H
