//===- Mesh.cpp - The device mesh of a spec's parallel plan ---------------===//

#include "passes/Dist/Mesh.h"

using namespace mlir;

namespace ptc::dist {

ParallelDegrees readParallelDegrees(ModuleOp module) {
  ParallelDegrees degrees;
  auto parallel = module->getAttrOfType<DictionaryAttr>("ptc.parallel");
  if (!parallel)
    return degrees;
  auto read = [&](StringRef key, int64_t &into) {
    if (auto value = parallel.getAs<IntegerAttr>(key))
      into = value.getInt();
  };
  read("pp", degrees.pp);
  read("dp", degrees.dp);
  read("tp", degrees.tp);
  read("zero_stage", degrees.zeroStage);
  if (auto mb = parallel.getAs<FloatAttr>("grad_bucket_mb"))
    degrees.gradBucketMb = mb.getValueAsDouble();
  if (auto sp = parallel.getAs<BoolAttr>("sequence_parallel"))
    degrees.sequenceParallel = sp.getValue();
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
