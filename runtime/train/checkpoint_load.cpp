//===- checkpoint_load.cpp - Resuming from a checkpoint -------------------===//
//
// Everything that can be checked without the tensors' bytes is checked
// before anything is loaded, on every rank alike: the manifest (complete,
// readable, of this model and plan), the size of every rank file, and the
// dtype and shape of every tensor this rank loads. Loading then checks each
// tensor's CRC-32. Every refusal is one line naming the file and what is
// wrong; nothing is written.
//
//===----------------------------------------------------------------------===//

#include "runtime/train/checkpoint.h"

#include "runtime/data/file_io.h"
#include "runtime/train/crc32.h"
#include "runtime/train/model_check.h"
#include "runtime/train/safetensors.h"

#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>
#include <tuple>
#include <unistd.h>

namespace ptc::rt::train {

namespace fs = std::filesystem;

namespace {

Status refuse(const std::string &path, const std::string &what) {
  return Status::error("checkpoint '" + path + "': " + what);
}

// The line of `settings` that starts with `key` ("ptc.model").
std::string settingsLine(const std::string &settings, const std::string &key) {
  std::istringstream in(settings);
  for (std::string line; std::getline(in, line);)
    if (line.rfind(key, 0) == 0)
      return line;
  return "";
}

using TensorKey = std::tuple<int64_t, std::string, std::string, int64_t>;

struct Located {
  const nlohmann::json *shard = nullptr, *tensor = nullptr;
};

std::map<TensorKey, Located> indexTensors(const nlohmann::json &manifest) {
  std::map<TensorKey, Located> index;
  for (const nlohmann::json &shard : manifest.at("shards"))
    for (const nlohmann::json &t : shard.at("tensors"))
      index[{shard.at("rank").get<int64_t>(), t.at("name").get<std::string>(),
             t.at("kind").get<std::string>(), t.at("stage").get<int64_t>()}] =
          {&shard, &t};
  return index;
}

std::string describe(const std::string &dtype, const nlohmann::json &shape) {
  return dtype + " " + shape.dump();
}

std::string describeSlot(const abi::TensorSlot &slot) {
  nlohmann::json shape = nlohmann::json::array();
  for (int32_t d = 0; d < slot.rank; ++d)
    shape.push_back(slot.shape[d]);
  return describe(safetensorsDType(slot.type), shape);
}

Status checkProgram(const std::string &path, const nlohmann::json &m,
                    const abi::Model &program) {
  const std::string model = m.at("model").get<std::string>();
  const std::string settings = m.at("settings").get<std::string>();
  const std::string mine = program.settings ? program.settings : "";
  if (model != program.name ||
      settingsLine(settings, "ptc.model") != settingsLine(mine, "ptc.model"))
    return refuse(path,
                  "written by model '" + model + "' (" +
                      settingsLine(settings, "ptc.model") +
                      "), this program is model '" + program.name + "' (" +
                      settingsLine(mine, "ptc.model") + ")");
  const std::string plan = m.at("plan").get<std::string>();
  if (plan != describePlan(program))
    return refuse(path, "written by plan " + plan + ", this program is plan " +
                            describePlan(program) +
                            "; resharding is not supported yet");
  return Status::ok();
}

Status checkFiles(const std::string &path, const nlohmann::json &m) {
  for (const nlohmann::json &shard : m.at("shards")) {
    const std::string file = path + "/" + shard.at("file").get<std::string>();
    const int64_t want = shard.at("bytes").get<int64_t>();
    std::error_code ec;
    const auto size = fs::file_size(file, ec);
    if (ec)
      return Status::error("checkpoint file '" + file +
                           "': cannot read: " + ec.message());
    if (int64_t(size) != want)
      return Status::error("checkpoint file '" + file + "' is " +
                           std::to_string(size) + " bytes, the manifest says " +
                           std::to_string(want) +
                           (int64_t(size) < want ? " (truncated)" : ""));
  }
  return Status::ok();
}

} // namespace

Status readManifest(const std::string &path, const abi::Model &program,
                    const abi::Model &model, int64_t stage,
                    const std::vector<int64_t> &coords, Manifest *out) {
  if (Status s = checkCheckpointable(model); !s)
    return s;
  std::error_code ec;
  if (!fs::is_directory(path, ec))
    return refuse(path, "no such directory");
  const std::string file = path + "/manifest.json";
  if (!fs::exists(file, ec)) {
    std::string latest;
    (void)findLatestCheckpoint(path, &latest); // only for the hint
    return refuse(path,
                  latest.empty()
                      ? "no manifest.json: an incomplete checkpoint (its save "
                        "did not finish), or not a checkpoint"
                      : "no manifest.json: this is a checkpoint directory; "
                        "resume from one of its checkpoints (the newest: '" +
                            latest + "') or with --resume auto "
                                     "--checkpoint-dir " + path);
  }
  std::ifstream in(file);
  nlohmann::json m = nlohmann::json::parse(in, nullptr, false);
  if (m.is_discarded() || !m.is_object() ||
      m.value("format", "") != "ptc-checkpoint")
    return Status::error("checkpoint file '" + file +
                         "': not a ptc checkpoint manifest (damaged JSON?)");
  try {
    if (m.at("format_version").get<int64_t>() != 1)
      return Status::error("checkpoint file '" + file + "': format version " +
                           m.at("format_version").dump() +
                           ", this program reads version 1");
    if (Status s = checkProgram(path, m, program); !s)
      return s;
    if (Status s = checkFiles(path, m); !s)
      return s;
    const auto index = indexTensors(m);
    for (const StateTensor &t : stateTensors(model, stage, coords)) {
      auto it = index.find({t.writer, t.name, t.kind, t.stage});
      if (it == index.end())
        return refuse(path, "has no " + t.kind + " of '" + t.name +
                                "' (stage " + std::to_string(t.stage) +
                                ") from rank " + std::to_string(t.writer));
      const nlohmann::json &e = *it->second.tensor;
      const std::string theirs =
          describe(e.at("dtype").get<std::string>(), e.at("shape"));
      if (theirs != describeSlot(*t.slot) ||
          e.at("bytes").get<int64_t>() != slotBytes(*t.slot))
        return refuse(path, t.kind + " of '" + t.name + "' is " + theirs +
                                ", this program's is " + describeSlot(*t.slot));
    }
    out->state.step = m.at("step").get<int64_t>();
    out->state.samples = m.at("samples").get<int64_t>();
    out->state.dataPosition = m.at("data_position").get<uint64_t>();
    out->state.seed = m.at("seed").get<uint64_t>();
  } catch (const nlohmann::json::exception &e) {
    return Status::error("checkpoint file '" + file +
                         "': a field is missing or of the wrong type (" +
                         e.what() + ")");
  }
  out->path = path;
  out->json = std::move(m);
  return Status::ok();
}

Status loadCheckpoint(const Manifest &manifest, const abi::Model &model,
                      int64_t stage, const std::vector<int64_t> &coords,
                      DeviceArenas &arenas) {
  const auto index = indexTensors(manifest.json);
  std::map<std::string, int> open;
  std::vector<uint8_t> host;
  Status s = Status::ok();
  for (const StateTensor &t : stateTensors(model, stage, coords)) {
    const Located &at = index.at({t.writer, t.name, t.kind, t.stage});
    const std::string file =
        manifest.path + "/" + at.shard->at("file").get<std::string>();
    int &fd = open[file];
    std::string why;
    if (fd == 0 && (fd = detail::openRegularFile(file, &why)) < 0) {
      s = Status::error("checkpoint file '" + file + "': " + why);
      break;
    }
    host.resize(size_t(slotBytes(*t.slot)));
    if (!detail::preadFull(fd, host.data(), host.size(),
                           at.tensor->at("offset").get<int64_t>())) {
      s = Status::error("checkpoint file '" + file + "': cannot read " +
                        t.kind + " of '" + t.name +
                        "': " + detail::systemError());
      break;
    }
    const uint32_t want = at.tensor->at("crc32").get<uint32_t>();
    const uint32_t got = detail::crc32(host.data(), host.size());
    if (got != want) {
      s = Status::error("checkpoint file '" + file + "': " + t.kind + " of '" +
                        t.name + "' fails its CRC-32 check (the manifest says " +
                        std::to_string(want) + ", the bytes give " +
                        std::to_string(got) + "): the file is corrupt");
      break;
    }
    if (s = arenas.write(*t.slot, host.data()); !s)
      break;
  }
  for (const auto &[file, fd] : open)
    if (fd > 0)
      ::close(fd);
  return s;
}

} // namespace ptc::rt::train
