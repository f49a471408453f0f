//===- Passes.h - graph-level passes ---------------------------*- C++ -*-===//
#ifndef PTC_PASSES_GRAPH_PASSES_H
#define PTC_PASSES_GRAPH_PASSES_H

#include "dialects/Graph/IR/GraphOps.h"

#include "mlir/Pass/Pass.h"

#include <memory>

namespace ptc::graph {

#define GEN_PASS_DECL
#include "passes/Graph/Passes.h.inc"

#define GEN_PASS_REGISTRATION
#include "passes/Graph/Passes.h.inc"

} // namespace ptc::graph

#endif // PTC_PASSES_GRAPH_PASSES_H
