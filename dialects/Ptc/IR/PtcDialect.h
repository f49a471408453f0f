//===- PtcDialect.h - The ptc dialect: module-level settings ---*- C++ -*-===//
#ifndef PTC_DIALECTS_PTC_IR_PTCDIALECT_H
#define PTC_DIALECTS_PTC_IR_PTCDIALECT_H

#include "mlir/IR/Dialect.h"
#include "mlir/IR/DialectRegistry.h"

#include "dialects/Ptc/IR/PtcDialect.h.inc"

namespace ptc {

/// Registers the ptc dialect, loaded whenever the graph, dist or exec dialect
/// is: a module that names one of those has its `ptc.*` settings verified,
/// in every tool.
void registerPtcDialect(mlir::DialectRegistry &registry);

} // namespace ptc

#endif // PTC_DIALECTS_PTC_IR_PTCDIALECT_H
