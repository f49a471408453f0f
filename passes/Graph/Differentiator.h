//===- Differentiator.h - Reverse-mode sweep over graph ops ----*- C++ -*-===//
//
// The engine of graph-autodiff: walks a forward section of a block in
// reverse, asks each op for its VJP (DifferentiableOpInterface), sums the
// gradients of values with several uses, collects the gradients of the
// parameters it meets (graph.param_ref) and turns each layer unit into a
// backward unit (see Passes.td).
//
//===----------------------------------------------------------------------===//
#ifndef PTC_PASSES_GRAPH_DIFFERENTIATOR_H
#define PTC_PASSES_GRAPH_DIFFERENTIATOR_H

#include "dialects/Graph/IR/GraphOps.h"

#include "mlir/IR/Builders.h"
#include "llvm/ADT/MapVector.h"

namespace ptc::graph {

class Differentiator {
public:
  /// Backward ops are created at `builder`'s insertion point, which must be
  /// after the forward ops.
  explicit Differentiator(mlir::OpBuilder &builder) : builder(builder) {}

  /// Adds `grad` to the gradient of `value`. Values that are not float
  /// tensors are not differentiable and are ignored.
  void accumulate(mlir::Value value, mlir::Value grad);

  /// The gradient of `value` so far, or null.
  mlir::Value gradientOf(mlir::Value value) const {
    return grads.lookup(value);
  }

  /// Differentiates `ops`, forward ops of one block in program order.
  mlir::LogicalResult run(llvm::ArrayRef<mlir::Operation *> ops);

  /// The gradient of parameter `name`: the sum of its contributions, or null
  /// when nothing reached it.
  mlir::Value parameterGradient(mlir::StringAttr name);

  /// The parameters that received a gradient, in the order met.
  llvm::SmallVector<mlir::StringAttr> parameters() const;

private:
  mlir::LogicalResult differentiateLayer(LayerOp layer,
                                         llvm::ArrayRef<mlir::Value> resultGrads);
  mlir::Value sum(llvm::ArrayRef<mlir::Value> values);

  mlir::OpBuilder &builder;
  llvm::DenseMap<mlir::Value, mlir::Value> grads;
  llvm::MapVector<mlir::StringAttr, llvm::SmallVector<mlir::Value>> paramGrads;
};

/// Whether `type` is a tensor of floats (the differentiable values).
bool isDifferentiableType(mlir::Type type);

} // namespace ptc::graph

#endif // PTC_PASSES_GRAPH_DIFFERENTIATOR_H
