//===- InitAll.h - One registration point for every ptc tool ---*- C++ -*-===//
#ifndef PTC_COMPILER_INITALL_H
#define PTC_COMPILER_INITALL_H

#include "mlir/IR/DialectRegistry.h"

namespace ptc {

/// Adds ptc's dialects and the upstream dialects its IR uses.
void registerAllDialects(mlir::DialectRegistry &registry);

/// Registers ptc's passes and pipelines, and the upstream passes they use.
void registerAllPasses();

} // namespace ptc

#endif // PTC_COMPILER_INITALL_H
