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
  if (!dir || !due)
    return Status::ok();
  SaveInfo info;
  {
    dist::WatchdogPhase phase(place_.watchdog,
                              "saving the checkpoint of step " +
                                  std::to_string(state.step));
    if (Status s = saveCheckpoint(flags_.checkpointDir, program_, model_,
                                  place_.ppRank, arenas_, state,
                                  flags_.checkpointKeep, &info);
        !s)
      return s;
  }
  char seconds[32];
  std::snprintf(seconds, sizeof seconds, "%.3f", info.seconds);
  out_ << "checkpoint saved: " << info.path << " (" << formatBytes(info.bytes)
       << " in " << seconds << " s)" << std::endl;
  record({{"event", "checkpoint"},
          {"step", state.step},
          {"path", info.path},
          {"bytes", info.bytes},
          {"seconds", info.seconds}});
  return Status::ok();
}

} // namespace ptc::rt::train
