//===- StagePlan.cpp - The pipeline stages of a graph module --------------===//

#include "compiler/StagePlan.h"

#include "compiler/MemoryPlan.h"
#include "compiler/ModelSummary.h"
#include "dialects/Graph/IR/GraphOps.h"
#include "passes/Dist/Schedule/Build.h"
#include "passes/Dist/Schedule/Simulate.h"
#include "passes/Dist/StageUnits.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "llvm/ADT/DenseSet.h"

#include <fmt/format.h>

using namespace mlir;
using namespace ptc::graph;

namespace ptc {
namespace {

/// The parameters one graph.layer unit reads.
llvm::DenseSet<StringAttr> paramsOf(LayerOp unit) {
  llvm::DenseSet<StringAttr> params;
  unit.walk(
      [&](ParamRefOp ref) { params.insert(ref.getParamAttr().getAttr()); });
  return params;
}

} // namespace

FailureOr<StagePlan> planStages(ModuleOp module, int64_t pp,
                                int64_t virtualStages, StringRef text) {
  FailureOr<dist::ForwardUnits> units = dist::collectForwardUnits(module);
  if (failed(units))
    return failure();
  const int64_t chunks = pp * virtualStages;
  FailureOr<schedule::StageLayout> layout =
      dist::chooseStageLayout(module, *units, chunks, text);
  if (failed(layout))
    return failure();
  StagePlan plan;
  plan.layout = *layout;
  plan.explicitLayout = !text.empty();

  DenseMap<StringAttr, int64_t> paramElements;
  for (auto param : module.getOps<ParamOp>())
    paramElements[param.getSymNameAttr()] = param.getNumElements();
  for (int64_t c = 0; c < chunks; ++c) {
    StageSummary stage;
    stage.chunk = c;
    stage.rank = c % pp;
    stage.firstBlock = plan.layout.begin[size_t(c)];
    stage.blocks = plan.layout.blocks(c);
    stage.embedding = c == 0;
    stage.head = c + 1 == chunks;
    llvm::DenseSet<StringAttr> params;
    auto add = [&](LayerOp unit, double flops) {
      stage.forwardFlops += flops;
      llvm::DenseSet<StringAttr> read = paramsOf(unit);
      params.insert(read.begin(), read.end());
    };
    if (stage.embedding)
      add(units->embedding, units->embeddingFlops);
    for (int64_t b = stage.firstBlock; b < stage.firstBlock + stage.blocks; ++b)
      add(units->blocks[size_t(b)], units->blockFlops[size_t(b)]);
    if (stage.head)
      add(units->head, units->headFlops);
    for (StringAttr param : params)
      stage.params += paramElements.lookup(param);
    plan.stages.push_back(stage);
  }
  return plan;
}

int64_t decidedMicroBatches(ModuleOp module) {
  for (auto fn : module.getOps<func::FuncOp>())
    if (auto count = fn->getAttrOfType<IntegerAttr>("ptc.micro_steps"))
      return count.getInt();
  return 0;
}

void planSchedule(StagePlan &plan, int64_t pp, int64_t virtualStages,
                  StringRef kind, int64_t microBatches, bool tied,
                  StringRef file) {
  ScheduleSummary &summary = plan.schedule;
  summary.kind = kind.str();
  summary.microBatches = microBatches;
  schedule::ScheduleShape shape;
  shape.kind = kind.str();
  shape.pp = int(pp);
  shape.virtualStages = int(virtualStages);
  shape.microBatches = int(std::min<int64_t>(microBatches, 1 << 30));
  schedule::CommunicationOptions options;
  options.syncTiedGradients = tied;
  schedule::Schedule built;
  if (auto error = schedule::buildSchedule(shape, file.str(), options, built)) {
    summary.error = error->format(file.empty() ? kind.str() : file.str());
    return;
  }
  schedule::Simulation simulation;
  if (auto error = schedule::simulate(built, schedule::Costs(), simulation)) {
    summary.error = error->format(kind.str());
    return;
  }
  summary.bubble = simulation.bubble;
  summary.peakActivations = simulation.peakActivations;
  plan.built = std::move(built);
  plan.simulation = std::move(simulation);
}

void printStagePlan(llvm::raw_ostream &os, const StagePlan &plan) {
  os << fmt::format("pipeline stages: {} model chunks, {} ({}); parameters "
                    "and FLOPs per tensor-parallel rank\n",
                    plan.stages.size(), plan.layout.str(),
                    plan.explicitLayout
                        ? "parallel.pipeline_layout"
                        : "balanced by the units' forward matrix FLOPs");
  os << fmt::format("  {:<14} {:>6} {:>8} {:>18} {:>16}  {}\n", "chunks",
                    "rank", "blocks", "parameters", "fwd FLOPs/token", "holds");
  auto alike = [](const StageSummary &a, const StageSummary &b) {
    return a.blocks == b.blocks && a.params == b.params &&
           a.forwardFlops == b.forwardFlops && !a.embedding && !b.embedding &&
           !a.head && !b.head;
  };
  for (size_t i = 0; i < plan.stages.size();) {
    size_t j = i + 1;
    while (j < plan.stages.size() && alike(plan.stages[i], plan.stages[j]))
      ++j;
    const StageSummary &s = plan.stages[i];
    std::string chunks =
        j - i == 1 ? std::to_string(s.chunk)
                   : fmt::format("{}-{}", s.chunk, plan.stages[j - 1].chunk);
    std::string rank = j - i == 1 ? std::to_string(s.rank) : "...";
    std::string holds;
    if (s.embedding)
      holds += "embedding, ";
    auto range = [](int64_t first, int64_t count) {
      return count == 1 ? fmt::format("{}", first)
                        : fmt::format("{}-{}", first, first + count - 1);
    };
    holds += s.blocks == 0   ? "no block"
             : s.blocks == 1 ? "block " + range(s.firstBlock, 1)
                             : "blocks " + range(s.firstBlock, s.blocks);
    if (j - i > 1 && s.blocks)
      holds += " ... " + range(plan.stages[j - 1].firstBlock, s.blocks);
    if (s.head)
      holds += ", head and loss";
    os << fmt::format("  {:<14} {:>6} {:>8} {:>18} {:>16.4g}  {}\n", chunks,
                      rank, s.blocks, formatThousands(s.params), s.forwardFlops,
                      holds);
    i = j;
  }
  const ScheduleSummary &schedule = plan.schedule;
  if (schedule.kind.empty())
    return;
  os << fmt::format("schedule {}, {} micro-batches per step and data-parallel "
                    "rank: ",
                    schedule.kind, schedule.microBatches);
  if (!schedule.error.empty()) {
    os << "does not check: " << schedule.error << "\n";
    return;
  }
  const std::vector<int> &peak = schedule.peakActivations;
  auto [low, high] = std::minmax_element(peak.begin(), peak.end());
  os << fmt::format(
      "checked (every send meets its receive in order, no cycle of waits); "
      "bubble fraction {:.3f} with unit costs (forward 1, backward 2); peak "
      "in-flight micro-batch chunks per pipeline rank {} (rank {}) to {} "
      "(rank {})\n",
      schedule.bubble, *high, high - peak.begin(), *low, low - peak.begin());
}

} // namespace ptc
