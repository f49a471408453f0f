//===- ptc-opt.cpp - mlir-opt for ptc's dialects and passes ---------------===//

#include "compiler/InitAll.h"

#include "mlir/IR/DialectRegistry.h"
#include "mlir/Tools/mlir-opt/MlirOptMain.h"

int main(int argc, char **argv) {
  ptc::registerAllPasses();
  mlir::DialectRegistry registry;
  ptc::registerAllDialects(registry);
  return mlir::asMainReturnCode(mlir::MlirOptMain(
      argc, argv, "ptc-opt: ptc's dialects and passes\n", registry));
}
