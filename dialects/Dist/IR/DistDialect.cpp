//===- DistDialect.cpp - dist dialect registration and attributes --------===//

#include "dialects/Dist/IR/DistOps.h"
#include "dialects/Dist/IR/DistAxesSyntax.h"

#include "mlir/IR/Builders.h"
#include "mlir/IR/DialectImplementation.h"
#include "llvm/ADT/SmallSet.h"
#include "llvm/ADT/TypeSwitch.h"

using namespace mlir;
using namespace ptc::dist;

#include "dialects/Dist/IR/DistDialect.cpp.inc"
#include "dialects/Dist/IR/DistEnums.cpp.inc"

#define GET_ATTRDEF_CLASSES
#include "dialects/Dist/IR/DistAttrs.cpp.inc"

void DistDialect::initialize() {
  addAttributes<
#define GET_ATTRDEF_LIST
#include "dialects/Dist/IR/DistAttrs.cpp.inc"
      >();
  addOperations<
#define GET_OP_LIST
#include "dialects/Dist/IR/DistOps.cpp.inc"
      >();
}

//===----------------------------------------------------------------------===//
// #dist.sharding<@mesh, [[dp], [], [tp]], partial = [pp]>
//===----------------------------------------------------------------------===//

Attribute ShardingAttr::parse(AsmParser &parser, Type) {
  SMLoc loc = parser.getCurrentLocation();
  FlatSymbolRefAttr mesh;
  SmallVector<Attribute> dims;
  ArrayAttr partial = parser.getBuilder().getArrayAttr({});
  if (parser.parseLess() || parser.parseAttribute(mesh) ||
      parser.parseComma() ||
      parser.parseCommaSeparatedList(AsmParser::Delimiter::Square,
                                     [&]() -> ParseResult {
                                       ArrayAttr axes;
                                       if (ptc::dist::detail::parseAxisNames(parser, axes))
                                         return failure();
                                       dims.push_back(axes);
                                       return success();
                                     }))
    return {};
  if (succeeded(parser.parseOptionalComma()) &&
      (parser.parseKeyword("partial") || parser.parseEqual() ||
       ptc::dist::detail::parseAxisNames(parser, partial)))
    return {};
  if (parser.parseGreater())
    return {};
  return getChecked([&] { return parser.emitError(loc); }, parser.getContext(),
                    mesh, parser.getBuilder().getArrayAttr(dims), partial);
}

void ShardingAttr::print(AsmPrinter &printer) const {
  printer << '<';
  printer.printAttributeWithoutType(getMesh());
  printer << ", [";
  llvm::interleaveComma(getSplitAxes(), printer, [&](Attribute axes) {
    ptc::dist::detail::printAxisNames(printer, cast<ArrayAttr>(axes));
  });
  printer << ']';
  if (!getPartialAxes().empty()) {
    printer << ", partial = ";
    ptc::dist::detail::printAxisNames(printer, getPartialAxes());
  }
  printer << '>';
}

/// Every element of `axes` is a non-empty string used nowhere else.
static LogicalResult checkAxes(function_ref<InFlightDiagnostic()> emitError,
                               ArrayAttr axes,
                               llvm::SmallSet<StringRef, 4> &seen) {
  for (Attribute attr : axes) {
    auto axis = dyn_cast<StringAttr>(attr);
    if (!axis || axis.getValue().empty())
      return emitError() << "mesh axes must be non-empty names, got " << attr;
    if (!seen.insert(axis.getValue()).second)
      return emitError() << "mesh axis '" << axis.getValue()
                         << "' is used more than once in a sharding";
  }
  return success();
}

LogicalResult ShardingAttr::verify(function_ref<InFlightDiagnostic()> emitError,
                                   FlatSymbolRefAttr mesh, ArrayAttr splitAxes,
                                   ArrayAttr partialAxes) {
  if (!mesh || !splitAxes || !partialAxes)
    return emitError() << "a sharding needs a mesh, split axes and partial "
                          "axes";
  llvm::SmallSet<StringRef, 4> seen;
  for (Attribute dim : splitAxes) {
    auto axes = dyn_cast<ArrayAttr>(dim);
    if (!axes)
      return emitError() << "split axes must be one list of mesh axes per "
                            "tensor dimension, got "
                         << dim;
    if (failed(checkAxes(emitError, axes, seen)))
      return failure();
  }
  return checkAxes(emitError, partialAxes, seen);
}

SmallVector<StringRef> ShardingAttr::getDimAxes(unsigned dim) const {
  SmallVector<StringRef> names;
  if (dim < getSplitAxes().size())
    for (Attribute axis : cast<ArrayAttr>(getSplitAxes()[dim]))
      names.push_back(cast<StringAttr>(axis).getValue());
  return names;
}

SmallVector<StringRef> ShardingAttr::getPartialAxisNames() const {
  SmallVector<StringRef> names;
  for (Attribute axis : getPartialAxes())
    names.push_back(cast<StringAttr>(axis).getValue());
  return names;
}
