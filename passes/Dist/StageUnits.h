//===- StageUnits.h - The layer units that pipeline stages hold -*- C++ -*-===//
//
// Pipeline parallelism moves whole graph.layer units of @forward (the
// embedding, the transformer blocks, the head) between stages. This is the
// one place that decides which chunk (global pipeline stage) holds which
// unit: dist-pipeline-split builds the stages from it and `ptc plan`
// reports it, so the two never disagree.
//
//===----------------------------------------------------------------------===//
#ifndef PTC_PASSES_DIST_STAGEUNITS_H
#define PTC_PASSES_DIST_STAGEUNITS_H

#include "dialects/Graph/IR/GraphOps.h"
#include "passes/Dist/Schedule/StageLayout.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"

#include <vector>

namespace ptc::dist {

/// The layer units of @forward in program order, with their forward
/// FLOPs per token.
struct ForwardUnits {
  mlir::func::FuncOp forward;
  graph::LayerOp embedding, head;
  std::vector<graph::LayerOp> blocks;
  double embeddingFlops = 0, headFlops = 0;
  std::vector<double> blockFlops;
};

/// The units of `module`'s @forward; fails with a diagnostic when it has
/// none, or units other than one embedding, blocks and one head in order.
mlir::FailureOr<ForwardUnits> collectForwardUnits(mlir::ModuleOp module);

/// The blocks of each of `chunks` chunks: the layout `text` (Megatron's
/// pipeline_model_parallel_layout syntax) when not empty, else a balance of
/// the units' FLOPs. Fails with a diagnostic naming
/// parallel.pipeline_layout when the layout is impossible.
mlir::FailureOr<schedule::StageLayout>
chooseStageLayout(mlir::ModuleOp module, const ForwardUnits &units,
                  int64_t chunks, llvm::StringRef text);

} // namespace ptc::dist

#endif // PTC_PASSES_DIST_STAGEUNITS_H
