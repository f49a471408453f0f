//===- GraphVerifyUtils.h - shared graph verifier helpers ------*- C++ -*-===//
//
// Internal to dialects/Graph/IR: the shape checks that a forward op and its
// gradient op share (GraphOps.cpp, GraphGradOps.cpp), so that both state the
// same rule with the same message.
//
//===----------------------------------------------------------------------===//
#ifndef PTC_DIALECTS_GRAPH_IR_GRAPHVERIFYUTILS_H
#define PTC_DIALECTS_GRAPH_IR_GRAPHVERIFYUTILS_H

#include "mlir/IR/BuiltinTypes.h"
#include "mlir/IR/Diagnostics.h"
#include "mlir/IR/Operation.h"
#include "llvm/ADT/STLExtras.h"
#include "llvm/Support/raw_ostream.h"

#include <optional>
#include <string>

namespace ptc::graph::detail {

inline mlir::RankedTensorType tensorTypeOf(mlir::Value value) {
  return mlir::cast<mlir::RankedTensorType>(value.getType());
}

/// Prints a shape as [8, 64, 128].
inline std::string shapeString(llvm::ArrayRef<int64_t> shape) {
  std::string text = "[";
  llvm::raw_string_ostream os(text);
  llvm::interleaveComma(shape, os);
  os << "]";
  return text;
}

/// Every graph tensor must be statically shaped: sizes feed the memory plan.
inline mlir::LogicalResult verifyStatic(mlir::Operation *op) {
  for (mlir::Type type : llvm::concat<mlir::Type>(op->getOperandTypes(),
                                                  op->getResultTypes())) {
    auto tensor = mlir::dyn_cast<mlir::RankedTensorType>(type);
    if (tensor && !tensor.hasStaticShape())
      return op->emitOpError("requires statically shaped tensors, got ")
             << tensor;
  }
  return mlir::success();
}

/// `vector` must be a rank-1 tensor of size `size` with `elementType`.
inline mlir::LogicalResult verifyVectorOperand(mlir::Operation *op,
                                               llvm::StringRef name,
                                               mlir::Value vector, int64_t size,
                                               mlir::Type elementType) {
  mlir::RankedTensorType type = tensorTypeOf(vector);
  if (type.getRank() != 1 || type.getDimSize(0) != size)
    return op->emitOpError() << name << " must have shape [" << size
                             << "], got " << shapeString(type.getShape());
  if (type.getElementType() != elementType)
    return op->emitOpError() << name << " element type " << type.getElementType()
                             << " differs from the input's " << elementType;
  return mlir::success();
}

/// layer_norm / rms_norm and their gradients: `scale` (and `bias` when set)
/// have shape [D] for an input [..., D]; epsilon > 0.
inline mlir::LogicalResult verifyNorm(mlir::Operation *op, mlir::Value input,
                                      mlir::Value scale, mlir::Value bias,
                                      double epsilon) {
  if (failed(verifyStatic(op)))
    return mlir::failure();
  mlir::RankedTensorType inputType = tensorTypeOf(input);
  if (inputType.getRank() < 1)
    return op->emitOpError("input must have rank >= 1");
  int64_t dim = inputType.getShape().back();
  mlir::Type element = inputType.getElementType();
  if (failed(verifyVectorOperand(op, "scale", scale, dim, element)))
    return mlir::failure();
  if (bias && failed(verifyVectorOperand(op, "bias", bias, dim, element)))
    return mlir::failure();
  if (!(epsilon > 0.0))
    return op->emitOpError("epsilon must be > 0, got ") << epsilon;
  return mlir::success();
}

/// attention and attention_grad: q [B, Hq, T, Dh], k and v [B, Hkv, S, Dh]
/// with Hkv dividing Hq; causal needs T == S.
inline mlir::LogicalResult
verifyAttention(mlir::Operation *op, mlir::Value query, mlir::Value key,
                mlir::Value value, bool causal,
                std::optional<llvm::APFloat> scale, double dropout) {
  if (failed(verifyStatic(op)))
    return mlir::failure();
  mlir::RankedTensorType q = tensorTypeOf(query);
  mlir::RankedTensorType k = tensorTypeOf(key);
  mlir::RankedTensorType v = tensorTypeOf(value);
  if (q.getRank() != 4 || k.getRank() != 4 || v.getRank() != 4)
    return op->emitOpError(
        "query, key and value must have rank 4 [B, H, T, Dh]");
  if (k.getShape() != v.getShape())
    return op->emitOpError("key ")
           << shapeString(k.getShape()) << " and value "
           << shapeString(v.getShape()) << " shapes differ";
  if (q.getDimSize(0) != k.getDimSize(0) || q.getDimSize(3) != k.getDimSize(3))
    return op->emitOpError("query ")
           << shapeString(q.getShape()) << " and key "
           << shapeString(k.getShape()) << " differ in batch or head size";
  if (q.getDimSize(1) % k.getDimSize(1) != 0)
    return op->emitOpError("key/value heads (")
           << k.getDimSize(1) << ") must divide query heads ("
           << q.getDimSize(1) << ")";
  if (causal && q.getDimSize(2) != k.getDimSize(2))
    return op->emitOpError(
               "causal attention needs equal query and key lengths, got ")
           << q.getDimSize(2) << " and " << k.getDimSize(2);
  if (k.getElementType() != q.getElementType() ||
      v.getElementType() != q.getElementType())
    return op->emitOpError("query, key and value element types must match");
  if (scale && !(scale->convertToDouble() > 0.0))
    return op->emitOpError("scale must be > 0");
  if (!(dropout >= 0.0 && dropout < 1.0))
    return op->emitOpError("dropout must be in [0, 1), got ") << dropout;
  return mlir::success();
}

/// rope and rope_grad: [B, H, T, Dh] with Dh even, theta > 0.
inline mlir::LogicalResult verifyRope(mlir::Operation *op,
                                      mlir::RankedTensorType type,
                                      double theta) {
  if (failed(verifyStatic(op)))
    return mlir::failure();
  if (type.getRank() != 4)
    return op->emitOpError("input must have rank 4 [B, H, T, Dh], got ")
           << shapeString(type.getShape());
  if (type.getDimSize(3) % 2 != 0)
    return op->emitOpError("head size must be even, got ")
           << type.getDimSize(3);
  if (!(theta > 0.0))
    return op->emitOpError("theta must be > 0");
  return mlir::success();
}

/// dropout and dropout_grad: p in [0, 1), stream >= 0.
inline mlir::LogicalResult verifyDropout(mlir::Operation *op, double p,
                                         int64_t stream) {
  if (!(p >= 0.0 && p < 1.0))
    return op->emitOpError("p must be in [0, 1), got ") << p;
  if (stream < 0)
    return op->emitOpError("stream must be >= 0");
  return verifyStatic(op);
}

/// cross_entropy and cross_entropy_grad: logits [..., Vp], targets [...],
/// num_classes in [1, Vp].
inline mlir::LogicalResult verifyCrossEntropy(mlir::Operation *op,
                                              mlir::Value logitsValue,
                                              mlir::Value targetsValue,
                                              int64_t numClasses) {
  if (failed(verifyStatic(op)))
    return mlir::failure();
  mlir::RankedTensorType logits = tensorTypeOf(logitsValue);
  mlir::RankedTensorType targets = tensorTypeOf(targetsValue);
  if (logits.getRank() < 1)
    return op->emitOpError("logits must have rank >= 1");
  if (logits.getShape().drop_back() != targets.getShape())
    return op->emitOpError("targets shape ")
           << shapeString(targets.getShape())
           << " must equal the logits shape without its last dimension, "
           << shapeString(logits.getShape().drop_back());
  if (numClasses < 1 || numClasses > logits.getShape().back())
    return op->emitOpError("num_classes must be in [1, ")
           << logits.getShape().back() << "], got " << numClasses;
  return mlir::success();
}

/// The rule shared by split and concat: `pieces` laid end to end along
/// `axis` make up `whole`. `piece` and `wholeName` name the two sides in
/// messages ("result"/"input" for split, "input"/"result" for concat), `opName`
/// names the axis ("split axis").
inline mlir::LogicalResult
verifyPiecesAlongAxis(mlir::Operation *op, mlir::RankedTensorType whole,
                      mlir::ValueRange pieces, int64_t axis,
                      llvm::StringRef piece, llvm::StringRef wholeName,
                      llvm::StringRef opName) {
  if (failed(verifyStatic(op)))
    return mlir::failure();
  if (axis < 0 || axis >= whole.getRank())
    return op->emitOpError("axis ") << axis << " out of range for rank "
                                    << whole.getRank();
  if (pieces.empty())
    return op->emitOpError("needs at least one ") << piece;
  int64_t total = 0;
  for (mlir::Value value : pieces) {
    mlir::RankedTensorType type = tensorTypeOf(value);
    if (type.getRank() != whole.getRank() ||
        type.getElementType() != whole.getElementType())
      return op->emitOpError("each ")
             << piece << " must have the " << wholeName
             << "'s rank and element type";
    for (int64_t d = 0; d < whole.getRank(); ++d)
      if (d != axis && type.getDimSize(d) != whole.getDimSize(d))
        return op->emitOpError()
               << piece << " " << shapeString(type.getShape())
               << " differs from the " << wholeName << " outside the "
               << opName << " axis";
    total += type.getDimSize(axis);
  }
  if (total != whole.getDimSize(axis))
    return op->emitOpError()
           << piece << " sizes along axis " << axis << " add up to " << total
           << ", not " << whole.getDimSize(axis);
  return mlir::success();
}

} // namespace ptc::graph::detail

#endif // PTC_DIALECTS_GRAPH_IR_GRAPHVERIFYUTILS_H
