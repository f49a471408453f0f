//===- DistScheduleOps.cpp - the step's order of work ---------------------===//
//
// Verifiers of dist.schedule and its actions: what any schedule of one
// step must satisfy, whichever generator made it.
//
//===----------------------------------------------------------------------===//

#include "dialects/Dist/IR/DistOps.h"

#include "mlir/Interfaces/FunctionInterfaces.h"
#include "llvm/ADT/SmallVector.h"

using namespace mlir;
using namespace ptc::dist;

LogicalResult ScheduleOp::verify() {
  int64_t expected = 0;
  for (Operation &op : getBody().front()) {
    auto rank = dyn_cast<PipelineRankOp>(op);
    if (!rank)
      return op.emitOpError("inside dist.schedule: only dist.pipeline_rank "
                            "ops may appear here");
    if (rank.getRank() != expected)
      return rank.emitOpError("is pipeline rank ")
             << rank.getRank() << ", expected " << expected
             << " (ranks are listed in order from 0)";
    ++expected;
  }
  if (expected == 0)
    return emitOpError("lists no pipeline rank");
  return success();
}

LogicalResult PipelineRankOp::verify() {
  auto schedule = cast<ScheduleOp>((*this)->getParentOp());
  const int64_t microBatches = schedule.getMicroBatches();
  // Per micro-batch: loaded, and how many compute actions ran on it.
  SmallVector<bool> loaded(microBatches, false);
  SmallVector<int64_t> computed(microBatches, 0);
  auto inRange = [&](Operation *op, int64_t micro) -> LogicalResult {
    if (micro >= microBatches)
      return op->emitOpError("names micro-batch ")
             << micro << ", but the step has " << microBatches
             << " per data-parallel rank";
    return success();
  };
  Operation *optimizer = nullptr;
  for (Operation &op : getActions().front()) {
    if (optimizer)
      return op.emitOpError("follows the step's dist.optimizer_step");
    if (auto load = dyn_cast<LoadMicroBatchOp>(op)) {
      if (failed(inRange(load, load.getMicro())))
        return failure();
      if (loaded[load.getMicro()])
        return load.emitOpError("loads micro-batch ")
               << load.getMicro() << " a second time";
      loaded[load.getMicro()] = true;
    } else if (auto compute = dyn_cast<ForwardBackwardOp>(op)) {
      int64_t micro = compute.getMicro();
      if (failed(inRange(compute, micro)))
        return failure();
      if (!loaded[micro])
        return compute.emitOpError("computes micro-batch ")
               << micro << " before a dist.load_micro_batch of it";
      if (++computed[micro] > 1)
        return compute.emitOpError("computes micro-batch ")
               << micro << " a second time";
    } else if (isa<OptimizerStepOp>(op)) {
      optimizer = &op;
    } else {
      return op.emitOpError("is not a schedule action");
    }
  }
  for (int64_t m = 0; m < microBatches; ++m)
    if (!computed[m])
      return emitOpError("never computes micro-batch ") << m;
  if (!optimizer)
    return emitOpError("does not end with a dist.optimizer_step");
  return success();
}

/// `entry` must name a function of the enclosing module (the graph-level
/// function before convert-graph-to-exec, the exec entry point after).
static LogicalResult verifyEntry(Operation *op, FlatSymbolRefAttr entry,
                                 SymbolTableCollection &symbolTable) {
  auto module = op->getParentOfType<ModuleOp>();
  Operation *callee = symbolTable.lookupSymbolIn(module, entry);
  if (!callee || !isa<FunctionOpInterface>(callee))
    return op->emitOpError("calls ")
           << entry << ", which is no function of the module";
  return success();
}

LogicalResult
ForwardBackwardOp::verifySymbolUses(SymbolTableCollection &symbolTable) {
  return verifyEntry(*this, getEntryAttr(), symbolTable);
}

LogicalResult
OptimizerStepOp::verifySymbolUses(SymbolTableCollection &symbolTable) {
  return verifyEntry(*this, getEntryAttr(), symbolTable);
}
