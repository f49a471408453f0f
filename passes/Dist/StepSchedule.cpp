//===- StepSchedule.cpp - dist-step-schedule ------------------------------===//
//
// Writes the training step's order of work as a dist.schedule; see
// Passes.td.
//
//===----------------------------------------------------------------------===//

#include "passes/Dist/Mesh.h"
#include "passes/Dist/Passes.h"
#include "passes/Dist/RampUp.h"

#include "dialects/Graph/IR/GraphOps.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"

namespace ptc::dist {
#define GEN_PASS_DEF_DISTSTEPSCHEDULE
#include "passes/Dist/Passes.h.inc"
} // namespace ptc::dist

using namespace mlir;
using namespace ptc;
using namespace ptc::dist;

namespace {

/// The function whose `ptc.entry` is `entry`, or null.
func::FuncOp findEntry(ModuleOp module, StringRef entry) {
  for (auto fn : module.getOps<func::FuncOp>())
    if (auto name = fn->getAttrOfType<StringAttr>("ptc.entry"))
      if (name.getValue() == entry)
        return fn;
  return nullptr;
}

struct DistStepSchedulePass
    : public ptc::dist::impl::DistStepScheduleBase<DistStepSchedulePass> {
  void runOnOperation() override {
    ModuleOp module = getOperation();
    if (!module.getOps<ScheduleOp>().empty()) {
      module.emitError("dist-step-schedule: the module already has a "
                       "dist.schedule");
      return signalPassFailure();
    }
    ParallelDegrees degrees = readParallelDegrees(module);
    // Pipeline stages: dist-pipeline-schedule writes the schedule of all
    // ranks into the outer module.
    if (degrees.pp != 1)
      return;
    func::FuncOp micro = findEntry(module, "micro_step");
    func::FuncOp optimizer = findEntry(module, "optimizer_step");
    if (!micro || !optimizer) {
      module.emitError("dist-step-schedule: no @micro_step and "
                       "@optimizer_step entry points (run graph-optimizer "
                       "first)");
      return signalPassFailure();
    }
    // graph-optimizer decided the count when it scaled the gradients by
    // its inverse; the schedule reads it, never re-derives it.
    auto count = micro->getAttrOfType<IntegerAttr>("ptc.micro_steps");
    if (!count || count.getInt() < 1) {
      micro.emitError("dist-step-schedule: @micro_step has no positive "
                      "ptc.micro_steps (set by graph-optimizer)");
      return signalPassFailure();
    }
    func::FuncOp last = findEntry(module, "last_micro_step");
    // A batch-size ramp-up: one schedule per phase, each with the step it
    // starts at and the factor that rescales the full batch's accumulators.
    auto training = graph::TrainingAttr::lookup(module);
    if (training && training.getRampupStart() > 0) {
      const int64_t replica = training.getMicroBatchSize() * degrees.dp;
      for (const RampPhase &phase : rampPhases(
               training.getRampupStart(), training.getRampupIncrement(),
               training.getRampupSamples(), training.getGlobalBatchSize(),
               replica))
        buildAccumulation(module, phase.microBatches, degrees.dp, micro, last,
                          optimizer, phase.firstStep,
                          double(count.getInt()) / double(phase.microBatches));
      return;
    }
    buildAccumulation(module, count.getInt(), degrees.dp, micro, last,
                      optimizer);
  }

  /// pp = 1: every micro-batch loaded, then its forward and backward; the
  /// last one reduces the gradients when the program has last_micro_step.
  void buildAccumulation(ModuleOp module, int64_t microBatches, int64_t dp,
                         func::FuncOp micro, func::FuncOp last,
                         func::FuncOp optimizer,
                         std::optional<int64_t> firstStep = std::nullopt,
                         double gradScale = 1) {
    OpBuilder builder(module.getContext());
    builder.setInsertionPointToEnd(module.getBody());
    Location loc = module.getLoc();
    auto schedule = ScheduleOp::create(
        builder, loc, builder.getStringAttr("accumulate"),
        builder.getI64IntegerAttr(microBatches), builder.getI64IntegerAttr(dp),
        firstStep ? builder.getI64IntegerAttr(*firstStep) : IntegerAttr(),
        firstStep ? builder.getF64FloatAttr(gradScale) : FloatAttr());
    builder.createBlock(&schedule.getBody());
    auto rank = PipelineRankOp::create(builder, loc, 0);
    builder.createBlock(&rank.getActions());
    for (int64_t m = 0; m < microBatches; ++m) {
      LoadMicroBatchOp::create(builder, loc, m);
      func::FuncOp fn = last && m + 1 == microBatches ? last : micro;
      ForwardBackwardOp::create(builder, loc, fn.getSymName(), /*chunk=*/0, m);
    }
    OptimizerStepOp::create(builder, loc,
                            FlatSymbolRefAttr::get(optimizer.getSymNameAttr()));
  }
};

} // namespace
