//===- MemoryPlan.h - The per-rank memory budget of a planned module -*- C++ -*-===//
//
// Reads what `exec-plan-memory` decided: the bytes of every arena, and what
// the activations would cost without liveness-based reuse.
//
//===----------------------------------------------------------------------===//
#ifndef PTC_COMPILER_MEMORYPLAN_H
#define PTC_COMPILER_MEMORYPLAN_H

#include "dialects/Exec/IR/ExecOps.h"

#include "mlir/IR/BuiltinOps.h"
#include "llvm/ADT/ArrayRef.h"
#include "llvm/Support/raw_ostream.h"

#include <cstdint>
#include <string>
#include <vector>

namespace ptc {

/// One arena of a planned module.
struct ArenaBudget {
  std::string name;      // the arena's symbol
  exec::ArenaKind kind;
  int64_t bytes;         // its planned size
  int64_t numBuffers;    // globals and allocs placed in it
};

/// One entry per exec.arena of `planned`, ordered by kind (enum order), then
/// by declaration order.
std::vector<ArenaBudget> collectMemoryBudget(mlir::ModuleOp planned);

/// Prints one row per arena kind present (arenas of one kind summed), with
/// bytes (thousands separators) and GiB (3 decimals), then a total row.
void printMemoryBudget(llvm::raw_ostream &os,
                       llvm::ArrayRef<ArenaBudget> budget);

/// The bytes that the allocs of `kind` of the function that has the most of
/// them would take without reuse (each at its own offset, aligned to
/// `alignment`): what the plan saves is this minus the arena size.
int64_t naiveActivationBytes(
    mlir::ModuleOp module,
    exec::ArenaKind kind = exec::ArenaKind::activations,
    int64_t alignment = 256);

/// `1234567` -> `"1,234,567"`.
std::string formatThousands(int64_t value);

} // namespace ptc

#endif // PTC_COMPILER_MEMORYPLAN_H
