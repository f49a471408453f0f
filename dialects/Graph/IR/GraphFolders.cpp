//===- GraphFolders.cpp - Folds of the graph dialect's shape ops ----------===//
//
// The frontend and autodiff build chains of reshapes, transposes and scales
// freely; these folds keep the IR that later passes see free of the no-ops
// and the back-to-back pairs.
//
//===----------------------------------------------------------------------===//

#include "dialects/Graph/IR/GraphOps.h"

#include "mlir/IR/PatternMatch.h"

#include <cmath>

using namespace mlir;
using namespace ptc::graph;

OpFoldResult ReshapeOp::fold(FoldAdaptor) {
  if (getInput().getType() == getType())
    return getInput();
  // reshape(reshape(x)) -> reshape(x): only the final shape matters.
  if (auto inner = getInput().getDefiningOp<ReshapeOp>()) {
    getInputMutable().assign(inner.getInput());
    return getResult();
  }
  return {};
}

OpFoldResult TransposeOp::fold(FoldAdaptor) {
  ArrayRef<int64_t> permutation = getPermutation();
  auto isIdentity = [](ArrayRef<int64_t> perm) {
    for (auto [i, dim] : llvm::enumerate(perm))
      if (dim != int64_t(i))
        return false;
    return true;
  };
  if (isIdentity(permutation))
    return getInput();
  // transpose(transpose(x, p1), p2) = transpose(x, p1 o p2), and x itself
  // when the composition is the identity.
  if (auto inner = getInput().getDefiningOp<TransposeOp>()) {
    ArrayRef<int64_t> innerPermutation = inner.getPermutation();
    SmallVector<int64_t> composed;
    for (int64_t dim : permutation)
      composed.push_back(innerPermutation[dim]);
    if (isIdentity(composed))
      return inner.getInput();
    getInputMutable().assign(inner.getInput());
    setPermutation(composed);
    return getResult();
  }
  return {};
}

OpFoldResult CastOp::fold(FoldAdaptor) {
  // A round trip through a narrower type is not a no-op: only a cast to the
  // same type folds.
  if (getInput().getType() == getType())
    return getInput();
  return {};
}

OpFoldResult ScaleOp::fold(FoldAdaptor) {
  double factor = getFactor().convertToDouble();
  if (factor == 1.0)
    return getInput();
  if (auto inner = getInput().getDefiningOp<ScaleOp>()) {
    double combined = factor * inner.getFactor().convertToDouble();
    if (!std::isfinite(combined))
      return {};
    getInputMutable().assign(inner.getInput());
    setFactorAttr(FloatAttr::get(getFactorAttr().getType(), combined));
    return getResult();
  }
  return {};
}

//===----------------------------------------------------------------------===//
// matmul: a transpose of the two minor dimensions becomes an operand flag
//===----------------------------------------------------------------------===//

namespace {
/// Whether `perm` swaps the last two dimensions and keeps the others.
bool swapsMinorDims(ArrayRef<int64_t> perm) {
  int64_t rank = perm.size();
  if (rank < 2 || perm[rank - 1] != rank - 2 || perm[rank - 2] != rank - 1)
    return false;
  for (int64_t i = 0; i < rank - 2; ++i)
    if (perm[i] != i)
      return false;
  return true;
}

struct FoldTransposeIntoMatmul : public OpRewritePattern<MatmulOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(MatmulOp op,
                                PatternRewriter &rewriter) const override {
    auto lhs = op.getLhs().getDefiningOp<TransposeOp>();
    auto rhs = op.getRhs().getDefiningOp<TransposeOp>();
    bool foldLhs = lhs && swapsMinorDims(lhs.getPermutation());
    bool foldRhs = rhs && swapsMinorDims(rhs.getPermutation());
    if (!foldLhs && !foldRhs)
      return failure();
    rewriter.modifyOpInPlace(op, [&] {
      if (foldLhs) {
        op.getLhsMutable().assign(lhs.getInput());
        op.setTransposeLhs(!op.getTransposeLhs());
      }
      if (foldRhs) {
        op.getRhsMutable().assign(rhs.getInput());
        op.setTransposeRhs(!op.getTransposeRhs());
      }
    });
    return success();
  }
};
} // namespace

void MatmulOp::getCanonicalizationPatterns(RewritePatternSet &results,
                                           MLIRContext *context) {
  results.add<FoldTransposeIntoMatmul>(context);
}
