//===- TensorParallel.cpp - dist-tensor-parallel --------------------------===//
#include "passes/Dist/Mesh.h"
#include "passes/Dist/Passes.h"

namespace ptc::dist {
#define GEN_PASS_DEF_DISTTENSORPARALLEL
#include "passes/Dist/Passes.h.inc"
} // namespace ptc::dist

namespace {
struct DistTensorParallelPass
    : public ptc::dist::impl::DistTensorParallelBase<DistTensorParallelPass> {
  void runOnOperation() override {}
};
} // namespace
