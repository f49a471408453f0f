//===- Lowering.cpp - Buffers, launches and the op dispatch ---------------===//

#include "passes/GraphToExec/Lowering.h"

#include <cmath>

using namespace mlir;

namespace ptc::lowering {

std::string gradientName(StringRef param) { return (param + ".grad").str(); }
std::string momentName(StringRef param, int which) {
  return (param + (which == 1 ? ".adam_m" : ".adam_v")).str();
}
std::string ioName(StringRef slot) { return ("io." + slot).str(); }

SymbolIndex::SymbolIndex(ModuleOp module) {
  for (Operation &op : *module.getBody())
    if (auto name = op.getAttrOfType<StringAttr>(
            SymbolTable::getSymbolAttrName()))
      byName.try_emplace(name.getValue(), &op);
}

Operation *SymbolIndex::lookup(StringRef name) const {
  return byName.lookup(name);
}

void SymbolIndex::addAtTop(Operation *op) {
  byName[op->getAttrOfType<StringAttr>(SymbolTable::getSymbolAttrName())
             .getValue()] = op;
}

int64_t numElements(Type type) {
  return cast<ShapedType>(type).getNumElements();
}

std::pair<int64_t, int64_t> rowsAndCols(Type type) {
  auto shaped = cast<ShapedType>(type);
  int64_t cols = shaped.getRank() ? shaped.getShape().back() : 1;
  return {shaped.getNumElements() / std::max<int64_t>(cols, 1), cols};
}

MemRefType Lowering::memrefOf(Type tensorType) {
  auto tensor = cast<RankedTensorType>(tensorType);
  return MemRefType::get(tensor.getShape(), tensor.getElementType());
}

Value Lowering::alloc(Type type) {
  MemRefType memref =
      isa<MemRefType>(type) ? cast<MemRefType>(type) : memrefOf(type);
  return exec::AllocOp::create(builder, builder.getUnknownLoc(), memref);
}

Value Lowering::scratch(ArrayRef<int64_t> shape, Type element) {
  return alloc(MemRefType::get(shape, element));
}

Value Lowering::global(StringRef name, MemRefType type) {
  return exec::GlobalRefOp::create(
      builder, builder.getUnknownLoc(), TypeRange{type}, ValueRange{},
      {builder.getNamedAttr(
          "global", FlatSymbolRefAttr::get(builder.getContext(), name))});
}

Value Lowering::io(StringRef slot) {
  auto global = symbols.lookup<exec::GlobalOp>(ioName(slot));
  assert(global && "io slots are created before the functions are lowered");
  return this->global(global.getSymName(), cast<MemRefType>(global.getType()));
}

void Lowering::fill(Value buf, double value) {
  exec::FillOp::create(builder, buf.getLoc(), TypeRange{}, ValueRange{buf},
                       {builder.getNamedAttr("value", f64(value))});
}

void Lowering::copy(Value target, Value source) {
  exec::CopyOp::create(builder, target.getLoc(), TypeRange{},
                       ValueRange{target, source}, ArrayRef<NamedAttribute>{});
}

void Lowering::launch(StringRef callee, ArrayRef<Use> uses,
                      ArrayRef<Attribute> args, Location loc,
                      FlatSymbolRefAttr stream) {
  SmallVector<Value> operands;
  SmallVector<Attribute> access;
  for (const Use &use : uses) {
    operands.push_back(use.buffer);
    access.push_back(exec::AccessAttr::get(builder.getContext(), use.access));
  }
  auto created = exec::LaunchOp::create(
      builder, loc, TypeRange{}, operands,
      {builder.getNamedAttr("callee", builder.getStringAttr(callee)),
       builder.getNamedAttr("access", builder.getArrayAttr(access)),
       builder.getNamedAttr("args", builder.getArrayAttr(args))});
  if (stream) {
    created->setAttr("stream", stream);
    if (!llvm::is_contained(usedStreams, stream))
      usedStreams.push_back(stream);
  }
}

template <typename DeclOp>
static FlatSymbolRefAttr declareSymbol(ModuleOp module, SymbolIndex &symbols,
                                       StringRef name) {
  if (!symbols.lookup<DeclOp>(name)) {
    OpBuilder top = OpBuilder::atBlockBegin(module.getBody());
    symbols.addAtTop(
        DeclOp::create(top, module.getLoc(), top.getStringAttr(name)));
  }
  return FlatSymbolRefAttr::get(module.getContext(), name);
}

FlatSymbolRefAttr Lowering::declareStream(StringRef name) {
  return declareSymbol<exec::StreamOp>(module, symbols, name);
}

FlatSymbolRefAttr Lowering::declareEvent(StringRef name) {
  return declareSymbol<exec::EventOp>(module, symbols, name);
}

void Lowering::joinSideStreams(Location loc) {
  for (FlatSymbolRefAttr stream : usedStreams) {
    FlatSymbolRefAttr done =
        declareEvent((stream.getValue() + "_done").str());
    exec::EventRecordOp::create(builder, loc, done, stream);
    exec::StreamWaitOp::create(builder, loc, FlatSymbolRefAttr(), done);
  }
  usedStreams.clear();
}

FailureOr<SmallVector<Attribute>>
Lowering::attentionArgs(Operation *op, Type query, Type key, bool causal,
                        double dropout, std::optional<APFloat> scale) {
  auto q = cast<ShapedType>(query), k = cast<ShapedType>(key);
  if (!causal)
    return op->emitOpError("the kernel library has causal attention only");
  if (dropout != 0.0)
    return op->emitOpError("attention dropout is not supported yet");
  if (q.getShape()[2] != k.getShape()[2])
    return op->emitOpError("query and key lengths must agree");
  int64_t dh = q.getShape()[3];
  double factor =
      scale ? scale->convertToDouble() : 1.0 / std::sqrt(double(dh));
  return SmallVector<Attribute>{i64(q.getShape()[0]),
                                i64(q.getShape()[1]),
                                i64(k.getShape()[1]),
                                i64(q.getShape()[2]),
                                i64(dh),
                                f64(factor)};
}

Value Lowering::attentionLse(ShapedType query) {
  Type element = query.getElementType();
  if (cast<FloatType>(element).getWidth() < 32)
    element = builder.getF32Type();
  return scratch(query.getShape().drop_back(), element);
}

LogicalResult Lowering::lowerBlock(Block &block) {
  for (Operation &op : block.without_terminator())
    if (failed(lowerOp(&op)))
      return failure();
  return success();
}

LogicalResult Lowering::lowerOp(Operation *op) {
  if (auto layer = dyn_cast<graph::LayerOp>(op)) {
    Block &body = layer.getBodyBlock();
    for (auto [arg, input] : llvm::zip(body.getArguments(), layer.getInputs()))
      bind(arg, buffer(input));
    if (failed(lowerBlock(body)))
      return failure();
    auto yield = cast<graph::YieldOp>(body.getTerminator());
    for (auto [result, value] :
         llvm::zip(layer.getResults(), yield.getValues()))
      bind(result, buffer(value));
    return success();
  }
  // Each family reports whether it knows the op; the first that does lowers it.
  using Stage = LogicalResult (Lowering::*)(Operation *, bool &);
  for (Stage stage : {&Lowering::lowerForward, &Lowering::lowerShape,
                      &Lowering::lowerBackward, &Lowering::lowerTraining,
                      &Lowering::lowerDist}) {
    bool handled = false;
    if (failed((this->*stage)(op, handled)))
      return failure();
    if (handled)
      return success();
  }
  return op->emitOpError("has no lowering to the exec dialect");
}

} // namespace ptc::lowering
