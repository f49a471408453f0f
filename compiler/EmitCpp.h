//===- EmitCpp.h - The C++ emitter of the cpu and cuda targets --*- C++ -*-===//
//
// Prints a planned exec module (after exec-plan-memory) as one C++17
// translation unit: the ptc::abi::Model table (arenas, parameter and io
// slots, settings) and one function per entry point whose body calls the
// kernel library (runtime/cpu/kernels.h, or runtime/cuda/kernels.cuh for
// the cuda target's CUDA C++) on arena addresses. The emitter
// only prints: every decision is already in the IR, and an op or attribute
// it cannot print is an error on that op.
//
//===----------------------------------------------------------------------===//
#ifndef PTC_COMPILER_EMITCPP_H
#define PTC_COMPILER_EMITCPP_H

#include "mlir/IR/BuiltinOps.h"
#include "llvm/Support/raw_ostream.h"

namespace ptc {

/// The targets the emitter prints for. Both print the same entry points;
/// they differ in the kernel library included (runtime/cpu/kernels.h or
/// runtime/cuda/kernels.cuh: the same names and conventions, on host or
/// device memory) and in the device `main` hands to the runtime.
enum class EmitTarget { Cpu, Cuda };

/// Writes the program for `module`; settings come from its ptc.model,
/// ptc.training and ptc.flops_per_token attributes.
mlir::LogicalResult emitCpp(mlir::ModuleOp module, llvm::raw_ostream &os,
                            EmitTarget target = EmitTarget::Cpu);

} // namespace ptc

#endif // PTC_COMPILER_EMITCPP_H
