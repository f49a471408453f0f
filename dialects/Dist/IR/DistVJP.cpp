//===- DistVJP.cpp - Vector-Jacobian products of the dist ops -------------===//
//
// Collectives are linear maps, so their VJPs are collectives too (the
// conjugate pairs of Megatron-LM's tensor and sequence parallelism):
//
//   forward                       backward
//   all_reduce sum                identity (every rank holds the same
//                                 gradient of the replicated result)
//   all_reduce_grad (identity)    all_reduce sum
//   all_gather along d            reduce_scatter sum along d
//   reduce_scatter sum along d    all_gather along d
//   shard (split d over axes)     all_gather along d
//
// The convention behind the first line: a value replicated over an axis has
// one gradient, held whole by every rank of the axis (the loss is computed
// once per replica), which is what makes these pairs adjoint.
//
//===----------------------------------------------------------------------===//

#include "dialects/Dist/IR/DistOps.h"

using namespace mlir;
using namespace ptc;
using namespace ptc::dist;

namespace {
/// Gradients of a single-operand op whose result nothing depends on.
bool noGradient(ArrayRef<Value> resultGrads,
                SmallVectorImpl<Value> &operandGrads) {
  operandGrads.assign(1, Value());
  return !resultGrads[0];
}
} // namespace

LogicalResult AllReduceOp::buildVJP(OpBuilder &builder,
                                    ArrayRef<Value> resultGrads,
                                    SmallVectorImpl<Value> &operandGrads) {
  if (noGradient(resultGrads, operandGrads))
    return success();
  if (getReduction() != ReductionKind::sum)
    return emitOpError("with reduction ")
           << stringifyReductionKind(getReduction())
           << " is not differentiable; only sum is (use it where a gradient "
              "flows, or make sure none does)";
  operandGrads[0] = resultGrads[0];
  return success();
}

LogicalResult AllReduceGradOp::buildVJP(OpBuilder &builder,
                                        ArrayRef<Value> resultGrads,
                                        SmallVectorImpl<Value> &operandGrads) {
  if (noGradient(resultGrads, operandGrads))
    return success();
  operandGrads[0] = AllReduceOp::create(
      builder, getLoc(), resultGrads[0].getType(), getMeshAttr(), getMeshAxes(),
      resultGrads[0], ReductionKindAttr::get(getContext(), ReductionKind::sum));
  return success();
}

LogicalResult AllGatherOp::buildVJP(OpBuilder &builder,
                                    ArrayRef<Value> resultGrads,
                                    SmallVectorImpl<Value> &operandGrads) {
  if (noGradient(resultGrads, operandGrads))
    return success();
  operandGrads[0] = ReduceScatterOp::create(
      builder, getLoc(), getInput().getType(), getMeshAttr(), getMeshAxes(),
      resultGrads[0], getGatherAxisAttr(),
      ReductionKindAttr::get(getContext(), ReductionKind::sum));
  return success();
}

LogicalResult ReduceScatterOp::buildVJP(OpBuilder &builder,
                                        ArrayRef<Value> resultGrads,
                                        SmallVectorImpl<Value> &operandGrads) {
  if (noGradient(resultGrads, operandGrads))
    return success();
  if (getReduction() != ReductionKind::sum)
    return emitOpError("with reduction ")
           << stringifyReductionKind(getReduction())
           << " is not differentiable; only sum is";
  operandGrads[0] = AllGatherOp::create(builder, getLoc(), getInput().getType(),
                                        getMeshAttr(), getMeshAxes(),
                                        resultGrads[0], getScatterAxisAttr());
  return success();
}

LogicalResult ShardOp::buildVJP(OpBuilder &builder, ArrayRef<Value> resultGrads,
                                SmallVectorImpl<Value> &operandGrads) {
  if (noGradient(resultGrads, operandGrads))
    return success();
  ShardingAttr sharding = getSharding();
  if (!sharding.getPartialAxisNames().empty())
    return emitOpError("with partial axes is not differentiable");
  // One split dimension is what sequence parallelism needs; several would
  // be one all_gather per dimension.
  std::optional<unsigned> splitDim;
  for (unsigned d = 0, e = sharding.getSplitAxes().size(); d < e; ++d) {
    if (sharding.getDimAxes(d).empty())
      continue;
    if (splitDim)
      return emitOpError("splitting more than one dimension is not "
                         "differentiable yet");
    splitDim = d;
  }
  if (!splitDim) {
    operandGrads[0] = resultGrads[0];
    return success();
  }
  SmallVector<Attribute> axes;
  for (StringRef axis : sharding.getDimAxes(*splitDim))
    axes.push_back(builder.getStringAttr(axis));
  operandGrads[0] =
      AllGatherOp::create(builder, getLoc(), getInput().getType(),
                          sharding.getMesh(), builder.getArrayAttr(axes),
                          resultGrads[0], builder.getI64IntegerAttr(*splitDim));
  return success();
}
