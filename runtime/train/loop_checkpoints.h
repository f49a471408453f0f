//===- loop_checkpoints.h - Checkpoints in the training loop ----*- C++ -*-===//
//
// The training loop's side of checkpoints (checkpoint.h): before the run,
// which checkpoint --resume names (auto: the newest complete one in the
// checkpoint directory; none: a fresh start, said on stdout) and whether
// this program can resume from it; after each step, whether every rank
// stops (SIGTERM, stop_signal.h) and whether a checkpoint is due: every
// --checkpoint-every steps, after the last step and at a stop, when there
// is a checkpoint directory. Each save prints one line and logs a
// "checkpoint" record with the seconds it cost the step.
//
// Writing overlaps training: the step waits for the copy of the state to
// host memory (takeSnapshot), and a thread writes the files and the
// manifest (writeSnapshot) while the next steps run. The next save, the
// last step's and a stop's wait for it first, and so does the destructor;
// its line and record come at the first step boundary after it finished.
// The last step's and a stop's saves are written before the loop goes on
// (the program is about to end). Without MPI_THREAD_MULTIPLE (the index
// goes to rank 0 over MPI) every save is written at once.
//
//===----------------------------------------------------------------------===//
#ifndef PTC_RUNTIME_TRAIN_LOOP_CHECKPOINTS_H
#define PTC_RUNTIME_TRAIN_LOOP_CHECKPOINTS_H

#include "runtime/train/checkpoint.h"
#include "runtime/train/flags.h"
#include "runtime/train/loop.h"

#include <atomic>
#include <functional>
#include <ostream>
#include <thread>

namespace ptc::rt::train {

class LoopCheckpoints {
public:
  using Record = std::function<void(const nlohmann::ordered_json &)>;

  LoopCheckpoints(const abi::Model &program, const abi::Model &model,
                  const Flags &flags, const RunPlace &place,
                  DeviceArenas &arenas, std::ostream &out)
      : program_(program), model_(model), flags_(flags), place_(place),
        arenas_(arenas), out_(out) {}
  ~LoopCheckpoints();
  LoopCheckpoints(const LoopCheckpoints &) = delete;
  LoopCheckpoints &operator=(const LoopCheckpoints &) = delete;

  /// Resolves --resume and checks its manifest (no tensor is read yet).
  /// True in *resuming when the run continues a checkpoint, whose state
  /// then goes to *state.
  Status resolve(bool *resuming, TrainingState *state);

  /// Loads the resolved checkpoint's tensors into the arenas.
  Status load();

  /// After step state.step (the last one when `last`): sets *stop when any
  /// rank got SIGTERM, and saves a checkpoint when one is due.
  Status afterStep(const TrainingState &state, bool last, bool *stop,
                   const Record &record);

private:
  /// Waits for the background save, if any, and reports it.
  Status finishWriting(const Record &record);
  void report(const SaveInfo &info, bool background, const Record &record);

  const abi::Model &program_, &model_;
  const Flags &flags_;
  const RunPlace &place_;
  DeviceArenas &arenas_;
  std::ostream &out_;
  Manifest manifest_;
  // The save being written in the background: its thread, snapshot and
  // outcome (read after the join), and whether the thread is done.
  std::thread writer_;
  Snapshot snapshot_;
  Status written_ = Status::ok();
  SaveInfo writtenInfo_;
  std::atomic<bool> writerDone_{false};
};

} // namespace ptc::rt::train

#endif // PTC_RUNTIME_TRAIN_LOOP_CHECKPOINTS_H
