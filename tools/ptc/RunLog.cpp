//===- RunLog.cpp - A training run's JSON-lines log, read back ------------===//

#include "tools/ptc/RunLog.h"

#include "llvm/Support/JSON.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/Regex.h"

#include <algorithm>

using namespace ptc::report;

const char *ptc::report::metricTitle(Metric metric) {
  switch (metric) {
  case Metric::Loss:
    return "loss";
  case Metric::ValLoss:
    return "validation loss";
  case Metric::LearningRate:
    return "learning rate";
  case Metric::GradNorm:
    return "grad norm";
  case Metric::TokensPerSecond:
    return "tokens/s";
  }
  return "?";
}

namespace {

/// Builds a RunLog record by record.
class Reader {
public:
  explicit Reader(RunLog &log) : log_(log) {}

  /// One parsed record; false with `error` set for a record that cannot
  /// be drawn.
  bool add(const llvm::json::Object &record, std::string &error) {
    std::optional<llvm::StringRef> event = record.getString("event");
    const llvm::json::Value *stepValue = record.get("step");
    std::optional<int64_t> step = record.getInteger("step");
    if (event && *event == "start") {
      // The process began again after it had trained steps: what follows
      // was resumed (or restarted from scratch) in the same file.
      restartPending_ = log_.numSteps > 0;
      return true;
    }
    if (event && *event != "checkpoint")
      return true; // "end" and events added later
    if (!stepValue)
      return true;
    if (!step) {
      error = "\"step\" is not an integer";
      return false;
    }
    if (event) {
      log_.checkpoints.push_back(*step);
      return true;
    }
    if (record.get("loss"))
      return addStep(record, *step), true;
    if (record.get("val_loss"))
      point(Metric::ValLoss, *step, record.getNumber("val_loss"));
    return true;
  }

private:
  void addStep(const llvm::json::Object &record, int64_t step) {
    if (log_.numSteps == 0 && step > 1)
      log_.restarts.push_back(step); // resumed into a fresh log file
    if (restartPending_) {
      log_.restarts.push_back(step);
      ++segment_;
      restartPending_ = false;
    }
    log_.firstStep = log_.numSteps ? std::min(log_.firstStep, step) : step;
    log_.lastStep = log_.numSteps ? std::max(log_.lastStep, step) : step;
    ++log_.numSteps;
    point(Metric::Loss, step, record.getNumber("loss"));
    point(Metric::LearningRate, step, record.getNumber("lr"));
    point(Metric::GradNorm, step, record.getNumber("grad_norm"));
    point(Metric::TokensPerSecond, step, record.getNumber("tokens_per_s"));
  }

  /// A value that is missing or not a number (the runtime writes a NaN as
  /// null) draws nothing.
  void point(Metric metric, int64_t step, std::optional<double> value) {
    if (!value)
      return;
    Series &series = log_.series[int(metric)];
    if (series.size() < size_t(segment_ + 1))
      series.resize(size_t(segment_ + 1));
    series[size_t(segment_)].push_back({double(step), *value});
  }

  RunLog &log_;
  int segment_ = 0;
  bool restartPending_ = false;
};

} // namespace

bool ptc::report::readRunLog(const std::string &path, RunLog &log,
                             std::string &error) {
  auto buffer = llvm::MemoryBuffer::getFile(path, /*IsText=*/true);
  if (!buffer) {
    error = "cannot read '" + path + "': " + buffer.getError().message();
    return false;
  }
  log = RunLog();
  log.name = path;
  Reader reader(log);
  llvm::StringRef rest = (*buffer)->getBuffer();
  for (int lineNo = 1; !rest.empty(); ++lineNo) {
    auto [line, next] = rest.split('\n');
    rest = next;
    line = line.trim();
    if (line.empty())
      continue;
    const std::string where = path + ":" + std::to_string(lineNo) + ": ";
    llvm::Expected<llvm::json::Value> value = llvm::json::parse(line);
    if (!value) {
      // "[1:31, byte=31]: Expected , or }": the line is ours, the column
      // is the parser's.
      std::string message = llvm::toString(value.takeError());
      llvm::SmallVector<llvm::StringRef, 3> parts;
      if (llvm::Regex("^\\[[0-9]+:([0-9]+), byte=[0-9]+\\]: (.*)$")
              .match(message, &parts))
        message = parts[2].str() + " at column " + parts[1].str();
      error = where + "not JSON (" + message +
              "); a --log file has one JSON object per line";
      return false;
    }
    const llvm::json::Object *record = value->getAsObject();
    if (!record) {
      error = where + "not a JSON object; a --log file has one JSON object "
                      "per line";
      return false;
    }
    std::string what;
    if (!reader.add(*record, what)) {
      error = where + what;
      return false;
    }
  }
  if (log.numSteps == 0) {
    error = path + ": no step records (lines with \"step\" and \"loss\"); "
                   "is it the --log file of a compiled program?";
    return false;
  }
  return true;
}
