//===- DistOps.cpp - dist dialect operations ------------------------------===//
//
// Custom directives, mesh queries and verifiers. verify() checks what an op
// says about itself; verifySymbolUses() checks it against its dist.mesh.
//
//===----------------------------------------------------------------------===//

#include "dialects/Dist/IR/DistOps.h"
#include "dialects/Dist/IR/DistAxesSyntax.h"

#include "mlir/IR/Builders.h"
#include "mlir/IR/OpImplementation.h"
#include "llvm/ADT/DenseSet.h"
#include "llvm/ADT/STLExtras.h"
#include "llvm/ADT/SmallSet.h"
#include "llvm/ADT/StringExtras.h"

using namespace mlir;
using namespace ptc::dist;

//===----------------------------------------------------------------------===//
// Helpers
//===----------------------------------------------------------------------===//

static SmallVector<StringRef> getNames(ArrayAttr axes) {
  return llvm::map_to_vector(
      axes, [](Attribute a) { return cast<StringAttr>(a).getValue(); });
}

/// `16x1024x192`.
static std::string formatShape(ArrayRef<int64_t> shape) {
  std::string text;
  llvm::raw_string_ostream os(text);
  llvm::interleave(shape, os, "x");
  return text;
}

/// A collective's axes: at least one, none twice.
static LogicalResult verifyAxisList(Operation *op, ArrayAttr axes) {
  if (axes.empty())
    return op->emitOpError("needs at least one mesh axis");
  llvm::SmallSet<StringRef, 4> seen;
  for (StringRef axis : getNames(axes))
    if (!seen.insert(axis).second)
      return op->emitOpError("mesh axis '") << axis << "' is listed twice";
  return success();
}

FailureOr<MeshOp> ptc::dist::lookupMesh(Operation *op, FlatSymbolRefAttr mesh,
                                        SymbolTableCollection &symbolTable) {
  auto meshOp = symbolTable.lookupNearestSymbolFrom<MeshOp>(op, mesh);
  if (!meshOp)
    return op->emitOpError("'")
           << mesh.getValue() << "' does not name a dist.mesh";
  return meshOp;
}

MeshOp ptc::dist::getModuleMesh(ModuleOp module) {
  MeshOp mesh;
  for (auto op : module.getOps<MeshOp>())
    mesh = op;
  return mesh;
}

int64_t ptc::dist::getMeshAxisIndex(ModuleOp module, StringRef axis) {
  if (MeshOp mesh = getModuleMesh(module))
    if (std::optional<unsigned> index = mesh.getAxisIndex(axis))
      return *index;
  return -1;
}

LogicalResult ptc::dist::verifyMeshAxes(Operation *op, MeshOp mesh,
                                        ArrayRef<StringRef> axes) {
  for (StringRef axis : axes) {
    if (mesh.getAxisIndex(axis))
      continue;
    InFlightDiagnostic diag = op->emitOpError("'")
                              << axis << "' is not an axis of @"
                              << mesh.getSymName() << " (axes: ";
    llvm::interleaveComma(getNames(mesh.getAxisNames()), diag);
    return diag << ")";
  }
  return success();
}

FailureOr<SmallVector<int64_t>>
ptc::dist::getLocalShape(Operation *op, ShardingAttr sharding, MeshOp mesh,
                         ArrayRef<int64_t> globalShape) {
  if (sharding.getSplitAxes().size() > globalShape.size())
    return op->emitOpError("sharding has ")
           << sharding.getSplitAxes().size()
           << " dimensions but the tensor has rank " << globalShape.size();
  if (failed(verifyMeshAxes(op, mesh, sharding.getPartialAxisNames())))
    return failure();
  SmallVector<int64_t> local(globalShape);
  for (auto [dim, size] : llvm::enumerate(globalShape)) {
    SmallVector<StringRef> axes = sharding.getDimAxes(dim);
    if (failed(verifyMeshAxes(op, mesh, axes)))
      return failure();
    int64_t shards = mesh.getGroupSize(axes);
    if (size % shards != 0)
      return op->emitOpError("dimension ")
             << dim << " of size " << size << " is not divisible by " << shards
             << ", the number of shards along its mesh axes";
    local[dim] = size / shards;
  }
  return local;
}

//===----------------------------------------------------------------------===//
// Custom directives
//===----------------------------------------------------------------------===//

/// `[dp = 2, pp = 1, tp = 4]`.
static ParseResult parseMeshShape(OpAsmParser &parser, ArrayAttr &names,
                                  DenseI64ArrayAttr &shape) {
  SmallVector<Attribute> axisNames;
  SmallVector<int64_t> sizes;
  if (parser.parseCommaSeparatedList(
          OpAsmParser::Delimiter::Square, [&]() -> ParseResult {
            std::string name;
            int64_t size;
            if (parser.parseKeywordOrString(&name) || parser.parseEqual() ||
                parser.parseInteger(size))
              return failure();
            axisNames.push_back(parser.getBuilder().getStringAttr(name));
            sizes.push_back(size);
            return success();
          }))
    return failure();
  names = parser.getBuilder().getArrayAttr(axisNames);
  shape = parser.getBuilder().getDenseI64ArrayAttr(sizes);
  return success();
}

static void printMeshShape(OpAsmPrinter &printer, Operation *, ArrayAttr names,
                           DenseI64ArrayAttr shape) {
  printer << '[';
  llvm::interleaveComma(llvm::zip(names, shape.asArrayRef()), printer,
                        [&](auto axis) {
                          printer.printKeywordOrString(
                              cast<StringAttr>(std::get<0>(axis)).getValue());
                          printer << " = " << std::get<1>(axis);
                        });
  printer << ']';
}

/// `[dp, tp]`.
static ParseResult parseAxisList(OpAsmParser &parser, ArrayAttr &axes) {
  return ptc::dist::detail::parseAxisNames(parser, axes);
}

static void printAxisList(OpAsmPrinter &printer, Operation *, ArrayAttr axes) {
  ptc::dist::detail::printAxisNames(printer, axes);
}

/// `pp`: one axis name.
static ParseResult parseAxisName(OpAsmParser &parser, StringAttr &axis) {
  std::string name;
  if (parser.parseKeywordOrString(&name))
    return failure();
  axis = parser.getBuilder().getStringAttr(name);
  return success();
}

static void printAxisName(OpAsmPrinter &printer, Operation *, StringAttr axis) {
  printer.printKeywordOrString(axis.getValue());
}

/// `next`, `prev` or a coordinate on the axis.
static ParseResult parsePeer(OpAsmParser &parser, RelativePeerAttr &relative,
                             IntegerAttr &coordinate) {
  int64_t value;
  OptionalParseResult number = parser.parseOptionalInteger(value);
  if (number.has_value()) {
    if (failed(*number))
      return failure();
    coordinate = parser.getBuilder().getI64IntegerAttr(value);
    return success();
  }
  SMLoc loc = parser.getCurrentLocation();
  StringRef keyword;
  if (parser.parseKeyword(&keyword))
    return failure();
  std::optional<RelativePeer> peer = symbolizeRelativePeer(keyword);
  if (!peer)
    return parser.emitError(loc, "expected 'next', 'prev' or a coordinate, "
                                 "got '")
           << keyword << "'";
  relative = RelativePeerAttr::get(parser.getContext(), *peer);
  return success();
}

static void printPeer(OpAsmPrinter &printer, Operation *,
                      RelativePeerAttr relative, IntegerAttr coordinate) {
  if (relative)
    printer << stringifyRelativePeer(relative.getValue());
  else if (coordinate)
    printer << coordinate.getInt();
}

#define GET_OP_CLASSES
#include "dialects/Dist/IR/DistOps.cpp.inc"

//===----------------------------------------------------------------------===//
// MeshOp
//===----------------------------------------------------------------------===//

std::optional<unsigned> MeshOp::getAxisIndex(StringRef name) {
  for (auto [index, axis] : llvm::enumerate(getNames(getAxisNames())))
    if (axis == name)
      return index;
  return std::nullopt;
}

int64_t MeshOp::getAxisSize(StringRef name) {
  return getShape()[*getAxisIndex(name)];
}

int64_t MeshOp::getGroupSize(ArrayRef<StringRef> axes) {
  int64_t size = 1;
  for (StringRef axis : axes)
    size *= getAxisSize(axis);
  return size;
}

int64_t MeshOp::getNumRanks() {
  int64_t size = 1;
  for (int64_t axis : getShape())
    size *= axis;
  return size;
}

static bool isIdentifier(StringRef name) {
  return !name.empty() && (llvm::isAlpha(name[0]) || name[0] == '_') &&
         llvm::all_of(name,
                      [](char c) { return llvm::isAlnum(c) || c == '_'; });
}

LogicalResult MeshOp::verify() {
  if (getAxisNames().size() != getShape().size())
    return emitOpError("has ") << getAxisNames().size() << " axis names but "
                               << getShape().size() << " sizes";
  if (getShape().empty())
    return emitOpError("needs at least one axis");
  llvm::SmallSet<StringRef, 4> seen;
  for (auto [name, size] : llvm::zip(getNames(getAxisNames()), getShape())) {
    if (!isIdentifier(name))
      return emitOpError("axis name '") << name << "' is not an identifier";
    if (!seen.insert(name).second)
      return emitOpError("axis '") << name << "' is declared twice";
    if (size < 1)
      return emitOpError("axis '")
             << name << "' has size " << size << "; sizes must be >= 1";
  }
  return success();
}

//===----------------------------------------------------------------------===//
// ShardOp
//===----------------------------------------------------------------------===//

LogicalResult ShardOp::verify() {
  auto input = cast<RankedTensorType>(getInput().getType());
  auto result = cast<RankedTensorType>(getResult().getType());
  if (input.getElementType() != result.getElementType() ||
      input.getRank() != result.getRank())
    return emitOpError("result ")
           << result << " must have the rank and element type of " << input;
  return success();
}

LogicalResult ShardOp::verifySymbolUses(SymbolTableCollection &symbolTable) {
  FailureOr<MeshOp> mesh =
      lookupMesh(*this, getSharding().getMesh(), symbolTable);
  if (failed(mesh))
    return failure();
  auto input = cast<RankedTensorType>(getInput().getType());
  FailureOr<SmallVector<int64_t>> local =
      getLocalShape(*this, getSharding(), *mesh, input.getShape());
  if (failed(local))
    return failure();
  auto result = cast<RankedTensorType>(getResult().getType());
  if (result.getShape() != ArrayRef<int64_t>(*local))
    return emitOpError("result shape ")
           << formatShape(result.getShape()) << " is not the shard shape "
           << formatShape(*local) << " of " << input;
  return success();
}

//===----------------------------------------------------------------------===//
// Collectives
//===----------------------------------------------------------------------===//

/// The mesh of a collective, its axes checked; the group size in `size`.
static LogicalResult lookupGroup(Operation *op, FlatSymbolRefAttr meshRef,
                                 ArrayAttr axes,
                                 SymbolTableCollection &symbolTable,
                                 int64_t &size) {
  FailureOr<MeshOp> mesh = lookupMesh(op, meshRef, symbolTable);
  if (failed(mesh))
    return failure();
  SmallVector<StringRef> names = getNames(axes);
  if (failed(verifyMeshAxes(op, *mesh, names)))
    return failure();
  size = mesh->getGroupSize(names);
  return success();
}

/// Shapes of `input` and `result` agree except on dimension `dim`.
static LogicalResult verifyOtherDims(Operation *op, RankedTensorType input,
                                     RankedTensorType result, int64_t dim,
                                     StringRef what) {
  if (dim >= input.getRank())
    return op->emitOpError() << what << " " << dim
                             << " is out of range for rank " << input.getRank();
  for (int64_t d = 0; d < input.getRank(); ++d)
    if (d != dim && input.getDimSize(d) != result.getDimSize(d))
      return op->emitOpError("dimension ")
             << d << " differs between input " << input << " and result "
             << result << "; only the " << what << " may";
  return success();
}

LogicalResult AllReduceOp::verify() {
  if (failed(verifyAxisList(*this, getMeshAxes())))
    return failure();
  if (auto members = getMembersAttr()) {
    if (getMeshAxes().size() != 1)
      return emitOpError("members need exactly one mesh axis");
    if (members.size() < 2)
      return emitOpError("members must list at least two coordinates");
    llvm::SmallDenseSet<int64_t, 8> seen;
    for (int64_t m : members.asArrayRef())
      if (m < 0 || !seen.insert(m).second)
        return emitOpError("members must be distinct coordinates >= 0");
  }
  return success();
}

LogicalResult
AllReduceOp::verifySymbolUses(SymbolTableCollection &symbolTable) {
  int64_t size;
  if (failed(
          lookupGroup(*this, getMeshAttr(), getMeshAxes(), symbolTable, size)))
    return failure();
  if (auto members = getMembersAttr())
    for (int64_t m : members.asArrayRef())
      if (m >= size)
        return emitOpError("member ")
               << m << " is outside the axis (size " << size << ")";
  return success();
}

/// The checks of an in-place bucket of gradients: its parameters, unique.
template <typename BucketOp> static LogicalResult verifyBucket(BucketOp op) {
  if (failed(verifyAxisList(op, op.getMeshAxes())))
    return failure();
  if (op.getParams().empty())
    return op.emitOpError("reduces no parameters");
  llvm::SmallDenseSet<Attribute, 8> seen;
  for (Attribute param : op.getParams())
    if (!seen.insert(param).second)
      return op.emitOpError("lists ") << param << " twice";
  return success();
}

template <typename BucketOp>
static LogicalResult verifyBucketSymbols(BucketOp op,
                                         SymbolTableCollection &symbolTable,
                                         int64_t &groupSize) {
  if (failed(lookupGroup(op, op.getMeshAttr(), op.getMeshAxes(), symbolTable,
                         groupSize)))
    return failure();
  for (Attribute param : op.getParams())
    if (!symbolTable.lookupNearestSymbolFrom(op, cast<SymbolRefAttr>(param)))
      return op.emitOpError("names ") << param << ", which is not a symbol";
  return success();
}

LogicalResult ReduceGradsOp::verify() { return verifyBucket(*this); }

LogicalResult
ReduceGradsOp::verifySymbolUses(SymbolTableCollection &symbolTable) {
  int64_t size;
  return verifyBucketSymbols(*this, symbolTable, size);
}

LogicalResult ReduceScatterGradsOp::verify() { return verifyBucket(*this); }

LogicalResult
ReduceScatterGradsOp::verifySymbolUses(SymbolTableCollection &symbolTable) {
  int64_t size;
  if (failed(verifyBucketSymbols(*this, symbolTable, size)))
    return failure();
  // The accumulators have their parameters' types (graph.param's `type`).
  for (Attribute param : getParams()) {
    Operation *def =
        symbolTable.lookupNearestSymbolFrom(*this, cast<SymbolRefAttr>(param));
    auto type = def->getAttrOfType<TypeAttr>("type");
    auto shaped = type ? dyn_cast<ShapedType>(type.getValue()) : ShapedType();
    if (shaped && shaped.hasStaticShape() && shaped.getNumElements() % size)
      return emitOpError("group of ")
             << size << " does not divide the " << shaped.getNumElements()
             << " elements of " << param;
  }
  return success();
}

LogicalResult AllGatherOp::verify() {
  if (failed(verifyAxisList(*this, getMeshAxes())))
    return failure();
  return verifyOtherDims(*this, getInput().getType(), getResult().getType(),
                         getGatherAxis(), "gather_axis");
}

LogicalResult
AllGatherOp::verifySymbolUses(SymbolTableCollection &symbolTable) {
  int64_t size;
  if (failed(
          lookupGroup(*this, getMeshAttr(), getMeshAxes(), symbolTable, size)))
    return failure();
  int64_t axis = getGatherAxis();
  int64_t in = getInput().getType().getDimSize(axis);
  int64_t out = getResult().getType().getDimSize(axis);
  if (out != in * size)
    return emitOpError("gathered dimension ")
           << axis << " must be " << in * size << " (" << in
           << " times the group size " << size << "), got " << out;
  return success();
}

LogicalResult ReduceScatterOp::verify() {
  if (failed(verifyAxisList(*this, getMeshAxes())))
    return failure();
  return verifyOtherDims(*this, getInput().getType(), getResult().getType(),
                         getScatterAxis(), "scatter_axis");
}

LogicalResult
ReduceScatterOp::verifySymbolUses(SymbolTableCollection &symbolTable) {
  int64_t size;
  if (failed(
          lookupGroup(*this, getMeshAttr(), getMeshAxes(), symbolTable, size)))
    return failure();
  int64_t axis = getScatterAxis();
  int64_t in = getInput().getType().getDimSize(axis);
  int64_t out = getResult().getType().getDimSize(axis);
  if (in % size != 0)
    return emitOpError("scattered dimension ")
           << axis << " of size " << in
           << " is not divisible by the group size " << size;
  if (out != in / size)
    return emitOpError("scattered dimension ")
           << axis << " must be " << in / size << " (" << in
           << " divided by the group size " << size << "), got " << out;
  return success();
}

LogicalResult AllReduceGradOp::verify() {
  return verifyAxisList(*this, getMeshAxes());
}

LogicalResult
AllReduceGradOp::verifySymbolUses(SymbolTableCollection &symbolTable) {
  int64_t size;
  return lookupGroup(*this, getMeshAttr(), getMeshAxes(), symbolTable, size);
}

//===----------------------------------------------------------------------===//
// Point to point
//===----------------------------------------------------------------------===//

/// Exactly one peer, and a coordinate is never negative.
static LogicalResult verifyPeer(Operation *op, RelativePeerAttr relative,
                                std::optional<int64_t> coordinate) {
  if (bool(relative) == coordinate.has_value())
    return op->emitOpError("needs exactly one peer: next, prev or a "
                           "coordinate");
  if (coordinate && *coordinate < 0)
    return op->emitOpError("peer coordinate must be >= 0, got ") << *coordinate;
  return success();
}

/// The axis exists and a coordinate peer lies on it.
static LogicalResult verifyPeerAxis(Operation *op, FlatSymbolRefAttr meshRef,
                                    StringRef axis,
                                    std::optional<int64_t> coordinate,
                                    SymbolTableCollection &symbolTable) {
  FailureOr<MeshOp> mesh = lookupMesh(op, meshRef, symbolTable);
  if (failed(mesh) || failed(verifyMeshAxes(op, *mesh, axis)))
    return failure();
  int64_t size = mesh->getAxisSize(axis);
  if (coordinate && *coordinate >= size)
    return op->emitOpError("peer coordinate ")
           << *coordinate << " is out of range for axis '" << axis
           << "' of size " << size;
  return success();
}

LogicalResult SendOp::verify() {
  return verifyPeer(*this, getRelativeAttr(), getCoordinate());
}

LogicalResult SendOp::verifySymbolUses(SymbolTableCollection &symbolTable) {
  return verifyPeerAxis(*this, getMeshAttr(), getAxis(), getCoordinate(),
                        symbolTable);
}

LogicalResult RecvOp::verify() {
  return verifyPeer(*this, getRelativeAttr(), getCoordinate());
}

LogicalResult RecvOp::verifySymbolUses(SymbolTableCollection &symbolTable) {
  return verifyPeerAxis(*this, getMeshAttr(), getAxis(), getCoordinate(),
                        symbolTable);
}
