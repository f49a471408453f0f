//===- Passes.h - dist passes ----------------------------------*- C++ -*-===//
#ifndef PTC_PASSES_DIST_PASSES_H
#define PTC_PASSES_DIST_PASSES_H

#include "dialects/Dist/IR/DistOps.h"

#include "mlir/Pass/Pass.h"

#include <memory>

namespace ptc::dist {

#define GEN_PASS_DECL
#include "passes/Dist/Passes.h.inc"

#define GEN_PASS_REGISTRATION
#include "passes/Dist/Passes.h.inc"

} // namespace ptc::dist

#endif // PTC_PASSES_DIST_PASSES_H
