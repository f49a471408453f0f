//===- EmitCpp.h - The CPU target's C++ emitter -----------------*- C++ -*-===//
//
// Prints a planned exec module (after exec-plan-memory) as one C++17
// translation unit: the ptc::abi::Model table (arenas, parameter and io
// slots, settings) and one function per entry point whose body calls the
// kernel library (runtime/cpu/kernels.h) on arena addresses. The emitter
// only prints: every decision is already in the IR, and an op or attribute
// it cannot print is an error on that op.
//
//===----------------------------------------------------------------------===//
#ifndef PTC_COMPILER_EMITCPP_H
#define PTC_COMPILER_EMITCPP_H

#include "mlir/IR/BuiltinOps.h"
#include "llvm/Support/raw_ostream.h"

namespace ptc {

/// Writes the program for `module`; settings come from its ptc.model,
/// ptc.training and ptc.flops_per_token attributes.
mlir::LogicalResult emitCpp(mlir::ModuleOp module, llvm::raw_ostream &os);

} // namespace ptc

#endif // PTC_COMPILER_EMITCPP_H
