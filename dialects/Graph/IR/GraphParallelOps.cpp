//===- GraphParallelOps.cpp - vocabulary-parallel cross-entropy -----------===//
//
// Verifiers and VJPs of the ops in GraphParallelOps.td. The chain's
// gradient: d loss / d partials[0] = 1 / (N * S), d / d partials[1] = -1 / N,
// and d partials / d logits is local to the rank; the maximum is a shift
// the loss does not depend on, so nothing flows through it.
//
//===----------------------------------------------------------------------===//

#include "dialects/Graph/IR/GraphOps.h"
#include "dialects/Graph/IR/GraphVerifyUtils.h"

using namespace mlir;
using namespace ptc::graph;
using namespace ptc::graph::detail;

namespace {
/// `logits` [..., Vl] against positions [...] (the shape of `other`).
LogicalResult verifyPositions(Operation *op, RankedTensorType logits,
                              ArrayRef<int64_t> positions, StringRef what) {
  if (logits.getRank() < 1 || logits.getShape().drop_back() != positions)
    return op->emitOpError(what)
           << " " << shapeString(positions)
           << " must be the logits' shape without its last dimension, "
           << shapeString(logits.getShape());
  return success();
}

/// [2, positions...] of the partials.
LogicalResult verifyPartials(Operation *op, RankedTensorType partials,
                             ArrayRef<int64_t> positions) {
  if (partials.getRank() != (int64_t)positions.size() + 1 ||
      partials.getDimSize(0) != 2 ||
      partials.getShape().drop_front() != positions)
    return op->emitOpError("partials must have shape [2] + ")
           << shapeString(positions) << ", got "
           << shapeString(partials.getShape());
  return success();
}

LogicalResult verifyClasses(Operation *op, int64_t numClasses) {
  if (numClasses < 1)
    return op->emitOpError("num_classes must be >= 1, got ") << numClasses;
  return success();
}
} // namespace

LogicalResult VocabParallelMaxOp::verify() {
  if (failed(verifyStatic(*this)) ||
      failed(verifyClasses(*this, getNumClasses())))
    return failure();
  return verifyPositions(*this, getLogits().getType(),
                         getResult().getType().getShape(), "result shape");
}

LogicalResult VocabParallelPartialsOp::verify() {
  if (failed(verifyStatic(*this)) ||
      failed(verifyClasses(*this, getNumClasses())))
    return failure();
  ArrayRef<int64_t> positions = tensorTypeOf(getTargets()).getShape();
  if (failed(verifyPositions(*this, getLogits().getType(), positions,
                             "targets shape")) ||
      failed(verifyPositions(*this, getLogits().getType(),
                             getMax().getType().getShape(), "max shape")))
    return failure();
  return verifyPartials(*this, getResult().getType(), positions);
}

LogicalResult VocabParallelPartialsGradOp::verify() {
  if (failed(verifyStatic(*this)) ||
      failed(verifyClasses(*this, getNumClasses())))
    return failure();
  if (getResult().getType() != getLogits().getType())
    return emitOpError("result must have the logits' type");
  ArrayRef<int64_t> positions = tensorTypeOf(getTargets()).getShape();
  if (failed(verifyPositions(*this, getLogits().getType(), positions,
                             "targets shape")))
    return failure();
  return verifyPartials(*this, getDpartials().getType(), positions);
}

LogicalResult CrossEntropyFromPartialsOp::verify() {
  if (failed(verifyStatic(*this)))
    return failure();
  RankedTensorType partials = getPartials().getType();
  if (partials.getRank() < 1)
    return emitOpError("partials must have rank >= 1");
  return verifyPartials(*this, partials, partials.getShape().drop_front());
}

LogicalResult CrossEntropyFromPartialsGradOp::verify() {
  if (failed(verifyStatic(*this)))
    return failure();
  if (getResult().getType() != getPartials().getType())
    return emitOpError("result must have the partials' type");
  return success();
}

LogicalResult
VocabParallelMaxOp::buildVJP(OpBuilder &builder, ArrayRef<Value> resultGrads,
                             SmallVectorImpl<Value> &operandGrads) {
  operandGrads.assign(1, Value());
  return success();
}

LogicalResult
VocabParallelPartialsOp::buildVJP(OpBuilder &builder,
                                  ArrayRef<Value> resultGrads,
                                  SmallVectorImpl<Value> &operandGrads) {
  operandGrads.assign(3, Value());
  if (!resultGrads[0])
    return success();
  operandGrads[0] = VocabParallelPartialsGradOp::create(
      builder, getLoc(), getLogits().getType(), resultGrads[0], getLogits(),
      getTargets(), getMax(), getShardAxisAttr(), getNumClassesAttr());
  return success();
}

LogicalResult
CrossEntropyFromPartialsOp::buildVJP(OpBuilder &builder,
                                     ArrayRef<Value> resultGrads,
                                     SmallVectorImpl<Value> &operandGrads) {
  operandGrads.assign(1, Value());
  if (!resultGrads[0])
    return success();
  operandGrads[0] = CrossEntropyFromPartialsGradOp::create(
      builder, getLoc(), getPartials().getType(), resultGrads[0],
      getPartials());
  return success();
}
