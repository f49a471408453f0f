//===- metrics.h - Step lines, banner and JSON log --------------*- C++ -*-===//
//
// Human lines on stdout:
//   step    12/300 | loss 3.1234 | lr 1.00e-03 | grad norm 0.5320 |
//     12,345 tok/s | 45.2 ms | mem 12.3 MiB | elapsed 0:00:01 |
//     eta 0:02:41                                      (one line)
//   val step 100 | loss 2.9000 | 20 batches | 310.5 ms
// and JSON lines in the --log file, flushed line by line:
//   {"event":"start","model":...,"steps":...,...}       first
//   {"step":12,"loss":...,"lr":...,"grad_norm":...,"tokens_per_s":...,
//    "ms":...,"mem_bytes":...,"elapsed_s":...,"eta_s":...}  every step
//   {"step":100,"val_loss":...,"val_batches":...,"ms":...}  every validation
//   {"event":"end","steps":...,"seconds":...}            last
// (elapsed and eta: run_clock.h). Keys are only ever added: scripts and
// `ptc report` read these records.
//
//===----------------------------------------------------------------------===//
#ifndef PTC_RUNTIME_TRAIN_METRICS_H
#define PTC_RUNTIME_TRAIN_METRICS_H

#include "runtime/data/status.h"
#include "runtime/train/model_abi.h"

#include <nlohmann/json.hpp>

#include <cstdio>
#include <string>

namespace ptc::rt::train {

struct StepMetrics {
  int64_t step = 0, steps = 0;
  double loss = 0, lr = 0, gradNorm = 0;
  double tokensPerSecond = 0, ms = 0;
  int64_t memBytes = 0;
  /// Since this process's first step began, and to the last step
  /// (RunClock).
  double elapsedSeconds = 0, etaSeconds = 0;
};

struct ValMetrics {
  int64_t step = 0;
  double loss = 0;
  int64_t batches = 0;
  double ms = 0;
};

/// "12,345".
std::string formatThousands(int64_t n);
/// "12.3 MiB" (B, KiB, MiB, GiB or TiB: the number stays below 1024).
std::string formatBytes(int64_t bytes);

std::string formatStepLine(const StepMetrics &m);
std::string formatValLine(const ValMetrics &m);
nlohmann::ordered_json stepRecord(const StepMetrics &m);
nlohmann::ordered_json valRecord(const ValMetrics &m);

/// The size of the "dp" mesh axis (1 without one): a step trains on that
/// many times gradAccumSteps micro-batches.
int64_t dataParallelSize(const abi::Model &model);

/// The start banner: model, target, device, parameter count, the arenas by
/// kind with their sizes and the total.
std::string formatBanner(const abi::Model &model, const char *deviceName,
                         int64_t steps, uint64_t seed);
/// The {"event":"start"} record with the same facts.
nlohmann::ordered_json startRecord(const abi::Model &model,
                                   const char *deviceName, int64_t steps,
                                   uint64_t seed);

/// The --log file. Without open() every write is a no-op.
class MetricsLog {
public:
  MetricsLog() = default;
  ~MetricsLog();
  MetricsLog(const MetricsLog &) = delete;
  MetricsLog &operator=(const MetricsLog &) = delete;

  /// Creates (truncates) `path`.
  Status open(const std::string &path);
  /// Appends one record as a line and flushes. A failed write cuts the
  /// file back to its whole records and closes the log: later writes do
  /// nothing.
  Status write(const nlohmann::ordered_json &record);

private:
  std::string path_;
  std::FILE *file_ = nullptr;
  int64_t bytes_ = 0; ///< the whole records written so far
};

} // namespace ptc::rt::train

#endif // PTC_RUNTIME_TRAIN_METRICS_H
