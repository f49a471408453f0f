//===- ZeroOne.h - Whether a module trains with ZeRO-1 ---------*- C++ -*-===//
#ifndef PTC_PASSES_EXEC_ZEROONE_H
#define PTC_PASSES_EXEC_ZEROONE_H

#include "dialects/Dist/IR/DistOps.h"

namespace ptc::exec {

/// ZeRO-1 over more than one data-parallel rank: the module's
/// `ptc.parallel` says `zero_stage = 1` and `dp > 1`.
inline bool isZeroOneModule(mlir::ModuleOp module) {
  auto parallel = ptc::dist::ParallelAttr::lookup(module);
  return parallel && parallel.getZeroStage() == 1 && parallel.getDp() > 1;
}

} // namespace ptc::exec

#endif // PTC_PASSES_EXEC_ZEROONE_H
