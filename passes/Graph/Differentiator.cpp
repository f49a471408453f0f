//===- Differentiator.cpp - Reverse-mode sweep over graph ops -------------===//

#include "passes/Graph/Differentiator.h"

#include "dialects/Graph/IR/GraphVJPUtils.h"
#include "passes/Graph/LayerUtils.h"

#include "mlir/IR/IRMapping.h"
#include "llvm/ADT/SetVector.h"

using namespace mlir;

namespace ptc::graph {

bool isDifferentiableType(Type type) {
  auto tensor = dyn_cast<RankedTensorType>(type);
  return tensor && isa<FloatType>(tensor.getElementType());
}

void Differentiator::accumulate(Value value, Value grad) {
  if (!grad || !isDifferentiableType(value.getType()))
    return;
  Value &slot = grads[value];
  if (!slot) {
    slot = grad;
    return;
  }
  slot = detail::createValue<AddOp>(builder, grad.getLoc(), value.getType(),
                                    {slot, grad});
}

Value Differentiator::sum(ArrayRef<Value> values) {
  Value total = values.front();
  for (Value value : values.drop_front())
    total = detail::createValue<AddOp>(builder, value.getLoc(), total.getType(),
                                       {total, value});
  return total;
}

Value Differentiator::parameterGradient(StringAttr name) {
  auto it = paramGrads.find(name);
  if (it == paramGrads.end())
    return Value();
  return sum(it->second);
}

SmallVector<StringAttr> Differentiator::parameters() const {
  SmallVector<StringAttr> names;
  for (const auto &entry : paramGrads)
    names.push_back(entry.first);
  return names;
}

LogicalResult Differentiator::run(ArrayRef<Operation *> ops) {
  for (Operation *op : llvm::reverse(ops)) {
    SmallVector<Value> resultGrads;
    bool reached = false;
    for (Value result : op->getResults()) {
      resultGrads.push_back(gradientOf(result));
      reached |= static_cast<bool>(resultGrads.back());
    }
    if (!reached)
      continue;
    if (auto ref = dyn_cast<ParamRefOp>(op)) {
      paramGrads[ref.getParamAttr().getAttr()].push_back(resultGrads[0]);
      continue;
    }
    if (auto layer = dyn_cast<LayerOp>(op)) {
      if (failed(differentiateLayer(layer, resultGrads)))
        return failure();
      continue;
    }
    auto differentiable = dyn_cast<DifferentiableOpInterface>(op);
    if (!differentiable)
      return op->emitOpError(
          "has no vector-Jacobian product (it does not implement "
          "DifferentiableOpInterface), so the loss cannot be differentiated "
          "through it");
    SmallVector<Value> operandGrads;
    if (failed(differentiable.buildVJP(builder, resultGrads, operandGrads)))
      return failure();
    for (auto [operand, grad] : llvm::zip(op->getOperands(), operandGrads))
      accumulate(operand, grad);
  }
  return success();
}

LogicalResult Differentiator::differentiateLayer(LayerOp layer,
                                                 ArrayRef<Value> resultGrads) {
  if (layer->getParentOfType<LayerOp>())
    return layer.emitOpError("nested layer units cannot be differentiated");
  Location loc = layer.getLoc();
  Block &forwardBody = layer.getBodyBlock();

  // 1. A body that recomputes the forward from the unit's inputs, followed by
  //    the reverse sweep over it.
  auto body = std::make_unique<Block>();
  SmallVector<Value> inputs;
  SmallVector<Value> seedArgs(resultGrads.size());
  for (auto [i, grad] : llvm::enumerate(resultGrads)) {
    if (!grad)
      continue;
    inputs.push_back(grad);
    seedArgs[i] = body->addArgument(grad.getType(), loc);
  }
  IRMapping mapping;
  for (auto [arg, input] :
       llvm::zip(forwardBody.getArguments(), layer.getInputs())) {
    inputs.push_back(input);
    mapping.map(arg, body->addArgument(arg.getType(), loc));
  }
  // A detached block has no context of its own: give the builder one.
  OpBuilder inner(layer.getContext());
  inner.setInsertionPointToEnd(body.get());
  DenseMap<Operation *, Operation *> originalOf;
  SmallVector<Operation *> clones;
  for (Operation &op : forwardBody.without_terminator()) {
    Operation *clone = inner.clone(op, mapping);
    originalOf[clone] = &op;
    clones.push_back(clone);
  }
  Differentiator nested(inner);
  auto yield = cast<YieldOp>(forwardBody.getTerminator());
  for (auto [i, value] : llvm::enumerate(yield.getValues()))
    if (seedArgs[i])
      nested.accumulate(mapping.lookupOrDefault(value), seedArgs[i]);
  if (failed(nested.run(clones)))
    return failure();

  SmallVector<Value> yields;
  SmallVector<unsigned> gradInputs;
  for (auto [i, arg] : llvm::enumerate(forwardBody.getArguments())) {
    if (!isDifferentiableType(arg.getType()))
      continue;
    gradInputs.push_back(i);
    yields.push_back(detail::gradOrZeros(
        inner, loc, nested.gradientOf(mapping.lookup(arg)), arg.getType()));
  }
  SmallVector<StringAttr> params = nested.parameters();
  for (StringAttr name : params)
    yields.push_back(nested.parameterGradient(name));
  YieldOp::create(inner, loc, yields);

  // 2. The backward unit, at the outer insertion point.
  SmallVector<Type> types;
  for (Value value : yields)
    types.push_back(value.getType());
  auto backward = LayerOp::create(builder, loc, types, inputs,
                                  backwardKindOf(layer.getKind()),
                                  layer.getIndexAttr().getInt());
  Block &backwardBody = backward.getBodyBlock();
  for (auto [old, fresh] :
       llvm::zip(body->getArguments(), backwardBody.getArguments()))
    old.replaceAllUsesWith(fresh);
  backwardBody.getOperations().splice(backwardBody.end(),
                                      body->getOperations());

  // 3. Save what the backward reads: the forward unit yields it, and the
  //    recomputing clones go away. Parameters are read again, not saved.
  llvm::SmallPtrSet<Operation *, 32> cloneSet(clones.begin(), clones.end());
  SmallVector<Value> savedForward, savedClones;
  for (Operation *clone : clones) {
    if (isa<ParamRefOp>(clone))
      continue;
    for (OpResult result : clone->getResults()) {
      bool readByBackward = llvm::any_of(result.getUses(), [&](OpOperand &use) {
        return !cloneSet.contains(use.getOwner());
      });
      if (!readByBackward)
        continue;
      savedForward.push_back(
          originalOf[clone]->getResult(result.getResultNumber()));
      savedClones.push_back(result);
    }
  }
  unsigned firstSaved = layer.getNumResults();
  LayerOp forward = appendLayerResults(layer, savedForward);
  SmallVector<Value> savedResults(forward.getResults().drop_front(firstSaved));
  SmallVector<BlockArgument> savedArgs =
      appendLayerInputs(backward, savedResults);
  for (auto [clone, arg] : llvm::zip(savedClones, savedArgs))
    clone.replaceUsesWithIf(arg, [&](OpOperand &use) {
      return !cloneSet.contains(use.getOwner());
    });
  for (Operation *clone : llvm::reverse(clones))
    if (clone->use_empty())
      clone->erase();
  pruneUnusedLayerInputs(backward);

  // 4. What flows out of the unit.
  for (auto [k, i] : llvm::enumerate(gradInputs))
    accumulate(forward.getInputs()[i], backward.getResult(k));
  for (auto [k, name] : llvm::enumerate(params))
    paramGrads[name].push_back(backward.getResult(gradInputs.size() + k));
  return success();
}

} // namespace ptc::graph
