//===- mesh_coordinate.h - This rank's mesh coordinate ----------*- C++ -*-===//
//
// The one ptc::kernels function both targets share: a host function, defined
// in runtime/dist (world.cpp), that emitted code calls to pick its shard.
//
//===----------------------------------------------------------------------===//
#ifndef PTC_RUNTIME_DIST_MESH_COORDINATE_H
#define PTC_RUNTIME_DIST_MESH_COORDINATE_H

#include <cstdint>

namespace ptc::kernels {

/// This rank's coordinate on mesh axis `meshAxis` (an index into
/// Model::mesh); 0 in a single-rank program, where every coordinate is 0.
int64_t mesh_coordinate(int64_t meshAxis);

} // namespace ptc::kernels

#endif // PTC_RUNTIME_DIST_MESH_COORDINATE_H
