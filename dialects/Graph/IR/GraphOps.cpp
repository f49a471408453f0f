//===- GraphOps.cpp - graph dialect op verifiers --------------------------===//
//
// The shape and element-type rules of each op that its traits cannot state.
// Messages name the operand and both shapes, so a frontend bug shows up as
// a readable diagnostic rather than a wrong program.
//
//===----------------------------------------------------------------------===//

#include "dialects/Graph/IR/GraphOps.h"

#include "mlir/IR/Builders.h"
#include "mlir/IR/OpImplementation.h"
#include "llvm/ADT/STLExtras.h"

#include <cmath>

using namespace mlir;
using namespace ptc::graph;

namespace {

RankedTensorType tensorTypeOf(Value value) {
  return cast<RankedTensorType>(value.getType());
}

/// Prints a shape as [8, 64, 128].
std::string shapeString(ArrayRef<int64_t> shape) {
  std::string text = "[";
  llvm::raw_string_ostream os(text);
  llvm::interleaveComma(shape, os);
  os << "]";
  return text;
}

/// Every graph tensor must be statically shaped: sizes feed the memory plan.
LogicalResult verifyStatic(Operation *op) {
  for (Type type : llvm::concat<Type>(op->getOperandTypes(),
                                      op->getResultTypes())) {
    auto tensor = dyn_cast<RankedTensorType>(type);
    if (tensor && !tensor.hasStaticShape())
      return op->emitOpError("requires statically shaped tensors, got ")
             << tensor;
  }
  return success();
}

/// `vector` must be a rank-1 tensor of size `size` with `elementType`.
LogicalResult verifyVectorOperand(Operation *op, StringRef name, Value vector,
                                  int64_t size, Type elementType) {
  RankedTensorType type = tensorTypeOf(vector);
  if (type.getRank() != 1 || type.getDimSize(0) != size)
    return op->emitOpError() << name << " must have shape [" << size
                             << "], got " << shapeString(type.getShape());
  if (type.getElementType() != elementType)
    return op->emitOpError() << name << " element type " << type.getElementType()
                             << " differs from the input's " << elementType;
  return success();
}

LogicalResult verifyNorm(Operation *op, Value input, Value scale, Value bias,
                         double epsilon) {
  if (failed(verifyStatic(op)))
    return failure();
  RankedTensorType inputType = tensorTypeOf(input);
  if (inputType.getRank() < 1)
    return op->emitOpError("input must have rank >= 1");
  int64_t dim = inputType.getShape().back();
  Type element = inputType.getElementType();
  if (failed(verifyVectorOperand(op, "scale", scale, dim, element)))
    return failure();
  if (bias && failed(verifyVectorOperand(op, "bias", bias, dim, element)))
    return failure();
  if (!(epsilon > 0.0))
    return op->emitOpError("epsilon must be > 0, got ") << epsilon;
  return success();
}

} // namespace

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
  if (failed(verifyStatic(*this)))
    return failure();
  RankedTensorType q = tensorTypeOf(getQuery());
  RankedTensorType k = tensorTypeOf(getKey());
  RankedTensorType v = tensorTypeOf(getValue());
  if (q.getRank() != 4 || k.getRank() != 4 || v.getRank() != 4)
    return emitOpError("query, key and value must have rank 4 [B, H, T, Dh]");
  if (k.getShape() != v.getShape())
    return emitOpError("key ") << shapeString(k.getShape())
                               << " and value " << shapeString(v.getShape())
                               << " shapes differ";
  if (q.getDimSize(0) != k.getDimSize(0) || q.getDimSize(3) != k.getDimSize(3))
    return emitOpError("query ")
           << shapeString(q.getShape()) << " and key "
           << shapeString(k.getShape()) << " differ in batch or head size";
  if (q.getDimSize(1) % k.getDimSize(1) != 0)
    return emitOpError("key/value heads (")
           << k.getDimSize(1) << ") must divide query heads ("
           << q.getDimSize(1) << ")";
  if (getCausal() && q.getDimSize(2) != k.getDimSize(2))
    return emitOpError("causal attention needs equal query and key lengths, got ")
           << q.getDimSize(2) << " and " << k.getDimSize(2);
  if (k.getElementType() != q.getElementType() ||
      v.getElementType() != q.getElementType())
    return emitOpError("query, key and value element types must match");
  if (getScale() && !(getScale()->convertToDouble() > 0.0))
    return emitOpError("scale must be > 0");
  double dropout = getDropout().convertToDouble();
  if (!(dropout >= 0.0 && dropout < 1.0))
    return emitOpError("dropout must be in [0, 1), got ") << dropout;
  return success();
}

double AttentionOp::getEffectiveScale() {
  if (std::optional<APFloat> scale = getScale())
    return scale->convertToDouble();
  return 1.0 / std::sqrt(double(getQuery().getType().getDimSize(3)));
}

LogicalResult RopeOp::verify() {
  if (failed(verifyStatic(*this)))
    return failure();
  RankedTensorType type = getInput().getType();
  if (type.getRank() != 4)
    return emitOpError("input must have rank 4 [B, H, T, Dh], got ")
           << shapeString(type.getShape());
  if (type.getDimSize(3) % 2 != 0)
    return emitOpError("head size must be even, got ") << type.getDimSize(3);
  if (!(getTheta().convertToDouble() > 0.0))
    return emitOpError("theta must be > 0");
  return success();
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
  double p = getP().convertToDouble();
  if (!(p >= 0.0 && p < 1.0))
    return emitOpError("p must be in [0, 1), got ") << p;
  if (getStreamAttr().getInt() < 0)
    return emitOpError("stream must be >= 0");
  return verifyStatic(*this);
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
  if (failed(verifyStatic(*this)))
    return failure();
  RankedTensorType input = getInput().getType();
  int64_t axis = getAxis();
  if (axis < 0 || axis >= input.getRank())
    return emitOpError("axis ") << axis << " out of range for rank "
                                << input.getRank();
  if (getResults().empty())
    return emitOpError("needs at least one result");
  int64_t total = 0;
  for (Value result : getResults()) {
    RankedTensorType type = tensorTypeOf(result);
    if (type.getRank() != input.getRank() ||
        type.getElementType() != input.getElementType())
      return emitOpError("each result must have the input's rank and element type");
    for (int64_t d = 0; d < input.getRank(); ++d)
      if (d != axis && type.getDimSize(d) != input.getDimSize(d))
        return emitOpError("result ")
               << shapeString(type.getShape())
               << " differs from the input outside the split axis";
    total += type.getDimSize(axis);
  }
  if (total != input.getDimSize(axis))
    return emitOpError("result sizes along axis ")
           << axis << " add up to " << total << ", not "
           << input.getDimSize(axis);
  return success();
}

//===----------------------------------------------------------------------===//
// Loss
//===----------------------------------------------------------------------===//

LogicalResult CrossEntropyOp::verify() {
  if (failed(verifyStatic(*this)))
    return failure();
  RankedTensorType logits = tensorTypeOf(getLogits());
  RankedTensorType targets = tensorTypeOf(getTargets());
  if (logits.getRank() < 1)
    return emitOpError("logits must have rank >= 1");
  if (logits.getShape().drop_back() != targets.getShape())
    return emitOpError("targets shape ")
           << shapeString(targets.getShape())
           << " must equal the logits shape without its last dimension, "
           << shapeString(logits.getShape().drop_back());
  int64_t numClasses = getNumClasses();
  if (numClasses < 1 || numClasses > logits.getShape().back())
    return emitOpError("num_classes must be in [1, ")
           << logits.getShape().back() << "], got " << numClasses;
  return success();
}

#define GET_OP_CLASSES
#include "dialects/Graph/IR/GraphOps.cpp.inc"
