//===- PipelineSchedule.cpp - dist-pipeline-schedule ----------------------===//
//
// The checked pipeline schedule of every rank as a dist.schedule; see
// Passes.td.
//
//===----------------------------------------------------------------------===//

#include "passes/Dist/Mesh.h"
#include "passes/Dist/Passes.h"
#include "passes/Dist/RampUp.h"
#include "passes/Dist/Schedule/Build.h"

#include "dialects/Dist/IR/StageSlots.h"

#include "dialects/Graph/IR/GraphOps.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"

#include <fmt/format.h>
#include <map>

namespace ptc::dist {
#define GEN_PASS_DEF_DISTPIPELINESCHEDULE
#include "passes/Dist/Passes.h.inc"
} // namespace ptc::dist

using namespace mlir;
using namespace ptc;
using namespace ptc::dist;

namespace {

/// Stash slots of one kind of received tensor of one stage: the lowest
/// free slot at the receive, freed by the backward.
struct StashPool {
  std::vector<bool> used;
  std::map<int64_t, int64_t> slotOf; // micro-batch -> slot

  int64_t take(int64_t micro) {
    size_t slot = 0;
    while (slot < used.size() && used[slot])
      ++slot;
    if (slot == used.size())
      used.push_back(false);
    used[slot] = true;
    return slotOf[micro] = int64_t(slot);
  }
  std::optional<int64_t> release(int64_t micro) {
    auto it = slotOf.find(micro);
    if (it == slotOf.end())
      return std::nullopt;
    int64_t slot = it->second;
    used[size_t(slot)] = false;
    slotOf.erase(it);
    return slot;
  }
};

struct DistPipelineSchedulePass
    : public ptc::dist::impl::DistPipelineScheduleBase<
          DistPipelineSchedulePass> {
  void runOnOperation() override {
    if (failed(run(getOperation())))
      signalPassFailure();
  }

  LogicalResult run(ModuleOp module) {
    auto parallel = ParallelAttr::lookup(module);
    if (!parallel || parallel.getPp() == 1)
      return success();
    const int64_t pp = parallel.getPp();
    SmallVector<ModuleOp> ranks(module.getOps<ModuleOp>());
    if (int64_t(ranks.size()) != pp)
      return module.emitError("dist-pipeline-schedule: expected ")
             << pp << " pipeline rank modules (run dist-pipeline-split), found "
             << ranks.size();
    if (!module.getOps<ScheduleOp>().empty())
      return module.emitError("dist-pipeline-schedule: the module already "
                              "has a dist.schedule");
    // The micro-batches graph-optimizer decided (never re-derived).
    int64_t microBatches = 0;
    for (ModuleOp rank : ranks)
      for (auto fn : rank.getOps<func::FuncOp>())
        if (auto count = fn->getAttrOfType<IntegerAttr>("ptc.micro_steps"))
          microBatches = count.getInt();
    if (microBatches < 1)
      return module.emitError("dist-pipeline-schedule: no stage backward "
                              "with ptc.micro_steps (run graph-optimizer)");

    // A batch-size ramp-up: one schedule per phase (passes/Dist/RampUp.h).
    const std::string file = parallel.getScheduleFile().str();
    std::vector<RampPhase> phases = {{1, microBatches}};
    auto training = graph::TrainingAttr::lookup(module);
    const bool ramp = training && training.getRampupStart() > 0;
    if (ramp && !file.empty())
      return module.emitError("parallel.schedule_file: a schedule file lists "
                              "a fixed number of micro-batches; "
                              "training.batch_size_rampup changes it from "
                              "step to step (use a generated schedule)");
    if (ramp)
      phases =
          rampPhases(training.getRampupStart(), training.getRampupIncrement(),
                     training.getRampupSamples(), training.getGlobalBatchSize(),
                     training.getMicroBatchSize() * parallel.getDp());
    if (failed(declareCommunicators(module, ranks)))
      return failure();
    OpBuilder builder(module.getContext());
    for (const RampPhase &phase : phases) {
      schedule::ScheduleShape shape;
      shape.kind = file.empty()
                       ? stringifyPipelineSchedule(parallel.getSchedule()).str()
                       : "file";
      shape.pp = int(pp);
      shape.virtualStages = int(parallel.getVirtualStages());
      shape.microBatches = int(phase.microBatches);
      schedule::Schedule lists;
      if (auto error = schedule::buildSchedule(shape, file, {}, lists))
        return module.emitError(file.empty() ? "parallel.schedule: "
                                             : "parallel.schedule_file: ")
               << error->format(file.empty() ? shape.kind : file)
               << (ramp ? " (a phase of training.batch_size_rampup)" : "");
      builder.setInsertionPointToEnd(module.getBody());
      auto scheduleOp = ScheduleOp::create(
          builder, module.getLoc(), builder.getStringAttr(shape.kind),
          builder.getI64IntegerAttr(phase.microBatches),
          builder.getI64IntegerAttr(parallel.getDp()),
          ramp ? builder.getI64IntegerAttr(phase.firstStep) : IntegerAttr(),
          ramp ? builder.getF64FloatAttr(double(microBatches) /
                                         double(phase.microBatches))
               : FloatAttr());
      builder.createBlock(&scheduleOp.getBody());
      for (int64_t r = 0; r < pp; ++r) {
        OpBuilder::InsertionGuard guard(builder);
        auto rankOp = PipelineRankOp::create(builder, module.getLoc(), r);
        builder.createBlock(&rankOp.getActions());
        if (failed(buildRank(builder, lists, r, ranks[size_t(r)])))
          return failure();
      }
    }
    buildEvaluation(builder, module, ranks, parallel);
    dropUncalledBackwards(module, ranks);
    return success();
  }

  /// The chunk backward entry points no action calls: the fused one when
  /// the schedule runs its halves apart, or the halves (dist-split-backward)
  /// when it runs it whole. They would cost io slots and compile time.
  void dropUncalledBackwards(ModuleOp module, ArrayRef<ModuleOp> ranks) {
    llvm::DenseSet<SymbolRefAttr> called;
    module.walk([&](Operation *op) {
      if (isa<BackwardOp, BackwardInputOp, BackwardWeightOp>(op))
        called.insert(op->getAttrOfType<SymbolRefAttr>("entry"));
    });
    for (ModuleOp rank : ranks)
      for (auto fn : llvm::make_early_inc_range(rank.getOps<func::FuncOp>()))
        if (fn->hasAttr("ptc.stage") && fn->hasAttr("ptc.micro_steps") &&
            !called.contains(SymbolRefAttr::get(
                rank.getSymNameAttr(),
                {FlatSymbolRefAttr::get(fn.getSymNameAttr())})))
          fn.erase();
  }

  /// Validation of one micro-batch: its forward through the stages in
  /// order, each rank running its chunks as their inputs arrive (a chain:
  /// every receive waits only on an earlier stage, so no cycle of waits),
  /// the last stage's loss broadcast to every pipeline rank.
  void buildEvaluation(OpBuilder &builder, ModuleOp module,
                       ArrayRef<ModuleOp> ranks, ParallelAttr parallel) {
    const int64_t pp = int64_t(ranks.size());
    const int64_t stages = pp * parallel.getVirtualStages();
    Location loc = module.getLoc();
    auto i64 = [&](int64_t v) { return builder.getI64IntegerAttr(v); };
    builder.setInsertionPointToEnd(module.getBody());
    // Every data-parallel rank validates the same micro-batches (as
    // without stages): data_parallel(1).
    auto evaluation =
        ScheduleOp::create(builder, loc, builder.getStringAttr("evaluate"),
                           i64(1), i64(1), IntegerAttr(), FloatAttr());
    builder.createBlock(&evaluation.getBody());
    for (int64_t r = 0; r < pp; ++r) {
      OpBuilder::InsertionGuard guard(builder);
      auto rankOp = PipelineRankOp::create(builder, loc, r);
      builder.createBlock(&rankOp.getActions());
      auto rankName = ModuleOp(ranks[size_t(r)]).getSymNameAttr();
      for (int64_t s = r; s < stages; s += pp) {
        const bool first = s == 0, last = s + 1 == stages;
        if (first || last)
          LoadMicroBatchOp::create(builder, loc, 0);
        if (!first)
          RecvActivationOp::create(
              builder, loc, i64(s), i64(0), i64((s - 1) % pp),
              builder.getStringAttr(fmt::format("pp_fwd{}", (s - 1) % pp)),
              i64(0));
        ForwardOp::create(
            builder, loc, i64(s), i64(0), first ? IntegerAttr() : i64(0),
            SymbolRefAttr::get(
                rankName,
                {FlatSymbolRefAttr::get(builder.getContext(),
                                        fmt::format("stage{}_forward", s))}),
            last ? builder.getUnitAttr() : UnitAttr());
        if (!last)
          SendActivationOp::create(
              builder, loc, i64(s), i64(0), i64((s + 1) % pp),
              builder.getStringAttr(fmt::format("pp_fwd{}", r)), IntegerAttr());
      }
      BroadcastLossOp::create(builder, loc, i64((stages - 1) % pp),
                              builder.getStringAttr("pp"));
    }
  }

  /// The same communicator table on every rank module and the outer one.
  LogicalResult declareCommunicators(ModuleOp module,
                                     ArrayRef<ModuleOp> ranks) {
    MLIRContext *context = module.getContext();
    Builder b(context);
    const int64_t pp = int64_t(ranks.size());
    SmallVector<Attribute> comms;
    const std::vector<std::vector<StringRef>> axisSets = {
        {"tp"}, {"dp"}, {"dp", "tp"}, {"pp"}};
    for (const std::vector<StringRef> &axes : axisSets)
      comms.push_back(axisList(context, axes));
    auto group = [&](std::string name, ArrayRef<int64_t> members) {
      comms.push_back(b.getDictionaryAttr(
          {b.getNamedAttr("name", b.getStringAttr(name)),
           b.getNamedAttr("axes", axisList(context, {"pp"})),
           b.getNamedAttr("members", b.getDenseI64ArrayAttr(members))}));
    };
    for (int64_t r = 0; r < pp; ++r) {
      group(fmt::format("pp_fwd{}", r), {r, (r + 1) % pp});
      group(fmt::format("pp_bwd{}", r), {r, (r + 1) % pp});
    }
    // The groups of parameters held by several ranks (the tied embedding).
    SmallVector<DenseI64ArrayAttr> tied;
    for (ModuleOp rank : ranks)
      for (auto param : rank.getOps<graph::ParamOp>())
        if (auto holders =
                param->getAttrOfType<DenseI64ArrayAttr>("ptc.tied_ranks"))
          if (!llvm::is_contained(tied, holders))
            tied.push_back(holders);
    for (DenseI64ArrayAttr holders : tied)
      group(fmt::format("pp_tied{}", fmt::join(holders.asArrayRef(), "_")),
            holders.asArrayRef());
    ArrayAttr table = b.getArrayAttr(comms);
    module->setAttr("ptc.comms", table);
    for (ModuleOp rank : ranks) {
      getOrCreateMesh(rank, readParallelDegrees(rank));
      rank->setAttr("ptc.comms", table);
    }
    return success();
  }

  /// How many values stage `stage`'s input-gradient half leaves for its
  /// weight half (the weight half's arguments, dist-split-backward).
  FailureOr<int64_t> carriedCount(ModuleOp rankModule, int64_t stage) {
    std::string name = fmt::format("stage{}_backward_weight", stage);
    auto weight = rankModule.lookupSymbol<func::FuncOp>(name);
    if (!weight ||
        !rankModule.lookupSymbol(fmt::format("stage{}_backward_input", stage)))
      return rankModule.emitError("dist-pipeline-schedule: the schedule runs "
                                  "the input and weight gradients of stage ")
             << stage << " apart, but the rank has no @" << name
             << " (run dist-split-backward)";
    // The variant that also reduces the gradients reads the same values
    // from the same slots (dist-split-backward orders them by definition).
    auto last = rankModule.lookupSymbol<func::FuncOp>(
        fmt::format("stage{}_backward_last_weight", stage));
    if (last && last.getArgumentTypes() != weight.getArgumentTypes())
      return rankModule.emitError("dist-pipeline-schedule: @")
             << last.getSymName() << " reads other carried values than @"
             << name << " (a ptc bug)";
    return int64_t(weight.getNumArguments());
  }

  LogicalResult buildRank(OpBuilder &builder, const schedule::Schedule &lists,
                          int64_t r, ModuleOp rankModule) {
    MLIRContext *context = builder.getContext();
    Location loc = rankModule.getLoc();
    const int64_t pp = lists.pp, stages = lists.stages();
    auto rankName = rankModule.getSymNameAttr();
    auto entry = [&](StringRef name) -> SymbolRefAttr {
      return SymbolRefAttr::get(rankName,
                                {FlatSymbolRefAttr::get(context, name)});
    };
    std::map<int64_t, StashPool> inputs, grads, carries; // per stage
    std::map<int64_t, int64_t> carryPeak; // carry sets in flight, per stage
    std::map<std::string, int64_t> slots; // stash slots per io slot
    int64_t loaded = -1;
    auto loadIfNeeded = [&](int64_t micro) {
      if (loaded == micro)
        return;
      LoadMicroBatchOp::create(builder, loc, micro);
      loaded = micro;
    };
    auto noteSlots = [&](int64_t stage, StageSlot what, StashPool &pool) {
      int64_t &count = slots[stageSlotName(stage, what)];
      count = std::max(count, int64_t(pool.used.size()));
    };
    auto i64 = [&](int64_t v) { return builder.getI64IntegerAttr(v); };
    auto str = [&](const std::string &v) { return builder.getStringAttr(v); };
    using schedule::ActionKind;
    // Each chunk's last backward of the step (its whole backward or its
    // weight half) reduces the chunk's gradients over dp where
    // dist-data-parallel built that variant (`..._last`).
    const std::vector<schedule::Action> &list = lists.ranks[size_t(r)];
    std::map<int64_t, size_t> lastBackward; // stage -> index in `list`
    for (auto [i, action] : llvm::enumerate(list))
      if (action.kind == ActionKind::Backward ||
          action.kind == ActionKind::BackwardWeight)
        lastBackward[lists.stageOf(int(r), action.chunk)] = i;
    auto backwardEntry = [&](int64_t stage, size_t index, StringRef half) {
      std::string name = fmt::format("stage{}_backward", stage);
      std::string last = name + "_last" + half.str();
      if (lastBackward[stage] == index && rankModule.lookupSymbol(last))
        return entry(last);
      return entry(name + half.str());
    };
    // A backward's (or its input half's) received tensors: their stash
    // slots, freed, as the op's attributes (none on the first or last stage).
    auto releaseReceived =
        [&](int64_t stage, int64_t micro,
            StringRef what) -> FailureOr<std::pair<IntegerAttr, IntegerAttr>> {
      const bool first = stage == 0, last = stage + 1 == stages;
      if (first || last)
        loadIfNeeded(micro);
      std::optional<int64_t> stash, gradStash;
      if (!first)
        stash = inputs[stage].release(micro);
      if (!last)
        gradStash = grads[stage].release(micro);
      if ((!first && !stash) || (!last && !gradStash))
        return rankModule.emitError("dist-pipeline-schedule: rank ")
               << r << " runs the " << what << " of stage " << stage
               << " for micro-batch " << micro
               << " without its received tensors";
      auto asAttr = [&](std::optional<int64_t> v) {
        return v ? builder.getI64IntegerAttr(*v) : IntegerAttr();
      };
      return std::make_pair(asAttr(stash), asAttr(gradStash));
    };
    for (auto [index, action] : llvm::enumerate(list)) {
      const int64_t stage = lists.stageOf(int(r), action.chunk);
      const int64_t micro = action.micro;
      const bool first = stage == 0, last = stage + 1 == stages;
      switch (action.kind) {
      case ActionKind::LoadMicroBatch:
        loadIfNeeded(micro);
        break;
      case ActionKind::Forward: {
        std::optional<int64_t> stash;
        if (!first) {
          auto it = inputs[stage].slotOf.find(micro);
          if (it == inputs[stage].slotOf.end())
            return rankModule.emitError("dist-pipeline-schedule: rank ")
                   << r << " runs the forward of stage " << stage
                   << " for micro-batch " << micro << " before receiving it";
          stash = it->second;
        }
        if (first)
          loadIfNeeded(micro);
        SymbolRefAttr fn = last ? SymbolRefAttr()
                                : entry(fmt::format("stage{}_forward", stage));
        ForwardOp::create(builder, loc, i64(stage), i64(micro),
                          stash ? builder.getI64IntegerAttr(*stash)
                                : IntegerAttr(),
                          fn, UnitAttr());
        break;
      }
      case ActionKind::Backward: {
        auto received = releaseReceived(stage, micro, "backward");
        if (failed(received))
          return failure();
        BackwardOp::create(builder, loc, i64(stage), i64(micro),
                           received->first, received->second,
                           backwardEntry(stage, index, ""),
                           last ? builder.getUnitAttr() : UnitAttr());
        break;
      }
      case ActionKind::SendActivation:
        SendActivationOp::create(
            builder, loc, i64(stage), i64(micro), i64(action.peer),
            str(fmt::format("pp_fwd{}", r)), IntegerAttr());
        break;
      case ActionKind::RecvActivation: {
        int64_t slot = inputs[stage].take(micro);
        noteSlots(stage, StageSlot::Input, inputs[stage]);
        RecvActivationOp::create(
            builder, loc, i64(stage), i64(micro), i64(action.peer),
            str(fmt::format("pp_fwd{}", action.peer)), i64(slot));
        break;
      }
      case ActionKind::SendGradient:
        SendGradientOp::create(
            builder, loc, i64(stage), i64(micro), i64(action.peer),
            str(fmt::format("pp_bwd{}", action.peer)), IntegerAttr());
        break;
      case ActionKind::RecvGradient: {
        int64_t slot = grads[stage].take(micro);
        noteSlots(stage, StageSlot::OutputGrad, grads[stage]);
        RecvGradientOp::create(builder, loc, i64(stage), i64(micro),
                               i64(action.peer),
                               str(fmt::format("pp_bwd{}", r)), i64(slot));
        break;
      }
      case ActionKind::ReduceGradients:
      case ActionKind::SyncTiedGradients:
        // No op of their own: the chunk's last backward (backwardEntry's
        // `_last` variant) reduces over dp, the optimizer step sums the
        // tied copies (dist-data-parallel).
        break;
      case ActionKind::OptimizerStep:
        BroadcastLossOp::create(builder, loc, i64((stages - 1) % pp),
                                str("pp"));
        OptimizerStepOp::create(builder, loc, entry("optimizer_step"));
        break;
      case ActionKind::BackwardInput: {
        auto received = releaseReceived(stage, micro, "input gradient");
        if (failed(received))
          return failure();
        FailureOr<int64_t> carried = carriedCount(rankModule, stage);
        if (failed(carried))
          return failure();
        int64_t slot = carries[stage].take(micro);
        carryPeak[stage] =
            std::max(carryPeak[stage], int64_t(carries[stage].used.size()));
        BackwardInputOp::create(
            builder, loc, i64(stage), i64(micro), received->first,
            received->second, i64(*carried), i64(slot),
            entry(fmt::format("stage{}_backward_input", stage)),
            last ? builder.getUnitAttr() : UnitAttr());
        break;
      }
      case ActionKind::BackwardWeight: {
        std::optional<int64_t> slot = carries[stage].release(micro);
        FailureOr<int64_t> carried = carriedCount(rankModule, stage);
        if (failed(carried))
          return failure();
        if (!slot)
          return rankModule.emitError("dist-pipeline-schedule: rank ")
                 << r << " runs the weight gradient of stage " << stage
                 << " for micro-batch " << micro
                 << " before its input gradient";
        BackwardWeightOp::create(builder, loc, i64(stage), i64(micro),
                                 i64(*carried), i64(*slot),
                                 backwardEntry(stage, index, "_weight"));
        break;
      }
      }
    }
    // The carried values wait in stash slots only where two input halves
    // of a stage may run before their weight halves; with one in flight
    // they wait in the slots the input half wrote.
    for (auto [stage, peak] : carryPeak) {
      if (peak > 1) {
        auto weight = rankModule.lookupSymbol<func::FuncOp>(
            fmt::format("stage{}_backward_weight", stage));
        for (int64_t i = 0; i < weight.getNumArguments(); ++i) {
          int64_t &count = slots[carrySlotName(stage, i)];
          count = std::max(count, peak);
        }
      }
    }
    for (Operation &op : *builder.getInsertionBlock()) {
      std::optional<int64_t> stage;
      if (auto half = dyn_cast<BackwardInputOp>(op))
        stage = half.getStage();
      else if (auto half = dyn_cast<BackwardWeightOp>(op))
        stage = half.getStage();
      if (stage && carryPeak[*stage] <= 1)
        op.removeAttr("carry_stash");
    }
    // The most any phase's schedule holds at once.
    if (auto earlier =
            rankModule->getAttrOfType<DictionaryAttr>("ptc.stash_slots"))
      for (NamedAttribute named : earlier) {
        int64_t &count = slots[named.getName().str()];
        count = std::max(count, cast<IntegerAttr>(named.getValue()).getInt());
      }
    SmallVector<NamedAttribute> counts;
    for (auto &[slot, count] : slots)
      counts.push_back(
          builder.getNamedAttr(slot, builder.getI64IntegerAttr(count)));
    rankModule->setAttr("ptc.stash_slots", builder.getDictionaryAttr(counts));
    return success();
  }
};

} // namespace
