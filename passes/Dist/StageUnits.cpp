//===- StageUnits.cpp - The layer units that pipeline stages hold ---------===//

#include "passes/Dist/StageUnits.h"

#include "dialects/Graph/IR/GraphFlops.h"

using namespace mlir;
using namespace ptc::graph;

namespace ptc::dist {

namespace {

double unitFlops(LayerOp unit, int64_t tokens) {
  double flops = 0;
  unit.walk([&](Operation *op) { flops += matmulFlops(op); });
  return flops / double(tokens);
}

} // namespace

FailureOr<ForwardUnits> collectForwardUnits(ModuleOp module) {
  ForwardUnits units;
  units.forward = module.lookupSymbol<func::FuncOp>("forward");
  auto tokens =
      units.forward && units.forward.getNumArguments()
          ? dyn_cast<RankedTensorType>(units.forward.getArgumentTypes()[0])
          : RankedTensorType();
  if (!tokens || tokens.getNumElements() == 0)
    return module.emitError("pipeline stages: no @forward reading token ids");
  for (auto unit : units.forward.getBody().getOps<LayerOp>()) {
    double flops = unitFlops(unit, tokens.getNumElements());
    switch (unit.getKind()) {
    case LayerKind::embedding:
      if (units.embedding || !units.blocks.empty())
        return unit.emitOpError("pipeline stages: the embedding must be the "
                                "first unit, once");
      units.embedding = unit;
      units.embeddingFlops = flops;
      break;
    case LayerKind::block:
      if (units.head)
        return unit.emitOpError("pipeline stages: a block after the head");
      units.blocks.push_back(unit);
      units.blockFlops.push_back(flops);
      break;
    default:
      if (units.head)
        return unit.emitOpError("pipeline stages: a second head unit");
      units.head = unit;
      units.headFlops = flops;
      break;
    }
  }
  if (!units.embedding || !units.head)
    return module.emitError("pipeline stages: @forward needs an embedding "
                            "and a head unit (graph.layer)");
  return units;
}

FailureOr<schedule::StageLayout> chooseStageLayout(ModuleOp module,
                                                   const ForwardUnits &units,
                                                   int64_t chunks,
                                                   StringRef text) {
  std::string error;
  std::optional<schedule::StageLayout> layout =
      text.empty() ? schedule::balanceStages(units.blockFlops, chunks,
                                             units.embeddingFlops,
                                             units.headFlops, error)
                   : schedule::parseStageLayout(
                         text, chunks, int64_t(units.blocks.size()), error);
  if (!layout)
    return module.emitError(text.empty() ? "pipeline stages: "
                                         : "parallel.pipeline_layout: ")
           << error;
  return *layout;
}

} // namespace ptc::dist
