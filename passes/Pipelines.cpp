//===- Pipelines.cpp - ptc's pass pipelines -------------------------------===//

#include "passes/Pipelines.h"

#include "passes/Dist/Passes.h"
#include "passes/Exec/Passes.h"
#include "passes/Graph/Passes.h"
#include "passes/GraphToExec/Passes.h"

#include "mlir/Pass/PassRegistry.h"
#include "mlir/Transforms/Passes.h"

namespace ptc {
namespace {

/// graph-mixed-precision's option: empty for the module's own precision.
std::string passPrecision(PipelinePrecision precision) {
  switch (precision) {
  case PipelinePrecision::Module:
    return "";
  case PipelinePrecision::BF16:
    return "bf16";
  case PipelinePrecision::FP32:
    return "fp32";
  case PipelinePrecision::FP64:
    return "fp64";
  }
  llvm_unreachable("unknown PipelinePrecision");
}

} // namespace

void buildGraphPipeline(mlir::OpPassManager &pm,
                        const GraphPipelineOptions &options) {
  // 1. Fold and simplify what the frontend built.
  pm.addPass(mlir::createCanonicalizerPass());
  // 2. Share identical values, inside each layer unit.
  pm.addPass(mlir::createCSEPass());
  // 3. Tensor (and sequence) parallelism of the forward: local shards and
  //    the collectives between them (nothing when parallel.tp = 1).
  pm.addPass(dist::createDistTensorParallel());
  // 4. bf16 autocast of the forward when the spec trains in bf16: f32
  //    master weights, bf16 matrix products, f32 norms, loss and residuals.
  graph::GraphMixedPrecisionOptions mixed;
  mixed.precision = passPrecision(options.precision);
  pm.addPass(graph::createGraphMixedPrecision(mixed));
  // 5. The backward of the loss: @train_step with a gradient per parameter.
  pm.addPass(graph::createGraphAutodiff());
  // 6. Activation checkpointing, with the spec's policy.
  pm.addPass(graph::createGraphRecompute());
  // 7. Micro-steps, clipping, the LR schedule and AdamW.
  pm.addPass(graph::createGraphOptimizer());
  // 8. Data parallelism: loss and gradients averaged over dp, the global
  //    norm over every rank's shards.
  pm.addPass(dist::createDistDataParallel());
  // 9. Fold what the backward left (reshape pairs, dead saved values).
  pm.addPass(mlir::createCanonicalizerPass());
  pm.addPass(mlir::createCSEPass());
  // 10. The step's order of work as data: which entry point runs on which
  //     micro-batch, per pipeline rank (dist.schedule).
  pm.addPass(dist::createDistStepSchedule());
}

void buildExecPipeline(mlir::OpPassManager &pm,
                       const ExecPipelineOptions &options) {
  // 1. Tensors become buffers, ops become launches.
  pm.addPass(lowering::createConvertGraphToExec());
  // 2. Kernel pairs merged: in-place gradients, products accumulated into
  //    the gradients, norms that write bf16.
  pm.addPass(exec::createExecFuse());
  // 3. GELU and its gradient in the epilogues of the MLP's GEMMs.
  pm.addPass(exec::createExecGemmGelu());
  // 4. Attention on views of the projections' rows: the head split and
  //    merge copies around it go.
  pm.addPass(exec::createExecAttentionLayout());
  // 5. The weights' bf16 copies kept across micro-steps, refreshed by the
  //    optimizer step.
  exec::ExecPersistWeightCopiesOptions copies;
  copies.sameType = options.zeroWholeCopies;
  pm.addPass(exec::createExecPersistWeightCopies(copies));
  // 6. ZeRO-1: each rank keeps its chunk of the f32 weights that only feed
  //    those copies; the refreshes all-gather the copies.
  pm.addPass(exec::createExecShardMasterWeights());
  // 7. Offsets in arenas, activation memory reused by liveness.
  pm.addPass(exec::createExecPlanMemory());
  // 8. The optimizer's per-tensor launches merged over tensors that 7.
  //    packed back to back.
  pm.addPass(exec::createExecCoalesce());
}

void buildPipelineParallel(mlir::OpPassManager &pm,
                           const GraphPipelineOptions &graphOptions,
                           const ExecPipelineOptions &execOptions, bool graph,
                           bool exec) {
  if (graph) {
    // 0. The layer units into model chunks, one nested module per rank.
    pm.addPass(dist::createDistPipelineSplit());
    mlir::OpPassManager &rank = pm.nest<mlir::ModuleOp>();
    buildGraphPipeline(rank, graphOptions);
    // 10b. zero_bubble (or a schedule file) runs a backward's input and
    //      weight gradients apart.
    rank.addPass(dist::createDistSplitBackward());
    // 11. The schedule of every rank, on the outer module.
    pm.addPass(dist::createDistPipelineSchedule());
  }
  if (exec)
    buildExecPipeline(pm.nest<mlir::ModuleOp>(), execOptions);
}

void registerPipelines() {
  mlir::PassPipelineRegistration<GraphPipelineOptions>(
      "ptc-graph-pipeline",
      "The graph-level pipeline that `ptc compile --emit=graph` runs",
      buildGraphPipeline);
  mlir::PassPipelineRegistration<ExecPipelineOptions>(
      "ptc-exec-pipeline",
      "From the graph-level training step to the planned exec module",
      buildExecPipeline);
  mlir::PassPipelineRegistration<PipelineParallelOptions>(
      "ptc-pipeline-parallel",
      "Both pipelines with parallel.pp > 1: the split into one module per "
      "pipeline rank, each rank's graph pipeline, the schedule, each rank's "
      "exec pipeline",
      [](mlir::OpPassManager &pm, const PipelineParallelOptions &options) {
        buildPipelineParallel(pm, options, options, options.graph,
                              options.exec);
      });
}

} // namespace ptc
