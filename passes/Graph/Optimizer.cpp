//===- Optimizer.cpp - graph-optimizer: micro-steps and the AdamW step ----===//
//
// Reads the training settings from the module's `ptc.training` (and the
// data-parallel degree from `ptc.parallel`) and turns @train_step into the
// entry points of the training loop (see Passes.td).
//
//===----------------------------------------------------------------------===//

#include "passes/Graph/Passes.h"

#include "dialects/Dist/IR/DistOps.h"
#include "dialects/Dist/IR/StageSlots.h"
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
    const bool stages = !step && module->hasAttr("ptc.pipeline_rank");
    if (!step && !stages)
      return module.emitError(
          "graph-optimizer: no @train_step (run graph-autodiff first)");
    auto training = TrainingAttr::lookup(module);
    if (!training)
      return module.emitError("graph-optimizer: the module has no ")
             << TrainingAttr::kModuleAttrName << " settings";
    int64_t microSteps =
        microStepsOf(training, ptc::dist::ParallelAttr::lookup(module));
    if (stages)
      return buildStages(module, training, microSteps);

    if (failed(buildMicroStep(module, step, microSteps)))
      return failure();
    if (failed(buildOptimizerStep(module, training)))
      return failure();
    if (auto forward = module.lookupSymbol<func::FuncOp>("forward"))
      forward->setAttr("ptc.entry",
                       StringAttr::get(module.getContext(), "eval_step"));
    return success();
  }

  /// Each gradient into its parameter's accumulator, scaled so that the
  /// step's micro-batches average.
  static void accumulate(OpBuilder &builder, Location loc, ArrayAttr params,
                         ValueRange grads, int64_t microSteps) {
    for (auto [symbol, grad] : llvm::zip(params, grads))
      AccumulateGradOp::create(
          builder, loc, TypeRange{}, ValueRange{grad},
          {builder.getNamedAttr("param", symbol),
           builder.getNamedAttr("scale",
                                builder.getF64FloatAttr(
                                    1.0 / static_cast<double>(microSteps)))});
  }

  /// The micro-steps per optimizer step and data-parallel rank.
  static int64_t microStepsOf(TrainingAttr training,
                              ptc::dist::ParallelAttr parallel) {
    int64_t perStep =
        training.getMicroBatchSize() * (parallel ? parallel.getDp() : 1);
    // The module verifier checked that perStep divides the global batch.
    return training.getGlobalBatchSize() / perStep;
  }

  /// A pipeline rank's module: each chunk's backward accumulates its
  /// gradients and returns what the neighbours need (the gradient of its
  /// input for the previous stage; the loss on the last chunk); the
  /// forwards are entry points as they are (the last chunk's, which returns
  /// the loss, for validation: in training its backward recomputes it).
  LogicalResult buildStages(ModuleOp module, TrainingAttr training,
                            int64_t microSteps) {
    OpBuilder builder(module.getContext());
    for (auto fn : llvm::to_vector(module.getOps<func::FuncOp>())) {
      if (!fn->hasAttr("ptc.stage"))
        continue;
      if (fn->hasAttr("ptc.gradients")) {
        if (failed(buildStageBackward(fn, microSteps)))
          return failure();
        continue;
      }
      // The last chunk's forward ends in the loss: validation runs it.
      bool lossChunk = fn.getNumResults() == 1 &&
                       cast<ShapedType>(fn.getResultTypes()[0]).getRank() == 0;
      if (lossChunk)
        fn.setResultAttr(0, "ptc.output", builder.getStringAttr("loss"));
      fn->setAttr("ptc.entry", builder.getStringAttr(fn.getSymName()));
    }
    return buildOptimizerStep(module, training);
  }

  LogicalResult buildStageBackward(func::FuncOp fn, int64_t microSteps) {
    auto gradients = fn->getAttrOfType<ArrayAttr>("ptc.gradients");
    auto inputGradients =
        fn->getAttrOfType<DenseI64ArrayAttr>("ptc.input_gradients");
    auto stageAttr = fn->getAttrOfType<IntegerAttr>("ptc.stage");
    if (!gradients || !inputGradients || !stageAttr)
      return fn.emitError("graph-optimizer: a chunk's backward lacks the "
                          "ptc.gradients (array), ptc.input_gradients and "
                          "ptc.stage (integer) attributes of graph-autodiff");
    auto ret = cast<func::ReturnOp>(fn.front().getTerminator());
    size_t numGrads = gradients.size();
    size_t numInputGrads = inputGradients.size();
    if (ret.getNumOperands() != 1 + numInputGrads + numGrads)
      return fn.emitError("graph-optimizer: a chunk's backward must return "
                          "its forward's one value, ")
             << numInputGrads << " input gradients and " << numGrads
             << " parameter gradients, found " << ret.getNumOperands()
             << " results";
    OpBuilder builder(ret);
    accumulate(builder, ret.getLoc(), gradients,
               ret.getOperands().take_back(numGrads), microSteps);
    int64_t stage = stageAttr.getInt();
    Value output = ret.getOperand(0);
    SmallVector<Value> results;
    SmallVector<std::string> slots;
    if (cast<ShapedType>(output.getType()).getRank() == 0) {
      results.push_back(output);
      slots.push_back("loss");
    }
    // The chunk's float inputs: its activation (every chunk but the first)
    // and, on the last, the loss's cotangent-free targets (not float).
    for (auto [index, arg] : llvm::enumerate(inputGradients.asArrayRef())) {
      auto slot = fn.getArgAttrOfType<StringAttr>(arg, "ptc.input");
      if (!slot || slot.getValue() != ptc::dist::stageSlotName(
                                          stage, ptc::dist::StageSlot::Input))
        continue;
      results.push_back(ret.getOperand(1 + index));
      slots.push_back(
          ptc::dist::stageSlotName(stage, ptc::dist::StageSlot::InputGrad));
    }
    ret->setOperands(results);
    SmallVector<Type> types;
    for (Value value : results)
      types.push_back(value.getType());
    fn.setType(
        FunctionType::get(fn.getContext(), fn.getArgumentTypes(), types));
    for (auto [i, slot] : llvm::enumerate(slots))
      fn.setResultAttr(i, "ptc.output", builder.getStringAttr(slot));
    fn->removeAttr("ptc.gradients");
    fn->removeAttr("ptc.input_gradients");
    fn->setAttr("ptc.entry", builder.getStringAttr(fn.getSymName()));
    fn->setAttr("ptc.micro_steps", builder.getI64IntegerAttr(microSteps));
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
    int64_t numGrads = int64_t(gradients.size());
    int64_t numOutputs = int64_t(ret.getNumOperands()) - numGrads -
                         int64_t(inputGradients.size());
    if (numOutputs < 0)
      return fn.emitError("graph-optimizer: @train_step returns ")
             << ret.getNumOperands() << " results, fewer than its "
             << numGrads + int64_t(inputGradients.size()) << " gradients";
    if (numOutputs != 1)
      return fn.emitError("graph-optimizer: @train_step must compute one "
                          "loss, found ")
             << numOutputs << " results besides the gradients";
    OpBuilder builder(ret);
    accumulate(builder, ret.getLoc(), gradients,
               ret.getOperands().take_back(numGrads), microSteps);
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
    // A batch-size ramp-up: the step's micro-batches vary, so the
    // accumulators (scaled for the full batch's) are rescaled by
    // "grad_scale" (full / this step's micro-batches, the schedule's), and
    // the LR schedule follows the samples trained on ("samples", through
    // this step), its warm-up and decay counted in full-batch steps.
    const bool ramp = training.getRampupStart() > 0;
    SmallVector<Type> inputs = {stepType};
    if (ramp)
      inputs.append({stepType, scalar});
    auto fn = func::FuncOp::create(
        builder, loc, "optimizer_step",
        FunctionType::get(context, inputs, {scalar, scalar}));
    fn.setArgAttr(0, "ptc.input", builder.getStringAttr("step"));
    if (ramp) {
      fn.setArgAttr(1, "ptc.input", builder.getStringAttr("samples"));
      fn.setArgAttr(2, "ptc.input", builder.getStringAttr("grad_scale"));
      warmup *= training.getGlobalBatchSize();
      decaySteps *= training.getGlobalBatchSize();
    }
    fn->setAttr("ptc.entry", builder.getStringAttr("optimizer_step"));
    Block *entry = fn.addEntryBlock();
    builder.setInsertionPointToStart(entry);
    Value stepValue = entry->getArgument(0);
    Value schedulePosition = ramp ? entry->getArgument(1) : stepValue;

    SmallVector<ParamOp> params(module.getOps<ParamOp>());
    SmallVector<Value> grads;
    for (ParamOp param : params)
      grads.push_back(GradRefOp::create(
          builder, loc, TypeRange{param.getType()}, ValueRange{},
          {builder.getNamedAttr(
              "param", FlatSymbolRefAttr::get(param.getSymNameAttr()))}));
    using ptc::graph::detail::createValue;
    // A tied copy's gradient equals its original's once summed: the norm
    // counts it once, on the pipeline rank that holds the original.
    SmallVector<Value> counted;
    for (auto [param, grad] : llvm::zip(params, grads))
      if (!param->hasAttr("ptc.tied_copy"))
        counted.push_back(grad);
    Value norm =
        GlobalNormOp::create(builder, loc, scalar, counted, ValueRange());
    if (ramp)
      norm = MulOp::create(builder, loc, scalar, norm, entry->getArgument(2));
    Value factor = createValue<ClipFactorOp>(
        builder, loc, scalar, {norm},
        {builder.getNamedAttr("max_norm", builder.getF64FloatAttr(clip))});
    if (ramp)
      factor =
          MulOp::create(builder, loc, scalar, factor, entry->getArgument(2));
    Value rate = createValue<LRScheduleOp>(
        builder, loc, scalar, {schedulePosition},
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
