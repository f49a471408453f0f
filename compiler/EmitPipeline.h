//===- EmitPipeline.h - The program of a pipeline-parallel plan -*- C++ -*-===//
//
// With pipeline parallelism the exec module holds one nested module per
// pipeline rank (dist-pipeline-split). The program prints each inside its
// own C++ namespace with its own ptc::abi::Model (arenas, parameters, io
// slots, entry points), shares one mesh and communicator table, and prints
// every rank's step function from the outer module's dist.schedule.
//
//===----------------------------------------------------------------------===//
#ifndef PTC_COMPILER_EMITPIPELINE_H
#define PTC_COMPILER_EMITPIPELINE_H

#include "compiler/EmitCpp.h"

#include "mlir/IR/BuiltinOps.h"
#include "llvm/ADT/SmallVector.h"
#include "llvm/ADT/StringMap.h"

#include <string>

namespace ptc {

/// What a pipeline rank's Model table takes from the whole program.
struct StageEmitOptions {
  int64_t rank = 0;
  int64_t numRanks = 1;
  int64_t microBatches = 1;        ///< per step and data-parallel rank
  int64_t numCheckpointParams = 0; ///< the whole model's parameters
  std::string meshFields;          ///< "N, kMesh, M, kComms,"
  std::string rampFields;          ///< "N, kRamp," under a ramp-up, or ""
  std::string evalFields;          ///< "kEvalSteps," with validation, or ""
};

/// What the step functions need of a rank's printed tables.
struct StageEmission {
  llvm::StringMap<std::string> entries; ///< entry point -> C++ function
  llvm::StringMap<int64_t> ioIndex;     ///< io slot -> index in its kIO
};

/// The includes of a program.
void emitPrelude(llvm::raw_ostream &os, llvm::StringRef name, EmitTarget target,
                 bool profile);
/// `main`, which hands `model` to the runtime.
void emitMain(llvm::raw_ostream &os, llvm::StringRef model, EmitTarget target,
              bool profile);
/// A pipeline rank's entry points and Model table (EmitCpp.cpp).
mlir::FailureOr<StageEmission>
emitPipelineRank(mlir::ModuleOp rank, llvm::raw_ostream &os, EmitTarget target,
                 const StageEmitOptions &options);
/// One ptc::abi::Communicator initializer of `ptc.comms` entry `comm`.
std::string communicatorEntry(mlir::ModuleOp module, mlir::Attribute comm);
/// Under a batch-size ramp-up (one dist.schedule per phase): prints each
/// phase's step function table (`prefix` before each name in
/// `phaseFunctions`) and kRamp; returns the Model fields that name it, or
/// "" without a ramp-up.
std::string emitRampTable(llvm::raw_ostream &os, mlir::ModuleOp module,
                          llvm::ArrayRef<llvm::SmallVector<std::string>>
                              phaseFunctions,
                          llvm::StringRef prefix);
/// The name a schedule action uses for `comm` ("pp", "dp_tp", "pp_fwd0").
std::string communicatorName(mlir::Attribute comm);

/// The whole program of a split module.
mlir::LogicalResult emitPipelineProgram(mlir::ModuleOp module,
                                        llvm::raw_ostream &os,
                                        EmitTarget target);

} // namespace ptc

#endif // PTC_COMPILER_EMITPIPELINE_H
