//===- mesh.h - Ranks, coordinates and groups of a device mesh --*- C++ -*-===//
//
// The arithmetic of model_abi.h's parallel plan, free of MPI and NCCL so
// that it is unit-tested directly:
//
//  * global ranks are numbered row-major over Model::mesh (the last axis
//    fastest); a rank's coordinates are its digits in that mixed radix;
//  * communicator `comm` groups the ranks that share every coordinate
//    outside comm.axes. Its color (which group) is the row-major index of
//    the coordinates outside the axes, its key (the place in the group) the
//    row-major index of the coordinates on the axes, in the order listed.
//    MPI_Comm_split and ncclCommSplit take exactly these.
//  * a communicator with members (Communicator::numMembers > 0, one axis:
//    pipeline neighbour pairs) keeps only the ranks whose coordinate on
//    that axis is listed; their key is the place in the list. The other
//    ranks are no member (GroupPlace::member false): they get no MPI or
//    NCCL communicator (MPI_UNDEFINED, NCCL_SPLIT_NOCOLOR) and never call it.
//
// A table without mesh axes (numMeshAxes == 0, e.g. a hand-written test
// model) is a single rank.
//
//===----------------------------------------------------------------------===//
#ifndef PTC_RUNTIME_DIST_MESH_H
#define PTC_RUNTIME_DIST_MESH_H

#include "runtime/data/status.h"
#include "runtime/dist/launcher.h"
#include "runtime/dist/shard_index.h"
#include "runtime/train/model_abi.h"

#include <cstdint>
#include <string>
#include <vector>

namespace ptc::rt::dist {

/// The product of the mesh sizes (1 without axes).
int64_t meshWorldSize(const abi::Model &model);

/// "pp=1 x dp=2 x tp=2"; "a single process" without axes.
std::string describeMesh(const abi::Model &model);

/// The index of the mesh axis called `name`, or -1.
int32_t findMeshAxis(const abi::Model &model, const char *name);

/// The coordinates of `rank` (one per mesh axis).
std::vector<int64_t> meshCoordinates(const abi::Model &model, int64_t rank);
/// The inverse of meshCoordinates.
int64_t meshRank(const abi::Model &model, const std::vector<int64_t> &coords);

/// Where the rank with `coords` sits in communicator `comm`.
struct GroupPlace {
  int64_t color = 0; ///< which group (row-major over the other axes)
  int64_t key = 0;   ///< index within the group
  int64_t size = 1;  ///< ranks in the group
  bool member = true; ///< false: outside a communicator with members
};
GroupPlace groupPlace(const abi::Model &model, const abi::Communicator &comm,
                      const std::vector<int64_t> &coords);

/// The global rank of member `index` of the group of `comm` that contains
/// the rank with `coords`.
int64_t groupMemberRank(const abi::Model &model, const abi::Communicator &comm,
                        const std::vector<int64_t> &coords, int64_t index);

/// Checks the mesh, the communicators and the parameter layouts of `model`:
/// sizes positive, axes in range and distinct, every split parameter's
/// local shape the global one divided as its layout says. The message names
/// the axis, communicator or parameter. A communicator with members must
/// have one axis and at most abi::kMaxMembers distinct members, each a
/// coordinate of that axis.
Status checkParallelPlan(const abi::Model &model);

/// The split of parameter `i`'s layout (parts = the size of its mesh axis).
/// Only for split parameters (paramLayouts[i].splitAxis >= 0).
SegmentSplit paramSplit(const abi::Model &model, int32_t i);

/// True when parameter `i` is split over a mesh axis (a table without
/// paramLayouts replicates every parameter).
bool isSplitParam(const abi::Model &model, int32_t i);

/// True when parameter `i`'s slot is a ZeRO-1 chunk of the rank's tensor
/// (paramLayouts[i].zeroChunk > 0).
bool isZeroChunkParam(const abi::Model &model, int32_t i);

/// The shape of the rank's tensor of parameter `i`: its tensor-parallel
/// piece of the full tensor (the full tensor when replicated), whatever
/// the slot holds (a ZeRO-1 chunk of it).
std::vector<int64_t> rankParamShape(const abi::Model &model, int32_t i);

/// Checks that the job the launcher started fits the mesh: the one-line
/// message says what was compiled and how to launch it, e.g.
///   this program was compiled for 4 ranks (pp=1 x dp=2 x tp=2) but was
///   launched with 2; run it with mpirun -np 4 (or srun -n 4)
Status checkWorldSize(const abi::Model &model, const LaunchEnv &env);

} // namespace ptc::rt::dist

#endif // PTC_RUNTIME_DIST_MESH_H
