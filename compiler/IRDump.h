//===- IRDump.h - `--dump-ir=DIR`: the IR after every pass -----*- C++ -*-===//
#ifndef PTC_COMPILER_IRDUMP_H
#define PTC_COMPILER_IRDUMP_H

#include "mlir/IR/BuiltinOps.h"
#include "mlir/Pass/PassManager.h"

#include <memory>
#include <string>

namespace ptc {

/// Writes numbered snapshots of the module into one directory:
/// `00-frontend.mlir`, `01-canonicalize.mlir`, `02-cse.mlir`, ...
class IRDumper {
public:
  /// Creates `directory` if needed. Returns null and sets `error` when it
  /// cannot be created.
  static std::unique_ptr<IRDumper> create(const std::string &directory,
                                          std::string &error);

  /// Writes `module` as the next snapshot, named after `stage`.
  mlir::LogicalResult dump(mlir::ModuleOp module, llvm::StringRef stage);

  /// Makes `pm` write a snapshot after every pass it runs.
  void attach(mlir::PassManager &pm);

private:
  explicit IRDumper(std::string directory) : directory(std::move(directory)) {}
  std::string directory;
  int next = 0;
};

} // namespace ptc

#endif // PTC_COMPILER_IRDUMP_H
