//===- IRDump.cpp - `--dump-ir=DIR`: the IR after every pass --------------===//

#include "compiler/IRDump.h"

#include "mlir/IR/Diagnostics.h"
#include "mlir/Pass/Pass.h"
#include "mlir/Pass/PassInstrumentation.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/raw_ostream.h"

using namespace mlir;

namespace ptc {
namespace {

/// Snapshots the enclosing module after each pass.
class DumpAfterEachPass : public PassInstrumentation {
public:
  explicit DumpAfterEachPass(IRDumper &dumper) : dumper(dumper) {}
  void runAfterPass(Pass *pass, Operation *op) override {
    auto module = dyn_cast<ModuleOp>(op);
    if (!module)
      module = op->getParentOfType<ModuleOp>();
    if (module)
      (void)dumper.dump(module, pass->getArgument());
  }

private:
  IRDumper &dumper;
};

} // namespace

std::unique_ptr<IRDumper> IRDumper::create(const std::string &directory,
                                           std::string &error) {
  if (std::error_code ec = llvm::sys::fs::create_directories(directory)) {
    error = "cannot create --dump-ir directory '" + directory +
            "': " + ec.message();
    return nullptr;
  }
  return std::unique_ptr<IRDumper>(new IRDumper(directory));
}

LogicalResult IRDumper::dump(ModuleOp module, StringRef stage) {
  llvm::SmallString<256> path(directory);
  std::string number = std::to_string(next++);
  if (number.size() < 2)
    number.insert(0, "0");
  llvm::sys::path::append(path, number + "-" +
                                    (stage.empty() ? "pass" : stage.str()) +
                                    ".mlir");
  std::error_code ec;
  llvm::raw_fd_ostream os(path, ec);
  if (ec)
    return emitError(module.getLoc()) << "cannot write '" << path
                                      << "': " << ec.message();
  module.print(os);
  return success();
}

void IRDumper::attach(PassManager &pm) {
  pm.addInstrumentation(std::make_unique<DumpAfterEachPass>(*this));
}

} // namespace ptc
