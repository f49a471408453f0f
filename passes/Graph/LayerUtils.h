//===- LayerUtils.h - Editing the inputs and results of layer units -*- C++ -*-===//
//
// graph.layer is isolated from above, so values cross a unit's boundary only
// through its inputs and its yield. Autodiff and recomputation move that
// boundary; these helpers do the bookkeeping.
//
//===----------------------------------------------------------------------===//
#ifndef PTC_PASSES_GRAPH_LAYERUTILS_H
#define PTC_PASSES_GRAPH_LAYERUTILS_H

#include "dialects/Graph/IR/GraphOps.h"

namespace ptc::graph {

/// The unit kind that holds the backward of `kind`.
LayerKind backwardKindOf(LayerKind kind);
/// Whether `kind` is a backward unit.
bool isBackwardKind(LayerKind kind);

/// Replaces `layer` by a copy that also yields `values` (defined in its body)
/// after its current results; returns the new op. Uses of the old results
/// move to the new ones.
LayerOp appendLayerResults(LayerOp layer, mlir::ValueRange values);

/// Adds `values` (defined above `layer`) as inputs; returns the new body
/// arguments.
llvm::SmallVector<mlir::BlockArgument>
appendLayerInputs(LayerOp layer, mlir::ValueRange values);

/// Drops the inputs whose body arguments have no use.
void pruneUnusedLayerInputs(LayerOp layer);

/// Replaces `layer` by a copy without the results at `indices` (which must
/// have no uses); returns the new op.
LayerOp eraseLayerResults(LayerOp layer, llvm::ArrayRef<unsigned> indices);

} // namespace ptc::graph

#endif // PTC_PASSES_GRAPH_LAYERUTILS_H
