//===- checkpoint_dir.cpp - The checkpoints of a checkpoint directory -----===//
//
// A checkpoint directory holds step_N directories; those with a
// manifest.json are complete (checkpoint.h). Resuming picks the newest
// complete one; after a save, rank 0 deletes what --checkpoint-keep does
// not keep, each checkpoint made incomplete first (its manifest goes
// before the rest), so that a crash mid-delete leaves an incomplete
// directory, never a damaged complete one.
//
//===----------------------------------------------------------------------===//

#include "runtime/train/checkpoint.h"

#include "runtime/data/file_io.h"

#include <algorithm>
#include <cstdio>
#include <filesystem>

namespace ptc::rt::train {

namespace fs = std::filesystem;

namespace {

// The step of a directory named step_N, or -1.
int64_t stepOfName(const std::string &name) {
  long long step = -1;
  char tail = 0;
  if (name.rfind("step_", 0) != 0 ||
      std::sscanf(name.c_str() + 5, "%lld%c", &step, &tail) != 1)
    return -1;
  return step;
}

} // namespace

Status findLatestCheckpoint(const std::string &dir, std::string *path) {
  path->clear();
  std::error_code ec;
  if (dir.empty() || !fs::is_directory(dir, ec))
    return Status::ok();
  int64_t best = -1;
  for (const fs::directory_entry &e : fs::directory_iterator(dir, ec)) {
    const std::string name = e.path().filename().string();
    const int64_t step = stepOfName(name);
    if (step < 0 || !fs::exists(e.path() / "manifest.json"))
      continue;
    if (step > best) {
      best = step;
      *path = e.path().string();
    }
  }
  if (ec)
    return Status::error("checkpoint directory '" + dir +
                         "': cannot list it: " + ec.message());
  return Status::ok();
}

Status pruneCheckpoints(const std::string &dir, int64_t keep) {
  std::vector<std::pair<int64_t, fs::path>> complete, partial;
  std::error_code ec;
  for (const fs::directory_entry &e : fs::directory_iterator(dir, ec)) {
    const int64_t step = stepOfName(e.path().filename().string());
    if (step < 0 || !e.is_directory())
      continue;
    (fs::exists(e.path() / "manifest.json") ? complete : partial)
        .push_back({step, e.path()});
  }
  if (ec)
    return Status::error("checkpoint directory '" + dir +
                         "': cannot list it: " + ec.message());
  std::sort(complete.rbegin(), complete.rend());
  std::vector<fs::path> doomed;
  for (size_t i = size_t(keep); keep > 0 && i < complete.size(); ++i)
    doomed.push_back(complete[i].second);
  for (const auto &[step, path] : partial)
    if (!complete.empty() && step < complete.front().first)
      doomed.push_back(path);
  for (const fs::path &path : doomed) {
    fs::remove(path / "manifest.json", ec);
    if (!ec && detail::syncDirectory(path.string()))
      fs::remove_all(path, ec);
    if (ec)
      return Status::error("checkpoint '" + path.string() +
                           "': cannot delete it: " + ec.message());
  }
  return Status::ok();
}

} // namespace ptc::rt::train
