//===- PipelinePlan.cpp - `ptc plan` of a pipeline-parallel spec ----------===//

#include "tools/ptc/PipelinePlan.h"
#include "tools/ptc/WriteFile.h"

#include "compiler/MemoryPlan.h"
#include "compiler/ParallelPlan.h"
#include "compiler/StagePlan.h"
#include "dialects/Dist/IR/DistOps.h"
#include "dialects/Graph/IR/GraphOps.h"
#include "passes/Dist/Passes.h"
#include "passes/Dist/Schedule/Picture.h"

#include "mlir/Pass/PassManager.h"
#include "mlir/Transforms/Passes.h"
#include "llvm/Support/raw_ostream.h"

#include <cerrno>
#include <cstring>
#include <fmt/format.h>
#include <fstream>
#include <map>

using namespace mlir;

namespace ptc {
namespace {

/// Each pipeline rank's arenas by kind, exact from its planned exec IR;
/// ranks with the same budget share one line (MT-NLG's 35 stages read as
/// three).
void printRankMemory(llvm::raw_ostream &os, ModuleOp module) {
  const std::vector<std::pair<exec::ArenaKind, const char *>> kinds = {
      {exec::ArenaKind::parameters, "parameters"},
      {exec::ArenaKind::master_weights, "masters"},
      {exec::ArenaKind::gradients, "gradients"},
      {exec::ArenaKind::optimizer_state, "optimizer"},
      {exec::ArenaKind::activations, "activations"},
      {exec::ArenaKind::workspace, "workspace"},
      {exec::ArenaKind::io, "io"}};
  std::vector<std::vector<int64_t>> rows;
  for (ModuleOp rank : module.getOps<ModuleOp>()) {
    std::vector<int64_t> row(kinds.size() + 1, 0);
    for (const ArenaBudget &arena : collectMemoryBudget(rank))
      for (size_t k = 0; k < kinds.size(); ++k)
        if (arena.kind == kinds[k].first) {
          row[k] += arena.bytes;
          row.back() += arena.bytes;
        }
    rows.push_back(row);
  }
  auto gib = [](int64_t bytes) {
    return fmt::format("{:.3f}", double(bytes) / double(1ll << 30));
  };
  os << "memory per rank in GiB, exact from each pipeline rank's planned "
        "exec IR:\n";
  os << fmt::format("  {:<16}", "pipeline ranks");
  for (auto &kind : kinds)
    os << fmt::format(" {:>11}", kind.second);
  os << fmt::format(" {:>11}\n", "total");
  // Runs of equal ranks as one line; past a handful of lines, the middle
  // ranks (whose io holds the stash of in-flight micro-batches, which
  // shrinks towards the last stage) as their range.
  std::vector<std::pair<size_t, size_t>> runs;
  for (size_t i = 0; i < rows.size();) {
    size_t j = i + 1;
    while (j < rows.size() && rows[j] == rows[i])
      ++j;
    runs.push_back({i, j});
    i = j;
  }
  auto printRun = [&](size_t i, size_t j) {
    os << fmt::format("  {:<16}", j - i == 1 ? std::to_string(i)
                                             : fmt::format("{}-{}", i, j - 1));
    for (int64_t bytes : rows[i])
      os << fmt::format(" {:>11}", gib(bytes));
    os << "\n";
  };
  const size_t kShown = 6;
  for (size_t k = 0; k < runs.size(); ++k) {
    if (runs.size() > kShown && k == 2) {
      size_t first = runs[2].first, last = runs[runs.size() - 2].second;
      std::vector<int64_t> lowest = rows[first], highest = rows[first];
      for (size_t r = first; r < last; ++r)
        for (size_t c = 0; c < rows[r].size(); ++c) {
          lowest[c] = std::min(lowest[c], rows[r][c]);
          highest[c] = std::max(highest[c], rows[r][c]);
        }
      os << fmt::format("  {:<16}", fmt::format("{}-{}", first, last - 1));
      for (size_t c = 0; c < lowest.size(); ++c)
        os << fmt::format(" {:>11}",
                          lowest[c] == highest[c]
                              ? gib(lowest[c])
                              : gib(lowest[c]) + "-" + gib(highest[c]));
      os << "\n";
      k = runs.size() - 2;
      continue;
    }
    printRun(runs[k].first, runs[k].second);
  }
  int64_t peak = 0;
  for (auto &row : rows)
    peak = std::max(peak, row.back());
  os << fmt::format("  the largest: {} bytes ({} GiB)\n", formatThousands(peak),
                    gib(peak));
}

} // namespace

int planPipeline(ModuleOp module, const PipelinePlanOptions &options) {
  auto parallel = dist::ParallelAttr::lookup(module);
  // The per-chunk summary reads the forward of one tensor-parallel rank,
  // before the split, in the layout the split pass chooses.
  OwningOpRef<ModuleOp> forward = module.clone();
  {
    PassManager pm(forward->getContext());
    pm.addPass(createCanonicalizerPass());
    pm.addPass(createCSEPass());
    pm.addPass(dist::createDistTensorParallel());
    if (failed(pm.run(*forward)))
      return 1;
  }
  if (failed(runPipeline(module, EmitLevel::Exec, nullptr,
                         options.target == "cpu", options.exec)))
    return 1;
  auto layout = module->getAttrOfType<StringAttr>("ptc.stage_layout");
  FailureOr<StagePlan> stages =
      planStages(*forward, parallel.getPp(), parallel.getVirtualStages(),
                 layout ? layout.getValue() : parallel.getPipelineLayout());
  if (failed(stages))
    return 1;
  stages->explicitLayout = !parallel.getPipelineLayout().empty();
  int64_t microBatches = 0;
  // The full batch's (the last phase of a ramp-up).
  for (auto schedule : dist::getTrainingSchedules(module))
    microBatches = schedule.getMicroBatches();
  auto model = graph::ModelAttr::lookup(module);
  auto training = graph::TrainingAttr::lookup(module);
  planSchedule(*stages, parallel.getPp(), parallel.getVirtualStages(),
               parallel.getScheduleFile().empty()
                   ? dist::stringifyPipelineSchedule(parallel.getSchedule())
                   : StringRef("file"),
               microBatches, model && model.getTiedEmbeddings(),
               parallel.getScheduleFile());

  llvm::raw_ostream &os = llvm::outs();
  os << "plan of '" << options.name << "' for the " << options.target
     << " target: tp " << parallel.getTp() << " x pp " << parallel.getPp()
     << " x dp " << parallel.getDp() << ", micro-batch "
     << (training ? training.getMicroBatchSize() : 0) << " x "
     << (model ? model.getSeqLen() : 0) << " tokens\n\n";
  printRankMemory(os, module);
  os << "\n";
  printParallelPlan(os, module);
  os << "\n";
  printStagePlan(os, *stages);
  if (!stages->schedule.error.empty())
    return 0;
  if (!options.trace.empty() &&
      !writeFile("ptc plan", options.trace, [&](std::ostream &file) {
        schedule::writeChromeTrace(stages->built, stages->simulation, file);
      }))
    return 1;
  if (!options.svg.empty() &&
      !writeFile("ptc plan", options.svg, [&](std::ostream &file) {
        schedule::writeSvg(stages->built, stages->simulation, file);
      }))
    return 1;
  return 0;
}

} // namespace ptc
