//===- start_checks.cpp - Checks before a run's first step ----------------===//

#include "runtime/train/start_checks.h"

#include "runtime/data/file_io.h"

#include <cerrno>
#include <sys/stat.h>
#include <utility>
#include <vector>

namespace ptc::rt::train {

namespace {

// The --log file is opened for writing as it is (not replaced by a rename):
// an existing file of any kind but a directory is for fopen to judge; a new
// one needs what a new weight file needs.
std::string checkLog(const std::string &path) {
  struct stat st;
  if (::stat(path.c_str(), &st) != 0)
    return errno == ENOENT ? detail::checkCanWrite(path)
                           : "cannot stat: " + detail::systemError();
  return S_ISDIR(st.st_mode) ? "is a directory, not a file" : "";
}

} // namespace

Status checkOutputFiles(const Flags &flags) {
  const std::vector<std::pair<const char *, const std::string *>> outputs = {
      {"--log", &flags.logPath},
      {"--save-initial-weights", &flags.saveInitialWeights},
      {"--save-weights", &flags.saveWeights}};
  for (size_t i = 0; i < outputs.size(); ++i) {
    const auto &[flag, path] = outputs[i];
    if (path->empty())
      continue;
    for (size_t j = 0; j < i; ++j)
      if (*outputs[j].second == *path)
        return Status::error(std::string(outputs[j].first) + " and " + flag +
                             " name the same file '" + *path +
                             "'; one would overwrite the other");
    const std::string why =
        i == 0 ? checkLog(*path) : detail::checkCanWrite(*path);
    if (!why.empty())
      return Status::error(std::string(flag) + " '" + *path + "': " + why);
  }
  return Status::ok();
}

Status checkEvalSteps(const abi::Model &model, const Flags &flags,
                      const TokenLoader &valData) {
  const int64_t windows = valData.numWindows();
  const int64_t batches = windows / model.microBatch;
  if (flags.evalSteps <= batches)
    return Status::ok();
  const std::string holds =
      "the validation data (" + std::to_string(valData.shards().size()) +
      " file(s)) holds " + std::to_string(windows) + " sequences of " +
      std::to_string(model.seqLen) + " tokens, ";
  if (batches == 0)
    return Status::error("--val-data: " + holds +
                         "fewer than one micro-batch of " +
                         std::to_string(model.microBatch) +
                         "; give more validation data");
  return Status::error(
      "--eval-steps " + std::to_string(flags.evalSteps) + ": " + holds +
      std::to_string(batches) + " micro-batches of " +
      std::to_string(model.microBatch) + "; a validation of " +
      std::to_string(flags.evalSteps) +
      " would read some of them twice: pass --eval-steps " +
      std::to_string(batches) + " or fewer, or more --val-data");
}

} // namespace ptc::rt::train
