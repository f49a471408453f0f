//===- InitAll.cpp - One registration point for every ptc tool ------------===//

#include "compiler/InitAll.h"

#include "dialects/Dist/IR/DistOps.h"
#include "dialects/Exec/IR/ExecOps.h"
#include "dialects/Graph/IR/GraphOps.h"
#include "dialects/Ptc/IR/PtcDialect.h"
#include "passes/Dist/Passes.h"
#include "passes/Exec/Passes.h"
#include "passes/Graph/Passes.h"
#include "passes/GraphToExec/Passes.h"
#include "passes/Pipelines.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Transforms/Passes.h"

namespace ptc {

void registerAllDialects(mlir::DialectRegistry &registry) {
  registry.insert<graph::GraphDialect, dist::DistDialect, exec::ExecDialect,
                  mlir::func::FuncDialect>();
  registerPtcDialect(registry);
}

void registerAllPasses() {
  mlir::registerTransformsPasses();
  graph::registerGraphPasses();
  dist::registerDistPasses();
  exec::registerExecPasses();
  lowering::registerGraphToExecPasses();
  registerPipelines();
}

} // namespace ptc
