//===- pipeline_check.h - Validating the stages of a pipeline --*- C++ -*-===//
//
// A program of several pipeline stages (Model::numPipelineModels > 1)
// holds one table per pipeline rank; the runtime runs the one of its pp
// coordinate. Before anything runs, checkModel (model_check.h) asks:
//
//   checkPipeline           one table per coordinate of the "pp" mesh axis,
//                           each at its place (pipelineRank), all with the
//                           program's target, training shapes, mesh and
//                           communicators, and every rank's step function;
//   checkCheckpointIndexes  (after every table is checked; also for a
//                           program without stages that gives an order)
//                           the checkpoint order: numCheckpointParams > 0,
//                           every index
//                           0..N-1 given to exactly one parameter of one
//                           stage, saved names distinct, and every copy
//                           (index -1) named like a saved parameter of the
//                           same dtype and checkpoint shape.
//
// A mismatch is a compiler bug or a stale build: the message names the
// stage and the field, like the rest of model_check.
//
//===----------------------------------------------------------------------===//
#ifndef PTC_RUNTIME_TRAIN_PIPELINE_CHECK_H
#define PTC_RUNTIME_TRAIN_PIPELINE_CHECK_H

#include "runtime/data/status.h"
#include "runtime/train/model_abi.h"

namespace ptc::rt::train {

Status checkPipeline(const abi::Model &program);
Status checkCheckpointIndexes(const abi::Model &program);

} // namespace ptc::rt::train

#endif // PTC_RUNTIME_TRAIN_PIPELINE_CHECK_H
