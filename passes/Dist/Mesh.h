//===- Mesh.h - The device mesh of a spec's parallel plan ------*- C++ -*-===//
#ifndef PTC_PASSES_DIST_MESH_H
#define PTC_PASSES_DIST_MESH_H

#include "dialects/Dist/IR/DistOps.h"

namespace ptc::dist {

/// The parallel degrees of the module's `ptc.parallel` (1 where unset).
struct ParallelDegrees {
  int64_t pp = 1, dp = 1, tp = 1;
  bool sequenceParallel = false;
  int64_t zeroStage = 0;
  /// Gradient bucket size in MiB for the overlapped dp reduction (0: off).
  double gradBucketMb = 0;
  int64_t worldSize() const { return pp * dp * tp; }
};
ParallelDegrees readParallelDegrees(mlir::ModuleOp module);

/// The module's `@mesh`, created as `[pp, dp, tp]` (tp fastest: tensor
/// parallel groups are consecutive ranks, inside a node) when missing.
MeshOp getOrCreateMesh(mlir::ModuleOp module, const ParallelDegrees &degrees);

/// `[name, ...]` as the axis list attribute of a collective.
mlir::ArrayAttr axisList(mlir::MLIRContext *context,
                         llvm::ArrayRef<llvm::StringRef> axes);

/// The name of the mesh the dist passes create.
constexpr llvm::StringLiteral kMeshName = "mesh";

} // namespace ptc::dist

#endif // PTC_PASSES_DIST_MESH_H
