//===- DistAxesSyntax.h - `[dp, tp]`: mesh axis lists in dist syntax -*- C++ -*-===//
//
// One parser and printer for lists of mesh axis names, shared by the
// sharding attribute and the collectives' `axes [...]`.
//
//===----------------------------------------------------------------------===//
#ifndef PTC_DIALECTS_DIST_IR_DISTAXESSYNTAX_H
#define PTC_DIALECTS_DIST_IR_DISTAXESSYNTAX_H

#include "mlir/IR/BuiltinAttributes.h"
#include "mlir/IR/OpImplementation.h"

namespace ptc::dist::detail {

/// `[a, b]`: axis names as an array of string attributes.
inline mlir::ParseResult parseAxisNames(mlir::AsmParser &parser,
                                        mlir::ArrayAttr &axes) {
  llvm::SmallVector<mlir::Attribute> names;
  if (parser.parseCommaSeparatedList(
          mlir::AsmParser::Delimiter::Square, [&]() -> mlir::ParseResult {
            std::string name;
            if (parser.parseKeywordOrString(&name))
              return mlir::failure();
            names.push_back(parser.getBuilder().getStringAttr(name));
            return mlir::success();
          }))
    return mlir::failure();
  axes = parser.getBuilder().getArrayAttr(names);
  return mlir::success();
}

inline void printAxisNames(mlir::AsmPrinter &printer, mlir::ArrayAttr axes) {
  printer << '[';
  llvm::interleaveComma(axes, printer, [&](mlir::Attribute axis) {
    printer.printKeywordOrString(llvm::cast<mlir::StringAttr>(axis).getValue());
  });
  printer << ']';
}

} // namespace ptc::dist::detail

#endif // PTC_DIALECTS_DIST_IR_DISTAXESSYNTAX_H
