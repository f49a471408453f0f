//===- PipelinePlan.h - `ptc plan` of a pipeline-parallel spec --*- C++ -*-===//
#ifndef PTC_TOOLS_PTC_PIPELINEPLAN_H
#define PTC_TOOLS_PTC_PIPELINEPLAN_H

#include "compiler/Driver.h"

#include "mlir/IR/BuiltinOps.h"

#include <string>

namespace ptc {

struct PipelinePlanOptions {
  std::string name;   ///< the spec's model name
  std::string target; ///< cpu or cuda
  ExecPipelineOptions exec;
  std::string trace; ///< a Chrome/Perfetto trace JSON of the schedule, or ""
  std::string svg;   ///< an SVG timeline of the schedule, or ""
};

/// `ptc plan` of a spec with parallel.pp > 1 (`module`: the frontend's):
/// the program compiled as `ptc compile` does (one module per pipeline
/// rank), each rank's exact memory by arena, the stages and the checked
/// schedule; the schedule's pictures when asked. Returns the exit status.
int planPipeline(mlir::ModuleOp module, const PipelinePlanOptions &options);

} // namespace ptc

#endif // PTC_TOOLS_PTC_PIPELINEPLAN_H
