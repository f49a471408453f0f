//===- PipelineSplit.cpp - dist-pipeline-split ----------------------------===//
//
// One nested module per pipeline rank, one function per model chunk; see
// Passes.td.
//
//===----------------------------------------------------------------------===//

#include "passes/Dist/Mesh.h"
#include "passes/Dist/Passes.h"
#include "passes/Dist/StageUnits.h"

#include "dialects/Dist/IR/StageSlots.h"

#include "mlir/IR/IRMapping.h"
#include "llvm/ADT/DenseSet.h"

#include <fmt/format.h>

namespace ptc::dist {
#define GEN_PASS_DEF_DISTPIPELINESPLIT
#include "passes/Dist/Passes.h.inc"
} // namespace ptc::dist

using namespace mlir;
using namespace ptc;
using namespace ptc::graph;

namespace {

/// The units of chunk `stage`, in program order.
SmallVector<LayerOp> unitsOf(const dist::ForwardUnits &units,
                             const schedule::StageLayout &layout,
                             int64_t stage) {
  SmallVector<LayerOp> chunk;
  if (stage == 0)
    chunk.push_back(units.embedding);
  for (int64_t b = layout.begin[size_t(stage)];
       b < layout.begin[size_t(stage) + 1]; ++b)
    chunk.push_back(units.blocks[size_t(b)]);
  if (stage + 1 == layout.numStages())
    chunk.push_back(units.head);
  return chunk;
}

struct DistPipelineSplitPass
    : public ptc::dist::impl::DistPipelineSplitBase<DistPipelineSplitPass> {
  void runOnOperation() override {
    if (failed(split(getOperation())))
      signalPassFailure();
  }

  LogicalResult split(ModuleOp module) {
    auto parallel = dist::ParallelAttr::lookup(module);
    if (!parallel || parallel.getPp() == 1)
      return success();
    if (!module.getOps<ModuleOp>().empty())
      return module.emitError("dist-pipeline-split: the module is split "
                              "already (it holds nested modules)");
    const int64_t pp = parallel.getPp();
    const int64_t chunks = pp * parallel.getVirtualStages();
    FailureOr<dist::ForwardUnits> units = dist::collectForwardUnits(module);
    if (failed(units))
      return failure();
    FailureOr<schedule::StageLayout> layout = dist::chooseStageLayout(
        module, *units, chunks, parallel.getPipelineLayout());
    if (failed(layout))
      return failure();
    func::FuncOp forward = units->forward;
    // The layout as `ptc plan` and the IR's reader see it.
    module->setAttr("ptc.stage_layout",
                    StringAttr::get(module.getContext(), layout->str()));

    SmallVector<ParamOp> params(module.getOps<ParamOp>());
    DenseMap<StringAttr, int64_t> paramIndex;
    for (auto [i, param] : llvm::enumerate(params))
      paramIndex[param.getSymNameAttr()] = int64_t(i);
    // Which pipeline ranks read each parameter.
    DenseMap<StringAttr, SmallVector<int64_t>> readers;
    for (int64_t s = 0; s < chunks; ++s)
      for (LayerOp unit : unitsOf(*units, *layout, s))
        unit.walk([&](ParamRefOp ref) {
          SmallVector<int64_t> &ranks = readers[ref.getParamAttr().getAttr()];
          if (!llvm::is_contained(ranks, s % pp))
            ranks.push_back(s % pp);
        });

    OpBuilder builder(module.getContext());
    builder.setInsertionPointToEnd(module.getBody());
    SmallVector<ModuleOp> ranks;
    for (int64_t r = 0; r < pp; ++r) {
      auto rankModule = ModuleOp::create(
          module.getLoc(), StringRef(fmt::format("pipeline_rank{}", r)));
      for (NamedAttribute attr : module->getAttrs())
        if (attr.getName() != SymbolTable::getSymbolAttrName())
          rankModule->setAttr(attr.getName(), attr.getValue());
      rankModule->setAttr("ptc.pipeline_rank", builder.getI64IntegerAttr(r));
      builder.insert(rankModule);
      ranks.push_back(rankModule);
    }
    // Parameters in the whole model's order on every rank that reads them.
    for (ParamOp param : params) {
      auto it = readers.find(param.getSymNameAttr());
      if (it == readers.end())
        continue;
      SmallVector<int64_t> holders = it->second;
      llvm::sort(holders);
      for (int64_t r : holders) {
        OpBuilder at = OpBuilder::atBlockEnd(ranks[size_t(r)].getBody());
        Operation *copy = at.clone(*param);
        copy->setAttr("ptc.checkpoint_index",
                      at.getI64IntegerAttr(paramIndex[param.getSymNameAttr()]));
        if (holders.size() > 1) {
          copy->setAttr("ptc.tied_ranks", at.getDenseI64ArrayAttr(holders));
          if (r != holders.front())
            copy->setAttr("ptc.tied_copy", at.getUnitAttr());
        }
      }
    }
    for (int64_t s = 0; s < chunks; ++s)
      if (failed(buildChunk(*units, *layout, s, ranks[size_t(s % pp)])))
        return failure();
    forward.erase();
    for (ParamOp param : params)
      param.erase();
    return success();
  }

  /// @stage<s>_forward in `into`: chunk s's units, from its input (the
  /// tokens, or the previous chunk's output) to its output (or the loss).
  LogicalResult buildChunk(const dist::ForwardUnits &units,
                           const schedule::StageLayout &layout, int64_t s,
                           ModuleOp into) {
    func::FuncOp forward = units.forward;
    MLIRContext *context = into.getContext();
    const bool first = s == 0, last = s + 1 == layout.numStages();
    SmallVector<LayerOp> chunk = unitsOf(units, layout, s);
    // The chunk's input: the token ids, or the value the previous chunk's
    // last unit returns (its input is then the first unit's operand that
    // comes from no function argument).
    BlockArgument tokens = forward.getArgument(0);
    Value input = tokens;
    if (!first) {
      int64_t before = s - 1; // the nearest chunk with a unit (0 has one)
      while (unitsOf(units, layout, before).empty())
        --before;
      LayerOp previous = unitsOf(units, layout, before).back();
      if (previous->getNumResults() != 1)
        return previous.emitOpError("dist-pipeline-split: a unit that ends "
                                    "a chunk must return one value");
      input = previous->getResult(0);
    }
    Value targets;
    for (unsigned i = 0; i < forward.getNumArguments(); ++i)
      if (auto slot = forward.getArgAttrOfType<StringAttr>(i, "ptc.input"))
        if (slot.getValue() == "targets")
          targets = forward.getArgument(i);
    if (last && !targets)
      return forward.emitError("dist-pipeline-split: @forward has no "
                               "\"targets\" argument for the last chunk");

    SmallVector<Type> argTypes = {input.getType()};
    if (last)
      argTypes.push_back(targets.getType());
    Value output = last ? chunk.back()->getResult(0)
                        : (chunk.empty() ? input : chunk.back()->getResult(0));
    if (!last && !chunk.empty() && chunk.back()->getNumResults() != 1)
      return chunk.back().emitOpError("dist-pipeline-split: a unit that ends "
                                      "a chunk must return one value");
    OpBuilder builder = OpBuilder::atBlockEnd(into.getBody());
    auto fn = func::FuncOp::create(
        builder, forward.getLoc(), fmt::format("stage{}_forward", s),
        FunctionType::get(context, argTypes, {output.getType()}));
    fn.setArgAttr(0, "ptc.input",
                  builder.getStringAttr(
                      first ? std::string("tokens")
                            : dist::stageSlotName(s, dist::StageSlot::Input)));
    if (last)
      fn.setArgAttr(1, "ptc.input", builder.getStringAttr("targets"));
    if (!last)
      fn.setResultAttr(0, "ptc.output",
                       builder.getStringAttr(
                           dist::stageSlotName(s, dist::StageSlot::Output)));
    fn->setAttr("ptc.stage", builder.getI64IntegerAttr(s));
    Block *body = fn.addEntryBlock();
    IRMapping map;
    map.map(input, body->getArgument(0));
    if (last)
      map.map(targets, body->getArgument(1));
    builder.setInsertionPointToStart(body);
    for (LayerOp unit : chunk) {
      for (Value operand : unit->getOperands())
        if (!map.contains(operand))
          return unit.emitOpError("dist-pipeline-split: reads a value that "
                                  "is neither its chunk's input nor the "
                                  "targets");
      builder.clone(*unit, map);
    }
    func::ReturnOp::create(builder, forward.getLoc(),
                           ValueRange{map.lookupOrDefault(output)});
    return success();
  }
};

} // namespace
