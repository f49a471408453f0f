//===- Optimizer.cpp - graph-optimizer: micro-steps and the AdamW step ----===//
//
// Reads the training settings from the module's `ptc.training` (and the
// data-parallel degree from `ptc.parallel`) and turns @train_step into the
// entry points of the training loop (see Passes.td).
//
//===----------------------------------------------------------------------===//

#include "passes/Graph/Passes.h"

#include "dialects/Dist/IR/DistOps.h"
#include "dialects/Graph/IR/GraphVJPUtils.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"

namespace ptc::graph {
#define GEN_PASS_DEF_GRAPHOPTIMIZER
#include "passes/Graph/Passes.h.inc"
} // namespace ptc::graph

using namespace mlir;
using namespace ptc::graph;

namespace {

bool decays(ParamRole role, bool decayEmbeddings) {
  switch (role) {
  case ParamRole::weight:
  case ParamRole::output_weight:
    return true;
  case ParamRole::token_embedding:
  case ParamRole::position_embedding:
    return decayEmbeddings;
  default:
    return false;
  }
}

struct GraphOptimizerPass
    : public ptc::graph::impl::GraphOptimizerBase<GraphOptimizerPass> {
  using GraphOptimizerBase::GraphOptimizerBase;

  void runOnOperation() override {
    if (failed(build(getOperation())))
      signalPassFailure();
  }

  LogicalResult build(ModuleOp module) {
    auto step = module.lookupSymbol<func::FuncOp>("train_step");
    if (!step)
      return module.emitError(
          "graph-optimizer: no @train_step (run graph-autodiff first)");
    auto training = TrainingAttr::lookup(module);
    if (!training)
      return module.emitError("graph-optimizer: the module has no ")
             << TrainingAttr::kModuleAttrName << " settings";
    auto parallel = ptc::dist::ParallelAttr::lookup(module);
    int64_t perStep =
        training.getMicroBatchSize() * (parallel ? parallel.getDp() : 1);
    // The module verifier checked that perStep divides the global batch.
    int64_t microSteps = training.getGlobalBatchSize() / perStep;

    if (failed(buildMicroStep(module, step, microSteps)))
      return failure();
    if (failed(buildOptimizerStep(module, training)))
      return failure();
    if (auto forward = module.lookupSymbol<func::FuncOp>("forward"))
      forward->setAttr("ptc.entry",
                       StringAttr::get(module.getContext(), "eval_step"));
    return success();
  }

  /// @train_step -> @micro_step: the gradients go into the accumulators.
  LogicalResult buildMicroStep(ModuleOp module, func::FuncOp fn,
                               int64_t microSteps) {
    auto gradients = fn->getAttrOfType<ArrayAttr>("ptc.gradients");
    auto inputGradients =
        fn->getAttrOfType<DenseI64ArrayAttr>("ptc.input_gradients");
    if (!gradients || !inputGradients)
      return fn.emitError("graph-optimizer: @train_step lacks the "
                          "ptc.gradients attributes of graph-autodiff");
    auto ret = cast<func::ReturnOp>(fn.front().getTerminator());
    unsigned numGrads = gradients.size();
    unsigned numOutputs =
        ret.getNumOperands() - numGrads - inputGradients.size();
    if (numOutputs != 1)
      return fn.emitError("graph-optimizer: @train_step must compute one "
                          "loss, found ")
             << numOutputs << " results besides the gradients";
    OpBuilder builder(ret);
    auto grads = ret.getOperands().take_back(numGrads);
    for (auto [symbol, grad] : llvm::zip(gradients, grads))
      AccumulateGradOp::create(
          builder, ret.getLoc(), TypeRange{}, ValueRange{grad},
          {builder.getNamedAttr("param", symbol),
           builder.getNamedAttr("scale",
                                builder.getF64FloatAttr(
                                    1.0 / static_cast<double>(microSteps)))});
    Value loss = ret.getOperand(0);
    ret->setOperands(loss);
    fn.setType(FunctionType::get(fn.getContext(), fn.getArgumentTypes(),
                                 loss.getType()));
    fn.setSymName("micro_step");
    fn->removeAttr("ptc.gradients");
    fn->removeAttr("ptc.input_gradients");
    fn->setAttr("ptc.entry", builder.getStringAttr("micro_step"));
    fn->setAttr("ptc.micro_steps", builder.getI64IntegerAttr(microSteps));
    return success();
  }

  /// @optimizer_step(step) -> (lr, grad_norm).
  LogicalResult buildOptimizerStep(ModuleOp module, TrainingAttr training) {
    double lr = training.getLr(), minLr = training.getMinLr(),
           beta1 = training.getBeta1(), beta2 = training.getBeta2(),
           eps = training.getEps(), weightDecay = training.getWeightDecay(),
           clip = training.getGradClip();
    int64_t warmup = training.getWarmupSteps(),
            decaySteps = training.getDecaySteps();
    StringRef schedule = stringifyLRSchedule(training.getLrSchedule());
    bool decayEmbeddings = training.getDecayEmbeddings();

    MLIRContext *context = module.getContext();
    OpBuilder builder(context);
    builder.setInsertionPointToEnd(module.getBody());
    Location loc = module.getLoc();
    auto stepType = RankedTensorType::get({}, builder.getI64Type());
    auto scalar = RankedTensorType::get({}, builder.getF32Type());
    auto fn = func::FuncOp::create(
        builder, loc, "optimizer_step",
        FunctionType::get(context, {stepType}, {scalar, scalar}));
    fn.setArgAttr(0, "ptc.input", builder.getStringAttr("step"));
    fn->setAttr("ptc.entry", builder.getStringAttr("optimizer_step"));
    Block *entry = fn.addEntryBlock();
    builder.setInsertionPointToStart(entry);
    Value stepValue = entry->getArgument(0);

    SmallVector<ParamOp> params(module.getOps<ParamOp>());
    SmallVector<Value> grads;
    for (ParamOp param : params)
      grads.push_back(GradRefOp::create(
          builder, loc, TypeRange{param.getType()}, ValueRange{},
          {builder.getNamedAttr(
              "param", FlatSymbolRefAttr::get(param.getSymNameAttr()))}));
    using ptc::graph::detail::createValue;
    Value norm = GlobalNormOp::create(builder, loc, scalar, grads, ValueRange());
    Value factor = createValue<ClipFactorOp>(
        builder, loc, scalar, {norm},
        {builder.getNamedAttr("max_norm", builder.getF64FloatAttr(clip))});
    Value rate = createValue<LRScheduleOp>(
        builder, loc, scalar, {stepValue},
        {builder.getNamedAttr("schedule", builder.getStringAttr(schedule)),
         builder.getNamedAttr("lr", builder.getF64FloatAttr(lr)),
         builder.getNamedAttr("min_lr", builder.getF64FloatAttr(minLr)),
         builder.getNamedAttr("warmup_steps",
                              builder.getI64IntegerAttr(warmup)),
         builder.getNamedAttr("decay_steps",
                              builder.getI64IntegerAttr(decaySteps))});
    for (auto [param, grad] : llvm::zip(params, grads)) {
      double decay =
          decays(param.getRole(), decayEmbeddings) ? weightDecay : 0.0;
      AdamWUpdateOp::create(
          builder, loc, TypeRange{}, ValueRange{grad, rate, factor, stepValue},
          {builder.getNamedAttr("param",
                                FlatSymbolRefAttr::get(param.getSymNameAttr())),
           builder.getNamedAttr("beta1", builder.getF64FloatAttr(beta1)),
           builder.getNamedAttr("beta2", builder.getF64FloatAttr(beta2)),
           builder.getNamedAttr("eps", builder.getF64FloatAttr(eps)),
           builder.getNamedAttr("weight_decay",
                                builder.getF64FloatAttr(decay))});
    }
    for (ParamOp param : params)
      ZeroGradOp::create(
          builder, loc, TypeRange{}, ValueRange{},
          {builder.getNamedAttr(
              "param", FlatSymbolRefAttr::get(param.getSymNameAttr()))});
    func::ReturnOp::create(builder, loc, ValueRange{rate, norm});
    return success();
  }
};

} // namespace
