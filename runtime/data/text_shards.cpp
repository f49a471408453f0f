//===- text_shards.cpp - Byte-level token shards from a text file ---------===//

#include "runtime/data/text_shards.h"

#include "runtime/data/file_io.h"
#include "runtime/data/token_shard.h"

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <dirent.h>
#include <fnmatch.h>
#include <sys/stat.h>
#include <unistd.h>

namespace ptc::rt {

namespace {

std::string shardName(const std::string &dir, const char *split, int index) {
  char name[32];
  std::snprintf(name, sizeof(name), "%s_%06d.bin", split, index);
  return dir + "/" + name;
}

// Creates `dir` and its missing parents.
Status makeDirectories(const std::string &dir) {
  for (size_t i = 1; i <= dir.size(); ++i) {
    if (i < dir.size() && dir[i] != '/')
      continue;
    const std::string prefix = dir.substr(0, i);
    struct stat st;
    if (::stat(prefix.c_str(), &st) == 0) {
      if (!S_ISDIR(st.st_mode))
        return Status::error("output directory '" + dir + "': '" + prefix +
                             "' is not a directory");
      continue;
    }
    if (::mkdir(prefix.c_str(), 0755) != 0 && errno != EEXIST)
      return Status::error("output directory '" + dir +
                           "': cannot create: " + std::strerror(errno));
  }
  return Status::ok();
}

// The token shards (train_*.bin, val_*.bin: what a run's --data and
// --val-data globs match) already in `dir`, sorted.
Status findShards(const std::string &dir, std::vector<std::string> *names) {
  DIR *d = ::opendir(dir.c_str());
  if (!d)
    return Status::error("output directory '" + dir +
                         "': cannot list: " + std::strerror(errno));
  while (const dirent *e = ::readdir(d))
    if (::fnmatch("train_*.bin", e->d_name, 0) == 0 ||
        ::fnmatch("val_*.bin", e->d_name, 0) == 0)
      names->push_back(e->d_name);
  ::closedir(d);
  std::sort(names->begin(), names->end());
  return Status::ok();
}

// Refuses a directory that holds shards, or (replace) deletes them: shards
// of an older, longer text would stay and be read with the new ones.
Status clearOldShards(const TextShardOptions &options) {
  std::vector<std::string> old;
  if (Status s = findShards(options.outputDir, &old); !s || old.empty())
    return s;
  if (!options.replace)
    return Status::error(
        "output directory '" + options.outputDir + "' already holds " +
        std::to_string(old.size()) + " token shard(s) (" + old.front() +
        (old.size() > 1 ? ", ..." : "") +
        "); the new shards would be read together with them: use an empty "
        "directory, or pass --force to delete them first");
  for (const std::string &name : old)
    if (::unlink((options.outputDir + "/" + name).c_str()) != 0 &&
        errno != ENOENT)
      return Status::error("output directory '" + options.outputDir +
                           "': cannot delete the old shard " + name + ": " +
                           std::strerror(errno));
  return Status::ok();
}

// Reads tokens [begin, end) of the open input into shards `split`_*.bin.
Status writeSplit(int fd, const std::string &input, int64_t begin, int64_t end,
                  const TextShardOptions &options, const char *split,
                  std::vector<std::string> *files) {
  std::vector<uint8_t> bytes;
  std::vector<uint16_t> tokens;
  for (int64_t at = begin; at < end; at += options.shardTokens) {
    const int64_t n = std::min(options.shardTokens, end - at);
    bytes.resize(size_t(n));
    if (!detail::preadFull(fd, bytes.data(), size_t(n), at))
      return Status::error("text file '" + input + "': cannot read: " +
                           (errno ? std::strerror(errno)
                                  : "unexpected end of file (file changed?)"));
    tokens.assign(bytes.begin(), bytes.end());
    const std::string path =
        shardName(options.outputDir, split, int(files->size()));
    if (Status s = writeTokenShard(path, tokens.data(), n); !s)
      return s;
    files->push_back(path);
  }
  return Status::ok();
}

} // namespace

Status writeTextShards(const std::string &inputPath,
                       const TextShardOptions &options,
                       TextShardResult *result) {
  *result = TextShardResult();
  if (!(options.valFraction >= 0 && options.valFraction < 1))
    return Status::error("the validation fraction must be in [0, 1), not " +
                         std::to_string(options.valFraction));
  if (options.shardTokens <= 0 || options.shardTokens > INT32_MAX)
    return Status::error("the tokens per shard must be in 1..2^31-1, not " +
                         std::to_string(options.shardTokens));
  if (options.outputDir.empty())
    return Status::error("no output directory given");
  std::string why;
  const int fd = detail::openRegularFile(inputPath, &why);
  if (fd < 0)
    return Status::error("text file '" + inputPath + "': " + why);
  struct stat st;
  if (::fstat(fd, &st) != 0) {
    why = std::strerror(errno);
    ::close(fd);
    return Status::error("text file '" + inputPath + "': cannot stat: " + why);
  }
  const int64_t size = st.st_size;
  int64_t val = int64_t(std::floor(double(size) * options.valFraction));
  if (options.valFraction > 0)
    val = std::max<int64_t>(val, 1);
  Status s = Status::ok();
  if (size == 0)
    s = Status::error("text file '" + inputPath + "': the file is empty");
  else if (size - val < 1)
    s = Status::error("text file '" + inputPath + "': " + std::to_string(size) +
                      " bytes are too few to split "
                      "into training and validation data");
  if (s)
    s = makeDirectories(options.outputDir);
  if (s)
    s = clearOldShards(options);
  if (s)
    s = writeSplit(fd, inputPath, 0, size - val, options, "train",
                   &result->trainShards);
  if (s)
    s = writeSplit(fd, inputPath, size - val, size, options, "val",
                   &result->valShards);
  ::close(fd);
  if (!s)
    return s;
  result->trainTokens = size - val;
  result->valTokens = val;
  return Status::ok();
}

} // namespace ptc::rt
