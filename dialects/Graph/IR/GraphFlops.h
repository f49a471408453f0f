//===- GraphFlops.h - Matrix-product FLOPs of graph ops ---------*- C++ -*-===//
//
// The FLOP count that ptc reports (`ptc plan`, MFU) and balances pipeline
// stages by: the multiply-adds of matrix products and attention, 2 FLOPs
// each; everything else counts 0 (torch_gpt.py's convention).
//
//===----------------------------------------------------------------------===//
#ifndef PTC_DIALECTS_GRAPH_IR_GRAPHFLOPS_H
#define PTC_DIALECTS_GRAPH_IR_GRAPHFLOPS_H

#include "mlir/IR/Operation.h"

namespace ptc::graph {

/// FLOPs of one op (0 for an op that is no matrix product or attention).
double matmulFlops(mlir::Operation *op);

} // namespace ptc::graph

#endif // PTC_DIALECTS_GRAPH_IR_GRAPHFLOPS_H
