//===- MixedPrecision.cpp - graph-mixed-precision: bf16 autocast ----------===//
//
// One walk over the forward function in program order decides the element
// type each op computes in (bf16 for the matrix products, f32 for the norms
// and the loss, the promoted type of the operands for the elementwise and
// shape ops, its own types for anything else), which values change type and
// which operands need a cast. Then the values are retyped in place and the
// casts inserted, one per value and type, right after the value's
// definition. Layer units need no rebuilding: they hold no types of their
// own beyond their body arguments and results, which the plan retypes like
// any other value.
//
//===----------------------------------------------------------------------===//

#include "passes/Graph/Passes.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "llvm/ADT/MapVector.h"

namespace ptc::graph {
#define GEN_PASS_DEF_GRAPHMIXEDPRECISION
#include "passes/Graph/Passes.h.inc"
} // namespace ptc::graph

using namespace mlir;
using namespace ptc::graph;

namespace {

/// The element type an op computes in (see Passes.td).
enum class Compute {
  /// bf16: the matrix products.
  Low,
  /// f32: the norms (the loss keeps its logits' type, see planOp).
  High,
  /// The promoted type of the float operands: elementwise and shape ops.
  Follow,
  /// Its own types: anything else.
  Keep,
};

/// A collective of the dist dialect (by name: the graph passes do not link
/// the dist dialect). Collectives move values as they come, so they follow
/// their operands: the row-parallel partial sums of a bf16 product are
/// all-reduced in bf16, as Megatron-LM does, which halves tensor-parallel
/// traffic.
bool isCollective(Operation *op) {
  return op->getName().getDialectNamespace() == "dist" &&
         op->getNumResults() > 0;
}

Compute classify(Operation *op) {
  if (isa<LinearOp, MatmulOp, AttentionOp>(op))
    return Compute::Low;
  if (isCollective(op))
    return Compute::Follow;
  if (isa<LayerNormOp, RMSNormOp>(op))
    return Compute::High;
  if (isa<AddOp, MulOp, GeluOp, SiluOp, SwigluOp, DropoutOp, RopeOp, ReshapeOp,
          TransposeOp, SplitOp, ConcatOp, EmbeddingOp, PositionEmbeddingOp,
          ScaleOp>(op))
    return Compute::Follow;
  return Compute::Keep;
}

/// The element type of a float tensor; null for anything else (token ids).
FloatType floatElementOf(Type type) {
  auto tensor = dyn_cast<RankedTensorType>(type);
  return tensor ? dyn_cast<FloatType>(tensor.getElementType()) : FloatType();
}

/// torch's type promotion of two float types: the wider one, f32 for two
/// different 16-bit types; null only when both are.
FloatType promote(FloatType a, FloatType b) {
  if (!a || a == b)
    return b;
  if (!b)
    return a;
  if (a.getWidth() != b.getWidth())
    return a.getWidth() > b.getWidth() ? a : b;
  return Float32Type::get(a.getContext());
}

/// What the rewrite does, decided before anything changes.
struct Plan {
  /// Values whose type changes (op results, layer body arguments and layer
  /// results), with their new type.
  llvm::MapVector<Value, Type> retyped;
  /// Operands to read a cast of their value to the element type instead.
  SmallVector<std::pair<OpOperand *, FloatType>> casts;
};

/// Fills a Plan from one walk in program order: every operand's new type is
/// known when its user is reached.
class Planner {
public:
  Planner(FloatType low, FloatType high) : low(low), high(high) {}

  void planBlock(Block &block) {
    for (Operation &op : block) {
      if (auto layer = dyn_cast<LayerOp>(op))
        planLayer(layer);
      else if (!isa<YieldOp>(op)) // the unit's results follow the yield
        planOp(&op);
    }
  }

  Plan plan;

private:
  Type typeOf(Value value) const {
    auto it = plan.retyped.find(value);
    return it == plan.retyped.end() ? value.getType() : it->second;
  }

  void retype(Value value, Type type) {
    if (type != value.getType())
      plan.retyped[value] = type;
  }

  /// Body arguments follow the inputs, results follow the yield.
  void planLayer(LayerOp layer) {
    Block &body = layer.getBodyBlock();
    for (auto [arg, input] : llvm::zip(body.getArguments(), layer.getInputs()))
      retype(arg, typeOf(input));
    planBlock(body);
    auto yield = cast<YieldOp>(body.getTerminator());
    for (auto [result, value] :
         llvm::zip(layer.getResults(), yield.getValues()))
      retype(result, typeOf(value));
  }

  void planOp(Operation *op) {
    // The loss reads the logits in whatever type they come (bf16 from the
    // head's linear) and computes in f32 inside the kernel: casting 16 x
    // 1024 x 50304 logits to f32 would cost 3.3 GB and two passes.
    if (isa<CrossEntropyOp>(op))
      return;
    FloatType element;
    switch (classify(op)) {
    case Compute::Low:
      element = low;
      break;
    case Compute::High:
      element = high;
      break;
    case Compute::Follow:
      for (Value operand : op->getOperands())
        element = promote(element, floatElementOf(typeOf(operand)));
      // dist.all_reduce_grad in front of column-parallel products (its VJP
      // sums the input gradient over tp): where only bf16 products read it,
      // it takes their type, so that the cast comes before it and the
      // gradient is summed in bf16.
      if (op->getName().getStringRef() == "dist.all_reduce_grad" && element &&
          !op->getResult(0).use_empty() &&
          llvm::all_of(op->getResult(0).getUsers(), [](Operation *user) {
            return classify(user) == Compute::Low;
          }))
        element = low;
      break;
    case Compute::Keep:
      break;
    }
    // graph.cast takes any float type; other ops read `element` or, when
    // they keep their types, the operand's type before the rewrite.
    if (!isa<CastOp>(op)) {
      for (OpOperand &operand : op->getOpOperands()) {
        FloatType current = floatElementOf(typeOf(operand.get()));
        if (!current)
          continue;
        FloatType wanted =
            element ? element : floatElementOf(operand.get().getType());
        if (current != wanted)
          plan.casts.push_back({&operand, wanted});
      }
    }
    if (!element)
      return;
    for (Value result : op->getResults())
      if (floatElementOf(result.getType()))
        retype(result, cast<RankedTensorType>(result.getType()).clone(element));
  }

  FloatType low, high;
};

/// Applies `plan`: retypes the values, then makes each cast once per value
/// and element type, right after the value's definition (after the
/// graph.param_ref for a parameter: its compute copy).
void rewrite(const Plan &plan) {
  for (auto [value, type] : plan.retyped)
    value.setType(type);
  DenseMap<std::pair<Value, Type>, Value> castOf;
  for (auto [operand, element] : plan.casts) {
    Value value = operand->get();
    Value &copy = castOf[{value, element}];
    if (!copy) {
      OpBuilder builder(value.getContext());
      if (Operation *def = value.getDefiningOp())
        builder.setInsertionPointAfter(def);
      else
        builder.setInsertionPointToStart(cast<BlockArgument>(value).getOwner());
      auto type = cast<RankedTensorType>(value.getType()).clone(element);
      copy = CastOp::create(builder, value.getLoc(), type, value);
    }
    operand->set(copy);
  }
}

/// Folds the casts that the retyping made no-ops (graph.cast's folder, here
/// so that autodiff does not see them).
void foldNoOpCasts(func::FuncOp fn) {
  SmallVector<CastOp> noOps;
  fn.walk([&](CastOp op) {
    if (op.getInput().getType() == op.getType())
      noOps.push_back(op);
  });
  for (CastOp op : noOps) {
    op.replaceAllUsesWith(op.getInput());
    op.erase();
  }
}

struct GraphMixedPrecisionPass
    : public ptc::graph::impl::GraphMixedPrecisionBase<
          GraphMixedPrecisionPass> {
  using GraphMixedPrecisionBase::GraphMixedPrecisionBase;

  void runOnOperation() override {
    ModuleOp module = getOperation();
    FailureOr<bool> bf16 = wantsBF16(module);
    if (failed(bf16))
      return signalPassFailure();
    if (!*bf16)
      return;
    SmallVector<func::FuncOp> functions;
    if (auto fn = module.lookupSymbol<func::FuncOp>(function))
      functions.push_back(fn);
    else if (module->hasAttr("ptc.pipeline_rank"))
      // A pipeline rank's module: every model chunk's forward.
      for (auto chunk : module.getOps<func::FuncOp>())
        if (chunk->hasAttr("ptc.stage"))
          functions.push_back(chunk);
    if (functions.empty()) {
      module.emitError("graph-mixed-precision: no function @")
          << function << " to rewrite";
      return signalPassFailure();
    }
    MLIRContext *context = module.getContext();
    for (func::FuncOp fn : functions) {
      Planner planner(BFloat16Type::get(context), Float32Type::get(context));
      for (Block &block : fn.getBody())
        planner.planBlock(block);
      rewrite(planner.plan);
      foldNoOpCasts(fn);
    }
  }

  /// The option, else the module's ptc.training.precision, else fp32.
  FailureOr<bool> wantsBF16(ModuleOp module) {
    std::string name = precision;
    if (name.empty())
      if (auto training = TrainingAttr::lookup(module))
        name = stringifyPrecision(training.getPrecision()).str();
    if (name.empty() || name == "fp32" || name == "fp64")
      return false;
    if (name == "bf16")
      return true;
    module.emitError("graph-mixed-precision: precision '")
        << name << "' is not one of bf16, fp32, fp64";
    return failure();
  }
};

} // namespace
