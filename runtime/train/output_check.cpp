//===- output_check.cpp - The files a run writes, checked first -----------===//

#include "runtime/train/output_check.h"

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

} // namespace ptc::rt::train
