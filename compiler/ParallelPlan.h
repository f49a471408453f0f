//===- ParallelPlan.h - The parallel plan of a planned module --*- C++ -*-===//
//
// What `ptc plan` prints about parallelism, read from the lowered IR: the
// mesh and the rank mapping (tp fastest), the communicators, and every
// rank's communication per step, by entry point and collective.
//
//===----------------------------------------------------------------------===//
#ifndef PTC_COMPILER_PARALLELPLAN_H
#define PTC_COMPILER_PARALLELPLAN_H

#include "mlir/IR/BuiltinOps.h"
#include "llvm/Support/raw_ostream.h"

namespace ptc {

/// Prints the mesh, the rank mapping (every rank up to 16, then the
/// formula), the communicators and the bytes each rank sends into
/// collectives per optimizer step (each entry point as often as the
/// module's dist.schedule calls it on pipeline rank 0). Prints one line
/// saying so for a single-device module.
void printParallelPlan(llvm::raw_ostream &os, mlir::ModuleOp module);

} // namespace ptc

#endif // PTC_COMPILER_PARALLELPLAN_H
