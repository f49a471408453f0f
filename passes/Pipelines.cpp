//===- Pipelines.cpp - ptc's pass pipelines -------------------------------===//

#include "passes/Pipelines.h"

#include "mlir/Pass/PassRegistry.h"
#include "mlir/Transforms/Passes.h"

namespace ptc {

void buildGraphPipeline(mlir::OpPassManager &pm) {
  // 1. Fold and simplify what the frontend built.
  pm.addPass(mlir::createCanonicalizerPass());
  // 2. Share identical values, inside each layer unit.
  pm.addPass(mlir::createCSEPass());
}

void registerPipelines() {
  mlir::PassPipelineRegistration<>(
      "ptc-graph-pipeline",
      "The graph-level pipeline that `ptc compile --emit=graph` runs",
      buildGraphPipeline);
}

} // namespace ptc
