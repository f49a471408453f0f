//===- PtcDialect.cpp - ptc dialect registration --------------------------===//

#include "dialects/Ptc/IR/PtcDialect.h"

#include "dialects/Dist/IR/DistOps.h"
#include "dialects/Exec/IR/ExecOps.h"
#include "dialects/Graph/IR/GraphOps.h"

using namespace mlir;

#include "dialects/Ptc/IR/PtcDialect.cpp.inc"

void ptc::PtcDialect::initialize() {}

void ptc::registerPtcDialect(DialectRegistry &registry) {
  registry.insert<PtcDialect>();
  // The settings attributes are verified by this dialect, which owns their
  // `ptc.` prefix; MLIR only asks loaded dialects. Loading it with each of
  // ptc's dialects covers every module a tool parses or builds.
  registry.addExtension(+[](MLIRContext *context, graph::GraphDialect *) {
    context->getOrLoadDialect<PtcDialect>();
  });
  registry.addExtension(+[](MLIRContext *context, dist::DistDialect *) {
    context->getOrLoadDialect<PtcDialect>();
  });
  registry.addExtension(+[](MLIRContext *context, exec::ExecDialect *) {
    context->getOrLoadDialect<PtcDialect>();
  });
}
