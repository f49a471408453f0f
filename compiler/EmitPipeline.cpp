//===- EmitPipeline.cpp - The program of a pipeline-parallel plan ---------===//

#include "compiler/EmitPipeline.h"

#include "dialects/Dist/IR/DistOps.h"
#include "dialects/Dist/IR/StageSlots.h"
#include "dialects/Exec/IR/ExecOps.h"

#include "llvm/ADT/TypeSwitch.h"

#include <fmt/format.h>

using namespace mlir;

namespace ptc {
namespace {

class PipelineEmitter {
public:
  PipelineEmitter(ModuleOp module, raw_ostream &os, EmitTarget target)
      : module(module), os(os), target(target) {}

  LogicalResult emit() {
    ranks.assign(module.getOps<ModuleOp>().begin(),
                 module.getOps<ModuleOp>().end());
    // Training schedules (one per ramp-up phase) and the validation one.
    for (auto each : module.getOps<dist::ScheduleOp>())
      (each.getKind() == "evaluate" ? evaluation : schedules.emplace_back()) =
          each;
    if (schedules.empty())
      return module.emitError("emitter: a pipeline program needs a "
                              "dist.schedule (run dist-pipeline-schedule)");
    // Under a batch-size ramp-up, one schedule per phase; the last one is
    // the full batch's.
    schedule = schedules.back();
    for (size_t phase = 0; phase < schedules.size(); ++phase) {
      SmallVector<std::string> names;
      for (size_t r = 0; r < ranks.size(); ++r)
        names.push_back(schedules.size() == 1
                            ? fmt::format("step_rank{}", r)
                            : fmt::format("step_rank{}_phase{}", r, phase));
      phaseFunctions.push_back(names);
    }
    comms = module->getAttrOfType<ArrayAttr>("ptc.comms");
    if (!comms)
      return module.emitError("emitter: the pipeline program has no "
                              "ptc.comms table");
    for (ModuleOp rank : ranks)
      if (rank->getAttr("ptc.comms") != comms)
        return rank.emitError("emitter: this pipeline rank's communicators "
                              "differ from the program's (a ptc bug: every "
                              "rank must index the same table)");
    for (auto [i, comm] : llvm::enumerate(comms))
      commIndex[communicatorName(comm)] = int64_t(i);

    bool profile = module->hasAttr("ptc.profile");
    StringRef name = module.getSymName() ? *module.getSymName() : "model";
    emitPrelude(os, name, target, profile);
    os << "namespace ptc_program {\n\nusing namespace ptc::kernels;\n\n";
    StageEmitOptions options;
    if (failed(emitMesh(options)))
      return failure();
    options.numRanks = int64_t(ranks.size());
    options.microBatches = schedule.getMicroBatches();
    for (ModuleOp rank : ranks)
      rank.walk([&](exec::GlobalOp global) {
        if (auto index =
                global->getAttrOfType<IntegerAttr>("ptc.checkpoint_index"))
          options.numCheckpointParams =
              std::max(options.numCheckpointParams, index.getInt() + 1);
      });
    for (auto &names : phaseFunctions)
      for (const std::string &name : names)
        os << "bool " << name << "(ptc::abi::StepHost *host, double *loss);\n";
    os << "const ptc::abi::StepFunction kSteps[] = {"
       << fmt::format("{}", fmt::join(phaseFunctions.back(), ", "))
       << "};\nextern const ptc::abi::Model *const kPipelineModels[];\n\n";
    options.rampFields = emitRampTable(os, module, phaseFunctions, "");
    if (evaluation) {
      for (size_t r = 0; r < ranks.size(); ++r)
        os << "bool eval_rank" << r
           << "(ptc::abi::StepHost *host, double *loss);\n";
      os << "const ptc::abi::StepFunction kEvalSteps[] = {";
      for (size_t r = 0; r < ranks.size(); ++r)
        os << (r ? ", " : "") << "eval_rank" << r;
      os << "};\n\n";
      if (options.rampFields.empty())
        options.rampFields = "    /*numRampPhases=*/0, nullptr,\n";
      options.evalFields = "    kEvalSteps,\n";
    }
    for (auto [r, rank] : llvm::enumerate(ranks)) {
      options.rank = int64_t(r);
      os << "namespace " << rank.getSymName().value_or("rank") << " {\n\n";
      FailureOr<StageEmission> emitted =
          emitPipelineRank(rank, os, target, options);
      if (failed(emitted))
        return failure();
      stages.push_back(std::move(*emitted));
      os << "} // namespace " << rank.getSymName().value_or("rank") << "\n\n";
    }
    for (auto [phase, each] : llvm::enumerate(schedules))
      for (auto rank : each.getBody().getOps<dist::PipelineRankOp>())
        if (failed(emitStepFunction(
                rank, each, phaseFunctions[phase][size_t(rank.getRank())])))
          return failure();
    if (evaluation)
      for (auto rank : evaluation.getBody().getOps<dist::PipelineRankOp>())
        if (failed(emitStepFunction(
                rank, evaluation, fmt::format("eval_rank{}", rank.getRank()))))
          return failure();
    os << "const ptc::abi::Model *const kPipelineModels[] = {";
    for (auto [r, rank] : llvm::enumerate(ranks))
      os << (r ? ", " : "") << "&" << rank.getSymName().value_or("rank")
         << "::kModel";
    os << "};\n\n} // namespace ptc_program\n\n";
    emitMain(os,
             ("ptc_program::" + ranks.front().getSymName().value_or("rank") +
              "::kModel")
                 .str(),
             target, profile);
    return success();
  }

private:
  LogicalResult emitMesh(StageEmitOptions &options) {
    dist::MeshOp mesh = dist::getModuleMesh(ranks.front());
    if (!mesh)
      return ranks.front().emitError("emitter: a pipeline rank without a "
                                     "dist.mesh");
    os << "const ptc::abi::MeshAxis kMesh[] = {\n";
    for (auto [name, size] :
         llvm::zip(mesh.getAxisNames().getAsValueRange<StringAttr>(),
                   mesh.getShape()))
      os << fmt::format("    {{\"{}\", {}}},\n", name.str(), size);
    os << "};\n\nconst ptc::abi::Communicator kComms[] = {\n";
    for (Attribute comm : comms)
      os << communicatorEntry(ranks.front(), comm);
    os << "};\n\n";
    options.meshFields = fmt::format("    {}, kMesh, {}, kComms,\n",
                                     mesh.getRank(), comms.size());
    return success();
  }

  /// The index of communicator `name` and `peer`'s place in its group.
  FailureOr<std::pair<int64_t, int64_t>> group(Operation *op, StringRef name,
                                               int64_t peer) {
    auto it = commIndex.find(name);
    if (it == commIndex.end())
      return op->emitOpError("names communicator \"")
             << name << "\", which is not in the program's ptc.comms";
    int64_t place = peer; // a whole axis: its coordinate
    if (auto dict = dyn_cast<DictionaryAttr>(comms[size_t(it->second)])) {
      auto members = cast<DenseI64ArrayAttr>(dict.get("members"));
      auto found = llvm::find(members.asArrayRef(), peer);
      if (found == members.asArrayRef().end())
        return op->emitOpError("names rank ")
               << peer << ", which is not in communicator \"" << name << "\"";
      place = found - members.asArrayRef().begin();
    }
    return std::make_pair(it->second, place);
  }

  FailureOr<int64_t> io(Operation *op, int64_t rank, const std::string &slot) {
    auto &index = stages[size_t(rank)].ioIndex;
    auto it = index.find(slot);
    if (it == index.end())
      return op->emitOpError("needs io slot \"")
             << slot << "\", which pipeline rank " << rank << " lacks";
    return it->second;
  }

  FailureOr<std::string> entry(Operation *op, int64_t rank,
                               SymbolRefAttr symbol) {
    auto &entries = stages[size_t(rank)].entries;
    auto it = entries.find(symbol.getLeafReference().getValue());
    if (it == entries.end())
      return op->emitOpError("calls ")
             << symbol << ", which is no entry point of pipeline rank " << rank;
    return (ranks[size_t(rank)].getSymName().value_or("rank") +
            "::" + it->second)
        .str();
  }

  void check(const std::string &call) {
    os << "  if (!host->" << call << ")\n    return false;\n";
  }

  LogicalResult copy(Operation *op, int64_t rank, std::string to,
                     std::string from) {
    FailureOr<int64_t> target = io(op, rank, to), source = io(op, rank, from);
    if (failed(target) || failed(source))
      return failure();
    check(fmt::format("copy(host, {}, {})", *target, *source));
    return success();
  }

  LogicalResult transfer(Operation *op, int64_t rank, const char *call,
                         StringRef comm, int64_t peer, std::string slot) {
    auto where = group(op, comm, peer);
    FailureOr<int64_t> index = io(op, rank, slot);
    if (failed(where) || failed(index))
      return failure();
    check(fmt::format("{}(host, {}, {}, {})", call, where->first, where->second,
                      *index));
    return success();
  }

  /// Copies the tensors a chunk received from their stash slots into the
  /// slots its entry point reads.
  LogicalResult unstash(Operation *op, int64_t rank, int64_t stage,
                        std::optional<uint64_t> input,
                        std::optional<uint64_t> outputGrad) {
    using dist::StageSlot;
    for (auto [what, stash] : {std::pair{StageSlot::Input, input},
                               std::pair{StageSlot::OutputGrad, outputGrad}}) {
      if (!stash)
        continue;
      std::string slot = dist::stageSlotName(stage, what);
      if (failed(
              copy(op, rank, slot, dist::stashSlotName(slot, int64_t(*stash)))))
        return failure();
    }
    return success();
  }

  /// Writes the micro-batch into "micro" and runs the chunk's entry point;
  /// with `loss`, adds the micro-batch's loss to the step's.
  LogicalResult runChunk(Operation *op, int64_t rank, uint64_t micro,
                         SymbolRefAttr symbol, bool loss, int64_t &losses) {
    check(fmt::format("setMicro(host, {})", micro));
    FailureOr<std::string> fn = entry(op, rank, symbol);
    if (failed(fn))
      return failure();
    check(fmt::format("run(host, {})", *fn));
    if (loss) {
      check("peekLoss(host, &microLoss)");
      os << "  lossSum += microLoss;\n";
      ++losses;
    }
    return success();
  }

  /// The values a split backward carries from its input half to its weight
  /// half: into stash slot `stash` after the input half, or back.
  LogicalResult moveCarried(Operation *op, int64_t rank, int64_t stage,
                            uint64_t count, uint64_t stash, bool intoStash) {
    for (uint64_t i = 0; i < count; ++i) {
      std::string slot = dist::carrySlotName(stage, int64_t(i));
      std::string stashed = dist::stashSlotName(slot, int64_t(stash));
      if (failed(intoStash ? copy(op, rank, stashed, slot)
                           : copy(op, rank, slot, stashed)))
        return failure();
    }
    return success();
  }

  LogicalResult emitStepFunction(dist::PipelineRankOp rankOp,
                                 dist::ScheduleOp schedule,
                                 const std::string &name) {
    const int64_t r = rankOp.getRank();
    const int64_t microBatches = schedule.getMicroBatches();
    os << "bool " << name << "(ptc::abi::StepHost *host, double *loss) {\n";
    // Only the rank of the last stage reads losses.
    bool readsLoss = false;
    rankOp.walk(
        [&](dist::BackwardOp backward) { readsLoss |= backward.getLoss(); });
    rankOp.walk(
        [&](dist::BackwardInputOp half) { readsLoss |= half.getLoss(); });
    rankOp.walk(
        [&](dist::ForwardOp forward) { readsLoss |= forward.getLoss(); });
    if (readsLoss)
      os << "  double lossSum = 0, microLoss = 0;\n";
    int64_t losses = 0;
    using dist::StageSlot;
    auto stageSlot = [](int64_t stage, StageSlot what) {
      return dist::stageSlotName(stage, what);
    };
    auto stashed = [](int64_t stage, StageSlot what, int64_t k) {
      return dist::stashSlotName(dist::stageSlotName(stage, what), k);
    };
    for (Operation &action : rankOp.getActions().front()) {
      LogicalResult printed =
          TypeSwitch<Operation *, LogicalResult>(&action)
              .Case([&](dist::LoadMicroBatchOp load) {
                // Data-parallel ranks share a step's micro-batches (each
                // its own); with data_parallel(1) (validation) every rank
                // reads the same ones.
                if (schedule.getDataParallel() > 1)
                  check(fmt::format("load(host, host->dpRank * {} + {}, {})",
                                    microBatches, load.getMicro(),
                                    load.getMicro()));
                else
                  check(fmt::format("load(host, {}, {})", load.getMicro(),
                                    load.getMicro()));
                return success();
              })
              .Case([&](dist::ForwardOp forward) -> LogicalResult {
                if (!forward.getEntry())
                  return success(); // the last stage: kept in its stash
                if (failed(unstash(&action, r, forward.getStage(),
                                   forward.getStash(), std::nullopt)))
                  return failure();
                return runChunk(&action, r, forward.getMicro(),
                                *forward.getEntry(), forward.getLoss(), losses);
              })
              .Case([&](dist::BackwardOp backward) -> LogicalResult {
                int64_t s = backward.getStage();
                if (failed(unstash(&action, r, s, backward.getStash(),
                                   backward.getGradStash())))
                  return failure();
                return runChunk(&action, r, backward.getMicro(),
                                backward.getEntry(), backward.getLoss(),
                                losses);
              })
              .Case([&](dist::BackwardInputOp half) -> LogicalResult {
                int64_t s = half.getStage();
                if (failed(unstash(&action, r, s, half.getStash(),
                                   half.getGradStash())) ||
                    failed(runChunk(&action, r, half.getMicro(),
                                    half.getEntry(), half.getLoss(), losses)))
                  return failure();
                if (auto stash = half.getCarryStash())
                  return moveCarried(&action, r, s, half.getCarried(), *stash,
                                     /*intoStash=*/true);
                return success();
              })
              .Case([&](dist::BackwardWeightOp half) -> LogicalResult {
                int64_t s = half.getStage();
                if (auto stash = half.getCarryStash();
                    stash &&
                    failed(moveCarried(&action, r, s, half.getCarried(), *stash,
                                       /*intoStash=*/false)))
                  return failure();
                return runChunk(&action, r, half.getMicro(), half.getEntry(),
                                /*loss=*/false, losses);
              })
              .Case([&](dist::SendActivationOp send) {
                return transfer(&action, r, "send", send.getComm(),
                                send.getPeer(),
                                stageSlot(send.getStage(), StageSlot::Output));
              })
              .Case([&](dist::RecvActivationOp recv) {
                return transfer(&action, r, "recv", recv.getComm(),
                                recv.getPeer(),
                                stashed(recv.getStage(), StageSlot::Input,
                                        recv.getStash().value_or(0)));
              })
              .Case([&](dist::SendGradientOp send) {
                return transfer(
                    &action, r, "send", send.getComm(), send.getPeer(),
                    stageSlot(send.getStage(), StageSlot::InputGrad));
              })
              .Case([&](dist::RecvGradientOp recv) {
                return transfer(&action, r, "recv", recv.getComm(),
                                recv.getPeer(),
                                stashed(recv.getStage(), StageSlot::OutputGrad,
                                        recv.getStash().value_or(0)));
              })
              .Case([&](dist::BroadcastLossOp share) -> LogicalResult {
                auto where = group(&action, share.getComm(), share.getRoot());
                if (failed(where))
                  return failure();
                if (losses)
                  os << fmt::format("  *loss = lossSum / double({});\n",
                                    losses);
                check(fmt::format("broadcastLoss(host, {}, {}, loss)",
                                  where->first, where->second));
                return success();
              })
              .Case([&](dist::OptimizerStepOp step) -> LogicalResult {
                FailureOr<std::string> fn = entry(&action, r, step.getEntry());
                if (failed(fn))
                  return failure();
                check(fmt::format("run(host, {})", *fn));
                return success();
              })
              .Default([&](Operation *op) {
                return op->emitOpError("cannot be printed in a pipeline "
                                       "step function");
              });
      if (failed(printed))
        return failure();
    }
    os << "  return true;\n}\n\n";
    return success();
  }

  ModuleOp module;
  raw_ostream &os;
  EmitTarget target;
  SmallVector<ModuleOp> ranks;
  dist::ScheduleOp schedule; // the full batch's
  SmallVector<dist::ScheduleOp> schedules;
  dist::ScheduleOp evaluation; // validation, when the program has it
  SmallVector<SmallVector<std::string>> phaseFunctions;
  ArrayAttr comms;
  llvm::StringMap<int64_t> commIndex;
  std::vector<StageEmission> stages;
};

} // namespace

LogicalResult emitPipelineProgram(ModuleOp module, raw_ostream &os,
                                  EmitTarget target) {
  return PipelineEmitter(module, os, target).emit();
}

} // namespace ptc
