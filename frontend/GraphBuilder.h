//===- GraphBuilder.h - Spec -> graph dialect ------------------*- C++ -*-===//
//
// Lowers a validated Spec to a graph-dialect module: one `graph.param` per
// trainable tensor, and `func.func @forward(%ids, %targets) -> loss` built
// from `graph.layer` units (the embedding, one per transformer block, the
// head). The training configuration travels with the module as the typed
// attributes `ptc.model = #graph.model<...>`, `ptc.training =
// #graph.training<...>` and `ptc.parallel = #dist.parallel<...>`, so that
// every later pass reads the IR alone.
//
//===----------------------------------------------------------------------===//
#ifndef PTC_FRONTEND_GRAPHBUILDER_H
#define PTC_FRONTEND_GRAPHBUILDER_H

#include "frontend/Spec.h"

#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/OwningOpRef.h"

namespace ptc {

/// Builds the forward graph of `spec`. The spec must have passed parseSpec.
mlir::OwningOpRef<mlir::ModuleOp> buildGraphModule(mlir::MLIRContext &context,
                                                   const Spec &spec);

} // namespace ptc

#endif // PTC_FRONTEND_GRAPHBUILDER_H
