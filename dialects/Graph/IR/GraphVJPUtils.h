//===- GraphVJPUtils.h - Helpers shared by the graph ops' VJPs -*- C++ -*-===//
#ifndef PTC_DIALECTS_GRAPH_IR_GRAPHVJPUTILS_H
#define PTC_DIALECTS_GRAPH_IR_GRAPHVJPUTILS_H

#include "dialects/Graph/IR/GraphOps.h"

#include "mlir/IR/Builders.h"

namespace ptc::graph::detail {

/// Creates a one-result op through the generic builder (result type,
/// operands, attributes), which every ODS op has.
template <typename OpTy>
mlir::Value createValue(mlir::OpBuilder &builder, mlir::Location loc,
                        mlir::Type type, mlir::ValueRange operands,
                        llvm::ArrayRef<mlir::NamedAttribute> attributes = {}) {
  return OpTy::create(builder, loc, mlir::TypeRange{type}, operands,
                      attributes)
      ->getResult(0);
}

/// `grad` (of a broadcast result) summed over the leading dimensions that
/// `target` lacks, so that it has `target`'s type. Returns `grad` itself when
/// the shapes already agree.
mlir::Value sumToShape(mlir::OpBuilder &builder, mlir::Location loc,
                       mlir::Value grad, mlir::Type target);

/// `grad` or, when it is null, zeros of `type`.
mlir::Value gradOrZeros(mlir::OpBuilder &builder, mlir::Location loc,
                        mlir::Value grad, mlir::Type type);

} // namespace ptc::graph::detail

#endif // PTC_DIALECTS_GRAPH_IR_GRAPHVJPUTILS_H
