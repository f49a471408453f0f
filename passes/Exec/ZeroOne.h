//===- ZeroOne.h - Whether a module trains with ZeRO-1 ---------*- C++ -*-===//
#ifndef PTC_PASSES_EXEC_ZEROONE_H
#define PTC_PASSES_EXEC_ZEROONE_H

#include "mlir/IR/BuiltinAttributes.h"
#include "mlir/IR/BuiltinOps.h"

namespace ptc::exec {

/// ZeRO-1 over more than one data-parallel rank: the module's
/// `ptc.parallel` says `zero_stage = 1` and `dp > 1`.
inline bool isZeroOneModule(mlir::ModuleOp module) {
  auto parallel = module->getAttrOfType<mlir::DictionaryAttr>("ptc.parallel");
  auto read = [&](llvm::StringRef key) -> int64_t {
    auto value =
        parallel ? parallel.getAs<mlir::IntegerAttr>(key) : mlir::IntegerAttr();
    return value ? value.getInt() : 0;
  };
  return read("zero_stage") == 1 && read("dp") > 1;
}

} // namespace ptc::exec

#endif // PTC_PASSES_EXEC_ZEROONE_H
