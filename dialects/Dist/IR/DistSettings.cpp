//===- DistSettings.cpp - #dist.parallel ----------------------------------===//
//
// The verifier holds the parallel settings read from IR to what the spec
// reader (frontend/Spec.cpp, parseParallel) holds the JSON fields to.
//
//===----------------------------------------------------------------------===//

#include "dialects/Dist/IR/DistOps.h"

#include "dialects/SettingsLimits.h"

using namespace mlir;
using namespace ptc::dist;
using namespace ptc::limits;
using ptc::settings::checkEnum;
using ptc::settings::checkInt;
using ptc::settings::fail;

ParallelAttr ParallelAttr::lookup(Operation *module) {
  return module->getAttrOfType<ParallelAttr>(kModuleAttrName);
}

LogicalResult ParallelAttr::verify(
    function_ref<InFlightDiagnostic()> emitError, bool, int64_t tp, int64_t pp,
    int64_t dp, PipelineSchedule schedule, int64_t virtualStages, bool,
    int64_t zeroStage, ptc::RealSetting gradBucketMb, RecomputePolicy recompute,
    StringRef, StringRef scheduleFile) {
  if (failed(checkEnum(emitError, "parallel", "schedule", schedule,
                       getMaxEnumValForPipelineSchedule(),
                       stringifyPipelineSchedule)) ||
      failed(checkEnum(emitError, "parallel", "recompute", recompute,
                       getMaxEnumValForRecomputePolicy(),
                       stringifyRecomputePolicy)))
    return failure();
  for (auto [key, value] : {std::pair{"tp", tp}, {"pp", pp}, {"dp", dp}})
    if (failed(checkInt(emitError, "parallel", key, value, 1, kMaxParallel)))
      return failure();
  if (tp * pp * dp > kMaxWorldSize)
    return emitError() << "parallel settings tp * pp * dp = " << tp * pp * dp
                       << " ranks: too many (at most " << kMaxWorldSize << ")";
  if (failed(checkInt(emitError, "parallel", "virtual_stages", virtualStages, 1,
                      kMaxLayers)))
    return failure();
  bool interleaved = schedule == PipelineSchedule::interleaved_1f1b;
  if (interleaved && virtualStages < 2)
    return fail(emitError, "parallel", "virtual_stages", virtualStages)
           << "schedule interleaved_1f1b needs at least 2";
  if (!interleaved && virtualStages > 1)
    return fail(emitError, "parallel", "virtual_stages", virtualStages)
           << "more than 1 needs schedule interleaved_1f1b, not "
           << stringifyPipelineSchedule(schedule);
  if (interleaved && pp < 2)
    return fail(emitError, "parallel", "schedule", "interleaved_1f1b")
           << "needs pp >= 2, got " << pp;
  if (!scheduleFile.empty() && pp < 2)
    return emitError() << "parallel setting schedule_file = \"" << scheduleFile
                       << "\": a pipeline schedule needs pp >= 2, got " << pp;
  if (zeroStage != 0 && zeroStage != 1)
    return fail(emitError, "parallel", "zero_stage", zeroStage)
           << "expected 0 or 1 (ZeRO stages 2 and 3 are not supported yet)";
  double mb = gradBucketMb;
  if (!std::isfinite(mb) || mb < 0 || mb > kMaxGradBucketMb)
    return fail(emitError, "parallel", "grad_bucket_mb",
                ptc::settings::formatReal(mb))
           << "expected a number in [0, " << int64_t(kMaxGradBucketMb)
           << "] (MiB; 0 turns the overlapped reduction off)";
  return success();
}
