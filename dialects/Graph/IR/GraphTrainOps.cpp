//===- GraphTrainOps.cpp - verifiers of the optimizer-step ops -----------===//

#include "dialects/Graph/IR/GraphOps.h"

#include "mlir/IR/SymbolTable.h"

using namespace mlir;
using namespace ptc::graph;

namespace {
/// The parameter `symbol` names, checked to have type `type` when given.
LogicalResult verifyParamState(Operation *op, FlatSymbolRefAttr symbol,
                               Type type, SymbolTableCollection &symbolTable) {
  auto param = symbolTable.lookupNearestSymbolFrom<ParamOp>(op, symbol);
  if (!param)
    return op->emitOpError("'")
           << symbol.getValue()
           << "' does not name a graph.param in the module";
  if (type && param.getType() != type)
    return op->emitOpError("type ")
           << type << " differs from the parameter's " << param.getType();
  return success();
}
} // namespace

LogicalResult
AccumulateGradOp::verifySymbolUses(SymbolTableCollection &symbolTable) {
  return verifyParamState(*this, getParamAttr(), getGrad().getType(),
                          symbolTable);
}

LogicalResult GradRefOp::verifySymbolUses(SymbolTableCollection &symbolTable) {
  return verifyParamState(*this, getParamAttr(), getType(), symbolTable);
}

LogicalResult ZeroGradOp::verifySymbolUses(SymbolTableCollection &symbolTable) {
  return verifyParamState(*this, getParamAttr(), Type(), symbolTable);
}

LogicalResult
AdamWUpdateOp::verifySymbolUses(SymbolTableCollection &symbolTable) {
  if (!getShardAxisAttr())
    return verifyParamState(*this, getParamAttr(), getGrad().getType(),
                            symbolTable);
  if (getGrad().getType().getRank() != 1)
    return emitOpError("with shard_axis needs a 1-d gradient chunk, got ")
           << getGrad().getType();
  return verifyParamState(*this, getParamAttr(), Type(), symbolTable);
}

LogicalResult
ParamChunkOp::verifySymbolUses(SymbolTableCollection &symbolTable) {
  if (getType().getRank() != 1)
    return emitOpError("result must be 1-d, got ") << getType();
  return verifyParamState(*this, getParamAttr(), Type(), symbolTable);
}

LogicalResult
GradChunkOp::verifySymbolUses(SymbolTableCollection &symbolTable) {
  if (getType().getRank() != 1)
    return emitOpError("result must be 1-d, got ") << getType();
  return verifyParamState(*this, getParamAttr(), Type(), symbolTable);
}

LogicalResult SetParamOp::verifySymbolUses(SymbolTableCollection &symbolTable) {
  if (failed(verifyParamState(*this, getParamAttr(), Type(), symbolTable)))
    return failure();
  auto param =
      symbolTable.lookupNearestSymbolFrom<ParamOp>(*this, getParamAttr());
  auto value = cast<RankedTensorType>(getValue().getType());
  auto type = cast<RankedTensorType>(param.getType());
  if (value.getRank() != 1 || value.getNumElements() < type.getNumElements() ||
      value.getElementType() != type.getElementType())
    return emitOpError("value ")
           << value << " must be 1-d with at least the "
           << type.getNumElements() << " elements of " << type;
  return success();
}

LogicalResult AdamWUpdateOp::verify() {
  double beta1 = getBeta1().convertToDouble();
  double beta2 = getBeta2().convertToDouble();
  if (!(beta1 >= 0 && beta1 < 1) || !(beta2 >= 0 && beta2 < 1))
    return emitOpError("beta1 and beta2 must be in [0, 1), got ")
           << beta1 << " and " << beta2;
  if (!(getEps().convertToDouble() > 0))
    return emitOpError("eps must be > 0");
  if (!(getWeightDecay().convertToDouble() >= 0))
    return emitOpError("weight_decay must be >= 0");
  return success();
}

LogicalResult GlobalNormOp::verify() {
  if (getInputs().empty() && getPartialSquares().empty())
    return emitOpError("needs at least one operand");
  return success();
}

LogicalResult SumSquaresOp::verify() {
  if (getInputs().empty())
    return emitOpError("needs at least one operand");
  return success();
}

LogicalResult ClipFactorOp::verify() {
  if (!(getMaxNorm().convertToDouble() >= 0))
    return emitOpError("max_norm must be >= 0 (0: no clipping), got ")
           << getMaxNorm().convertToDouble();
  return success();
}

LogicalResult LRScheduleOp::verify() {
  StringRef schedule = getSchedule();
  if (schedule != "cosine" && schedule != "linear" && schedule != "constant")
    return emitOpError("schedule must be cosine, linear or constant, got '")
           << schedule << "'";
  double lr = getLr().convertToDouble(), minLr = getMinLr().convertToDouble();
  if (!(lr > 0) || !(minLr >= 0) || minLr > lr)
    return emitOpError("needs lr > 0 and 0 <= min_lr <= lr, got lr = ")
           << lr << ", min_lr = " << minLr;
  if (static_cast<int64_t>(getWarmupSteps()) < 0 ||
      static_cast<int64_t>(getDecaySteps()) < 0)
    return emitOpError("warmup_steps and decay_steps must be >= 0");
  return success();
}
