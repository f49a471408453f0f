//===- ConvertGraphToExec.cpp - convert-graph-to-exec: the pass driver ----===//
//
// Declares the arenas and the persistent buffers, builds init_params, lowers
// each entry function with a Lowering, then drops the graph level.
//
//===----------------------------------------------------------------------===//

#include "passes/GraphToExec/Lowering.h"
#include "passes/GraphToExec/Passes.h"

#include "dialects/Dist/IR/DistOps.h"
#include "dialects/Dist/IR/StageSlots.h"

namespace ptc::lowering {
#define GEN_PASS_DEF_CONVERTGRAPHTOEXEC
#include "passes/GraphToExec/Passes.h.inc"
} // namespace ptc::lowering

using namespace mlir;
using namespace ptc;
using namespace ptc::lowering;

namespace {

/// Which io slot each result of an entry point goes to: its results'
/// ptc.output (a pipeline chunk's), else by the entry point's role.
SmallVector<std::string> outputSlots(func::FuncOp fn) {
  SmallVector<std::string> slots;
  for (unsigned i = 0; i < fn.getNumResults(); ++i)
    if (auto slot = fn.getResultAttrOfType<StringAttr>(i, "ptc.output"))
      slots.push_back(slot.getValue().str());
  if (!slots.empty() || fn->hasAttr("ptc.stage"))
    return slots;
  auto entry = fn->getAttrOfType<StringAttr>("ptc.entry");
  if (entry && entry.getValue() == "optimizer_step")
    return {"lr", "grad_norm"};
  return {"loss"};
}

SmallVector<func::FuncOp> entriesOf(ModuleOp module) {
  SmallVector<func::FuncOp> entries;
  for (auto fn : module.getOps<func::FuncOp>())
    if (fn->hasAttr("ptc.entry"))
      entries.push_back(fn);
  return entries;
}

struct ConvertGraphToExecPass
    : public ptc::lowering::impl::ConvertGraphToExecBase<
          ConvertGraphToExecPass> {
  void runOnOperation() override {
    if (failed(convert(getOperation())))
      signalPassFailure();
  }

  LogicalResult convert(ModuleOp module) {
    SmallVector<func::FuncOp> entries;
    for (auto fn : module.getOps<func::FuncOp>())
      if (fn->hasAttr("ptc.entry"))
        entries.push_back(fn);
    if (entries.empty())
      return module.emitError(
          "convert-graph-to-exec: no entry points (functions "
          "with ptc.entry; run graph-autodiff and "
          "graph-optimizer first)");
    OpBuilder builder(module.getContext());
    builder.setInsertionPointToStart(module.getBody());
    // A pipeline rank's module reads the tokens only on the first stage,
    // the targets and the loss only on the last.
    const bool stage = module->hasAttr("ptc.pipeline_rank");
    FailureOr<RankedTensorType> tokens = slotType(entries, "tokens");
    if (failed(tokens) && !stage)
      return module.emitError("convert-graph-to-exec: no entry point reads "
                              "\"tokens\" (ptc.input)");
    // The loss slot has the loss's own precision (f64 in the fp64
    // verification mode, where gradient checks need every digit).
    std::optional<Type> lossElement;
    if (!stage)
      lossElement = builder.getF32Type();
    for (func::FuncOp fn : entries)
      for (auto [i, slot] : llvm::enumerate(outputSlots(fn)))
        if (slot == "loss")
          lossElement =
              cast<ShapedType>(fn.getResultTypes()[i]).getElementType();
    declareStorage(module, builder,
                   succeeded(tokens) ? *tokens : RankedTensorType(),
                   lossElement);
    if (stage)
      declarePipelineSlots(module, builder, entries);
    SymbolIndex symbols(module);

    // Lower each entry into a fresh function; swap names at the end.
    SmallVector<std::pair<func::FuncOp, std::string>> lowered;
    builder.setInsertionPointToEnd(module.getBody());
    lowered.push_back({buildInit(module, builder, symbols), "init_params"});
    for (func::FuncOp fn : entries) {
      StringRef entry = fn->getAttrOfType<StringAttr>("ptc.entry").getValue();
      FailureOr<func::FuncOp> exec =
          lowerEntry(module, builder, symbols, fn, entry);
      if (failed(exec))
        return failure();
      lowered.push_back({*exec, entry.str()});
    }
    for (auto fn : llvm::make_early_inc_range(module.getOps<func::FuncOp>()))
      if (!fn->hasAttr("exec.entry"))
        fn.erase();
    for (auto param :
         llvm::make_early_inc_range(module.getOps<graph::ParamOp>()))
      param.erase();
    for (auto &[fn, name] : lowered)
      fn.setSymName(name);
    return success();
  }

  /// The type of the argument that reads io slot `name` in some entry.
  FailureOr<RankedTensorType> slotType(ArrayRef<func::FuncOp> entries,
                                       StringRef name) {
    for (func::FuncOp fn : entries)
      for (unsigned i = 0; i < fn.getNumArguments(); ++i)
        if (auto slot = fn.getArgAttrOfType<StringAttr>(i, "ptc.input"))
          if (slot.getValue() == name)
            return cast<RankedTensorType>(fn.getArgument(i).getType());
    return failure();
  }

  /// The io slots of a pipeline rank's chunks (their activations and
  /// gradients, named by the chunk functions' ptc.input and ptc.output)
  /// and the stash slots dist-pipeline-schedule asked for.
  void declarePipelineSlots(ModuleOp module, OpBuilder &builder,
                            ArrayRef<func::FuncOp> entries) {
    llvm::StringMap<MemRefType> slots;
    for (func::FuncOp fn : entries) {
      for (unsigned i = 0; i < fn.getNumArguments(); ++i)
        if (auto slot = fn.getArgAttrOfType<StringAttr>(i, "ptc.input"))
          if (dist::isStageSlot(slot.getValue()))
            slots[slot.getValue()] =
                Lowering::memrefOf(fn.getArgument(i).getType());
      for (auto [i, slot] : llvm::enumerate(outputSlots(fn)))
        if (dist::isStageSlot(slot))
          slots[slot] = Lowering::memrefOf(fn.getResultTypes()[i]);
    }
    SmallVector<std::pair<std::string, MemRefType>> ordered;
    for (auto &slot : slots)
      ordered.push_back({slot.getKey().str(), slot.getValue()});
    llvm::sort(ordered, [](auto &a, auto &b) { return a.first < b.first; });
    if (auto stash = module->getAttrOfType<DictionaryAttr>("ptc.stash_slots"))
      for (NamedAttribute named : stash) {
        auto it = slots.find(named.getName().getValue());
        if (it == slots.end())
          continue;
        int64_t count = cast<IntegerAttr>(named.getValue()).getInt();
        for (int64_t k = 0; k < count; ++k)
          ordered.push_back({dist::stashSlotName(named.getName().getValue(), k),
                             it->getValue()});
      }
    for (auto &[name, type] : ordered)
      declareGlobal(module, builder, ioName(name), "io", type, name);
  }

  exec::GlobalOp declareGlobal(ModuleOp module, OpBuilder &builder,
                               StringRef name, StringRef arenaName,
                               MemRefType type, StringRef io = "") {
    MLIRContext *context = module.getContext();
    SmallVector<NamedAttribute> attrs = {
        builder.getNamedAttr("sym_name", builder.getStringAttr(name)),
        builder.getNamedAttr("arena",
                             FlatSymbolRefAttr::get(context, arenaName)),
        builder.getNamedAttr("type", TypeAttr::get(type))};
    if (!io.empty())
      attrs.push_back(builder.getNamedAttr("io", builder.getStringAttr(io)));
    return exec::GlobalOp::create(builder, module.getLoc(), TypeRange{},
                                  ValueRange{}, attrs);
  }

  void declareStorage(ModuleOp module, OpBuilder &builder,
                      RankedTensorType tokens,
                      std::optional<Type> lossElement) {
    MLIRContext *context = module.getContext();
    auto arena = [&](StringRef name, exec::ArenaKind kind) {
      exec::ArenaOp::create(
          builder, module.getLoc(), TypeRange{}, ValueRange{},
          {builder.getNamedAttr("sym_name", builder.getStringAttr(name)),
           builder.getNamedAttr("kind",
                                exec::ArenaKindAttr::get(context, kind))});
    };
    auto global = [&](StringRef name, StringRef arenaName, MemRefType type,
                      StringRef io = "") {
      return declareGlobal(module, builder, name, arenaName, type, io);
    };
    arena("parameters", exec::ArenaKind::parameters);
    arena("gradients", exec::ArenaKind::gradients);
    arena("optimizer_state", exec::ArenaKind::optimizer_state);
    arena("io", exec::ArenaKind::io);
    SmallVector<graph::ParamOp> params(module.getOps<graph::ParamOp>());
    for (graph::ParamOp param : params) {
      exec::GlobalOp created = global(param.getSymName(), "parameters",
                                      Lowering::memrefOf(param.getType()));
      // How a split parameter relates to the full tensor: for the emitter's
      // parameter layouts (checkpoints hold full tensors).
      // Where it goes in checkpoints (pipeline stages hold a subset).
      for (NamedAttribute attr : param->getDiscardableAttrs())
        if (attr.getName().getValue().starts_with("dist.") ||
            attr.getName() == "ptc.checkpoint_index" ||
            attr.getName() == "ptc.tied_copy")
          created->setAttr(attr.getName(), attr.getValue());
      // Vocabulary-sized tables: checkpoints hold only the vocabulary's
      // rows, not the padding (the emitter's ParamLayout::checkpointRows).
      bool vocabRows = param.getRole() == graph::ParamRole::token_embedding ||
                       param.getRole() == graph::ParamRole::output_weight;
      if (auto model = graph::ModelAttr::lookup(module); model && vocabRows)
        created->setAttr("ptc.vocab_rows",
                         builder.getI64IntegerAttr(model.getVocabSize()));
    }
    for (graph::ParamOp param : params)
      global(gradientName(param.getSymName()), "gradients",
             Lowering::memrefOf(param.getType()));
    // Under ZeRO-1 (dist.zero_chunk) a rank keeps its chunk of the moments.
    for (int which : {1, 2})
      for (graph::ParamOp param : params) {
        MemRefType type = Lowering::memrefOf(param.getType());
        if (auto chunk = param->getAttrOfType<IntegerAttr>("dist.zero_chunk"))
          type = MemRefType::get({chunk.getInt()}, type.getElementType());
        global(momentName(param.getSymName(), which), "optimizer_state", type);
      }
    auto f32 = MemRefType::get({}, builder.getF32Type());
    auto i64 = MemRefType::get({}, builder.getI64Type());
    if (tokens) {
      auto ids = MemRefType::get(tokens.getShape(), builder.getI32Type());
      global(ioName("tokens"), "io", ids, "tokens");
    }
    if (lossElement) {
      // The targets come with the loss (a pipeline's last stage).
      FailureOr<RankedTensorType> targets = tokens;
      if (!tokens)
        targets = slotType(entriesOf(module), "targets");
      if (succeeded(targets))
        global(ioName("targets"), "io",
               MemRefType::get(targets->getShape(), builder.getI32Type()),
               "targets");
      global(ioName("loss"), "io", MemRefType::get({}, *lossElement), "loss");
    }
    global(ioName("lr"), "io", f32, "lr");
    global(ioName("grad_norm"), "io", f32, "grad_norm");
    global(ioName("seed"), "io", i64, "seed");
    global(ioName("step"), "io", i64, "step");
    global(ioName("micro"), "io", i64, "micro");
    // A batch-size ramp-up's optimizer step reads these (graph-optimizer).
    SmallVector<func::FuncOp> entries = entriesOf(module);
    if (succeeded(slotType(entries, "samples")))
      global(ioName("samples"), "io", i64, "samples");
    if (succeeded(slotType(entries, "grad_scale")))
      global(ioName("grad_scale"), "io", f32, "grad_scale");
  }

  func::FuncOp newEntry(ModuleOp module, OpBuilder &builder, StringRef entry) {
    auto fn = func::FuncOp::create(builder, module.getLoc(),
                                   ("__exec." + entry).str(),
                                   builder.getFunctionType({}, {}));
    fn->setAttr("exec.entry", builder.getStringAttr(entry));
    return fn;
  }

  /// init_params: every parameter from its recipe (normal draws use the
  /// parameter's index as the stream), the training state zeroed.
  func::FuncOp buildInit(ModuleOp module, OpBuilder &builder,
                         SymbolIndex &symbols) {
    func::FuncOp fn = newEntry(module, builder, "init_params");
    OpBuilder body = OpBuilder::atBlockEnd(fn.addEntryBlock());
    Lowering lowering(module, body, symbols);
    for (auto [index, param] :
         llvm::enumerate(module.getOps<graph::ParamOp>())) {
      MemRefType type = Lowering::memrefOf(param.getType());
      Value buf = lowering.global(param.getSymName(), type);
      graph::InitAttr init = param.getInit();
      switch (init.getKind()) {
      case graph::InitKind::normal: {
        // A split parameter draws the full tensor (the same numbers as a
        // single-device run) and keeps its shard.
        auto globalType = param->getAttrOfType<TypeAttr>("dist.global_type");
        MemRefType drawn =
            globalType ? Lowering::memrefOf(globalType.getValue()) : type;
        Value target = globalType ? lowering.alloc(drawn) : buf;
        lowering.launch("init_normal",
                        {{target, exec::Access::write},
                         {lowering.io("seed"), exec::Access::read}},
                        {lowering.i64(drawn.getNumElements()),
                         lowering.i64(initStream(param, index)),
                         lowering.f64(init.getEffectiveStd())},
                        param.getLoc());
        if (globalType)
          shardParam(lowering, param, buf, target, drawn);
        break;
      }
      case graph::InitKind::ones:
        lowering.fill(buf, 1.0);
        break;
      case graph::InitKind::zeros:
        lowering.fill(buf, 0.0);
        break;
      }
      lowering.fill(lowering.global(gradientName(param.getSymName()), type),
                    0.0);
      for (int which : {1, 2}) {
        std::string moment = momentName(param.getSymName(), which);
        auto state = symbols.lookup<exec::GlobalOp>(moment);
        lowering.fill(
            lowering.global(moment, cast<MemRefType>(state.getType())), 0.0);
      }
    }
    func::ReturnOp::create(body, module.getLoc());
    return fn;
  }

  /// The random stream of a parameter's normal draw: its index in the
  /// whole model (a pipeline rank holds a subset; ptc.checkpoint_index).
  static int64_t initStream(graph::ParamOp param, size_t index) {
    if (auto whole = param->getAttrOfType<IntegerAttr>("ptc.checkpoint_index"))
      return whole.getInt();
    return static_cast<int64_t>(index);
  }

  /// buf = this rank's shard of `full`, as the param's dist.sharding says.
  void shardParam(Lowering &lowering, graph::ParamOp param, Value buf,
                  Value full, MemRefType fullType) {
    auto local = cast<ShapedType>(param.getType());
    for (int64_t d = 0; d < local.getRank(); ++d) {
      if (local.getDimSize(d) == fullType.getDimSize(d))
        continue;
      auto sharding = param->getAttrOfType<dist::ShardingAttr>("dist.sharding");
      SmallVector<int64_t> segments = {fullType.getDimSize(d)};
      if (auto given = param->getAttrOfType<DenseI64ArrayAttr>("dist.segments"))
        segments.assign(given.asArrayRef().begin(), given.asArrayRef().end());
      lowering.shardSlice(buf, full, fullType.getShape(), d,
                          sharding.getDimAxes(d)[0],
                          fullType.getDimSize(d) / local.getDimSize(d),
                          segments, param.getLoc());
      return;
    }
  }

  FailureOr<func::FuncOp> lowerEntry(ModuleOp module, OpBuilder &builder,
                                     SymbolIndex &symbols, func::FuncOp source,
                                     StringRef entry) {
    if (!source.getBody().hasOneBlock())
      return source.emitError("convert-graph-to-exec: entry @")
             << source.getSymName() << " must have a single block";
    func::FuncOp fn = newEntry(module, builder, entry);
    OpBuilder body = OpBuilder::atBlockEnd(fn.addEntryBlock());
    Lowering lowering(module, body, symbols);
    for (unsigned i = 0; i < source.getNumArguments(); ++i) {
      auto slot = source.getArgAttrOfType<StringAttr>(i, "ptc.input");
      bool known =
          slot &&
          (llvm::is_contained(ArrayRef<StringRef>{"tokens", "targets", "step",
                                                  "samples", "grad_scale"},
                              slot.getValue()) ||
           (source->hasAttr("ptc.stage") &&
            dist::isStageSlot(slot.getValue())));
      if (!known)
        return source.emitError("convert-graph-to-exec: argument #")
               << i << " of @" << source.getSymName()
               << " is not an input slot of the runtime (ptc.input = tokens, "
                  "targets or step; a pipeline chunk's stage<S>.*)";
      Value buf = lowering.io(slot.getValue());
      MemRefType expected = Lowering::memrefOf(source.getArgument(i).getType());
      if (buf.getType() != expected)
        return source.emitError("convert-graph-to-exec: argument #")
               << i << " of @" << source.getSymName() << " (" << slot.getValue()
               << ") has type " << source.getArgument(i).getType()
               << ", but the slot is " << buf.getType();
      lowering.bind(source.getArgument(i), buf);
    }
    Block &block = source.front();
    if (failed(lowering.lowerBlock(block)))
      return failure();
    lowering.joinSideStreams(source.getLoc());
    auto ret = cast<func::ReturnOp>(block.getTerminator());
    SmallVector<std::string> slots = outputSlots(source);
    if (ret.getNumOperands() != slots.size())
      return source.emitError("convert-graph-to-exec: entry '")
             << entry << "' must return " << slots.size() << " values";
    for (auto [value, slot] : llvm::zip(ret.getOperands(), slots)) {
      Value out = lowering.io(slot);
      if (cast<ShapedType>(value.getType()).getRank() != 0 &&
          !dist::isStageSlot(slot))
        return source.emitError("convert-graph-to-exec: entry '")
               << entry << "' must return scalars (" << slot << " is "
               << value.getType() << ")";
      if (cast<MemRefType>(out.getType()).getElementType() !=
          cast<ShapedType>(value.getType()).getElementType())
        lowering.launch("convert",
                        {{out, exec::Access::write},
                         {lowering.buffer(value), exec::Access::read}},
                        {lowering.i64(1)}, ret.getLoc());
      else
        lowering.copy(out, lowering.buffer(value));
    }
    func::ReturnOp::create(body, source.getLoc());
    return fn;
  }
};

} // namespace
