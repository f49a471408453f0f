//===- weights_pieces.h - Shard math of weight files (internal) -*- C++ -*-===//
//
// What saving (weights_save.cpp) and loading (weights.cpp) share: a
// parameter's full tensor as [outer, split dim, inner] around its
// tensor-parallel split, and the index kernels on raw bytes.
//
//===----------------------------------------------------------------------===//
#ifndef PTC_RUNTIME_TRAIN_WEIGHTS_PIECES_H
#define PTC_RUNTIME_TRAIN_WEIGHTS_PIECES_H

#include "runtime/dist/mesh.h"
#include "runtime/train/checkpoint_order.h"

#include <cstdint>
#include <vector>

namespace ptc::rt::train::detail {

inline int64_t product(const std::vector<int64_t> &shape, size_t begin,
                       size_t end) {
  int64_t n = 1;
  for (size_t d = begin; d < end; ++d)
    n *= shape[d];
  return n;
}

// Parameter i's split as [outer, dim, inner] around its split dimension.
struct SplitView {
  dist::SegmentSplit split;
  int64_t outer = 1, inner = 1;
};

inline SplitView splitView(const abi::Model &model, int32_t i) {
  const abi::ParamLayout &layout = model.paramLayouts[i];
  const std::vector<int64_t> full = fullShapeOf(model, i);
  SplitView v;
  v.split = dist::paramSplit(model, i);
  v.outer = product(full, 0, size_t(layout.splitDim));
  v.inner = product(full, size_t(layout.splitDim) + 1, full.size());
  return v;
}

// The element-typed index kernels on raw bytes: only the width matters.
template <typename Fn> void byWidth(int64_t width, Fn fn) {
  if (width == 2)
    fn(uint16_t());
  else if (width == 4)
    fn(uint32_t());
  else
    fn(uint64_t());
}

} // namespace ptc::rt::train::detail

#endif // PTC_RUNTIME_TRAIN_WEIGHTS_PIECES_H
