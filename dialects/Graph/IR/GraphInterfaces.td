//===- GraphInterfaces.td - graph dialect op interfaces -----*- tablegen -*-===//
//
// DifferentiableOpInterface: each forward op builds its own vector-Jacobian
// product, so `graph-autodiff` holds no per-op knowledge and a new op becomes
// differentiable by implementing one method.
//
//===----------------------------------------------------------------------===//
#ifndef PTC_GRAPH_INTERFACES_TD
#define PTC_GRAPH_INTERFACES_TD

include "mlir/IR/OpBase.td"

def Graph_DifferentiableOpInterface : OpInterface<"DifferentiableOpInterface"> {
  let cppNamespace = "::ptc::graph";
  let description = [{
    An op whose vector-Jacobian product (VJP) can be built from its operands,
    its results and the gradients of its results.
  }];
  let methods = [
    InterfaceMethod<[{
        Builds, at the builder's insertion point, the gradients of this op's
        operands given `resultGrads` (one per result; a null value stands for
        a result nothing depends on). Fills `operandGrads` with one value per
        operand; an operand that is not differentiable (integer ids, targets)
        gets a null value. The VJP may read the op's operands and results.
        Fails, after emitting a diagnostic, when it cannot be built.
      }],
      "::mlir::LogicalResult", "buildVJP",
      (ins "::mlir::OpBuilder &":$builder,
           "::mlir::ArrayRef<::mlir::Value>":$resultGrads,
           "::llvm::SmallVectorImpl<::mlir::Value> &":$operandGrads)>
  ];
}

#endif // PTC_GRAPH_INTERFACES_TD
