//===- metrics.cpp - Step lines, the start banner and the JSON log --------===//

#include "runtime/train/metrics.h"

#include "runtime/dist/mesh.h"
#include "runtime/train/model_check.h"
#include "runtime/train/run_clock.h"

#include <algorithm>
#include <cerrno>
#include <cstdarg>
#include <cstring>
#include <map>
#include <unistd.h>

namespace ptc::rt::train {

namespace {

std::string strprintf(const char *format, ...)
    __attribute__((format(printf, 1, 2)));

std::string strprintf(const char *format, ...) {
  char buf[512];
  va_list args;
  va_start(args, format);
  std::vsnprintf(buf, sizeof(buf), format, args);
  va_end(args);
  return buf;
}

int digits(int64_t n) { return int(std::to_string(n).size()); }

// Bytes of all arenas of each kind, in ArenaKind order.
std::map<int32_t, int64_t> bytesByKind(const abi::Model &model) {
  std::map<int32_t, int64_t> bytes;
  for (int32_t i = 0; i < model.numArenas; ++i)
    bytes[int32_t(model.arenas[i].kind)] += model.arenas[i].bytes;
  return bytes;
}

} // namespace

std::string formatThousands(int64_t n) {
  std::string s = std::to_string(n < 0 ? -n : n);
  for (int i = int(s.size()) - 3; i > 0; i -= 3)
    s.insert(size_t(i), ",");
  return n < 0 ? "-" + s : s;
}

std::string formatBytes(int64_t bytes) {
  if (bytes < 1024)
    return std::to_string(bytes) + " B";
  const char *units[] = {"KiB", "MiB", "GiB", "TiB"};
  double v = double(bytes) / 1024;
  int u = 0;
  while (v >= 1024 && u < 3) {
    v /= 1024;
    ++u;
  }
  return strprintf("%.1f %s", v, units[u]);
}

std::string formatStepLine(const StepMetrics &m) {
  return strprintf("step %*lld/%lld | loss %.4f | lr %.2e | grad norm %.4f | ",
                   std::max(6, digits(m.steps)), (long long)m.step,
                   (long long)m.steps, m.loss, m.lr, m.gradNorm) +
         formatThousands(int64_t(m.tokensPerSecond + 0.5)) + " tok/s | " +
         strprintf(m.ms < 10 ? "%.2f ms | mem " : "%.1f ms | mem ", m.ms) +
         formatBytes(m.memBytes) + " | elapsed " +
         formatDuration(m.elapsedSeconds) + " | eta " +
         formatDuration(m.etaSeconds);
}

std::string formatValLine(const ValMetrics &m) {
  return strprintf("val step %lld | loss %.4f | %lld batches | %.1f ms",
                   (long long)m.step, m.loss, (long long)m.batches, m.ms);
}

nlohmann::ordered_json stepRecord(const StepMetrics &m) {
  return {{"step", m.step},
          {"loss", m.loss},
          {"lr", m.lr},
          {"grad_norm", m.gradNorm},
          {"tokens_per_s", m.tokensPerSecond},
          {"ms", m.ms},
          {"mem_bytes", m.memBytes},
          {"elapsed_s", m.elapsedSeconds},
          {"eta_s", m.etaSeconds}};
}

nlohmann::ordered_json valRecord(const ValMetrics &m) {
  return {{"step", m.step},
          {"val_loss", m.loss},
          {"val_batches", m.batches},
          {"ms", m.ms}};
}

int64_t dataParallelSize(const abi::Model &model) {
  const int32_t axis = dist::findMeshAxis(model, "dp");
  return axis >= 0 ? model.mesh[axis].size : 1;
}

std::string formatBanner(const abi::Model &model, const char *deviceName,
                         int64_t steps, uint64_t seed) {
  const int64_t dp = dataParallelSize(model);
  const int64_t tokens =
      model.microBatch * model.seqLen * model.gradAccumSteps * dp;
  const int64_t ranks = dist::meshWorldSize(model);
  std::string s = strprintf("ptc: model '%s', target %s, device %s\n",
                            model.name, targetName(model.target), deviceName);
  if (ranks > 1)
    s += "  parallel    " + std::to_string(ranks) +
         " ranks: " + dist::describeMesh(model) +
         " (parameters and memory below are per rank)\n";
  s += "  parameters  " + formatThousands(parameterCount(model)) + " in " +
       std::to_string(model.numParams) + " tensors\n";
  s += strprintf("  batch       %lld x %lld tokens x %lld micro-batches",
                 (long long)model.microBatch, (long long)model.seqLen,
                 (long long)model.gradAccumSteps) +
       (dp > 1 ? " x " + std::to_string(dp) + " data-parallel ranks" : "") +
       " = " + formatThousands(tokens) + " tokens per step\n";
  s += strprintf("  training    %lld steps, seed %llu, vocabulary %lld\n",
                 (long long)steps, (unsigned long long)seed,
                 (long long)model.vocabSize);
  s += "  memory\n";
  int64_t total = 0;
  for (const auto &[kind, bytes] : bytesByKind(model)) {
    s += strprintf("    %-16s %16s bytes  %12s\n",
                   arenaKindName(abi::ArenaKind(kind)),
                   formatThousands(bytes).c_str(), formatBytes(bytes).c_str());
    total += bytes;
  }
  s += strprintf("    %-16s %16s bytes  %12s\n", "total",
                 formatThousands(total).c_str(), formatBytes(total).c_str());
  return s;
}

nlohmann::ordered_json startRecord(const abi::Model &model,
                                   const char *deviceName, int64_t steps,
                                   uint64_t seed) {
  nlohmann::ordered_json arenas = nlohmann::ordered_json::object();
  int64_t total = 0;
  for (const auto &[kind, bytes] : bytesByKind(model)) {
    arenas[arenaKindName(abi::ArenaKind(kind))] = bytes;
    total += bytes;
  }
  return {{"event", "start"},
          {"model", model.name},
          {"target", targetName(model.target)},
          {"device", deviceName},
          {"steps", steps},
          {"seed", seed},
          {"params", parameterCount(model)},
          {"micro_batch", model.microBatch},
          {"seq_len", model.seqLen},
          {"grad_accum_steps", model.gradAccumSteps},
          {"ranks", dist::meshWorldSize(model)},
          {"tokens_per_step", model.microBatch * model.seqLen *
                                  model.gradAccumSteps *
                                  dataParallelSize(model)},
          {"flops_per_token", model.flopsPerToken},
          {"arena_bytes", arenas},
          {"total_bytes", total}};
}

MetricsLog::~MetricsLog() {
  if (file_)
    std::fclose(file_);
}

Status MetricsLog::open(const std::string &path) {
  path_ = path;
  file_ = std::fopen(path.c_str(), "w");
  if (!file_)
    return Status::error("--log '" + path +
                         "': cannot create: " + std::strerror(errno));
  return Status::ok();
}

Status MetricsLog::write(const nlohmann::ordered_json &record) {
  if (!file_)
    return Status::ok();
  const std::string line = record.dump() + "\n";
  if (std::fputs(line.c_str(), file_) >= 0 && std::fflush(file_) == 0) {
    bytes_ += int64_t(line.size());
    return Status::ok();
  }
  Status s = Status::error("--log '" + path_ +
                           "': cannot write: " + std::strerror(errno));
  // Drop the part of the line that got out: the log stays whole records,
  // which JSON-lines readers can parse. (Shrinking works on a full disk;
  // a pipe cannot be truncated, and then nothing more can be done.)
  // fclose may flush what is left of the buffer: cut after it.
  const int fd = ::dup(::fileno(file_));
  std::fclose(file_);
  file_ = nullptr;
  if (fd >= 0) {
    (void)!::ftruncate(fd, bytes_);
    ::close(fd);
  }
  return s;
}

} // namespace ptc::rt::train
