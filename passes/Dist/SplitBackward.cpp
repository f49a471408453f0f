//===- SplitBackward.cpp - dist-split-backward ----------------------------===//
//
// A chunk backward cut into its input-gradient and weight-gradient halves
// by data flow; see Passes.td.
//
//===----------------------------------------------------------------------===//

#include "passes/Dist/Passes.h"

#include "dialects/Dist/IR/StageSlots.h"
#include "dialects/Graph/IR/GraphOps.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Interfaces/SideEffectInterfaces.h"
#include "llvm/ADT/SetVector.h"

namespace ptc::dist {
#define GEN_PASS_DEF_DISTSPLITBACKWARD
#include "passes/Dist/Passes.h.inc"
} // namespace ptc::dist

using namespace mlir;
using namespace ptc;

namespace {

/// Moves every layer unit's ops into the function body: the cut goes
/// through units (a block's input and weight gradients are one unit).
void inlineLayers(func::FuncOp fn) {
  for (auto layer : llvm::to_vector(fn.getOps<graph::LayerOp>())) {
    Block &body = layer.getBodyBlock();
    for (auto [arg, input] : llvm::zip(body.getArguments(), layer.getInputs()))
      arg.replaceAllUsesWith(input);
    for (Operation &op : llvm::make_early_inc_range(body.without_terminator()))
      op.moveBefore(layer);
    auto yield = cast<graph::YieldOp>(body.getTerminator());
    for (auto [result, value] :
         llvm::zip(layer.getResults(), yield.getValues()))
      result.replaceAllUsesWith(value);
    layer.erase();
  }
  // Results of units that nothing reads (saved values of the forward that
  // the backward recomputes) would otherwise land in the weight half.
  SmallVector<Operation *> ops;
  for (Operation &op : fn.front().without_terminator())
    ops.push_back(&op);
  for (Operation *op : llvm::reverse(ops))
    if (isOpTriviallyDead(op))
      op->erase();
}

/// Ops a cut leaves on both sides rather than carrying their value: no
/// operands and no effects (parameter reads, constants).
bool isRematerializable(Operation *op) {
  return op->getNumOperands() == 0 && isMemoryEffectFree(op);
}

struct DistSplitBackwardPass
    : public ptc::dist::impl::DistSplitBackwardBase<DistSplitBackwardPass> {
  void runOnOperation() override {
    ModuleOp module = getOperation();
    auto parallel = dist::ParallelAttr::lookup(module);
    if (!module->hasAttr("ptc.pipeline_rank") || !parallel)
      return;
    if (parallel.getSchedule() != dist::PipelineSchedule::zero_bubble &&
        parallel.getScheduleFile().empty())
      return;
    for (auto fn : llvm::to_vector(module.getOps<func::FuncOp>())) {
      auto stage = fn->getAttrOfType<IntegerAttr>("ptc.stage");
      // A chunk's backward: graph-optimizer gave it its micro-step count.
      if (!stage || !fn->hasAttr("ptc.micro_steps"))
        continue;
      if (failed(split(module, fn, stage.getInt())))
        return signalPassFailure();
    }
  }

  LogicalResult split(ModuleOp module, func::FuncOp backward, int64_t stage) {
    std::string input = (backward.getSymName() + "_input").str();
    std::string weight = (backward.getSymName() + "_weight").str();
    if (module.lookupSymbol(input) || module.lookupSymbol(weight))
      return backward.emitError("dist-split-backward: the module already has "
                                "a @")
             << input << " or @" << weight;
    // The cut, on a flat copy; the halves are cut from clones of it.
    func::FuncOp flat = backward.clone();
    inlineLayers(flat);
    Block &body = flat.front();
    auto ret = cast<func::ReturnOp>(body.getTerminator());

    // The input half: every op the results need.
    llvm::DenseSet<Operation *> inputHalf;
    SmallVector<Value> work(ret.getOperands());
    while (!work.empty()) {
      Operation *def = work.pop_back_val().getDefiningOp();
      if (!def || !inputHalf.insert(def).second)
        continue;
      if (def->getNumRegions() != 0)
        return def->emitError("dist-split-backward: cannot cut through an op "
                              "with regions");
      llvm::append_range(work, def->getOperands());
    }
    // What the weight half reads from the other side.
    llvm::SetVector<Value> carried;
    SmallVector<Operation *> ops;
    llvm::DenseMap<Operation *, size_t> positionOf;
    for (Operation &op : body.without_terminator()) {
      positionOf[&op] = ops.size();
      ops.push_back(&op);
    }
    for (Operation *op : ops) {
      if (inputHalf.contains(op))
        continue;
      for (Value operand : op->getOperands()) {
        Operation *def = operand.getDefiningOp();
        if (!def || (inputHalf.contains(def) && !isRematerializable(def)))
          carried.insert(operand);
      }
    }

    // In the order of definition (arguments first), which only the input
    // half decides: a variant of the backward with the same input half
    // (dist-data-parallel's `_last`, which also reduces the gradients)
    // carries the same values in the same slots.
    SmallVector<Value> carriedInOrder(carried.begin(), carried.end());
    auto definitionKey = [&](Value value) -> std::pair<int64_t, unsigned> {
      if (auto arg = dyn_cast<BlockArgument>(value))
        return {-1, arg.getArgNumber()};
      return {int64_t(positionOf.lookup(value.getDefiningOp())),
              cast<OpResult>(value).getResultNumber()};
    };
    llvm::sort(carriedInOrder, [&](Value a, Value b) {
      return definitionKey(a) < definitionKey(b);
    });
    carried =
        llvm::SetVector<Value>(carriedInOrder.begin(), carriedInOrder.end());

    MLIRContext *context = module.getContext();
    OpBuilder builder(context);
    auto slotAttr = [&](StringRef key, int64_t i) {
      return builder.getDictionaryAttr(builder.getNamedAttr(
          key, builder.getStringAttr(dist::carrySlotName(stage, i))));
    };
    auto position = [&](Operation *op) { return positionOf.lookup(op); };

    // The input half returns the backward's results and the carried values.
    func::FuncOp inputFn = flat.clone();
    inputFn.setSymName(input);
    inputFn->setAttr("ptc.entry", builder.getStringAttr(input));
    {
      SmallVector<Operation *> cloned;
      for (Operation &op : inputFn.front().without_terminator())
        cloned.push_back(&op);
      auto inputRet = cast<func::ReturnOp>(inputFn.front().getTerminator());
      SmallVector<Value> results(inputRet.getOperands());
      SmallVector<DictionaryAttr> resultAttrs;
      for (unsigned i = 0; i < flat.getNumResults(); ++i)
        resultAttrs.push_back(flat.getResultAttrDict(i));
      for (auto [i, value] : llvm::enumerate(carried)) {
        if (auto arg = dyn_cast<BlockArgument>(value))
          results.push_back(inputFn.getArgument(arg.getArgNumber()));
        else
          results.push_back(cloned[position(value.getDefiningOp())]->getResult(
              cast<OpResult>(value).getResultNumber()));
        resultAttrs.push_back(slotAttr("ptc.output", int64_t(i)));
      }
      inputRet->setOperands(results);
      for (size_t i = cloned.size(); i-- > 0;)
        if (!inputHalf.contains(ops[i]))
          cloned[i]->erase();
      SmallVector<Type> types;
      for (Value value : results)
        types.push_back(value.getType());
      inputFn.setType(
          FunctionType::get(context, inputFn.getArgumentTypes(), types));
      inputFn.setAllResultAttrs(resultAttrs);
    }

    // The weight half reads the carried values and returns nothing.
    func::FuncOp weightFn = flat.clone();
    weightFn.setSymName(weight);
    weightFn->setAttr("ptc.entry", builder.getStringAttr(weight));
    {
      Block &entry = weightFn.front();
      SmallVector<Operation *> cloned;
      llvm::DenseMap<Operation *, size_t> clonedPosition;
      for (Operation &op : entry.without_terminator()) {
        clonedPosition[&op] = cloned.size();
        cloned.push_back(&op);
      }
      const unsigned oldArgs = entry.getNumArguments();
      for (auto [i, value] : llvm::enumerate(carried)) {
        BlockArgument arg = entry.addArgument(value.getType(), value.getLoc());
        Value old = isa<BlockArgument>(value)
                        ? Value(entry.getArgument(
                              cast<BlockArgument>(value).getArgNumber()))
                        : cloned[position(value.getDefiningOp())]->getResult(
                              cast<OpResult>(value).getResultNumber());
        // Only the weight half's uses: the input half's ops go below.
        old.replaceUsesWithIf(arg, [&](OpOperand &use) {
          auto it = clonedPosition.find(use.getOwner());
          return it != clonedPosition.end() &&
                 !inputHalf.contains(ops[it->second]);
        });
      }
      cast<func::ReturnOp>(entry.getTerminator())->setOperands({});
      for (size_t i = cloned.size(); i-- > 0;)
        if (inputHalf.contains(ops[i]) &&
            (!isRematerializable(ops[i]) || cloned[i]->use_empty()))
          cloned[i]->erase();
      entry.eraseArguments(0, oldArgs);
      SmallVector<DictionaryAttr> argAttrs;
      for (size_t i = 0; i < carried.size(); ++i)
        argAttrs.push_back(slotAttr("ptc.input", int64_t(i)));
      weightFn.setType(
          FunctionType::get(context, entry.getArgumentTypes(), {}));
      weightFn.setAllArgAttrs(argAttrs);
      weightFn.setAllResultAttrs(ArrayRef<DictionaryAttr>{});
    }
    flat.erase();
    module.insert(std::next(Block::iterator(backward)), weightFn);
    module.insert(std::next(Block::iterator(backward)), inputFn);
    return success();
  }
};

} // namespace
