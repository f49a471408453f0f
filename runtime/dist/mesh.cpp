//===- mesh.cpp - Ranks, coordinates and groups of a device mesh ----------===//

#include "runtime/dist/mesh.h"

namespace ptc::rt::dist {

int64_t meshWorldSize(const abi::Model &model) {
  int64_t n = 1;
  for (int32_t a = 0; a < model.numMeshAxes; ++a)
    n *= model.mesh[a].size;
  return n;
}

std::string describeMesh(const abi::Model &model) {
  if (model.numMeshAxes == 0)
    return "a single process";
  std::string s;
  for (int32_t a = 0; a < model.numMeshAxes; ++a)
    s += (a ? " x " : "") +
         std::string(model.mesh[a].name ? model.mesh[a].name : "?") + "=" +
         std::to_string(model.mesh[a].size);
  return s;
}

int32_t findMeshAxis(const abi::Model &model, const char *name) {
  for (int32_t a = 0; a < model.numMeshAxes; ++a)
    if (model.mesh[a].name && std::string(model.mesh[a].name) == name)
      return a;
  return -1;
}

std::vector<int64_t> meshCoordinates(const abi::Model &model, int64_t rank) {
  std::vector<int64_t> coords(size_t(model.numMeshAxes), 0);
  for (int32_t a = model.numMeshAxes - 1; a >= 0; --a) {
    coords[size_t(a)] = rank % model.mesh[a].size;
    rank /= model.mesh[a].size;
  }
  return coords;
}

int64_t meshRank(const abi::Model &model, const std::vector<int64_t> &coords) {
  int64_t rank = 0;
  for (int32_t a = 0; a < model.numMeshAxes; ++a)
    rank = rank * model.mesh[a].size + coords[size_t(a)];
  return rank;
}

static bool onAxes(const abi::Communicator &comm, int32_t axis) {
  for (int32_t k = 0; k < comm.numAxes; ++k)
    if (comm.axes[k] == axis)
      return true;
  return false;
}

GroupPlace groupPlace(const abi::Model &model, const abi::Communicator &comm,
                      const std::vector<int64_t> &coords) {
  GroupPlace place;
  for (int32_t a = 0; a < model.numMeshAxes; ++a)
    if (!onAxes(comm, a))
      place.color = place.color * model.mesh[a].size + coords[size_t(a)];
  if (comm.numMembers > 0) {
    // One axis; the place is the coordinate's index in the member list.
    const int64_t c = coords[size_t(comm.axes[0])];
    place.size = comm.numMembers;
    place.member = false;
    for (int32_t j = 0; j < comm.numMembers && !place.member; ++j)
      if (comm.members[j] == c) {
        place.key = j;
        place.member = true;
      }
    return place;
  }
  place.size = 1;
  for (int32_t k = 0; k < comm.numAxes; ++k) {
    const int32_t a = comm.axes[k];
    place.key = place.key * model.mesh[a].size + coords[size_t(a)];
    place.size *= model.mesh[a].size;
  }
  return place;
}

int64_t groupMemberRank(const abi::Model &model, const abi::Communicator &comm,
                        const std::vector<int64_t> &coords, int64_t index) {
  std::vector<int64_t> member = coords;
  if (comm.numMembers > 0) {
    member[size_t(comm.axes[0])] = comm.members[index];
    return meshRank(model, member);
  }
  for (int32_t k = comm.numAxes - 1; k >= 0; --k) {
    const int32_t a = comm.axes[k];
    member[size_t(a)] = index % model.mesh[a].size;
    index /= model.mesh[a].size;
  }
  return meshRank(model, member);
}

bool isSplitParam(const abi::Model &model, int32_t i) {
  return model.paramLayouts && model.paramLayouts[i].splitAxis >= 0;
}

bool isZeroChunkParam(const abi::Model &model, int32_t i) {
  return model.paramLayouts && model.paramLayouts[i].zeroChunk > 0;
}

std::vector<int64_t> rankParamShape(const abi::Model &model, int32_t i) {
  const abi::TensorSlot &slot = model.params[i];
  if (!model.paramLayouts)
    return std::vector<int64_t>(slot.shape, slot.shape + slot.rank);
  const abi::ParamLayout &layout = model.paramLayouts[i];
  std::vector<int64_t> shape(layout.globalShape,
                             layout.globalShape + layout.rank);
  if (layout.splitAxis >= 0 && layout.splitDim >= 0 &&
      layout.splitDim < layout.rank)
    shape[size_t(layout.splitDim)] /= model.mesh[layout.splitAxis].size;
  return shape;
}

SegmentSplit paramSplit(const abi::Model &model, int32_t i) {
  const abi::ParamLayout &layout = model.paramLayouts[i];
  SegmentSplit split;
  split.parts = model.mesh[layout.splitAxis].size;
  split.numSegments = layout.numSegments;
  for (int32_t k = 0; k < layout.numSegments && k < kMaxShardSegments; ++k)
    split.segments[k] = layout.segments[k];
  return split;
}

static Status planError(const abi::Model &model, const std::string &what) {
  return Status::error("model '" + std::string(model.name ? model.name : "?") +
                       "': " + what +
                       " (the program does not match this runtime; rebuild "
                       "it with the same ptc)");
}

static std::string dims(const int64_t *shape, int32_t rank) {
  std::string s = "[";
  for (int32_t d = 0; d < rank; ++d)
    s += (d ? ", " : "") + std::to_string(shape[d]);
  return s + "]";
}

// A parameter's layout against its local slot.
static Status checkLayout(const abi::Model &model, int32_t i) {
  const abi::ParamLayout &layout = model.paramLayouts[i];
  const abi::TensorSlot &slot = model.params[i];
  const std::string name =
      std::string("the layout of parameter '") + slot.name + "'";
  const bool chunked = layout.zeroChunk > 0;
  if (!chunked && layout.rank != slot.rank)
    return planError(model, name + " has rank " + std::to_string(layout.rank) +
                                ", the parameter " + std::to_string(slot.rank));
  if (layout.rank < 0 || layout.rank > abi::kMaxRank)
    return planError(model, name + " has rank " + std::to_string(layout.rank));
  if (chunked && (layout.zeroAxis < 0 || layout.zeroAxis >= model.numMeshAxes ||
                  slot.rank != 1 || slot.shape[0] != layout.zeroChunk))
    return planError(model, name + " keeps a ZeRO-1 chunk of " +
                                std::to_string(layout.zeroChunk) +
                                " elements over mesh axis " +
                                std::to_string(layout.zeroAxis) +
                                ", the parameter is " +
                                dims(slot.shape, slot.rank));
  if (layout.splitAxis < -1 || layout.splitAxis >= model.numMeshAxes)
    return planError(model, name + " names mesh axis " +
                                std::to_string(layout.splitAxis));
  if (layout.checkpointRows < 0 ||
      (layout.checkpointRows > 0 &&
       (layout.rank == 0 ||
        layout.checkpointRows > layout.globalShape[0])))
    return planError(model, name + " saves " +
                                std::to_string(layout.checkpointRows) +
                                " rows of " +
                                dims(layout.globalShape, layout.rank));
  const int32_t rank = layout.rank;
  std::vector<int64_t> want(layout.globalShape, layout.globalShape + rank);
  if (layout.splitAxis >= 0) {
    if (layout.splitDim < 0 || layout.splitDim >= rank)
      return planError(
          model, name + " splits dimension " + std::to_string(layout.splitDim) +
                     " of a rank-" + std::to_string(rank) + " tensor");
    const SegmentSplit split = paramSplit(model, i);
    if (layout.numSegments < 1 || layout.numSegments > abi::kMaxSegments ||
        !isValidSplit(split) ||
        split.globalDim() != layout.globalShape[layout.splitDim])
      return planError(
          model, name + " has segments that do not tile " + "dimension " +
                     std::to_string(layout.splitDim) + " of " +
                     dims(layout.globalShape, rank) + " evenly over " +
                     std::to_string(split.parts) + " parts");
    want[size_t(layout.splitDim)] /= split.parts;
  }
  if (chunked) {
    int64_t n = 1;
    for (int64_t d : want)
      n *= d;
    const int64_t parts = model.mesh[layout.zeroAxis].size;
    if (layout.zeroChunk != (n + parts - 1) / parts)
      return planError(model, name + " keeps chunks of " +
                                  std::to_string(layout.zeroChunk) +
                                  " elements of a local " +
                                  dims(want.data(), rank) + " over " +
                                  std::to_string(parts) + " ranks");
    return Status::ok();
  }
  if (want != std::vector<int64_t>(slot.shape, slot.shape + slot.rank))
    return planError(
        model, name + " gives a local shape " + dims(want.data(), slot.rank) +
                   ", the parameter is " + dims(slot.shape, slot.rank));
  return Status::ok();
}

// The member list of a communicator that has one (pipeline pairs).
static Status checkMembers(const abi::Model &model,
                           const abi::Communicator &comm,
                           const std::string &name) {
  if (comm.numMembers == 0)
    return Status::ok();
  if (comm.numMembers < 0 || comm.numMembers > abi::kMaxMembers)
    return planError(model, name + " has " + std::to_string(comm.numMembers) +
                                " members (at most " +
                                std::to_string(abi::kMaxMembers) + ")");
  if (comm.numAxes != 1)
    return planError(model, name + " lists members over " +
                                std::to_string(comm.numAxes) +
                                " mesh axes; a member list needs exactly one");
  const abi::MeshAxis &axis = model.mesh[comm.axes[0]];
  for (int32_t j = 0; j < comm.numMembers; ++j) {
    const int64_t m = comm.members[j];
    if (m < 0 || m >= axis.size)
      return planError(model, name + " lists member " + std::to_string(m) +
                                  " of mesh axis '" + axis.name +
                                  "' of size " + std::to_string(axis.size));
    for (int32_t l = 0; l < j; ++l)
      if (comm.members[l] == m)
        return planError(model, name + " lists member " + std::to_string(m) +
                                    " twice");
  }
  return Status::ok();
}

Status checkParallelPlan(const abi::Model &model) {
  if (model.numMeshAxes < 0 || model.numMeshAxes > abi::kMaxMeshAxes ||
      (model.numMeshAxes > 0 && !model.mesh))
    return planError(model, "bad mesh table (" +
                                std::to_string(model.numMeshAxes) + " axes)");
  for (int32_t a = 0; a < model.numMeshAxes; ++a)
    if (!model.mesh[a].name || model.mesh[a].size < 1)
      return planError(model, "mesh axis " + std::to_string(a) +
                                  " has no name or a size below 1");
  if (model.numComms < 0 || (model.numComms > 0 && !model.comms))
    return planError(model, "bad communicator table");
  for (int32_t c = 0; c < model.numComms; ++c) {
    const abi::Communicator &comm = model.comms[c];
    const std::string name = "communicator " + std::to_string(c) + " '" +
                             (comm.name ? comm.name : "?") + "'";
    if (comm.numAxes < 1 || comm.numAxes > abi::kMaxMeshAxes)
      return planError(model,
                       name + " has " + std::to_string(comm.numAxes) + " axes");
    for (int32_t k = 0; k < comm.numAxes; ++k) {
      if (comm.axes[k] < 0 || comm.axes[k] >= model.numMeshAxes)
        return planError(model, name + " names mesh axis " +
                                    std::to_string(comm.axes[k]));
      for (int32_t l = 0; l < k; ++l)
        if (comm.axes[l] == comm.axes[k])
          return planError(model, name + " lists mesh axis " +
                                      std::to_string(comm.axes[k]) + " twice");
    }
    if (Status s = checkMembers(model, comm, name); !s)
      return s;
  }
  if (model.paramLayouts)
    for (int32_t i = 0; i < model.numParams; ++i)
      if (Status s = checkLayout(model, i); !s)
        return s;
  return Status::ok();
}

static std::string howToLaunch(int64_t ranks) {
  if (ranks == 1)
    return "run it without a launcher (or with mpirun -np 1)";
  return "run it with mpirun -np " + std::to_string(ranks) + " (or srun -n " +
         std::to_string(ranks) + ")";
}

Status checkWorldSize(const abi::Model &model, const LaunchEnv &env) {
  const int64_t want = meshWorldSize(model);
  if (env.size == want)
    return Status::ok();
  const std::string compiled =
      "this program was compiled for " + std::to_string(want) +
      (want == 1 ? " rank" : " ranks") + " (" + describeMesh(model) + ")";
  if (!env.launched())
    return Status::error(compiled + " but was started without a launcher; " +
                         howToLaunch(want));
  return Status::error(compiled + " but was launched with " +
                       std::to_string(env.size) + "; " + howToLaunch(want));
}

} // namespace ptc::rt::dist
