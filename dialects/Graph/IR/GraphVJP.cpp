//===- GraphVJP.cpp - VJPs of the graph ops that compute -----------------===//
//
// DifferentiableOpInterface::buildVJP of the embeddings, norms, matrix
// products, attention, activations and the loss. Each follows the table in
// GraphGradOps.td; the gradient ops are pure functions of the forward
// operands and the incoming gradient, so a VJP only reads the forward op.
//
//===----------------------------------------------------------------------===//

#include "dialects/Graph/IR/GraphOps.h"
#include "dialects/Graph/IR/GraphVJPUtils.h"

using namespace mlir;
using namespace ptc::graph;
using namespace ptc::graph::detail;

namespace {
/// The attribute `name` of `op`, if set, as a named attribute list entry.
void copyAttr(Operation *op, StringRef name,
              SmallVectorImpl<NamedAttribute> &attrs) {
  if (Attribute attr = op->getAttr(name))
    attrs.push_back(
        NamedAttribute(StringAttr::get(op->getContext(), name), attr));
}
SmallVector<NamedAttribute> copyAttrs(Operation *op,
                                      ArrayRef<StringRef> names) {
  SmallVector<NamedAttribute> attrs;
  for (StringRef name : names)
    copyAttr(op, name, attrs);
  return attrs;
}
} // namespace

//===----------------------------------------------------------------------===//
// Embeddings
//===----------------------------------------------------------------------===//

LogicalResult EmbeddingOp::buildVJP(OpBuilder &builder,
                                    ArrayRef<Value> resultGrads,
                                    SmallVectorImpl<Value> &operandGrads) {
  operandGrads.assign(getNumOperands(), Value());
  operandGrads[0] = EmbeddingGradOp::create(builder, getLoc(),
                                            getTable().getType(), resultGrads[0],
                                            getIds(), getVocabShardAxisAttr());
  return success();
}

LogicalResult
PositionEmbeddingOp::buildVJP(OpBuilder &builder, ArrayRef<Value> resultGrads,
                              SmallVectorImpl<Value> &operandGrads) {
  operandGrads.assign(
      1, createValue<PositionEmbeddingGradOp>(
             builder, getLoc(), getTable().getType(), {resultGrads[0]}));
  return success();
}

//===----------------------------------------------------------------------===//
// Normalisation
//===----------------------------------------------------------------------===//

LogicalResult LayerNormOp::buildVJP(OpBuilder &builder,
                                    ArrayRef<Value> resultGrads,
                                    SmallVectorImpl<Value> &operandGrads) {
  SmallVector<Type> types = {getInput().getType(), getScale().getType()};
  if (getBias())
    types.push_back(getBias().getType());
  auto grad = LayerNormGradOp::create(
      builder, getLoc(), types,
      ValueRange{resultGrads[0], getInput(), getScale()},
      copyAttrs(*this, {"epsilon"}));
  operandGrads.assign(grad->getResults().begin(), grad->getResults().end());
  return success();
}

LogicalResult RMSNormOp::buildVJP(OpBuilder &builder,
                                  ArrayRef<Value> resultGrads,
                                  SmallVectorImpl<Value> &operandGrads) {
  auto grad = RMSNormGradOp::create(
      builder, getLoc(), TypeRange{getInput().getType(), getScale().getType()},
      ValueRange{resultGrads[0], getInput(), getScale()},
      copyAttrs(*this, {"epsilon"}));
  operandGrads.assign(grad->getResults().begin(), grad->getResults().end());
  return success();
}

//===----------------------------------------------------------------------===//
// Matrix products
//===----------------------------------------------------------------------===//

LogicalResult LinearOp::buildVJP(OpBuilder &builder,
                                 ArrayRef<Value> resultGrads,
                                 SmallVectorImpl<Value> &operandGrads) {
  // Flatten the leading dimensions: x [R, K], dy [R, N], W [N, K].
  Location loc = getLoc();
  auto inputType = cast<RankedTensorType>(getInput().getType());
  auto weightType = cast<RankedTensorType>(getWeight().getType());
  int64_t k = inputType.getShape().back(), n = weightType.getShape()[0];
  int64_t rows = inputType.getNumElements() / k;
  Type element = inputType.getElementType();
  auto flat = [&](Value value, int64_t cols) -> Value {
    auto type = RankedTensorType::get({rows, cols}, element);
    if (value.getType() == type)
      return value;
    return createValue<ReshapeOp>(builder, loc, type, {value});
  };
  Value dy = resultGrads[0];
  Value dy2 = flat(dy, n), x2 = flat(getInput(), k);
  Value dx2 = createValue<MatmulOp>(builder, loc,
                                    RankedTensorType::get({rows, k}, element),
                                    {dy2, getWeight()});
  Value dx = dx2.getType() == inputType
                 ? dx2
                 : createValue<ReshapeOp>(builder, loc, inputType, {dx2});
  Value dw = createValue<MatmulOp>(
      builder, loc, weightType, {dy2, x2},
      {builder.getNamedAttr("transpose_lhs", builder.getUnitAttr())});
  operandGrads.assign({dx, dw});
  if (getBias())
    operandGrads.push_back(sumToShape(builder, loc, dy, getBias().getType()));
  return success();
}

LogicalResult MatmulOp::buildVJP(OpBuilder &builder,
                                 ArrayRef<Value> resultGrads,
                                 SmallVectorImpl<Value> &operandGrads) {
  Location loc = getLoc();
  Value a = getLhs(), b = getRhs(), dc = resultGrads[0];
  bool ta = getTransposeLhs(), tb = getTransposeRhs();
  auto matmul = [&](Type type, Value lhs, Value rhs, bool tl, bool tr) {
    SmallVector<NamedAttribute> attrs;
    if (tl)
      attrs.push_back(
          builder.getNamedAttr("transpose_lhs", builder.getUnitAttr()));
    if (tr)
      attrs.push_back(
          builder.getNamedAttr("transpose_rhs", builder.getUnitAttr()));
    return createValue<MatmulOp>(builder, loc, type, {lhs, rhs}, attrs);
  };
  Type aType = a.getType(), bType = b.getType();
  Value da, db;
  if (!ta && !tb) {
    da = matmul(aType, dc, b, false, true);
    db = matmul(bType, a, dc, true, false);
  } else if (ta && !tb) {
    da = matmul(aType, b, dc, false, true);
    db = matmul(bType, a, dc, false, false);
  } else if (!ta && tb) {
    da = matmul(aType, dc, b, false, false);
    db = matmul(bType, dc, a, true, false);
  } else {
    da = matmul(aType, b, dc, true, true);
    db = matmul(bType, dc, a, true, true);
  }
  operandGrads.assign({da, db});
  return success();
}

//===----------------------------------------------------------------------===//
// Attention and positions
//===----------------------------------------------------------------------===//

LogicalResult AttentionOp::buildVJP(OpBuilder &builder,
                                    ArrayRef<Value> resultGrads,
                                    SmallVectorImpl<Value> &operandGrads) {
  auto grad = AttentionGradOp::create(
      builder, getLoc(),
      TypeRange{getQuery().getType(), getKey().getType(), getValue().getType()},
      ValueRange{resultGrads[0], getQuery(), getKey(), getValue()},
      copyAttrs(*this, {"causal", "scale", "dropout"}));
  operandGrads.assign(grad->getResults().begin(), grad->getResults().end());
  return success();
}

LogicalResult RopeOp::buildVJP(OpBuilder &builder, ArrayRef<Value> resultGrads,
                               SmallVectorImpl<Value> &operandGrads) {
  operandGrads.assign(1, createValue<RopeGradOp>(
                             builder, getLoc(), getInput().getType(),
                             {resultGrads[0]}, copyAttrs(*this, {"theta"})));
  return success();
}

//===----------------------------------------------------------------------===//
// Activations and dropout
//===----------------------------------------------------------------------===//

LogicalResult GeluOp::buildVJP(OpBuilder &builder, ArrayRef<Value> resultGrads,
                               SmallVectorImpl<Value> &operandGrads) {
  operandGrads.assign(
      1, createValue<GeluGradOp>(builder, getLoc(), getInput().getType(),
                                 {resultGrads[0], getInput()},
                                 copyAttrs(*this, {"approximation"})));
  return success();
}

LogicalResult SiluOp::buildVJP(OpBuilder &builder, ArrayRef<Value> resultGrads,
                               SmallVectorImpl<Value> &operandGrads) {
  operandGrads.assign(1, createValue<SiluGradOp>(builder, getLoc(),
                                                 getInput().getType(),
                                                 {resultGrads[0], getInput()}));
  return success();
}

LogicalResult SwigluOp::buildVJP(OpBuilder &builder,
                                 ArrayRef<Value> resultGrads,
                                 SmallVectorImpl<Value> &operandGrads) {
  Type type = getGate().getType();
  auto grad =
      SwigluGradOp::create(builder, getLoc(), TypeRange{type, type},
                           ValueRange{resultGrads[0], getGate(), getUp()},
                           ArrayRef<NamedAttribute>{});
  operandGrads.assign(grad->getResults().begin(), grad->getResults().end());
  return success();
}

LogicalResult DropoutOp::buildVJP(OpBuilder &builder,
                                  ArrayRef<Value> resultGrads,
                                  SmallVectorImpl<Value> &operandGrads) {
  operandGrads.assign(
      1, createValue<DropoutGradOp>(builder, getLoc(), getInput().getType(),
                                    {resultGrads[0]},
                                    copyAttrs(*this, {"p", "stream"})));
  return success();
}

//===----------------------------------------------------------------------===//
// Loss
//===----------------------------------------------------------------------===//

LogicalResult CrossEntropyOp::buildVJP(OpBuilder &builder,
                                       ArrayRef<Value> resultGrads,
                                       SmallVectorImpl<Value> &operandGrads) {
  operandGrads.assign(2, Value());
  operandGrads[0] = createValue<CrossEntropyGradOp>(
      builder, getLoc(), getLogits().getType(),
      {resultGrads[0], getLogits(), getTargets()},
      copyAttrs(*this, {"num_classes"}));
  return success();
}
