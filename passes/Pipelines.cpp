//===- Pipelines.cpp - ptc's pass pipelines -------------------------------===//

#include "passes/Pipelines.h"

#include "passes/Dist/Passes.h"
#include "passes/Exec/Passes.h"
#include "passes/Graph/Passes.h"
#include "passes/GraphToExec/Passes.h"

#include "mlir/Pass/PassRegistry.h"
#include "mlir/Transforms/Passes.h"

namespace ptc {

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
  mixed.precision = options.precision;
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

void registerPipelines() {
  mlir::PassPipelineRegistration<>(
      "ptc-graph-pipeline",
      "The graph-level pipeline that `ptc compile --emit=graph` runs",
      [](mlir::OpPassManager &pm) { buildGraphPipeline(pm); });
  mlir::PassPipelineRegistration<>(
      "ptc-exec-pipeline",
      "From the graph-level training step to the planned exec module",
      [](mlir::OpPassManager &pm) { buildExecPipeline(pm); });
}

} // namespace ptc
