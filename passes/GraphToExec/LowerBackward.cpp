//===- LowerBackward.cpp - exec lowering of the gradient ops --------------===//
//
// The backward kernels read statistics of the forward (mean and rstd, the
// log-sum-exp, the attention output). The graph gradient ops do not carry
// them: a lowering reuses those of the forward kernel that read the same
// buffers in the same entry point (Lowering::findStats), and recomputes them
// into scratch buffers only when there is none. The kernels accumulate into
// their outputs, which are zeroed first.
//
//===----------------------------------------------------------------------===//

#include "passes/GraphToExec/Lowering.h"

#include "llvm/ADT/TypeSwitch.h"

using namespace mlir;
using namespace ptc;
using namespace ptc::graph;
using exec::Access;

namespace ptc::lowering {

namespace {
constexpr Access R = Access::read, W = Access::write, RW = Access::readwrite;
} // namespace

LogicalResult Lowering::lowerBackward(Operation *op, bool &handled) {
  handled = true;
  Location loc = op->getLoc();
  // A zeroed output buffer for result `value`.
  auto zeroed = [&](Value value) {
    Value out = alloc(value.getType());
    fill(out, 0.0);
    bind(value, out);
    return out;
  };
  return TypeSwitch<Operation *, LogicalResult>(op)
      .Case([&](EmbeddingGradOp grad) {
        auto [vocab, dim] = rowsAndCols(grad.getType());
        Value out = zeroed(grad);
        SmallVector<Attribute> args = {
            i64(numElements(grad.getIds().getType())), i64(vocab), i64(dim)};
        if (auto axis = grad.getVocabShardAxis())
          args.push_back(i64(meshAxisIndex(*axis)));
        launch(grad.getVocabShardAxis() ? "embedding_shard_backward"
                                        : "embedding_backward",
               {{out, RW},
                {buffer(grad.getIds()), R},
                {buffer(grad.getDout()), R}},
               args, loc);
        return success();
      })
      .Case([&](PositionEmbeddingGradOp grad) {
        Value out = zeroed(grad);
        launch("copy", {{out, RW}, {buffer(grad.getDout()), R}},
               {i64(numElements(grad.getDout().getType()))}, loc);
        return success();
      })
      .Case([&](LayerNormGradOp grad) {
        auto [rows, cols] = rowsAndCols(grad.getInput().getType());
        Type element =
            cast<ShapedType>(grad.getInput().getType()).getElementType();
        Value x = buffer(grad.getInput()), gamma = buffer(grad.getScale());
        Value mean, rstd;
        if (ArrayRef<Value> saved = findStats("layer_norm", {x, gamma});
            !saved.empty()) {
          mean = saved[0];
          rstd = saved[1];
        } else {
          Value normed = alloc(grad.getInput().getType());
          mean = scratch({rows}, element);
          rstd = scratch({rows}, element);
          launch(
              "layernorm_forward_nobias",
              {{normed, W}, {mean, W}, {rstd, W}, {x, R}, {gamma, R}},
              {i64(rows), i64(cols), f64(grad.getEpsilon().convertToDouble())},
              loc);
        }
        SmallVector<Use> uses = {{zeroed(grad.getInputGrad()), RW},
                                 {zeroed(grad.getScaleGrad()), RW}};
        if (grad.getBiasGrad())
          uses.push_back({zeroed(grad.getBiasGrad()), RW});
        uses.append({{buffer(grad.getDout()), R},
                     {x, R},
                     {gamma, R},
                     {mean, R},
                     {rstd, R}});
        launch(grad.getBiasGrad() ? "layernorm_backward"
                                  : "layernorm_backward_nobias",
               uses, {i64(rows), i64(cols)}, loc);
        return success();
      })
      .Case([&](RMSNormGradOp grad) {
        auto [rows, cols] = rowsAndCols(grad.getInput().getType());
        Type element =
            cast<ShapedType>(grad.getInput().getType()).getElementType();
        Value x = buffer(grad.getInput()), gamma = buffer(grad.getScale());
        Value rstd;
        if (ArrayRef<Value> saved = findStats("rms_norm", {x, gamma});
            !saved.empty()) {
          rstd = saved[0];
        } else {
          Value normed = alloc(grad.getInput().getType());
          rstd = scratch({rows}, element);
          launch(
              "rmsnorm_forward", {{normed, W}, {rstd, W}, {x, R}, {gamma, R}},
              {i64(rows), i64(cols), f64(grad.getEpsilon().convertToDouble())},
              loc);
        }
        launch("rmsnorm_backward",
               {{zeroed(grad.getInputGrad()), RW},
                {zeroed(grad.getScaleGrad()), RW},
                {buffer(grad.getDout()), R},
                {x, R},
                {gamma, R},
                {rstd, R}},
               {i64(rows), i64(cols)}, loc);
        return success();
      })
      .Case([&](AttentionGradOp grad) -> LogicalResult {
        FailureOr<SmallVector<Attribute>> args = attentionArgs(grad);
        if (failed(args))
          return failure();
        SmallVector<Attribute> sizes = *args;
        auto q = cast<ShapedType>(grad.getQuery().getType());
        Value qb = buffer(grad.getQuery()), kb = buffer(grad.getKey()),
              vb = buffer(grad.getValue());
        Value out, lse;
        if (ArrayRef<Value> saved = findStats("attention", {qb, kb, vb});
            !saved.empty()) {
          out = saved[0];
          lse = saved[1];
        } else {
          out = alloc(q);
          lse = attentionLse(q);
          launch("attention_forward",
                 {{out, W}, {lse, W}, {qb, R}, {kb, R}, {vb, R}}, sizes, loc);
        }
        launch("attention_backward",
               {{zeroed(grad.getQueryGrad()), RW},
                {zeroed(grad.getKeyGrad()), RW},
                {zeroed(grad.getValueGrad()), RW},
                {buffer(grad.getDout()), R},
                {qb, R},
                {kb, R},
                {vb, R},
                {out, R},
                {lse, R}},
               sizes, loc);
        return success();
      })
      .Case([&](RopeGradOp grad) {
        auto shape = cast<ShapedType>(grad.getType()).getShape();
        launch("rope_backward",
               {{zeroed(grad), RW}, {buffer(grad.getDout()), R}},
               {i64(shape[0]), i64(shape[1]), i64(shape[2]), i64(shape[3]),
                f64(grad.getTheta().convertToDouble())},
               loc);
        return success();
      })
      .Case([&](GeluGradOp grad) {
        launch("gelu_backward",
               {{zeroed(grad), RW},
                {buffer(grad.getInput()), R},
                {buffer(grad.getDout()), R}},
               {i64(numElements(grad.getType())),
                i64(grad.getApproximation() == GeluApproximation::tanh)},
               loc);
        return success();
      })
      .Case([&](SiluGradOp grad) {
        launch("silu_backward",
               {{zeroed(grad), RW},
                {buffer(grad.getInput()), R},
                {buffer(grad.getDout()), R}},
               {i64(numElements(grad.getType()))}, loc);
        return success();
      })
      .Case([&](SwigluGradOp grad) {
        launch("swiglu_backward",
               {{zeroed(grad.getGateGrad()), RW},
                {zeroed(grad.getUpGrad()), RW},
                {buffer(grad.getGate()), R},
                {buffer(grad.getUp()), R},
                {buffer(grad.getDout()), R}},
               {i64(numElements(grad.getDout().getType()))}, loc);
        return success();
      })
      .Case([&](DropoutGradOp grad) {
        launch("dropout_backward",
               {{zeroed(grad), RW},
                {buffer(grad.getDout()), R},
                {io("seed"), R},
                {io("step"), R},
                {io("micro"), R}},
               {i64(numElements(grad.getType())),
                f64(grad.getP().convertToDouble()), i64(grad.getStream())},
               loc);
        return success();
      })
      .Case([&](CrossEntropyGradOp grad) {
        auto [rows, padded] = rowsAndCols(grad.getLogits().getType());
        Type element = grad.getDloss().getType().getElementType();
        Value logits = buffer(grad.getLogits()),
              targets = buffer(grad.getTargets());
        SmallVector<Attribute> sizes = {i64(rows), i64(grad.getNumClasses()),
                                        i64(padded)};
        Value lse;
        if (ArrayRef<Value> saved =
                findStats("cross_entropy", {logits, targets});
            !saved.empty()) {
          lse = saved[0];
        } else {
          Value loss = scratch({}, element);
          lse = scratch({rows}, element);
          launch("cross_entropy_forward",
                 {{loss, W}, {lse, W}, {logits, R}, {targets, R}}, sizes, loc);
        }
        launch("cross_entropy_backward",
               {{zeroed(grad), RW},
                {logits, R},
                {lse, R},
                {targets, R},
                {buffer(grad.getDloss()), R}},
               sizes, loc);
        return success();
      })
      .Default([&](Operation *) {
        handled = false;
        return success();
      });
}

} // namespace ptc::lowering
