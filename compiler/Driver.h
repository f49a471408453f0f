//===- Driver.h - The library behind the `ptc` tool ------------*- C++ -*-===//
#ifndef PTC_COMPILER_DRIVER_H
#define PTC_COMPILER_DRIVER_H

#include "frontend/Spec.h"
#include "passes/Pipelines.h"

#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/OwningOpRef.h"

#include <string>

namespace ptc {

class IRDumper;

/// The levels `ptc compile --emit` can stop at: the graph-level training
/// step, the planned exec module, or the C++ source of the cpu target.
enum class EmitLevel { Graph, Schedule, Exec, Cpu, Cuda };

/// Parses the spec at `path` and builds its graph module. On a spec error,
/// prints the one-line message to stderr and returns null.
mlir::OwningOpRef<mlir::ModuleOp>
loadSpecModule(mlir::MLIRContext &context, const std::string &path,
               Spec *specOut = nullptr,
               std::optional<Precision> precision = std::nullopt);

/// Runs the pipeline that leads to `level` on `module`, applying MLIR's
/// command-line pass-manager options (IR printing, timing, ...) and, when
/// `dumper` is set, writing the IR after every pass.
/// `cpuTarget`: compile for the cpu target, which computes bf16 specs in
/// fp32 (it has no bf16 kernels). `execOptions` tune the exec pipeline.
/// `fromGraph`: `module` is already the graph-level training step (a run
/// to EmitLevel::Graph made it); only the exec pipeline runs.
mlir::LogicalResult runPipeline(mlir::ModuleOp module, EmitLevel level,
                                IRDumper *dumper, bool cpuTarget = true,
                                const ExecPipelineOptions &execOptions = {},
                                bool fromGraph = false);

/// Records what the emitters print beside the IR (training FLOPs per token,
/// Megatron's count) as module attributes. Call on the frontend's module.
mlir::LogicalResult annotateModule(mlir::ModuleOp module);

/// Compiles the C++ program `sourcePath` with the host compiler and links it
/// with the ptc runtime into the executable `outputPath`. On failure,
/// `error` says what went wrong (the compiler's own messages go to stderr).
/// With `cuda`, nvcc compiles it for sm_90a (plus PTX) and it links the
/// runtime's CUDA library, cuBLASLt and the CUDA runtime.
mlir::LogicalResult buildExecutable(const std::string &sourcePath,
                                    const std::string &outputPath, bool cuda,
                                    std::string &error);

} // namespace ptc

#endif // PTC_COMPILER_DRIVER_H
