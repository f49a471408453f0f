//===- Driver.h - The library behind the `ptc` tool ------------*- C++ -*-===//
#ifndef PTC_COMPILER_DRIVER_H
#define PTC_COMPILER_DRIVER_H

#include "frontend/Spec.h"

#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/OwningOpRef.h"

#include <string>

namespace ptc {

class IRDumper;

/// The IR levels `ptc compile --emit` can stop at.
enum class EmitLevel { Graph };

/// Parses the spec at `path` and builds its graph module. On a spec error,
/// prints the one-line message to stderr and returns null.
mlir::OwningOpRef<mlir::ModuleOp> loadSpecModule(mlir::MLIRContext &context,
                                                 const std::string &path,
                                                 Spec *specOut = nullptr);

/// Runs the pipeline that leads to `level` on `module`, applying MLIR's
/// command-line pass-manager options (IR printing, timing, ...) and, when
/// `dumper` is set, writing the IR after every pass.
mlir::LogicalResult runPipeline(mlir::ModuleOp module, EmitLevel level,
                                IRDumper *dumper);

} // namespace ptc

#endif // PTC_COMPILER_DRIVER_H
