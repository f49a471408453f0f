//===- Driver.cpp - The library behind the `ptc` tool ---------------------===//

#include "compiler/Driver.h"

#include "compiler/IRDump.h"
#include "frontend/GraphBuilder.h"
#include "passes/Dist/Passes.h"
#include "passes/Pipelines.h"

#include "mlir/IR/Diagnostics.h"
#include "mlir/IR/Verifier.h"
#include "mlir/Parser/Parser.h"
#include "mlir/Pass/PassManager.h"
#include "mlir/Support/Timing.h"
#include "llvm/Support/raw_ostream.h"

using namespace mlir;

namespace ptc {
namespace {

/// `file:line:col: error: message`, or the location as MLIR prints it where
/// it has no file position.
void printOneLine(Diagnostic &diag) {
  auto &os = llvm::errs();
  if (auto file = diag.getLocation()->findInstanceOf<FileLineColLoc>())
    os << file.getFilename().getValue() << ":" << file.getLine() << ":"
       << file.getColumn();
  else
    os << diag.getLocation();
  switch (diag.getSeverity()) {
  case DiagnosticSeverity::Error:
    os << ": error: ";
    break;
  case DiagnosticSeverity::Warning:
    os << ": warning: ";
    break;
  case DiagnosticSeverity::Note:
    os << ": note: ";
    break;
  case DiagnosticSeverity::Remark:
    os << ": remark: ";
    break;
  }
  os << diag.str() << "\n";
}

} // namespace

OwningOpRef<ModuleOp> loadSpecModule(MLIRContext &context,
                                     const std::string &path, Spec *specOut,
                                     std::optional<Precision> precision) {
  // A graph module written by hand (or by --emit=graph of the forward) is an
  // input too: it carries its settings as module attributes.
  if (llvm::StringRef(path).ends_with(".mlir")) {
    // Its errors (syntax, and the verifiers': a setting out of range) are
    // one line each, `file:line:col: error: ...`, as a spec's are.
    ScopedDiagnosticHandler oneLine(&context, [](Diagnostic &diag) {
      printOneLine(diag);
      for (Diagnostic &note : diag.getNotes())
        printOneLine(note);
      return success();
    });
    OwningOpRef<ModuleOp> module = parseSourceFile<ModuleOp>(path, &context);
    if (!module)
      return nullptr;
    if (specOut)
      specOut->name = module->getSymName() ? module->getSymName()->str() : path;
    return module;
  }
  std::string error;
  std::optional<Spec> spec = parseSpecFile(path, error);
  if (!spec) {
    llvm::errs() << error << "\n";
    return nullptr;
  }
  if (precision)
    spec->training.precision = *precision;
  OwningOpRef<ModuleOp> module = buildGraphModule(context, *spec);
  // The frontend must only build valid IR; a failure here is a ptc bug, and
  // the verifier's diagnostic says where.
  if (failed(verify(*module)))
    return nullptr;
  if (specOut)
    *specOut = std::move(*spec);
  return module;
}

LogicalResult runPipeline(ModuleOp module, EmitLevel level, IRDumper *dumper,
                          bool cpuTarget,
                          const ExecPipelineOptions &execOptions,
                          bool fromGraph) {
  PassManager pm(module->getName());
  if (failed(applyPassManagerCLOptions(pm)))
    return failure();
  DefaultTimingManager timing;
  applyDefaultTimingManagerCLOptions(timing);
  TimingScope timingScope = timing.getRootScope();
  pm.enableTiming(timingScope);
  if (dumper) {
    if (failed(dumper->dump(module, "frontend")))
      return failure();
    dumper->attach(pm);
  }
  // The cpu target has no bf16 kernels: it computes bf16 specs in fp32.
  GraphPipelineOptions options;
  if (cpuTarget)
    options.precision = PipelinePrecision::FP32;
  const bool exec = level != EmitLevel::Graph && level != EmitLevel::Schedule;
  // Pipeline parallelism: one nested module per pipeline rank, each the
  // program of that rank (MPMD), compiled by the same pipelines; the
  // schedule of all ranks is the outer module's (ptc-pipeline-parallel).
  auto parallel = dist::ParallelAttr::lookup(module);
  if (parallel && parallel.getPp() > 1) {
    buildPipelineParallel(pm, options, execOptions, /*graph=*/!fromGraph,
                          exec);
    return pm.run(module);
  }
  if (!fromGraph)
    buildGraphPipeline(pm, options);
  if (exec)
    buildExecPipeline(pm, execOptions);
  return pm.run(module);
}

} // namespace ptc
