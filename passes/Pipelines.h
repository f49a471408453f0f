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

/// The graph-level pipeline (`ptc-graph-pipeline`): what runs between the
/// frontend and `--emit=graph`.
void buildGraphPipeline(mlir::OpPassManager &pm);

/// Registers every ptc pipeline with the global pass registry.
void registerPipelines();

} // namespace ptc

#endif // PTC_PASSES_PIPELINES_H
