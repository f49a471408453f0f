//===- step_host.h - The runtime's side of abi::StepHost --------*- C++ -*-===//
//
// One optimizer step's StepHost: the step function (the compiler's
// schedule) asks it for micro-batches of the training stream, entry point
// runs, the loss, and (pipeline parallelism) point-to-point messages of io
// slots, slot copies and the shared loss. Each call returns false on
// failure and keeps the first failure's Status for the trainer.
//
//   load           micro-batch `index` of the step into the stage's
//                  "tokens" and "targets" (those it has), `micro` into
//                  "micro"
//   readLoss       "loss", which must be finite ("training diverged")
//   peekLoss       "loss", unjudged (a pipeline's last stage must not stop
//                  alone mid-step; the trainer judges the shared step loss)
//   setMicro       `micro` into "micro"
//   send, recv     io slot `slot` to / from member `peer` of Model::comms
//                  group `comm`, through the Device (MPI on the cpu
//                  target, NCCL on cuda); sends complete in finishSends
//   copy           io slot to io slot of the same byte size
//   broadcastLoss  member `root`'s double on every member (MPI, also on the
//                  cuda target: a host value, one per step)
//
// A slot index, communicator or peer outside the tables is a Status naming
// the call: the program and this runtime disagree.
//
//===----------------------------------------------------------------------===//
#ifndef PTC_RUNTIME_TRAIN_STEP_HOST_H
#define PTC_RUNTIME_TRAIN_STEP_HOST_H

#include "runtime/data/token_loader.h"
#include "runtime/train/arenas.h"
#include "runtime/train/model_check.h"

#include <vector>

namespace ptc::rt::train {

/// Feeds the next batch of `loader` into the stage's "tokens" and
/// "targets" (the ones it has; at least one). `tokens` and `targets` are
/// scratch of microBatch x seqLen.
Status feedBatch(const abi::Model &model, const IOSlots &io,
                 DeviceArenas &arenas, TokenLoader &loader,
                 std::vector<int32_t> &tokens, std::vector<int32_t> &targets);

/// What a step's host works on: the stage's table and slots, its arenas,
/// the training stream and feedBatch's scratch.
struct StepContext {
  const abi::Model &model;
  const IOSlots &io;
  DeviceArenas &arenas;
  TokenLoader &data;
  std::vector<int32_t> &tokens, &targets;
};

class RuntimeStepHost : public abi::StepHost {
public:
  /// Step `step` (for messages), whose micro-batches start at position
  /// `stepStart` of the training stream.
  RuntimeStepHost(const StepContext &context, int64_t dpRank, int64_t step,
                  uint64_t stepStart);

  /// The first failure of a call; ok when none failed.
  const Status &status() const { return status_; }
  /// Waits until every send of the step has completed.
  Status finishSends() { return context_.arenas.device().finishSends(); }

private:
  static RuntimeStepHost &of(abi::StepHost *host) {
    return *static_cast<RuntimeStepHost *>(host);
  }
  bool keep(Status s) {
    if (status_ && !s)
      status_ = std::move(s);
    return bool(status_);
  }
  // The io slot `index`, or null with status_ set.
  const abi::TensorSlot *slot(int32_t index, const char *call);
  static bool load(abi::StepHost *host, int64_t index, int64_t micro);
  static bool run(abi::StepHost *host, abi::EntryPoint entry);
  static bool readLoss(abi::StepHost *host, int64_t micro, double *loss);
  static bool peekLoss(abi::StepHost *host, double *loss);
  static bool setMicro(abi::StepHost *host, int64_t micro);
  static bool send(abi::StepHost *host, int32_t comm, int32_t peer,
                   int32_t slot);
  static bool recv(abi::StepHost *host, int32_t comm, int32_t peer,
                   int32_t slot);
  static bool copy(abi::StepHost *host, int32_t target, int32_t source);
  static bool broadcastLoss(abi::StepHost *host, int32_t comm, int32_t root,
                            double *loss);

  StepContext context_;
  int64_t step_;
  uint64_t stepStart_;
  Status status_ = Status::ok();
};

} // namespace ptc::rt::train

#endif // PTC_RUNTIME_TRAIN_STEP_HOST_H
