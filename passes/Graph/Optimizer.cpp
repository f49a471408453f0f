//===- Optimizer.cpp - graph-optimizer: micro-steps and the AdamW step ----===//
//
// Reads the training settings from the module's `ptc.training` (and the
// data-parallel degree from `ptc.parallel`) and turns @train_step into the
// entry points of the training loop (see Passes.td).
//
//===----------------------------------------------------------------------===//

#include "passes/Graph/Passes.h"

#include "dialects/Graph/IR/GraphVJPUtils.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"

namespace ptc::graph {
#define GEN_PASS_DEF_GRAPHOPTIMIZER
#include "passes/Graph/Passes.h.inc"
} // namespace ptc::graph

using namespace mlir;
using namespace ptc::graph;

namespace {

/// Typed access to the `ptc.training` dictionary, with errors that name the
/// missing or mistyped key.
class Settings {
public:
  Settings(ModuleOp module, DictionaryAttr dict, StringRef name)
      : module(module), dict(dict), name(name) {}

  FailureOr<double> number(StringRef key) {
    Attribute attr = dict ? dict.get(key) : Attribute();
    if (auto f = dyn_cast_or_null<FloatAttr>(attr))
      return f.getValueAsDouble();
    if (auto i = dyn_cast_or_null<IntegerAttr>(attr))
      return static_cast<double>(i.getInt());
    return missing(key, "a number");
  }
  FailureOr<int64_t> integer(StringRef key) {
    if (auto i =
            dyn_cast_or_null<IntegerAttr>(dict ? dict.get(key) : Attribute()))
      return i.getInt();
    return missing(key, "an integer");
  }
  FailureOr<StringRef> string(StringRef key) {
    if (auto s =
            dyn_cast_or_null<StringAttr>(dict ? dict.get(key) : Attribute()))
      return s.getValue();
    return missing(key, "a string");
  }
  FailureOr<bool> boolean(StringRef key) {
    if (auto b = dyn_cast_or_null<BoolAttr>(dict ? dict.get(key) : Attribute()))
      return b.getValue();
    return missing(key, "a boolean");
  }

private:
  LogicalResult missing(StringRef key, StringRef what) {
    return module.emitError("graph-optimizer: module attribute ")
           << name << "." << key << " must be " << what;
  }
  ModuleOp module;
  DictionaryAttr dict;
  StringRef name;
};

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
    Settings training(module,
                      module->getAttrOfType<DictionaryAttr>("ptc.training"),
                      "ptc.training");
    Settings parallel(module,
                      module->getAttrOfType<DictionaryAttr>("ptc.parallel"),
                      "ptc.parallel");
    FailureOr<StringRef> optimizer = training.string("optimizer");
    FailureOr<int64_t> globalBatch = training.integer("global_batch_size");
    FailureOr<int64_t> microBatch = training.integer("micro_batch_size");
    FailureOr<int64_t> dp = parallel.integer("dp");
    if (failed(optimizer) || failed(globalBatch) || failed(microBatch) ||
        failed(dp))
      return failure();
    if (*optimizer != "adamw")
      return module.emitError("graph-optimizer: optimizer '")
             << *optimizer << "' is not supported (supported: adamw)";
    int64_t perStep = *microBatch * *dp;
    if (perStep <= 0 || *globalBatch % perStep != 0)
      return module.emitError("graph-optimizer: global_batch_size ")
             << *globalBatch
             << " is not a multiple of micro_batch_size x dp = " << perStep;
    int64_t microSteps = *globalBatch / perStep;

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
  LogicalResult buildOptimizerStep(ModuleOp module, Settings &training) {
    FailureOr<double> lr = training.number("lr"),
                      minLr = training.number("min_lr"),
                      beta1 = training.number("beta1"),
                      beta2 = training.number("beta2"),
                      eps = training.number("eps"),
                      weightDecay = training.number("weight_decay"),
                      clip = training.number("grad_clip");
    FailureOr<int64_t> warmup = training.integer("warmup_steps"),
                       decaySteps = training.integer("decay_steps");
    FailureOr<StringRef> schedule = training.string("lr_schedule");
    FailureOr<bool> decayEmbeddings = training.boolean("decay_embeddings");
    if (failed(lr) || failed(minLr) || failed(beta1) || failed(beta2) ||
        failed(eps) || failed(weightDecay) || failed(clip) || failed(warmup) ||
        failed(decaySteps) || failed(schedule) || failed(decayEmbeddings))
      return failure();

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
        {builder.getNamedAttr("max_norm", builder.getF64FloatAttr(*clip))});
    Value rate = createValue<LRScheduleOp>(
        builder, loc, scalar, {stepValue},
        {builder.getNamedAttr("schedule", builder.getStringAttr(*schedule)),
         builder.getNamedAttr("lr", builder.getF64FloatAttr(*lr)),
         builder.getNamedAttr("min_lr", builder.getF64FloatAttr(*minLr)),
         builder.getNamedAttr("warmup_steps",
                              builder.getI64IntegerAttr(*warmup)),
         builder.getNamedAttr("decay_steps",
                              builder.getI64IntegerAttr(*decaySteps))});
    for (auto [param, grad] : llvm::zip(params, grads)) {
      double decay =
          decays(param.getRole(), *decayEmbeddings) ? *weightDecay : 0.0;
      AdamWUpdateOp::create(
          builder, loc, TypeRange{}, ValueRange{grad, rate, factor, stepValue},
          {builder.getNamedAttr("param",
                                FlatSymbolRefAttr::get(param.getSymNameAttr())),
           builder.getNamedAttr("beta1", builder.getF64FloatAttr(*beta1)),
           builder.getNamedAttr("beta2", builder.getF64FloatAttr(*beta2)),
           builder.getNamedAttr("eps", builder.getF64FloatAttr(*eps)),
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
