//===- run_clock.h - Elapsed time and the ETA of a training run -*- C++ -*-===//
//
// The step line and the step record say how long the run has trained and
// when it will reach its last step:
//   step    120/68665 | ... | elapsed 0:02:41 | eta 1d 04:12:09
//   {"step":120,...,"elapsed_s":161.2,"eta_s":101529.1}
//
//===----------------------------------------------------------------------===//
#ifndef PTC_RUNTIME_TRAIN_RUN_CLOCK_H
#define PTC_RUNTIME_TRAIN_RUN_CLOCK_H

#include <cstdint>
#include <string>

namespace ptc::rt::train {

/// The wall clock of the steps this process trains, from `firstStep` (1,
/// or the step after a resumed checkpoint) to `lastStep`.
///
/// The estimate is the mean wall time per step since the end of the
/// warm-up steps (the first kWarmupSteps of this process) times the steps
/// left. The warm-up steps are left out because they pay one-time costs
/// that later steps do not: first touches of the arenas' pages, cuBLAS(Lt)
/// heuristics and workspaces, NCCL connections, cold caches; on the cuda
/// target the first step can take many times a steady one, and a mean
/// with it would overstate a long run's ETA for hours. Until the warm-up
/// steps are done the mean of the steps so far is all there is. Time
/// between steps (validation, logging, saving) counts: the remaining
/// steps will pay it too.
class RunClock {
public:
  static constexpr int64_t kWarmupSteps = 2;

  RunClock(int64_t firstStep, int64_t lastStep)
      : firstStep_(firstStep), lastStep_(lastStep) {}

  /// Step `step` is done, `seconds` after this process's first step
  /// began.
  void stepDone(int64_t step, double seconds);

  double elapsedSeconds() const { return elapsed_; }
  /// Seconds until `lastStep` is done (0 once it is).
  double etaSeconds() const;

private:
  int64_t firstStep_, lastStep_;
  int64_t step_ = 0;     ///< the last step done
  double elapsed_ = 0;   ///< when it was done
  double warmupEnd_ = 0; ///< when the last warm-up step was done
};

/// "0:02:41", "12:00:05", "3d 04:12:09" (seconds rounded; a negative or
/// non-finite value gives "?").
std::string formatDuration(double seconds);

} // namespace ptc::rt::train

#endif // PTC_RUNTIME_TRAIN_RUN_CLOCK_H
