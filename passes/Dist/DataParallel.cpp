//===- DataParallel.cpp - dist-data-parallel ------------------------------===//
//
// Adds the communication of data parallelism (and the tensor-parallel part
// of the gradient norm) to the training step; see Passes.td.
//
//===----------------------------------------------------------------------===//

#include "passes/Dist/Mesh.h"
#include "passes/Dist/Passes.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"

namespace ptc::dist {
#define GEN_PASS_DEF_DISTDATAPARALLEL
#include "passes/Dist/Passes.h.inc"
} // namespace ptc::dist

using namespace mlir;
using namespace ptc;
using namespace ptc::dist;

namespace {

ReductionKindAttr reduction(MLIRContext *context, ReductionKind kind) {
  return ReductionKindAttr::get(context, kind);
}

struct DistDataParallelPass
    : public ptc::dist::impl::DistDataParallelBase<DistDataParallelPass> {
  void runOnOperation() override {
    ModuleOp module = getOperation();
    degrees = readParallelDegrees(module);
    if (degrees.dp == 1 && degrees.tp == 1)
      return;
    getOrCreateMesh(module, degrees);
    for (auto fn : module.getOps<func::FuncOp>()) {
      auto entry = fn->getAttrOfType<StringAttr>("ptc.entry");
      if (!entry)
        continue;
      if (entry.getValue() == "micro_step" || entry.getValue() == "eval_step")
        averageLoss(fn);
      else if (entry.getValue() == "optimizer_step" &&
               failed(reduceGradients(fn)))
        return signalPassFailure();
    }
  }

  /// The loss each rank returns becomes the mean over dp.
  void averageLoss(func::FuncOp fn) {
    if (degrees.dp == 1)
      return;
    auto ret = cast<func::ReturnOp>(fn.getBody().front().getTerminator());
    OpBuilder builder(ret);
    for (OpOperand &operand : ret->getOpOperands()) {
      Value loss = operand.get();
      operand.set(AllReduceOp::create(
          builder, ret.getLoc(), loss.getType(),
          FlatSymbolRefAttr::get(builder.getContext(), kMeshName),
          axisList(builder.getContext(), {"dp"}), loss,
          reduction(builder.getContext(), ReductionKind::avg)));
    }
  }

  LogicalResult reduceGradients(func::FuncOp fn) {
    ModuleOp module = getOperation();
    MLIRContext *context = module.getContext();
    auto mesh = FlatSymbolRefAttr::get(context, kMeshName);
    // The parameter behind each gradient value the step reads.
    auto paramOf = [&](Value value) -> graph::ParamOp {
      auto ref = value.getDefiningOp<graph::GradRefOp>();
      return ref ? module.lookupSymbol<graph::ParamOp>(ref.getParam())
                 : graph::ParamOp();
    };

    // 1. The norm: squares of tp-split gradients are summed over tp.
    if (degrees.tp > 1) {
      SmallVector<graph::GlobalNormOp> norms;
      fn.walk([&](graph::GlobalNormOp norm) { norms.push_back(norm); });
      for (graph::GlobalNormOp norm : norms) {
        SmallVector<Value> split, replicated;
        for (Value grad : norm.getInputs()) {
          graph::ParamOp param = paramOf(grad);
          (param && param->hasAttr("dist.sharding") ? split : replicated)
              .push_back(grad);
        }
        if (split.empty())
          continue;
        OpBuilder builder(norm);
        auto f64 = RankedTensorType::get({}, builder.getF64Type());
        Value squares =
            graph::SumSquaresOp::create(builder, norm.getLoc(), f64, split);
        Value total = AllReduceOp::create(
            builder, norm.getLoc(), f64, mesh, axisList(context, {"tp"}),
            squares, reduction(context, ReductionKind::sum));
        SmallVector<Value> partials(norm.getPartialSquares());
        partials.push_back(total);
        Value replaced = graph::GlobalNormOp::create(
            builder, norm.getLoc(), norm.getType(), replicated, partials);
        norm.replaceAllUsesWith(replaced);
        norm.erase();
      }
    }

    // 2. Every gradient accumulator: summed over tp where partial, then
    //    averaged over dp, before its first reader.
    SmallVector<graph::GradRefOp> refs;
    fn.walk([&](graph::GradRefOp ref) { refs.push_back(ref); });
    for (graph::GradRefOp ref : refs) {
      graph::ParamOp param = module.lookupSymbol<graph::ParamOp>(ref.getParam());
      if (!param)
        return ref.emitOpError("names no graph.param");
      SmallVector<std::pair<StringRef, ReductionKind>> steps;
      if (param->hasAttr("dist.partial_grad"))
        steps.push_back({"tp", ReductionKind::sum});
      if (degrees.dp > 1)
        steps.push_back({"dp", ReductionKind::avg});
      if (steps.empty() || ref->use_empty())
        continue;
      OpBuilder builder(ref->getContext());
      builder.setInsertionPointAfter(ref);
      Value value = ref;
      for (auto [axis, kind] : steps)
        value = AllReduceOp::create(builder, ref.getLoc(), ref.getType(), mesh,
                                    axisList(context, {axis}), value,
                                    reduction(context, kind));
      // The first reduction reads the accumulator; everything else reads
      // the reduced gradient.
      Value(ref).replaceAllUsesExcept(value, ref->getNextNode());
    }
    return success();
  }

  ParallelDegrees degrees;
};

} // namespace
