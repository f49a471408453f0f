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
    if (int64_t(rank.getRank()) != expected)
      return rank.emitOpError("is pipeline rank ")
             << rank.getRank() << ", expected " << expected
             << " (ranks are listed in order from 0)";
    ++expected;
  }
  if (expected == 0)
    return emitOpError("lists no pipeline rank");
  return success();
}

/// The rules of a pipeline schedule's list that one rank can check alone:
/// micro-batches in range, each stage's forward of a micro-batch before its
/// backward, each once, and the optimizer step last. The schedule library
/// proved the rest (every send meets its receive, no cycle of waits) over
/// all ranks before the pass wrote the lists.
static LogicalResult verifyPipelineList(PipelineRankOp rank,
                                        int64_t microBatches, bool evaluation) {
  // Per stage and micro-batch: 1 after the forward, 2 after an input
  // gradient half (I), 3 after the whole backward (B, or I then W).
  llvm::DenseMap<std::pair<int64_t, int64_t>, int> state;
  Operation *optimizer = nullptr;
  for (Operation &op : rank.getActions().front()) {
    if (optimizer)
      return op.emitOpError("follows the step's dist.optimizer_step");
    int64_t micro = -1;
    if (auto load = dyn_cast<LoadMicroBatchOp>(op))
      micro = load.getMicro();
    else if (auto forward = dyn_cast<ForwardOp>(op)) {
      micro = forward.getMicro();
      if (state[{forward.getStage(), micro}]++ != 0)
        return op.emitOpError("runs the forward of stage ")
               << forward.getStage() << " for micro-batch " << micro
               << " a second time";
    } else if (auto backward = dyn_cast<BackwardOp>(op)) {
      micro = backward.getMicro();
      int &seen = state[{backward.getStage(), micro}];
      if (seen != 1)
        return op.emitOpError("runs the backward of stage ")
               << backward.getStage() << " for micro-batch " << micro
               << (seen ? " a second time" : " before its forward");
      seen = 3;
    } else if (auto half = dyn_cast<BackwardInputOp>(op)) {
      micro = half.getMicro();
      int &seen = state[{half.getStage(), micro}];
      if (seen != 1)
        return op.emitOpError("runs the input gradient of stage ")
               << half.getStage() << " for micro-batch " << micro
               << (seen ? " a second time" : " before its forward");
      seen = 2;
    } else if (auto half = dyn_cast<BackwardWeightOp>(op)) {
      micro = half.getMicro();
      int &seen = state[{half.getStage(), micro}];
      if (seen != 2)
        return op.emitOpError("runs the weight gradient of stage ")
               << half.getStage() << " for micro-batch " << micro
               << (seen == 3 ? " a second time" : " before its input gradient");
      seen = 3;
    } else if (auto send = dyn_cast<SendActivationOp>(op))
      micro = send.getMicro();
    else if (auto recv = dyn_cast<RecvActivationOp>(op))
      micro = recv.getMicro();
    else if (auto send = dyn_cast<SendGradientOp>(op))
      micro = send.getMicro();
    else if (auto recv = dyn_cast<RecvGradientOp>(op))
      micro = recv.getMicro();
    else if (isa<OptimizerStepOp>(op))
      optimizer = &op;
    else if (!isa<BroadcastLossOp>(op))
      return op.emitOpError("is not a pipeline schedule action");
    if (micro >= microBatches)
      return op.emitOpError("names micro-batch ")
             << micro << ", but the step has " << microBatches
             << " per data-parallel rank";
  }
  // Validation runs forwards only and takes no optimizer step.
  if (evaluation) {
    for (auto [key, seen] : state)
      if (seen != 1)
        return rank.emitOpError("runs a backward in a validation schedule");
    if (optimizer)
      return rank.emitOpError("takes an optimizer step in a validation "
                              "schedule");
    return success();
  }
  for (auto [key, seen] : state)
    if (seen != 3)
      return rank.emitOpError(seen == 2 ? "never runs the weight gradient of "
                                          "stage "
                                        : "never runs the backward of stage ")
             << key.first << " for micro-batch " << key.second;
  if (!optimizer)
    return rank.emitOpError("does not end with a dist.optimizer_step");
  return success();
}

LogicalResult PipelineRankOp::verify() {
  auto schedule = cast<ScheduleOp>((*this)->getParentOp());
  const int64_t microBatches = schedule.getMicroBatches();
  if (schedule.getKind() != "accumulate")
    return verifyPipelineList(*this, microBatches,
                              schedule.getKind() == "evaluate");
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
static LogicalResult verifyEntry(Operation *op, SymbolRefAttr entry,
                                 SymbolTableCollection &symbolTable) {
  if (!entry)
    return success();
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

LogicalResult ForwardOp::verifySymbolUses(SymbolTableCollection &symbolTable) {
  return verifyEntry(*this, getEntryAttr(), symbolTable);
}

LogicalResult BackwardOp::verifySymbolUses(SymbolTableCollection &symbolTable) {
  return verifyEntry(*this, getEntryAttr(), symbolTable);
}

LogicalResult
BackwardInputOp::verifySymbolUses(SymbolTableCollection &symbolTable) {
  return verifyEntry(*this, getEntryAttr(), symbolTable);
}

LogicalResult
BackwardWeightOp::verifySymbolUses(SymbolTableCollection &symbolTable) {
  return verifyEntry(*this, getEntryAttr(), symbolTable);
}

llvm::SmallVector<ScheduleOp> ptc::dist::getTrainingSchedules(ModuleOp module) {
  llvm::SmallVector<ScheduleOp> schedules;
  for (auto schedule : module.getOps<ScheduleOp>())
    if (schedule.getKind() != "evaluate")
      schedules.push_back(schedule);
  return schedules;
}
