//===- GraphGradOps.cpp - graph dialect gradient op verifiers -------------===//
//
// The shape and element-type rules of the gradient ops of GraphGradOps.td.
// A gradient op repeats the rules of its forward op (through the shared
// helpers of GraphVerifyUtils.h) and adds those on `dout` and the results.
//
//===----------------------------------------------------------------------===//

#include "dialects/Graph/IR/GraphOps.h"
#include "dialects/Graph/IR/GraphVerifyUtils.h"

#include <cmath>

using namespace mlir;
using namespace ptc::graph;
using namespace ptc::graph::detail;

//===----------------------------------------------------------------------===//
// Embeddings
//===----------------------------------------------------------------------===//

LogicalResult EmbeddingGradOp::verify() {
  if (failed(verifyStatic(*this)))
    return failure();
  RankedTensorType dout = getDout().getType();
  RankedTensorType ids = tensorTypeOf(getIds());
  RankedTensorType table = getResult().getType();
  if (table.getRank() != 2)
    return emitOpError("result must have rank 2 [V, D], got ")
           << shapeString(table.getShape());
  SmallVector<int64_t> expected(ids.getShape());
  expected.push_back(table.getDimSize(1));
  if (dout.getShape() != ArrayRef<int64_t>(expected))
    return emitOpError("dout shape ")
           << shapeString(dout.getShape()) << " must be "
           << shapeString(expected) << " (the ids' shape, then D)";
  if (dout.getElementType() != table.getElementType())
    return emitOpError("result element type must match dout's");
  return success();
}

LogicalResult PositionEmbeddingGradOp::verify() {
  if (failed(verifyStatic(*this)))
    return failure();
  RankedTensorType dout = getDout().getType();
  RankedTensorType table = getResult().getType();
  if (dout.getRank() != 2 || table.getRank() != 2)
    return emitOpError("dout and result must have rank 2, got ")
           << shapeString(dout.getShape()) << " and "
           << shapeString(table.getShape());
  if (dout.getDimSize(1) != table.getDimSize(1) ||
      dout.getDimSize(0) > table.getDimSize(0))
    return emitOpError("dout ")
           << shapeString(dout.getShape()) << " must cover the first T <= "
           << table.getDimSize(0) << " rows of the result "
           << shapeString(table.getShape());
  if (dout.getElementType() != table.getElementType())
    return emitOpError("result element type must match dout's");
  return success();
}

//===----------------------------------------------------------------------===//
// Normalisation
//===----------------------------------------------------------------------===//

LogicalResult LayerNormGradOp::verify() {
  if (Value biasGrad = getBiasGrad();
      biasGrad && biasGrad.getType() != getScale().getType())
    return emitOpError("bias gradient type ")
           << biasGrad.getType() << " differs from the scale's "
           << getScale().getType();
  return verifyNorm(*this, getInput(), getScale(), Value(),
                    getEpsilon().convertToDouble());
}

LogicalResult RMSNormGradOp::verify() {
  return verifyNorm(*this, getInput(), getScale(), Value(),
                    getEpsilon().convertToDouble());
}

//===----------------------------------------------------------------------===//
// Attention and positions
//===----------------------------------------------------------------------===//

LogicalResult AttentionGradOp::verify() {
  return verifyAttention(*this, getQuery(), getKey(), getValue(), getCausal(),
                         getScale(), getDropout().convertToDouble());
}

LogicalResult RopeGradOp::verify() {
  return verifyRope(*this, getDout().getType(), getTheta().convertToDouble());
}

//===----------------------------------------------------------------------===//
// Elementwise
//===----------------------------------------------------------------------===//

LogicalResult GeluGradOp::verify() { return verifyStatic(*this); }
LogicalResult SiluGradOp::verify() { return verifyStatic(*this); }
LogicalResult SwigluGradOp::verify() { return verifyStatic(*this); }

LogicalResult DropoutGradOp::verify() {
  return verifyDropout(*this, getP().convertToDouble(),
                       getStreamAttr().getInt());
}

//===----------------------------------------------------------------------===//
// Loss
//===----------------------------------------------------------------------===//

LogicalResult CrossEntropyGradOp::verify() {
  return verifyCrossEntropy(*this, getLogits(), getTargets(), getNumClasses());
}

//===----------------------------------------------------------------------===//
// Helpers of autodiff
//===----------------------------------------------------------------------===//

LogicalResult ReduceSumOp::verify() {
  if (failed(verifyStatic(*this)))
    return failure();
  RankedTensorType input = getInput().getType();
  RankedTensorType result = getResult().getType();
  ArrayRef<int64_t> dims = getDims();
  bool leading = !dims.empty() && int64_t(dims.size()) <= input.getRank();
  for (auto [i, dim] : llvm::enumerate(dims))
    leading = leading && dim == int64_t(i);
  if (!leading)
    return emitOpError("dims ")
           << shapeString(dims) << " must be the leading dimensions [0, k) "
           << "with 1 <= k <= " << input.getRank();
  ArrayRef<int64_t> expected = input.getShape().drop_front(dims.size());
  if (result.getShape() != expected)
    return emitOpError("result shape ")
           << shapeString(result.getShape()) << " must be "
           << shapeString(expected) << " (the input's without dims)";
  if (result.getElementType() != input.getElementType())
    return emitOpError("reduce_sum must keep the element type");
  return success();
}

LogicalResult ConcatOp::verify() {
  return verifyPiecesAlongAxis(*this, getResult().getType(), getInputs(),
                               getAxis(), "input", "result", "concat");
}

LogicalResult ZerosOp::verify() { return verifyStatic(*this); }

LogicalResult ScaleOp::verify() {
  double factor = getFactor().convertToDouble();
  if (!std::isfinite(factor))
    return emitOpError("factor must be finite, got ") << factor;
  return verifyStatic(*this);
}
