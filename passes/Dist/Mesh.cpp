//===- Mesh.cpp - The device mesh of a spec's parallel plan ---------------===//

#include "passes/Dist/Mesh.h"

using namespace mlir;

namespace ptc::dist {

ParallelDegrees readParallelDegrees(ModuleOp module) {
  ParallelDegrees degrees;
  auto parallel = ParallelAttr::lookup(module);
  if (!parallel)
    return degrees;
  degrees.pp = parallel.getPp();
  degrees.dp = parallel.getDp();
  degrees.tp = parallel.getTp();
  degrees.zeroStage = parallel.getZeroStage();
  degrees.gradBucketMb = parallel.getGradBucketMb();
  degrees.sequenceParallel = parallel.getSequenceParallel();
  return degrees;
}

MeshOp getOrCreateMesh(ModuleOp module, const ParallelDegrees &degrees) {
  if (auto mesh = module.lookupSymbol<MeshOp>(kMeshName))
    return mesh;
  OpBuilder builder(module.getContext());
  builder.setInsertionPointToStart(module.getBody());
  return MeshOp::create(
      builder, module.getLoc(), kMeshName,
      builder.getStrArrayAttr({"pp", "dp", "tp"}),
      builder.getDenseI64ArrayAttr({degrees.pp, degrees.dp, degrees.tp}));
}

ArrayAttr axisList(MLIRContext *context, ArrayRef<StringRef> axes) {
  SmallVector<Attribute> names;
  for (StringRef axis : axes)
    names.push_back(StringAttr::get(context, axis));
  return ArrayAttr::get(context, names);
}

} // namespace ptc::dist
