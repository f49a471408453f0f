//===- InitAll.cpp - One registration point for every ptc tool ------------===//

#include "compiler/InitAll.h"

#include "dialects/Graph/IR/GraphOps.h"
#include "passes/Pipelines.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Transforms/Passes.h"

namespace ptc {

void registerAllDialects(mlir::DialectRegistry &registry) {
  registry.insert<graph::GraphDialect, mlir::func::FuncDialect>();
}

void registerAllPasses() {
  mlir::registerTransformsPasses();
  registerPipelines();
}

} // namespace ptc
