//===- Pipelines.h - ptc's pass pipelines ----------------------*- C++ -*-===//
//
// The pipelines `ptc compile` runs, registered under the same names and with
// the same options for `ptc-opt`, so that a user can replay any stage by
// hand: the option structs below are both what the driver fills in and what
// `ptc-graph-pipeline{precision=fp32}` parses.
//
//===----------------------------------------------------------------------===//
#ifndef PTC_PASSES_PIPELINES_H
#define PTC_PASSES_PIPELINES_H

#include "mlir/Pass/PassManager.h"
#include "mlir/Pass/PassOptions.h"

namespace ptc {

/// The precision graph-mixed-precision computes in: the module's own
/// setting, or one that overrides it.
enum class PipelinePrecision { Module, BF16, FP32, FP64 };

/// What the driver decides for the graph pipeline beyond the module's own
/// settings.
struct GraphPipelineOptions
    : mlir::PassPipelineOptions<GraphPipelineOptions> {
  /// Overrides `ptc.training.precision` for graph-mixed-precision: the cpu
  /// target has no bf16 kernels, so `ptc compile` (cpu, the default target)
  /// passes `fp32`; `--target=cuda` keeps the module's.
  Option<PipelinePrecision> precision{
      *this, "precision",
      llvm::cl::desc("The precision of graph-mixed-precision (ptc compile: "
                     "fp32 on the cpu target, module on cuda)"),
      llvm::cl::init(PipelinePrecision::Module),
      llvm::cl::values(
          clEnumValN(PipelinePrecision::Module, "module",
                     "the module's ptc.training.precision"),
          clEnumValN(PipelinePrecision::BF16, "bf16", "bf16 autocast"),
          clEnumValN(PipelinePrecision::FP32, "fp32", "all in f32"),
          clEnumValN(PipelinePrecision::FP64, "fp64",
                     "all in f64 (gradient checks)"))};
};

/// What the driver decides for the exec pipeline.
struct ExecPipelineOptions : mlir::PassPipelineOptions<ExecPipelineOptions> {
  /// ZeRO-1: shard the masters of the weights the micro-steps read in f32
  /// too, through whole f32 copies (exec-persist-weight-copies' same-type).
  Option<bool> zeroWholeCopies{
      *this, "zero-whole-copies",
      llvm::cl::desc("ZeRO-1: shard the f32 masters of the weights read in "
                     "f32 too, through whole f32 copies (ptc compile "
                     "--zero-whole-copies)"),
      llvm::cl::init(false)};
};

/// The pipeline-parallel sequence takes both option sets (they share one
/// PassOptions: PassPipelineOptions inherits it virtually) and which of its
/// two halves to run.
struct PipelineParallelOptions : GraphPipelineOptions, ExecPipelineOptions {
  Option<bool> graph{
      *this, "graph",
      llvm::cl::desc("Split the module into one module per pipeline rank, "
                     "run the graph pipeline (and dist-split-backward) on "
                     "each and the schedule on the outer module; false: the "
                     "module is already split and scheduled"),
      llvm::cl::init(true)};
  Option<bool> exec{
      *this, "exec",
      llvm::cl::desc("Run the exec pipeline on each rank's module; false: "
                     "stop at the schedule (ptc compile --emit=graph or "
                     "--emit=schedule)"),
      llvm::cl::init(true)};
};

/// The graph-level pipeline (`ptc-graph-pipeline`): from the frontend's
/// forward model to the whole training step, still in the graph dialect
/// (what `--emit=graph` prints).
void buildGraphPipeline(mlir::OpPassManager &pm,
                        const GraphPipelineOptions &options);

/// The exec-level pipeline (`ptc-exec-pipeline`): buffers, launches and the
/// static memory plan (what `--emit=exec` prints and the emitters read).
void buildExecPipeline(mlir::OpPassManager &pm,
                       const ExecPipelineOptions &options);

/// Both pipelines with pipeline parallelism (`ptc-pipeline-parallel`, for
/// `parallel.pp > 1`): one nested module per pipeline rank, each the program
/// of that rank (MPMD), compiled by the pipelines above; the schedule of all
/// ranks is the outer module's. `graph`: split, each rank's graph pipeline
/// and the schedule; `exec`: each rank's exec pipeline (the options of
/// PipelineParallelOptions of the same names).
void buildPipelineParallel(mlir::OpPassManager &pm,
                           const GraphPipelineOptions &graphOptions,
                           const ExecPipelineOptions &execOptions, bool graph,
                           bool exec);

/// Registers every ptc pipeline with the global pass registry.
void registerPipelines();

} // namespace ptc

#endif // PTC_PASSES_PIPELINES_H
