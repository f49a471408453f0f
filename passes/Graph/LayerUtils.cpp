//===- LayerUtils.cpp - Editing the inputs and results of layer units -----===//

#include "passes/Graph/LayerUtils.h"

#include "mlir/IR/Builders.h"

using namespace mlir;

namespace ptc::graph {

LayerKind backwardKindOf(LayerKind kind) {
  switch (kind) {
  case LayerKind::embedding:
    return LayerKind::embedding_backward;
  case LayerKind::block:
    return LayerKind::block_backward;
  case LayerKind::head:
    return LayerKind::head_backward;
  default:
    return kind;
  }
}

bool isBackwardKind(LayerKind kind) {
  return kind == LayerKind::embedding_backward ||
         kind == LayerKind::block_backward || kind == LayerKind::head_backward;
}

namespace {
/// A copy of `layer` with `yields` as its terminator's operands, taking the
/// body; uses of the old results that survive are moved by the caller.
LayerOp rebuildWithYields(LayerOp layer, ArrayRef<Value> yields) {
  OpBuilder builder(layer);
  SmallVector<Type> types;
  for (Value value : yields)
    types.push_back(value.getType());
  auto replacement =
      LayerOp::create(builder, layer.getLoc(), types, layer.getInputs(),
                      layer.getKind(), layer.getIndexAttr().getInt());
  replacement->setDiscardableAttrs(layer->getDiscardableAttrDictionary());
  // Take the old body (its arguments included) in place of the fresh one.
  replacement.getBody().getBlocks().clear();
  replacement.getBody().takeBody(layer.getBody());
  auto yield = cast<YieldOp>(replacement.getBodyBlock().getTerminator());
  yield->setOperands(yields);
  return replacement;
}
} // namespace

LayerOp appendLayerResults(LayerOp layer, ValueRange values) {
  auto yield = cast<YieldOp>(layer.getBodyBlock().getTerminator());
  SmallVector<Value> yields(yield.getValues());
  yields.append(values.begin(), values.end());
  unsigned oldCount = layer.getNumResults();
  LayerOp replacement = rebuildWithYields(layer, yields);
  for (unsigned i = 0; i < oldCount; ++i)
    layer.getResult(i).replaceAllUsesWith(replacement.getResult(i));
  layer.erase();
  return replacement;
}

SmallVector<BlockArgument> appendLayerInputs(LayerOp layer, ValueRange values) {
  SmallVector<BlockArgument> args;
  Block &body = layer.getBodyBlock();
  layer->insertOperands(layer->getNumOperands(), values);
  for (Value value : values)
    args.push_back(body.addArgument(value.getType(), layer.getLoc()));
  return args;
}

void pruneUnusedLayerInputs(LayerOp layer) {
  Block &body = layer.getBodyBlock();
  for (int i = static_cast<int>(body.getNumArguments()) - 1; i >= 0; --i) {
    if (!body.getArgument(i).use_empty())
      continue;
    body.eraseArgument(i);
    layer->eraseOperand(i);
  }
}

LayerOp eraseLayerResults(LayerOp layer, ArrayRef<unsigned> indices) {
  auto yield = cast<YieldOp>(layer.getBodyBlock().getTerminator());
  llvm::SmallDenseSet<unsigned> dropped(indices.begin(), indices.end());
  SmallVector<Value> yields;
  SmallVector<Value> kept;
  for (auto [i, value] : llvm::enumerate(yield.getValues()))
    if (!dropped.contains(i)) {
      yields.push_back(value);
      kept.push_back(layer.getResult(i));
    }
  LayerOp replacement = rebuildWithYields(layer, yields);
  for (auto [old, fresh] : llvm::zip(kept, replacement.getResults()))
    old.replaceAllUsesWith(fresh);
  layer.erase();
  return replacement;
}

} // namespace ptc::graph
