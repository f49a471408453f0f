//===- ExecOps.cpp - exec dialect verifiers, syntax and effects -----------===//
//
// Placement and symbol rules of arenas and buffers, the size rules of the
// GEMM, and the memory effects of the ops that touch buffers.
//
//===----------------------------------------------------------------------===//

#include "dialects/Exec/IR/ExecOps.h"

#include "mlir/IR/Builders.h"
#include "mlir/IR/OpImplementation.h"
#include "llvm/ADT/STLExtras.h"
#include "llvm/Support/MathExtras.h"

using namespace mlir;
using namespace ptc::exec;

//===----------------------------------------------------------------------===//
// Helpers
//===----------------------------------------------------------------------===//

/// Checks that a buffer placed at `offset` in the arena `arenaRef` fits it.
static LogicalResult verifyPlacement(Operation *op, FlatSymbolRefAttr arenaRef,
                                     std::optional<int64_t> offset,
                                     MemRefType type,
                                     SymbolTableCollection &symbolTable,
                                     ArenaOp *found = nullptr) {
  auto arena = symbolTable.lookupNearestSymbolFrom<ArenaOp>(op, arenaRef);
  if (!arena)
    return op->emitOpError("'")
           << arenaRef.getValue() << "' does not name an exec.arena";
  if (found)
    *found = arena;
  if (!offset)
    return success();
  int64_t alignment = arena.getAlignment();
  if (*offset % alignment != 0)
    return op->emitOpError("offset ")
           << *offset << " is not a multiple of the alignment " << alignment
           << " of arena '" << arena.getSymName() << "'";
  int64_t end = *offset + getBufferBytes(type);
  int64_t size = arena.getSize();
  if (size != 0 && end > size)
    return op->emitOpError("buffer [")
           << *offset << ", " << end << ") does not fit arena '"
           << arena.getSymName() << "' of " << size << " bytes";
  return success();
}

static LogicalResult verifyStream(Operation *op,
                                  std::optional<StringRef> stream,
                                  SymbolTableCollection &symbolTable) {
  if (!stream)
    return success();
  auto attr = FlatSymbolRefAttr::get(op->getContext(), *stream);
  if (!symbolTable.lookupNearestSymbolFrom<StreamOp>(op, attr))
    return op->emitOpError("'") << *stream << "' does not name an exec.stream";
  return success();
}

/// Adds the effect of `access` on `operand`.
static void addAccessEffects(
    OpOperand &operand, Access access,
    SmallVectorImpl<SideEffects::EffectInstance<MemoryEffects::Effect>>
        &effects) {
  if (access != Access::write)
    effects.emplace_back(MemoryEffects::Read::get(), &operand);
  if (access != Access::read)
    effects.emplace_back(MemoryEffects::Write::get(), &operand);
}

//===----------------------------------------------------------------------===//
// ArenaOp, GlobalOp, GlobalRefOp
//===----------------------------------------------------------------------===//

LogicalResult ArenaOp::verify() {
  if (!llvm::isPowerOf2_64(getAlignment()))
    return emitOpError("alignment must be a power of two, got ")
           << getAlignment();
  if (static_cast<int64_t>(getSize()) < 0)
    return emitOpError("size must be >= 0, got ")
           << static_cast<int64_t>(getSize());
  return success();
}

LogicalResult GlobalOp::verify() {
  if (getOffset() && static_cast<int64_t>(*getOffset()) < 0)
    return emitOpError("offset must be >= 0, got ")
           << static_cast<int64_t>(*getOffset());
  if (getIo() && getIo()->empty())
    return emitOpError("io slot name must not be empty");
  return success();
}

LogicalResult GlobalOp::verifySymbolUses(SymbolTableCollection &symbolTable) {
  return verifyPlacement(*this, getArenaAttr(), getOffset(), getMemRefType(),
                         symbolTable);
}

LogicalResult
GlobalRefOp::verifySymbolUses(SymbolTableCollection &symbolTable) {
  auto global =
      symbolTable.lookupNearestSymbolFrom<GlobalOp>(*this, getGlobalAttr());
  if (!global)
    return emitOpError("'")
           << getGlobal() << "' does not name an exec.global in the module";
  if (global.getType() != getType())
    return emitOpError("type ")
           << getType() << " differs from the global's " << global.getType();
  return success();
}

LogicalResult
GlobalSpanOp::verifySymbolUses(SymbolTableCollection &symbolTable) {
  GlobalOp ends[2];
  FlatSymbolRefAttr names[2] = {getFirstAttr(), getLastAttr()};
  for (int i = 0; i < 2; ++i) {
    FlatSymbolRefAttr name = names[i];
    ends[i] = symbolTable.lookupNearestSymbolFrom<GlobalOp>(*this, name);
    if (!ends[i])
      return emitOpError("'") << name.getValue()
                              << "' does not name an exec.global in the module";
  }
  auto [first, last] = std::pair(ends[0], ends[1]);
  MemRefType type = getType();
  if (first.getArena() != last.getArena())
    return emitOpError("spans globals of two arenas, @")
           << first.getArena() << " and @" << last.getArena();
  for (GlobalOp end : {first, last})
    if (end.getMemRefType().getElementType() != type.getElementType())
      return emitOpError("element type ")
             << type.getElementType() << " differs from @" << end.getSymName()
             << "'s " << end.getMemRefType().getElementType();
  if (!first.getOffset() || !last.getOffset())
    return success(); // placed later by exec-plan-memory
  int64_t begin = static_cast<int64_t>(*first.getOffset());
  int64_t end = static_cast<int64_t>(*last.getOffset()) +
                getBufferBytes(last.getMemRefType());
  if (end - begin != getBufferBytes(type))
    return emitOpError("covers ")
           << getBufferBytes(type) << " bytes, but @" << first.getSymName()
           << " to @" << last.getSymName() << " span " << end - begin;
  return success();
}

//===----------------------------------------------------------------------===//
// AllocOp
//===----------------------------------------------------------------------===//

LogicalResult AllocOp::verify() {
  if (getKind() != ArenaKind::activations && getKind() != ArenaKind::workspace)
    return emitOpError("kind must be activations or workspace, got ")
           << stringifyArenaKind(getKind());
  if (getArena().has_value() != getOffset().has_value())
    return emitOpError("'arena' and 'offset' must be set together");
  if (getOffset() && static_cast<int64_t>(*getOffset()) < 0)
    return emitOpError("offset must be >= 0, got ")
           << static_cast<int64_t>(*getOffset());
  return success();
}

LogicalResult AllocOp::verifySymbolUses(SymbolTableCollection &symbolTable) {
  if (!getArenaAttr())
    return success();
  ArenaOp arena;
  if (failed(verifyPlacement(*this, getArenaAttr(), getOffset(),
                             getMemRefType(), symbolTable, &arena)))
    return failure();
  if (arena.getKind() != getKind())
    return emitOpError("placed in arena '")
           << arena.getSymName() << "' of kind "
           << stringifyArenaKind(arena.getKind()) << ", expected "
           << stringifyArenaKind(getKind());
  return success();
}

//===----------------------------------------------------------------------===//
// LaunchOp: `access [read, write]`
//===----------------------------------------------------------------------===//

static ParseResult parseAccessList(OpAsmParser &parser, ArrayAttr &access) {
  SmallVector<Attribute> modes;
  MLIRContext *context = parser.getContext();
  if (parser.parseCommaSeparatedList(
          OpAsmParser::Delimiter::Square, [&]() -> ParseResult {
            StringRef keyword;
            SMLoc loc = parser.getCurrentLocation();
            if (parser.parseKeyword(&keyword))
              return failure();
            std::optional<Access> mode = symbolizeAccess(keyword);
            if (!mode)
              return parser.emitError(loc, "unknown access mode '")
                     << keyword << "' (allowed: read, write, readwrite)";
            modes.push_back(AccessAttr::get(context, *mode));
            return success();
          }))
    return failure();
  access = ArrayAttr::get(context, modes);
  return success();
}

static void printAccessList(OpAsmPrinter &printer, Operation *,
                            ArrayAttr access) {
  printer << '[';
  llvm::interleaveComma(access, printer, [&](Attribute attr) {
    printer << stringifyAccess(cast<AccessAttr>(attr).getValue());
  });
  printer << ']';
}

void LaunchOp::build(OpBuilder &builder, OperationState &state,
                     StringRef callee, ValueRange buffers,
                     ArrayRef<Access> access, ArrayRef<Attribute> args,
                     FlatSymbolRefAttr stream) {
  SmallVector<Attribute> modes;
  for (Access mode : access)
    modes.push_back(AccessAttr::get(builder.getContext(), mode));
  build(builder, state, callee, buffers, builder.getArrayAttr(modes),
        builder.getArrayAttr(args), stream);
}

LogicalResult LaunchOp::verify() {
  if (getCallee().empty())
    return emitOpError("callee must not be empty");
  if (getAccess().size() != getBuffers().size())
    return emitOpError("has ") << getBuffers().size() << " buffers but "
                               << getAccess().size() << " access modes";
  // A scalar, or a table: a list of scalars or of lists of scalars (the
  // emitter prints a braced list, e.g. the segments of a coalesced launch).
  auto isScalar = [](Attribute a) { return isa<IntegerAttr, FloatAttr>(a); };
  auto isRow = [&](Attribute a) {
    auto row = dyn_cast<ArrayAttr>(a);
    return row && llvm::all_of(row, isScalar);
  };
  for (auto [i, arg] : llvm::enumerate(getArgs())) {
    auto table = dyn_cast<ArrayAttr>(arg);
    if (!isScalar(arg) &&
        !(table && llvm::all_of(table, [&](Attribute a) {
            return isScalar(a) || isRow(a);
          })))
      return emitOpError("argument #")
             << i
             << " must be an integer, float or boolean, or a list of them "
                "or of lists of them, got "
             << arg;
  }
  return success();
}

LogicalResult LaunchOp::verifySymbolUses(SymbolTableCollection &symbolTable) {
  return verifyStream(*this, getStream(), symbolTable);
}

void LaunchOp::getEffects(
    SmallVectorImpl<SideEffects::EffectInstance<MemoryEffects::Effect>>
        &effects) {
  for (auto [i, operand] : llvm::enumerate(getBuffersMutable()))
    addAccessEffects(operand, getAccessMode(i), effects);
}

//===----------------------------------------------------------------------===//
// GemmOp
//===----------------------------------------------------------------------===//

LogicalResult GemmOp::verify() {
  int64_t m = getM(), n = getN(), k = getK(), batch = getBatch();
  if (m <= 0 || n <= 0 || k <= 0 || batch <= 0)
    return emitOpError("m, n, k and batch must be > 0, got m = ")
           << m << ", n = " << n << ", k = " << k << ", batch = " << batch;
  int64_t strideA = getStrideA(), strideB = getStrideB(),
          strideOut = getStrideOut();
  if (strideA < 0 || strideB < 0 || strideOut < 0)
    return emitOpError("strides must be >= 0 (0 means packed)");
  // Elements a strided batch spans: (batch - 1) * stride + one matrix.
  auto needed = [&](int64_t stride, int64_t matrix) {
    return (batch - 1) * (stride ? stride : matrix) + matrix;
  };
  struct Operand {
    StringRef name;
    Value value;
    int64_t elements;
  } operands[] = {
      {"out", getOut(), needed(strideOut, m * n)},
      {"a", getA(), needed(strideA, m * k)},
      {"b", getB(), needed(strideB, k * n)},
  };
  for (const Operand &operand : operands) {
    auto type = cast<MemRefType>(operand.value.getType());
    if (type.getNumElements() < operand.elements)
      return emitOpError("'")
             << operand.name << "' has " << type.getNumElements()
             << " elements, the sizes need " << operand.elements;
  }
  Type aElement = getA().getType().getElementType();
  if (aElement != getB().getType().getElementType())
    return emitOpError("element types of 'a' and 'b' differ: ")
           << aElement << " vs " << getB().getType().getElementType();
  if (!isa<FloatType>(aElement) ||
      !isa<FloatType>(getOut().getType().getElementType()))
    return emitOpError("operands must have float element types");
  bool wantsBias = getEpilogue() == GemmEpilogue::bias ||
                   getEpilogue() == GemmEpilogue::bias_gelu;
  if (wantsBias != static_cast<bool>(getBias()))
    return emitOpError("epilogue ")
           << stringifyGemmEpilogue(getEpilogue())
           << (wantsBias ? " needs a bias operand" : " takes no bias operand");
  if (getBias() && getBias().getType().getNumElements() != n)
    return emitOpError("bias must have n = ")
           << n << " elements, got " << getBias().getType().getNumElements();
  return success();
}

LogicalResult GemmOp::verifySymbolUses(SymbolTableCollection &symbolTable) {
  return verifyStream(*this, getStream(), symbolTable);
}

void GemmOp::getEffects(
    SmallVectorImpl<SideEffects::EffectInstance<MemoryEffects::Effect>>
        &effects) {
  addAccessEffects(getOutMutable(),
                   getAccumulate() ? Access::readwrite : Access::write,
                   effects);
  addAccessEffects(getAMutable(), Access::read, effects);
  addAccessEffects(getBMutable(), Access::read, effects);
  for (OpOperand &bias : getBiasMutable())
    addAccessEffects(bias, Access::read, effects);
}

//===----------------------------------------------------------------------===//
// FillOp, CopyOp
//===----------------------------------------------------------------------===//

void FillOp::getEffects(
    SmallVectorImpl<SideEffects::EffectInstance<MemoryEffects::Effect>>
        &effects) {
  addAccessEffects(getBufferMutable(), Access::write, effects);
}

LogicalResult CopyOp::verify() {
  MemRefType target = getTarget().getType(), source = getSource().getType();
  if (target.getNumElements() != source.getNumElements())
    return emitOpError("target has ")
           << target.getNumElements() << " elements, source has "
           << source.getNumElements();
  if (target.getElementType() != source.getElementType())
    return emitOpError("element types differ: ")
           << target.getElementType() << " vs " << source.getElementType();
  return success();
}

void CopyOp::getEffects(
    SmallVectorImpl<SideEffects::EffectInstance<MemoryEffects::Effect>>
        &effects) {
  addAccessEffects(getTargetMutable(), Access::write, effects);
  addAccessEffects(getSourceMutable(), Access::read, effects);
}

//===----------------------------------------------------------------------===//
// Events and streams
//===----------------------------------------------------------------------===//

static LogicalResult verifyEvent(Operation *op, FlatSymbolRefAttr event,
                                 SymbolTableCollection &symbolTable) {
  if (!symbolTable.lookupNearestSymbolFrom<EventOp>(op, event))
    return op->emitOpError("'")
           << event.getValue() << "' does not name an exec.event";
  return success();
}

LogicalResult
EventRecordOp::verifySymbolUses(SymbolTableCollection &symbolTable) {
  if (failed(verifyEvent(*this, getEventAttr(), symbolTable)))
    return failure();
  return verifyStream(*this, getStream(), symbolTable);
}

LogicalResult
StreamWaitOp::verifySymbolUses(SymbolTableCollection &symbolTable) {
  if (failed(verifyEvent(*this, getEventAttr(), symbolTable)))
    return failure();
  return verifyStream(*this, getStream(), symbolTable);
}

#define GET_OP_CLASSES
#include "dialects/Exec/IR/ExecOps.cpp.inc"
