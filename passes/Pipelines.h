//===- Pipelines.h - ptc's pass pipelines ----------------------*- C++ -*-===//
//
// The pipelines `ptc compile` runs, registered under the same names for
// `ptc-opt`, so that a user can replay any stage by hand.
//
//===----------------------------------------------------------------------===//
#ifndef PTC_PASSES_PIPELINES_H
#define PTC_PASSES_PIPELINES_H

#include "mlir/Pass/PassManager.h"

namespace ptc {

/// What the driver decides for the graph pipeline beyond the module's own
/// settings.
struct GraphPipelineOptions {
  /// Overrides `ptc.training.precision` for graph-mixed-precision: the cpu
  /// target has no bf16 kernels and computes bf16 specs in "fp32".
  std::string precision;
};

/// The graph-level pipeline (`ptc-graph-pipeline`): from the frontend's
/// forward model to the whole training step, still in the graph dialect
/// (what `--emit=graph` prints).
void buildGraphPipeline(mlir::OpPassManager &pm,
                        const GraphPipelineOptions &options = {});

/// The exec-level pipeline (`ptc-exec-pipeline`): buffers, launches and the
/// static memory plan (what `--emit=exec` prints and the emitters read).
struct ExecPipelineOptions {
  /// ZeRO-1: shard the masters of the weights the micro-steps read in f32
  /// too, through whole f32 copies (exec-persist-weight-copies' same-type;
  /// `ptc compile --zero-whole-copies`).
  bool zeroWholeCopies = false;
};
void buildExecPipeline(mlir::OpPassManager &pm,
                       const ExecPipelineOptions &options = {});

/// Registers every ptc pipeline with the global pass registry.
void registerPipelines();

} // namespace ptc

#endif // PTC_PASSES_PIPELINES_H
