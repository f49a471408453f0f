//===- RunLog.h - A training run's JSON-lines log, read back ----*- C++ -*-===//
//
// What `ptc report` draws from a compiled program's `--log FILE.jsonl`
// (runtime/train/metrics.h has the records):
//   {"event":"start",...}                      a process began
//   {"step":N,"loss":...,"lr":...,"grad_norm":...,"tokens_per_s":...}
//   {"step":N,"val_loss":...}                  a validation
//   {"event":"checkpoint","step":N,...}        a checkpoint was written
// Other records and keys are ignored, so that later additions to the log
// do not break reports.
//
//===----------------------------------------------------------------------===//
#ifndef PTC_TOOLS_PTC_RUNLOG_H
#define PTC_TOOLS_PTC_RUNLOG_H

#include <array>
#include <cstdint>
#include <string>
#include <vector>

namespace ptc::report {

/// The metrics drawn, one panel each, in panel order.
enum class Metric { Loss, ValLoss, LearningRate, GradNorm, TokensPerSecond };
constexpr int kNumMetrics = 5;
/// "loss", "validation loss", "learning rate", "grad norm", "tokens/s".
const char *metricTitle(Metric metric);

struct Point {
  double step, value;
};

/// A metric's points; a restart starts a new segment, so that steps
/// trained again after a resume draw as their own line.
using Series = std::vector<std::vector<Point>>;

struct RunLog {
  std::string name; ///< the path as given
  std::array<Series, kNumMetrics> series;
  /// Steps of the checkpoint events, and the first step after each
  /// restart: a "start" event after steps were logged, or a first step
  /// record after step 1.
  std::vector<int64_t> checkpoints, restarts;
  int64_t firstStep = 0, lastStep = 0; ///< the lowest and highest step
  int64_t numSteps = 0;                ///< step records

  const Series &of(Metric metric) const { return series[int(metric)]; }
};

/// Reads `path`; on error returns false with one line in `error`: the
/// file cannot be read, `path:line: ...` for a line that is not a JSON
/// object or a "step" that is not an integer, or no step records.
bool readRunLog(const std::string &path, RunLog &log, std::string &error);

} // namespace ptc::report

#endif // PTC_TOOLS_PTC_RUNLOG_H
