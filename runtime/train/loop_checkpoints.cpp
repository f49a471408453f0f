//===- loop_checkpoints.cpp - Checkpoints in the training loop ------------===//

#include "runtime/train/loop_checkpoints.h"

#include "runtime/dist/world.h"
#include "runtime/train/metrics.h"
#include "runtime/train/stop_signal.h"

#include <cstdio>

namespace ptc::rt::train {

Status LoopCheckpoints::resolve(bool *resuming, TrainingState *state) {
  *resuming = false;
  std::string path = flags_.resume;
  if (path.empty())
    return Status::ok();
  if (path == "auto") {
    if (Status s = findLatestCheckpoint(flags_.checkpointDir, &path); !s)
      return s;
    if (path.empty()) {
      out_ << "no complete checkpoint in '" << flags_.checkpointDir
           << "': starting from step 1\n";
      return Status::ok();
    }
  }
  dist::WatchdogPhase phase(place_.watchdog,
                            "reading the checkpoint '" + path + "'");
  if (Status s = readManifest(path, program_, model_, place_.ppRank,
                              dist::world().coords, &manifest_);
      !s)
    return s;
  *resuming = true;
  *state = manifest_.state;
  out_ << "resuming from " << path << " (after step " << state->step << ", "
       << state->samples << " samples)\n";
  return Status::ok();
}

Status LoopCheckpoints::load() {
  dist::WatchdogPhase phase(place_.watchdog, "loading the checkpoint '" +
                                                 manifest_.path + "'");
  return loadCheckpoint(manifest_, model_, place_.ppRank, dist::world().coords,
                        arenas_);
}

LoopCheckpoints::~LoopCheckpoints() {
  // An error ended the run: its save is finished or fails on its own.
  if (writer_.joinable())
    writer_.join();
}

void LoopCheckpoints::report(const SaveInfo &info, bool background,
                             const Record &record) {
  char cost[96];
  if (background)
    std::snprintf(cost, sizeof cost,
                  "; the step waited %.3f s, written in %.3f s alongside "
                  "training",
                  info.seconds, info.writeSeconds);
  else
    std::snprintf(cost, sizeof cost, " in %.3f s", info.seconds);
  out_ << "checkpoint saved: " << info.path << " (" << formatBytes(info.bytes)
       << cost << ")" << std::endl;
  record({{"event", "checkpoint"},
          {"step", snapshot_.state.step},
          {"path", info.path},
          {"bytes", info.bytes},
          {"seconds", info.seconds},
          {"write_seconds", info.writeSeconds},
          {"background", background}});
}

Status LoopCheckpoints::finishWriting(const Record &record) {
  if (!writer_.joinable())
    return Status::ok();
  {
    dist::WatchdogPhase phase(place_.watchdog,
                              "writing the checkpoint of step " +
                                  std::to_string(snapshot_.state.step));
    writer_.join();
  }
  writerDone_ = false;
  if (!written_)
    return written_;
  report(writtenInfo_, true, record);
  snapshot_ = Snapshot();
  return Status::ok();
}

Status LoopCheckpoints::afterStep(const TrainingState &state, bool last,
                                  bool *stop, const Record &record) {
  {
    dist::WatchdogPhase phase(place_.watchdog,
                              "agreeing on a stop after step " +
                                  std::to_string(state.step));
    *stop = dist::anyRank(stopSignalled());
  }
  const bool dir = !flags_.checkpointDir.empty();
  const bool due = (flags_.checkpointEvery > 0 &&
                    state.step % flags_.checkpointEvery == 0) ||
                   last || *stop;
  if (*stop)
    out_ << "SIGTERM: stopping after step " << state.step
         << (dir ? "" : " (no checkpoint directory: nothing saved)") << "\n";
  // A background save that is done is reported at once; one still running
  // is waited for only by the next save.
  if (writerDone_ || (dir && due))
    if (Status s = finishWriting(record); !s)
      return s;
  if (!dir || !due)
    return Status::ok();
  const dist::World &world = dist::world();
  const bool background =
      !last && !*stop && (!world.mpi || world.threadMultiple);
  dist::WatchdogPhase phase(place_.watchdog,
                            "saving the checkpoint of step " +
                                std::to_string(state.step));
  if (Status s = takeSnapshot(flags_.checkpointDir, program_, model_,
                              place_.ppRank, arenas_, state,
                              flags_.checkpointKeep, &snapshot_);
      !s)
    return s;
  if (background) {
    writerDone_ = false;
    writer_ = std::thread([this] {
      written_ = writeSnapshot(snapshot_, &writtenInfo_);
      writerDone_ = true;
    });
    return Status::ok();
  }
  SaveInfo info;
  if (Status s = writeSnapshot(snapshot_, &info); !s)
    return s;
  dist::barrier();
  info.seconds += info.writeSeconds;
  report(info, false, record);
  return Status::ok();
}

} // namespace ptc::rt::train
