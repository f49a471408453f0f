//===- StagePlan.h - The pipeline stages of a graph module -----*- C++ -*-===//
//
// What `ptc plan` says about pipeline parallelism, read off the forward
// graph: which transformer blocks each model chunk holds (a balance of the
// units' matrix-product FLOPs, or the spec's explicit layout), and each
// chunk's parameters and FLOPs.
//
//===----------------------------------------------------------------------===//
#ifndef PTC_COMPILER_STAGEPLAN_H
#define PTC_COMPILER_STAGEPLAN_H

#include "passes/Dist/Schedule/Simulate.h"
#include "passes/Dist/Schedule/StageLayout.h"

#include "mlir/IR/BuiltinOps.h"
#include "llvm/Support/raw_ostream.h"

#include <vector>

namespace ptc {

/// One model chunk (global pipeline stage) of a layout.
struct StageSummary {
  int64_t chunk = 0;       ///< its global stage
  int64_t rank = 0;        ///< the pipeline rank that holds it
  int64_t firstBlock = 0;  ///< its first transformer block
  int64_t blocks = 0;      ///< and how many
  bool embedding = false;  ///< it holds the embedding (the first chunk)
  bool head = false;       ///< it holds the head and the loss (the last)
  double forwardFlops = 0; ///< matrix-product FLOPs of its forward, per token
  int64_t params = 0;      ///< elements of the parameters its units read
};

/// The pipeline schedule of one step, checked and simulated with unit
/// costs (passes/Dist/Schedule, docs/schedules.md).
struct ScheduleSummary {
  std::string kind;
  int64_t microBatches = 0;         ///< per step and data-parallel rank
  std::string error;                ///< the checker's line, when it fails
  double bubble = 0;                ///< idle share of the ranks' time
  std::vector<int> peakActivations; ///< per pipeline rank, in micro-batch
                                    ///< chunks held at once
};

struct StagePlan {
  schedule::StageLayout layout;
  bool explicitLayout = false; ///< from the spec, not balanced
  std::vector<StageSummary> stages;
  ScheduleSummary schedule;
  /// The schedule's lists and their simulation (for its pictures), once
  /// it checked.
  schedule::Schedule built;
  schedule::Simulation simulation;
};

/// The stages of `module`'s @forward (graph.layer units: the embedding,
/// blocks, the head) over pp x virtualStages chunks: the layout `text`
/// when it is not empty, else the balance of the units' forward FLOPs.
/// Fails with a diagnostic on the module when the layout is impossible.
mlir::FailureOr<StagePlan> planStages(mlir::ModuleOp module, int64_t pp,
                                      int64_t virtualStages,
                                      llvm::StringRef text);

/// The micro-batches per step and data-parallel rank that graph-optimizer
/// decided (`ptc.micro_steps` of @micro_step); 0 without it.
int64_t decidedMicroBatches(mlir::ModuleOp module);

/// Generates, checks and simulates the schedule `kind` of `plan`'s chunks
/// for `microBatches` micro-batches per step (the tied embedding's
/// gradient summed between the first and last rank when `tied`).
void planSchedule(StagePlan &plan, int64_t pp, int64_t virtualStages,
                  llvm::StringRef kind, int64_t microBatches, bool tied,
                  llvm::StringRef file = "");

/// The per-chunk table; runs of chunks alike (same blocks, parameters and
/// FLOPs) as one line.
void printStagePlan(llvm::raw_ostream &os, const StagePlan &plan);

} // namespace ptc

#endif // PTC_COMPILER_STAGEPLAN_H
