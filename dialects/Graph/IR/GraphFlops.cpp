//===- GraphFlops.cpp - Matrix-product FLOPs of graph ops -----------------===//

#include "dialects/Graph/IR/GraphFlops.h"

#include "dialects/Graph/IR/GraphOps.h"

using namespace mlir;

namespace ptc::graph {

namespace {

int64_t numElements(Value value) {
  return cast<ShapedType>(value.getType()).getNumElements();
}

} // namespace

double matmulFlops(Operation *op) {
  if (auto linear = dyn_cast<LinearOp>(op)) {
    int64_t k = linear.getInput().getType().getShape().back();
    return 2.0 * double(numElements(linear.getResult())) * double(k);
  }
  if (auto matmul = dyn_cast<MatmulOp>(op)) {
    auto lhs = matmul.getLhs().getType();
    int64_t k = matmul.getTransposeLhs() ? lhs.getShape()[lhs.getRank() - 2]
                                         : lhs.getShape().back();
    return 2.0 * double(numElements(matmul.getResult())) * double(k);
  }
  if (auto attention = dyn_cast<AttentionOp>(op)) {
    // Q Kᵀ and P V: B * Hq * T * S * Dh multiply-adds each, 2 FLOPs apiece.
    auto q = attention.getQuery().getType();
    int64_t keys = attention.getKey().getType().getDimSize(2);
    return 2.0 * 2.0 * double(q.getNumElements()) * double(keys);
  }
  if (auto grad = dyn_cast<AttentionGradOp>(op)) {
    // dQ, dK, dV: counted as twice the forward's two products.
    auto q = grad.getQuery().getType();
    int64_t keys = grad.getKey().getType().getDimSize(2);
    return 2.0 * 2.0 * 2.0 * double(q.getNumElements()) * double(keys);
  }
  return 0.0;
}

} // namespace ptc::graph
