//===- GraphVJPShape.cpp - VJPs of elementwise and shape ops -------------===//
//
// buildVJP of add, mul, cast, reshape, transpose and split, and the helpers
// that every VJP shares (GraphVJPUtils.h).
//
//===----------------------------------------------------------------------===//

#include "dialects/Graph/IR/GraphOps.h"
#include "dialects/Graph/IR/GraphVJPUtils.h"

using namespace mlir;
using namespace ptc::graph;
using namespace ptc::graph::detail;

Value ptc::graph::detail::sumToShape(OpBuilder &builder, Location loc,
                                     Value grad, Type target) {
  if (grad.getType() == target)
    return grad;
  auto gradType = cast<RankedTensorType>(grad.getType());
  auto targetType = cast<RankedTensorType>(target);
  int64_t extra = gradType.getRank() - targetType.getRank();
  SmallVector<int64_t> dims;
  for (int64_t i = 0; i < extra; ++i)
    dims.push_back(i);
  return createValue<ReduceSumOp>(
      builder, loc, target, {grad},
      {builder.getNamedAttr("dims", builder.getDenseI64ArrayAttr(dims))});
}

Value ptc::graph::detail::gradOrZeros(OpBuilder &builder, Location loc,
                                      Value grad, Type type) {
  if (grad)
    return grad;
  return createValue<ZerosOp>(builder, loc, type, {});
}

LogicalResult AddOp::buildVJP(OpBuilder &builder, ArrayRef<Value> resultGrads,
                              SmallVectorImpl<Value> &operandGrads) {
  Value dy = resultGrads[0];
  operandGrads.assign(
      {dy, sumToShape(builder, getLoc(), dy, getRhs().getType())});
  return success();
}

LogicalResult MulOp::buildVJP(OpBuilder &builder, ArrayRef<Value> resultGrads,
                              SmallVectorImpl<Value> &operandGrads) {
  Location loc = getLoc();
  Value dy = resultGrads[0];
  Value dlhs =
      createValue<MulOp>(builder, loc, getLhs().getType(), {dy, getRhs()});
  Value full =
      createValue<MulOp>(builder, loc, getLhs().getType(), {dy, getLhs()});
  operandGrads.assign(
      {dlhs, sumToShape(builder, loc, full, getRhs().getType())});
  return success();
}

LogicalResult CastOp::buildVJP(OpBuilder &builder, ArrayRef<Value> resultGrads,
                               SmallVectorImpl<Value> &operandGrads) {
  operandGrads.assign(1, createValue<CastOp>(builder, getLoc(),
                                             getInput().getType(),
                                             {resultGrads[0]}));
  return success();
}

LogicalResult ReshapeOp::buildVJP(OpBuilder &builder,
                                  ArrayRef<Value> resultGrads,
                                  SmallVectorImpl<Value> &operandGrads) {
  operandGrads.assign(1, createValue<ReshapeOp>(builder, getLoc(),
                                                getInput().getType(),
                                                {resultGrads[0]}));
  return success();
}

LogicalResult TransposeOp::buildVJP(OpBuilder &builder,
                                    ArrayRef<Value> resultGrads,
                                    SmallVectorImpl<Value> &operandGrads) {
  ArrayRef<int64_t> perm = getPermutation();
  SmallVector<int64_t> inverse(perm.size());
  for (auto [i, p] : llvm::enumerate(perm))
    inverse[p] = static_cast<int64_t>(i);
  operandGrads.assign(
      1, createValue<TransposeOp>(
             builder, getLoc(), getInput().getType(), {resultGrads[0]},
             {builder.getNamedAttr("permutation",
                                   builder.getDenseI64ArrayAttr(inverse))}));
  return success();
}

LogicalResult SplitOp::buildVJP(OpBuilder &builder, ArrayRef<Value> resultGrads,
                                SmallVectorImpl<Value> &operandGrads) {
  SmallVector<Value> pieces;
  for (auto [result, grad] : llvm::zip(getResults(), resultGrads))
    pieces.push_back(gradOrZeros(builder, getLoc(), grad, result.getType()));
  operandGrads.assign(
      1, createValue<ConcatOp>(builder, getLoc(), getInput().getType(), pieces,
                               {builder.getNamedAttr("axis", getAxisAttr())}));
  return success();
}

LogicalResult ConcatOp::buildVJP(OpBuilder &builder,
                                 ArrayRef<Value> resultGrads,
                                 SmallVectorImpl<Value> &operandGrads) {
  SmallVector<Type> types;
  for (Value input : getInputs())
    types.push_back(input.getType());
  auto split =
      SplitOp::create(builder, getLoc(), types, ValueRange{resultGrads[0]},
                      {builder.getNamedAttr("axis", getAxisAttr())});
  operandGrads.assign(split->getResults().begin(), split->getResults().end());
  return success();
}

LogicalResult ScaleOp::buildVJP(OpBuilder &builder, ArrayRef<Value> resultGrads,
                                SmallVectorImpl<Value> &operandGrads) {
  operandGrads.assign(
      1,
      createValue<ScaleOp>(builder, getLoc(), getType(), {resultGrads[0]},
                           {builder.getNamedAttr("factor", getFactorAttr())}));
  return success();
}

LogicalResult ReduceSumOp::buildVJP(OpBuilder &builder,
                                    ArrayRef<Value> resultGrads,
                                    SmallVectorImpl<Value> &operandGrads) {
  // Every summed element receives the gradient of its sum: broadcast dy
  // over the leading dimensions (add's rhs broadcast) onto zeros.
  Location loc = getLoc();
  Value zeros = createValue<ZerosOp>(builder, loc, getInput().getType(), {});
  operandGrads.assign(1, createValue<AddOp>(builder, loc, getInput().getType(),
                                            {zeros, resultGrads[0]}));
  return success();
}
