//===- Recompute.cpp - graph-recompute: activation recomputation ----------===//
//
// For each backward unit B and its forward unit F (same kind and index),
// decides which of the saved values (F's results that B reads) B recomputes
// under the policy, then clones their producers from F's body to the top of
// B's body and drops the saved results nothing reads any more. All the
// decisions are taken first (one Plan per backward unit), then the IR is
// rewritten.
//
//===----------------------------------------------------------------------===//

#include "dialects/Dist/IR/DistOps.h"
#include "passes/Graph/LayerUtils.h"
#include "passes/Graph/Passes.h"

#include "mlir/IR/IRMapping.h"
#include "llvm/ADT/SetVector.h"
#include "llvm/ADT/StringSwitch.h"

namespace ptc::graph {
#define GEN_PASS_DEF_GRAPHRECOMPUTE
#include "passes/Graph/Passes.h.inc"
} // namespace ptc::graph

using namespace mlir;
using namespace ptc::graph;

namespace {

enum class Policy { None, Selective, Full };

/// Marks the ops that a backward unit recomputes (see Passes.td).
constexpr llvm::StringLiteral kRecomputeAttr = "ptc.recompute";

std::optional<Policy> parsePolicy(StringRef name) {
  return llvm::StringSwitch<std::optional<Policy>>(name)
      .Case("none", Policy::None)
      .Case("selective", Policy::Selective)
      .Case("full", Policy::Full)
      .Default(std::nullopt);
}

/// Whether the backward recomputes what `op` produces instead of reading it
/// saved. Parameters are always read again.
bool recomputes(Policy policy, Operation *op) {
  if (isa<ParamRefOp>(op) || policy == Policy::Full)
    return true;
  // Even without checkpointing, the backward recomputes what costs one
  // elementwise pass and no extra saved value: the casts of parameters (the
  // bf16 copies of the weights; their source is always live) and GELU (its
  // input is saved for gelu_grad anyway). PyTorch's min-cut partitioner
  // makes the same choice; it halves the MLP's saved activations.
  // So is the attention output's [B, T, H, D] view (one permute): its
  // source stays saved for attention_grad.
  if (policy == Policy::None) {
    if (isa<TransposeOp, ReshapeOp>(op)) {
      Value source = op->getOperand(0);
      while (isa_and_nonnull<TransposeOp, ReshapeOp>(source.getDefiningOp()))
        source = source.getDefiningOp()->getOperand(0);
      return source.getDefiningOp<AttentionOp>() != nullptr;
    }
    return isa<GeluOp>(op) ||
           (isa<CastOp>(op) && op->getOperand(0).getDefiningOp<ParamRefOp>());
  }
  // Korthikanti et al. 2022: the attention core and the cheap elementwise
  // and shape ops; matrix products and norms stay saved.
  return isa<AttentionOp, GeluOp, SiluOp, SwigluOp, DropoutOp, AddOp, MulOp,
             ReshapeOp, TransposeOp, SplitOp, RopeOp, CastOp>(op);
}

/// What one backward unit recomputes, decided before anything changes.
struct Plan {
  LayerOp forward;
  LayerOp backward;
  /// The backward body arguments that stand for saved values, with the
  /// forward body value each one carries.
  SmallVector<std::pair<BlockArgument, Value>> saved;
  /// The forward results the backward reads (dropped when no longer read).
  SmallVector<unsigned> savedResults;
  /// Forward ops to clone into the backward unit, in program order.
  SmallVector<Operation *> clones;
  /// Forward body values that stay saved and that the clones read.
  llvm::SetVector<Value> kept;
  /// Forward body arguments that the clones (or the saved values) read.
  llvm::SetVector<BlockArgument> inputs;
};

/// The forward unit whose results `backward` reads as saved values, or null.
LayerOp forwardUnitOf(LayerOp backward) {
  for (Value input : backward.getInputs()) {
    auto forward = input.getDefiningOp<LayerOp>();
    if (forward && !isBackwardKind(forward.getKind()) &&
        backwardKindOf(forward.getKind()) == backward.getKind() &&
        forward.getIndexAttr() == backward.getIndexAttr())
      return forward;
  }
  return LayerOp();
}

Plan planFor(LayerOp backward, Policy policy) {
  Plan plan;
  plan.backward = backward;
  plan.forward = forwardUnitOf(backward);
  if (!plan.forward)
    return plan;
  LayerOp forward = plan.forward;
  auto yield = cast<YieldOp>(forward.getBodyBlock().getTerminator());
  for (auto [arg, input] : llvm::zip(backward.getBodyBlock().getArguments(),
                                     backward.getInputs())) {
    auto result = dyn_cast<OpResult>(input);
    if (!result || result.getOwner() != forward.getOperation())
      continue;
    plan.saved.push_back({arg, yield.getValues()[result.getResultNumber()]});
    plan.savedResults.push_back(result.getResultNumber());
  }

  // Walk back from each saved value through the producers the policy
  // recomputes. A saved value that stays saved needs nothing; one that a
  // clone reads (kept) must cross the boundary.
  llvm::SmallPtrSet<Operation *, 32> toClone;
  SmallVector<Value> worklist;
  auto visit = [&](Value value, bool saved) {
    if (auto arg = dyn_cast<BlockArgument>(value)) {
      plan.inputs.insert(arg);
      return;
    }
    Operation *op = value.getDefiningOp();
    if (toClone.contains(op))
      return;
    if (!recomputes(policy, op)) {
      if (!saved)
        plan.kept.insert(value);
      return;
    }
    toClone.insert(op);
    llvm::append_range(worklist, op->getOperands());
  };
  for (auto &entry : plan.saved)
    visit(entry.second, /*saved=*/true);
  while (!worklist.empty())
    visit(worklist.pop_back_val(), /*saved=*/false);
  for (Operation &op : forward.getBodyBlock().without_terminator())
    if (toClone.contains(&op))
      plan.clones.push_back(&op);
  return plan;
}

/// The argument of `backward` whose input is `outer`, added if missing.
BlockArgument backwardInputFor(LayerOp backward, Value outer) {
  for (auto [arg, input] :
       llvm::zip(backward.getBodyBlock().getArguments(), backward.getInputs()))
    if (input == outer)
      return arg;
  return appendLayerInputs(backward, outer).front();
}

/// Keeps the first `graph.param_ref` of each parameter in `block`.
void dedupeParamRefs(Block &block) {
  llvm::DenseMap<std::pair<Attribute, Type>, Value> first;
  for (Operation &op : llvm::make_early_inc_range(block.without_terminator())) {
    auto ref = dyn_cast<ParamRefOp>(op);
    if (!ref)
      continue;
    auto [it, inserted] =
        first.try_emplace({ref.getParamAttr(), ref.getType()}, ref.getResult());
    if (inserted)
      continue;
    ref.getResult().replaceAllUsesWith(it->second);
    ref.erase();
  }
}

void apply(Plan &plan) {
  LayerOp forward = plan.forward;
  LayerOp backward = plan.backward;

  // 1. The values that stay saved and that the clones read leave the
  //    forward unit (once) and enter the backward unit (once).
  auto yield = cast<YieldOp>(forward.getBodyBlock().getTerminator());
  llvm::DenseMap<Value, unsigned> resultOf;
  for (auto [i, value] : llvm::enumerate(yield.getValues()))
    resultOf.try_emplace(value, i);
  SmallVector<Value> newResults;
  for (Value value : plan.kept)
    if (!resultOf.contains(value))
      newResults.push_back(value);
  if (!newResults.empty()) {
    unsigned first = forward.getNumResults();
    forward = appendLayerResults(forward, newResults);
    for (auto [k, value] : llvm::enumerate(newResults))
      resultOf[value] = first + k;
  }
  IRMapping mapping;
  for (BlockArgument arg : plan.inputs)
    mapping.map(arg, backwardInputFor(backward,
                                      forward.getInputs()[arg.getArgNumber()]));
  for (Value value : plan.kept)
    mapping.map(value,
                backwardInputFor(backward, forward.getResult(resultOf[value])));

  // 2. The clones, at the top of the backward body in forward order.
  Block &body = backward.getBodyBlock();
  auto builder = OpBuilder::atBlockBegin(&body);
  for (Operation *op : plan.clones) {
    Operation *clone = builder.clone(*op, mapping);
    if (!isa<ParamRefOp>(clone))
      clone->setAttr(kRecomputeAttr, builder.getUnitAttr());
  }
  for (auto [arg, value] : plan.saved)
    if (Value replacement = mapping.lookupOrNull(value);
        replacement && replacement != arg)
      arg.replaceAllUsesWith(replacement);
  dedupeParamRefs(body);
  pruneUnusedLayerInputs(backward);

  // 3. Saved results that nothing reads any more.
  SmallVector<unsigned> unused;
  for (unsigned index : plan.savedResults)
    if (forward.getResult(index).use_empty() &&
        !llvm::is_contained(unused, index))
      unused.push_back(index);
  if (!unused.empty())
    eraseLayerResults(forward, unused);
}

struct GraphRecomputePass
    : public ptc::graph::impl::GraphRecomputeBase<GraphRecomputePass> {
  using GraphRecomputeBase::GraphRecomputeBase;

  void runOnOperation() override {
    ModuleOp module = getOperation();
    FailureOr<Policy> resolved = resolvePolicy(module);
    if (failed(resolved))
      return signalPassFailure();

    SmallVector<LayerOp> backwardUnits;
    module.walk([&](LayerOp layer) {
      if (isBackwardKind(layer.getKind()))
        backwardUnits.push_back(layer);
    });
    std::vector<Plan> plans;
    for (LayerOp backward : backwardUnits) {
      Plan plan = planFor(backward, *resolved);
      if (plan.forward && (!plan.clones.empty() || !plan.inputs.empty()))
        plans.push_back(std::move(plan));
    }
    for (Plan &plan : plans)
      apply(plan);
  }

  FailureOr<Policy> resolvePolicy(ModuleOp module) {
    if (!policy.empty()) {
      if (std::optional<Policy> parsed = parsePolicy(policy))
        return *parsed;
      return module.emitError("graph-recompute: unknown policy '")
             << policy << "' (allowed: none, selective, full)";
    }
    auto parallel = ptc::dist::ParallelAttr::lookup(module);
    if (!parallel)
      return Policy::None;
    // The attribute's enum has the policies' names.
    return *parsePolicy(stringifyRecomputePolicy(parallel.getRecompute()));
  }
};

} // namespace
