//===- Passes.h - exec-level passes ----------------------------*- C++ -*-===//
#ifndef PTC_PASSES_EXEC_PASSES_H
#define PTC_PASSES_EXEC_PASSES_H

#include "dialects/Exec/IR/ExecOps.h"

#include "mlir/Pass/Pass.h"

#include <memory>

namespace ptc::exec {

#define GEN_PASS_DECL
#include "passes/Exec/Passes.h.inc"

#define GEN_PASS_REGISTRATION
#include "passes/Exec/Passes.h.inc"

} // namespace ptc::exec

#endif // PTC_PASSES_EXEC_PASSES_H
