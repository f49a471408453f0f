//===- Passes.h - lowering from graph to exec ------------------*- C++ -*-===//
#ifndef PTC_PASSES_GRAPHTOEXEC_PASSES_H
#define PTC_PASSES_GRAPHTOEXEC_PASSES_H

#include "dialects/Exec/IR/ExecOps.h"
#include "dialects/Graph/IR/GraphOps.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Pass/Pass.h"

namespace ptc::lowering {

#define GEN_PASS_DECL
#include "passes/GraphToExec/Passes.h.inc"

#define GEN_PASS_REGISTRATION
#include "passes/GraphToExec/Passes.h.inc"

} // namespace ptc::lowering

#endif // PTC_PASSES_GRAPHTOEXEC_PASSES_H
