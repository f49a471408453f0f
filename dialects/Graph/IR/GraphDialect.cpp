//===- GraphDialect.cpp - graph dialect registration and attributes ------===//

#include "dialects/Graph/IR/GraphOps.h"

#include "mlir/IR/Builders.h"
#include "mlir/IR/DialectImplementation.h"
#include "llvm/ADT/TypeSwitch.h"

using namespace mlir;
using namespace ptc::graph;

#include "dialects/Graph/IR/GraphDialect.cpp.inc"
#include "dialects/Graph/IR/GraphEnums.cpp.inc"
#include "dialects/Graph/IR/GraphInterfaces.cpp.inc"

#define GET_ATTRDEF_CLASSES
#include "dialects/Graph/IR/GraphAttrs.cpp.inc"

void GraphDialect::initialize() {
  addAttributes<
#define GET_ATTRDEF_LIST
#include "dialects/Graph/IR/GraphAttrs.cpp.inc"
      >();
  addOperations<
#define GET_OP_LIST
#include "dialects/Graph/IR/GraphOps.cpp.inc"
      >();
}

//===----------------------------------------------------------------------===//
// InitAttr: #graph.init<normal, std = 0.02, scale = 0.5>
//===----------------------------------------------------------------------===//

Attribute InitAttr::parse(AsmParser &parser, Type) {
  StringRef keyword;
  SMLoc kindLoc = parser.getCurrentLocation();
  if (parser.parseLess() || parser.parseKeyword(&keyword))
    return {};
  std::optional<InitKind> kind = symbolizeInitKind(keyword);
  if (!kind) {
    parser.emitError(kindLoc, "unknown init kind '")
        << keyword << "' (allowed: zeros, ones, normal)";
    return {};
  }
  double stdValue = 0.0, scale = 1.0;
  while (succeeded(parser.parseOptionalComma())) {
    StringRef field;
    SMLoc fieldLoc = parser.getCurrentLocation();
    double value;
    if (parser.parseKeyword(&field) || parser.parseEqual() ||
        parser.parseFloat(value))
      return {};
    if (field == "std") {
      stdValue = value;
    } else if (field == "scale") {
      scale = value;
    } else {
      parser.emitError(fieldLoc, "unknown field '")
          << field << "' of #graph.init (allowed: std, scale)";
      return {};
    }
  }
  if (parser.parseGreater())
    return {};
  return parser.getChecked<InitAttr>(parser.getContext(), *kind,
                                     APFloat(stdValue), APFloat(scale));
}

void InitAttr::print(AsmPrinter &printer) const {
  printer << '<' << stringifyInitKind(getKind());
  if (getKind() == InitKind::normal) {
    printer << ", std = " << getStd().convertToDouble();
    if (getScale().convertToDouble() != 1.0)
      printer << ", scale = " << getScale().convertToDouble();
  }
  printer << '>';
}

LogicalResult InitAttr::verify(function_ref<InFlightDiagnostic()> emitError,
                               InitKind kind, APFloat stdFloat,
                               APFloat scaleFloat) {
  double stdValue = stdFloat.convertToDouble();
  double scale = scaleFloat.convertToDouble();
  if (kind == InitKind::normal && !(stdValue > 0.0))
    return emitError() << "normal init needs std > 0, got " << stdValue;
  if (kind != InitKind::normal && (stdValue != 0.0 || scale != 1.0))
    return emitError() << stringifyInitKind(kind)
                       << " init takes no std or scale";
  if (!(scale > 0.0))
    return emitError() << "init scale must be > 0, got " << scale;
  return success();
}
