//===- GraphOps.cpp - graph dialect op verifiers --------------------------===//
//
// The shape and element-type rules of each op that its traits cannot state.
// Messages name the operand and both shapes, so a frontend bug shows up as
// a readable diagnostic rather than a wrong program.
//
//===----------------------------------------------------------------------===//

#include "dialects/Graph/IR/GraphOps.h"
#include "dialects/Graph/IR/GraphVerifyUtils.h"

#include "mlir/IR/Builders.h"
#include "mlir/IR/OpImplementation.h"
#include "llvm/ADT/STLExtras.h"

#include <cmath>

using namespace mlir;
using namespace ptc::graph;
using namespace ptc::graph::detail;

//===----------------------------------------------------------------------===//
// ParamOp, ParamRefOp
//===----------------------------------------------------------------------===//

LogicalResult ParamOp::verify() {
  RankedTensorType type = getTensorType();
  if (!type.hasStaticShape() || type.getNumElements() == 0)
    return emitOpError("parameter must have a static, non-empty shape, got ")
           << type;
  if (type.getRank() == 0)
    return emitOpError("parameter must have rank >= 1");
  return success();
}

LogicalResult
ParamRefOp::verifySymbolUses(SymbolTableCollection &symbolTable) {
  auto param =
      symbolTable.lookupNearestSymbolFrom<ParamOp>(*this, getParamAttr());
  if (!param)
    return emitOpError("'") << getParam()
                            << "' does not name a graph.param in the module";
  if (param.getType() != getType())
    return emitOpError("type ")
           << getType() << " differs from the parameter's " << param.getType();
  return success();
}

//===----------------------------------------------------------------------===//
// Embeddings
//===----------------------------------------------------------------------===//

LogicalResult EmbeddingOp::verify() {
  if (failed(verifyStatic(*this)))
    return failure();
  RankedTensorType table = tensorTypeOf(getTable());
  RankedTensorType ids = tensorTypeOf(getIds());
  RankedTensorType result = getResult().getType();
  if (table.getRank() != 2)
    return emitOpError("table must have rank 2 [V, D], got ")
           << shapeString(table.getShape());
  SmallVector<int64_t> expected(ids.getShape());
  expected.push_back(table.getDimSize(1));
  if (result.getShape() != ArrayRef<int64_t>(expected))
    return emitOpError("result shape ")
           << shapeString(result.getShape()) << " must be "
           << shapeString(expected) << " (the ids' shape, then D)";
  if (result.getElementType() != table.getElementType())
    return emitOpError("result element type must match the table's");
  return success();
}

LogicalResult PositionEmbeddingOp::verify() {
  if (failed(verifyStatic(*this)))
    return failure();
  RankedTensorType table = tensorTypeOf(getTable());
  RankedTensorType result = getResult().getType();
  if (table.getRank() != 2 || result.getRank() != 2)
    return emitOpError("table and result must have rank 2, got ")
           << shapeString(table.getShape()) << " and "
           << shapeString(result.getShape());
  if (result.getDimSize(1) != table.getDimSize(1) ||
      result.getDimSize(0) > table.getDimSize(0))
    return emitOpError("result ")
           << shapeString(result.getShape())
           << " must take the first T <= " << table.getDimSize(0)
           << " rows of the table " << shapeString(table.getShape());
  if (result.getElementType() != table.getElementType())
    return emitOpError("result element type must match the table's");
  return success();
}

//===----------------------------------------------------------------------===//
// Normalisation
//===----------------------------------------------------------------------===//

LogicalResult LayerNormOp::verify() {
  return verifyNorm(*this, getInput(), getScale(), getBias(),
                    getEpsilon().convertToDouble());
}

LogicalResult RMSNormOp::verify() {
  return verifyNorm(*this, getInput(), getScale(), Value(),
                    getEpsilon().convertToDouble());
}

//===----------------------------------------------------------------------===//
// Matrix products
//===----------------------------------------------------------------------===//

LogicalResult LinearOp::verify() {
  if (failed(verifyStatic(*this)))
    return failure();
  RankedTensorType input = tensorTypeOf(getInput());
  RankedTensorType weight = tensorTypeOf(getWeight());
  RankedTensorType result = getResult().getType();
  if (input.getRank() < 1)
    return emitOpError("input must have rank >= 1");
  if (weight.getRank() != 2)
    return emitOpError("weight must have rank 2 [N, K], got ")
           << shapeString(weight.getShape());
  int64_t k = input.getShape().back(), n = weight.getDimSize(0);
  if (weight.getDimSize(1) != k)
    return emitOpError("weight ")
           << shapeString(weight.getShape()) << " must be [N, " << k
           << "] to match the input's last dimension";
  SmallVector<int64_t> expected(input.getShape());
  expected.back() = n;
  if (result.getShape() != ArrayRef<int64_t>(expected))
    return emitOpError("result shape ")
           << shapeString(result.getShape()) << " must be "
           << shapeString(expected);
  Type element = input.getElementType();
  if (weight.getElementType() != element || result.getElementType() != element)
    return emitOpError("input, weight and result element types must match");
  if (getBias() &&
      failed(verifyVectorOperand(*this, "bias", getBias(), n, element)))
    return failure();
  return success();
}

LogicalResult MatmulOp::verify() {
  if (failed(verifyStatic(*this)))
    return failure();
  RankedTensorType lhs = tensorTypeOf(getLhs());
  RankedTensorType rhs = tensorTypeOf(getRhs());
  RankedTensorType result = getResult().getType();
  int64_t rank = lhs.getRank();
  if (rank < 2 || rhs.getRank() != rank)
    return emitOpError("operands must have the same rank >= 2, got ")
           << shapeString(lhs.getShape()) << " and "
           << shapeString(rhs.getShape());
  ArrayRef<int64_t> lhsShape = lhs.getShape(), rhsShape = rhs.getShape();
  if (lhsShape.drop_back(2) != rhsShape.drop_back(2))
    return emitOpError("batch dimensions differ: ")
           << shapeString(lhsShape) << " and " << shapeString(rhsShape);
  int64_t m = lhsShape[rank - 2], kLhs = lhsShape[rank - 1];
  if (getTransposeLhs())
    std::swap(m, kLhs);
  int64_t kRhs = rhsShape[rank - 2], n = rhsShape[rank - 1];
  if (getTransposeRhs())
    std::swap(kRhs, n);
  if (kLhs != kRhs)
    return emitOpError("contraction sizes differ: ")
           << kLhs << " (lhs) and " << kRhs << " (rhs)";
  SmallVector<int64_t> expected(lhsShape.drop_back(2));
  expected.append({m, n});
  if (result.getShape() != ArrayRef<int64_t>(expected))
    return emitOpError("result shape ")
           << shapeString(result.getShape()) << " must be "
           << shapeString(expected);
  Type element = lhs.getElementType();
  if (rhs.getElementType() != element || result.getElementType() != element)
    return emitOpError("operand and result element types must match");
  return success();
}

//===----------------------------------------------------------------------===//
// Attention and positions
//===----------------------------------------------------------------------===//

LogicalResult AttentionOp::verify() {
  return verifyAttention(*this, getQuery(), getKey(), getValue(), getCausal(),
                         getScale(), getDropout().convertToDouble());
}

double AttentionOp::getEffectiveScale() {
  if (std::optional<APFloat> scale = getScale())
    return scale->convertToDouble();
  return 1.0 / std::sqrt(double(getQuery().getType().getDimSize(3)));
}

LogicalResult RopeOp::verify() {
  return verifyRope(*this, getInput().getType(),
                    getTheta().convertToDouble());
}

//===----------------------------------------------------------------------===//
// Elementwise
//===----------------------------------------------------------------------===//

template <typename BinaryOp>
static LogicalResult verifyBroadcastBinary(BinaryOp op) {
  if (failed(verifyStatic(op)))
    return failure();
  RankedTensorType lhs = tensorTypeOf(op.getLhs());
  RankedTensorType rhs = tensorTypeOf(op.getRhs());
  ArrayRef<int64_t> lhsShape = lhs.getShape(), rhsShape = rhs.getShape();
  if (rhsShape.size() > lhsShape.size() ||
      lhsShape.take_back(rhsShape.size()) != rhsShape)
    return op.emitOpError("rhs shape ")
           << shapeString(rhsShape) << " is not a suffix of the lhs shape "
           << shapeString(lhsShape);
  if (lhs.getElementType() != rhs.getElementType())
    return op.emitOpError("element types differ: ")
           << lhs.getElementType() << " and " << rhs.getElementType();
  return success();
}

LogicalResult AddOp::verify() { return verifyBroadcastBinary(*this); }
LogicalResult MulOp::verify() { return verifyBroadcastBinary(*this); }

LogicalResult DropoutOp::verify() {
  return verifyDropout(*this, getP().convertToDouble(),
                       getStreamAttr().getInt());
}

LogicalResult CastOp::verify() {
  if (failed(verifyStatic(*this)))
    return failure();
  if (getInput().getType().getShape() != getResult().getType().getShape())
    return emitOpError("cast changes the element type only; shapes differ");
  return success();
}

//===----------------------------------------------------------------------===//
// Shape manipulation
//===----------------------------------------------------------------------===//

LogicalResult ReshapeOp::verify() {
  if (failed(verifyStatic(*this)))
    return failure();
  RankedTensorType input = getInput().getType(), result = getResult().getType();
  if (input.getNumElements() != result.getNumElements())
    return emitOpError("cannot reshape ")
           << shapeString(input.getShape()) << " (" << input.getNumElements()
           << " elements) to " << shapeString(result.getShape()) << " ("
           << result.getNumElements() << " elements)";
  if (input.getElementType() != result.getElementType())
    return emitOpError("reshape must keep the element type");
  return success();
}

LogicalResult TransposeOp::verify() {
  if (failed(verifyStatic(*this)))
    return failure();
  RankedTensorType input = getInput().getType(), result = getResult().getType();
  ArrayRef<int64_t> permutation = getPermutation();
  int64_t rank = input.getRank();
  if (int64_t(permutation.size()) != rank || result.getRank() != rank)
    return emitOpError("permutation, input and result must have rank ") << rank;
  SmallVector<bool> seen(rank, false);
  for (int64_t dim : permutation) {
    if (dim < 0 || dim >= rank || seen[dim])
      return emitOpError("permutation ")
             << shapeString(permutation) << " is not a permutation of [0, "
             << rank << ")";
    seen[dim] = true;
  }
  for (int64_t i = 0; i < rank; ++i)
    if (result.getDimSize(i) != input.getDimSize(permutation[i]))
      return emitOpError("result shape ")
             << shapeString(result.getShape())
             << " does not match the permuted input shape";
  if (input.getElementType() != result.getElementType())
    return emitOpError("transpose must keep the element type");
  return success();
}

LogicalResult SplitOp::verify() {
  return verifyPiecesAlongAxis(*this, getInput().getType(), getResults(),
                               getAxis(), "result", "input", "split");
}

//===----------------------------------------------------------------------===//
// Loss
//===----------------------------------------------------------------------===//

LogicalResult CrossEntropyOp::verify() {
  return verifyCrossEntropy(*this, getLogits(), getTargets(), getNumClasses());
}

#define GET_OP_CLASSES
#include "dialects/Graph/IR/GraphOps.cpp.inc"
