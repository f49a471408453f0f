//===- Autodiff.cpp - graph-autodiff: the training step by reverse mode ---===//
//
// Clones the source function into the target function, seeds the gradient
// of its results, runs the Differentiator over its body and returns the
// gradients of the float arguments and of every parameter of the module.
//
//===----------------------------------------------------------------------===//

#include "passes/Graph/Differentiator.h"
#include "passes/Graph/Passes.h"

#include "dialects/Dist/IR/StageSlots.h"
#include "dialects/Graph/IR/GraphVJPUtils.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"

namespace ptc::graph {
#define GEN_PASS_DEF_GRAPHAUTODIFF
#include "passes/Graph/Passes.h.inc"
} // namespace ptc::graph

using namespace mlir;
using namespace ptc::graph;

namespace {

struct GraphAutodiffPass
    : public ptc::graph::impl::GraphAutodiffBase<GraphAutodiffPass> {
  using GraphAutodiffBase::GraphAutodiffBase;

  void runOnOperation() override {
    if (failed(differentiate(getOperation())))
      signalPassFailure();
  }

  LogicalResult differentiate(ModuleOp module) {
    auto sourceFn = module.lookupSymbol<func::FuncOp>(source);
    // A pipeline rank's module (dist-pipeline-split): each model chunk's
    // forward gets its backward, which starts from the gradient of the
    // chunk's output (the loss's on the last chunk) and returns the
    // gradient of its input and of the parameters the chunk reads.
    if (!sourceFn && module->hasAttr("ptc.pipeline_rank")) {
      for (auto fn : llvm::to_vector(module.getOps<func::FuncOp>()))
        if (auto stage = fn->getAttrOfType<IntegerAttr>("ptc.stage"))
          if (failed(differentiate(
                  module, fn,
                  ("stage" + llvm::Twine(stage.getInt()) + "_backward").str(),
                  /*readParamsOnly=*/true)))
            return failure();
      return success();
    }
    if (!sourceFn)
      return module.emitError("graph-autodiff: no function @")
             << source << " to differentiate";
    return differentiate(module, sourceFn, target, /*readParamsOnly=*/false);
  }

  /// `target`: `sourceFn` and its reverse mode. With `readParamsOnly`,
  /// gradients of the parameters the function reads only (a model chunk);
  /// else of every parameter of the module.
  LogicalResult differentiate(ModuleOp module, func::FuncOp sourceFn,
                              StringRef target, bool readParamsOnly) {
    if (module.lookupSymbol(target))
      return sourceFn.emitError("graph-autodiff: the module already has a @")
             << target;
    if (!sourceFn.getBody().hasOneBlock())
      return sourceFn.emitError(
          "graph-autodiff: the function must have a single block");

    OpBuilder moduleBuilder(sourceFn);
    moduleBuilder.setInsertionPointAfter(sourceFn);
    auto fn = cast<func::FuncOp>(moduleBuilder.clone(*sourceFn));
    fn.setSymName(target);
    Block &entry = fn.front();
    auto ret = cast<func::ReturnOp>(entry.getTerminator());
    SmallVector<Operation *> forwardOps;
    for (Operation &op : entry.without_terminator())
      forwardOps.push_back(&op);
    unsigned numInputs = fn.getNumArguments();

    // Seeds: 1.0 for a scalar loss, otherwise one cotangent argument per
    // float result.
    OpBuilder builder(ret);
    Differentiator differentiator(builder);
    SmallVector<Value> results(ret.getOperands());
    if (results.size() == 1 &&
        cast<ShapedType>(results[0].getType()).getRank() == 0 &&
        isDifferentiableType(results[0].getType())) {
      Value one = ptc::graph::detail::createValue<FillOp>(
          builder, ret.getLoc(), results[0].getType(), {},
          {builder.getNamedAttr("value", builder.getF64FloatAttr(1.0))});
      differentiator.accumulate(results[0], one);
    } else {
      for (auto [i, result] : llvm::enumerate(results)) {
        if (!isDifferentiableType(result.getType()))
          continue;
        SmallVector<NamedAttribute> named = {builder.getNamedAttr(
            "ptc.cotangent", builder.getI64IntegerAttr(i))};
        // A chunk's output gradient comes from the next pipeline stage.
        if (auto stage = fn->getAttrOfType<IntegerAttr>("ptc.stage"))
          named.push_back(builder.getNamedAttr(
              "ptc.input",
              builder.getStringAttr(ptc::dist::stageSlotName(
                  stage.getInt(), ptc::dist::StageSlot::OutputGrad))));
        auto attrs = builder.getDictionaryAttr(named);
        if (failed(fn.insertArgument(fn.getNumArguments(), result.getType(),
                                     attrs, ret.getLoc())))
          return failure();
        differentiator.accumulate(result, entry.getArguments().back());
      }
    }
    if (failed(differentiator.run(forwardOps)))
      return failure();

    // Results: the forward's (re-read: differentiation rebuilds the layer
    // units that define them), then input gradients, then parameter ones.
    results.assign(ret.getOperands().begin(), ret.getOperands().end());
    SmallVector<int64_t> inputGradients;
    for (unsigned i = 0; i < numInputs; ++i) {
      BlockArgument arg = entry.getArgument(i);
      if (!isDifferentiableType(arg.getType()))
        continue;
      inputGradients.push_back(i);
      results.push_back(ptc::graph::detail::gradOrZeros(
          builder, ret.getLoc(), differentiator.gradientOf(arg),
          arg.getType()));
    }
    SmallVector<Attribute> gradients;
    for (auto param : module.getOps<ParamOp>()) {
      Value grad = differentiator.parameterGradient(param.getSymNameAttr());
      if (!grad && readParamsOnly)
        continue;
      results.push_back(ptc::graph::detail::gradOrZeros(builder, param.getLoc(),
                                                        grad, param.getType()));
      gradients.push_back(FlatSymbolRefAttr::get(param.getSymNameAttr()));
    }
    ret->setOperands(results);
    SmallVector<Type> resultTypes;
    for (Value value : results)
      resultTypes.push_back(value.getType());
    fn.setType(
        FunctionType::get(fn.getContext(), fn.getArgumentTypes(), resultTypes));
    fn.setAllResultAttrs(ArrayRef<DictionaryAttr>{});
    fn->setAttr("ptc.gradients", builder.getArrayAttr(gradients));
    fn->setAttr("ptc.input_gradients",
                builder.getDenseI64ArrayAttr(inputGradients));
    return success();
  }
};

} // namespace
