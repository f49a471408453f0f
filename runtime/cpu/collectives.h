//===- collectives.h - Collectives of the cpu target ------------*- C++ -*-===//
//
// The typed ptc::kernels entry points of the cpu target's collectives, over
// runtime/dist/collectives.h (MPI). Buffers first, then the static
// arguments: `comm` indexes Model::comms, `op` is 0 sum, 1 max, 2 min,
// 3 avg, roots and peers are indices within the group. T: float, double,
// int32_t, int64_t. Blocking; send and recv inside group_start/group_end
// complete at group_end.
//
//===----------------------------------------------------------------------===//
#ifndef PTC_RUNTIME_CPU_COLLECTIVES_H
#define PTC_RUNTIME_CPU_COLLECTIVES_H

#include "runtime/dist/collectives.h"
#include "runtime/dist/mesh_coordinate.h"

#include <algorithm>
#include <cstdint>
#include <type_traits>
#include <vector>

namespace ptc::kernels {

template <typename T> constexpr abi::DType collectiveType() {
  static_assert(std::is_same_v<T, float> || std::is_same_v<T, double> ||
                    std::is_same_v<T, int32_t> || std::is_same_v<T, int64_t>,
                "the cpu target's collectives take float, double, int32_t "
                "or int64_t");
  if constexpr (std::is_same_v<T, float>)
    return abi::DType::F32;
  else if constexpr (std::is_same_v<T, double>)
    return abi::DType::F64;
  else if constexpr (std::is_same_v<T, int32_t>)
    return abi::DType::I32;
  else
    return abi::DType::I64;
}

/// buf = op over the group of every member's buf (in place).
template <typename T>
void all_reduce(T *buf, int64_t count, int64_t comm, int64_t op) {
  rt::dist::allReduce(buf, count, collectiveType<T>(), comm, op);
}
/// out = the members' `in` (inCount each) concatenated in group order.
template <typename T>
void all_gather(T *out, const T *in, int64_t inCount, int64_t comm) {
  rt::dist::allGather(out, in, inCount, collectiveType<T>(), comm);
}
/// in = groupSize blocks of outCount; member k gets op over block k.
template <typename T>
void reduce_scatter(T *out, const T *in, int64_t outCount, int64_t comm,
                    int64_t op) {
  rt::dist::reduceScatter(out, in, outCount, collectiveType<T>(), comm, op);
}
/// buf = groupSize blocks of count; this member's block (its index in the
/// group) becomes op over that block of every member's buf, the others keep
/// their values.
template <typename T>
void reduce_scatter_inplace(T *buf, int64_t count, int64_t comm, int64_t op) {
  const int64_t index = rt::dist::groupIndex(comm);
  std::vector<T> mine(size_t(count > 0 ? count : 0));
  rt::dist::reduceScatter(mine.data(), buf, count, collectiveType<T>(), comm,
                          op);
  std::copy(mine.begin(), mine.end(), buf + index * count);
}
/// buf = groupSize blocks of count; every member's block (its index in the
/// group) is gathered into the same block of everyone's buf.
template <typename T>
void all_gather_inplace(T *buf, int64_t count, int64_t comm) {
  const int64_t index = rt::dist::groupIndex(comm);
  std::vector<T> mine(buf + index * count, buf + (index + 1) * count);
  rt::dist::allGather(buf, mine.data(), count, collectiveType<T>(), comm);
}
/// buf = member `root`'s buf.
template <typename T>
void broadcast(T *buf, int64_t count, int64_t comm, int64_t root) {
  rt::dist::broadcast(buf, count, collectiveType<T>(), comm, root);
}
template <typename T>
void send(const T *buf, int64_t count, int64_t comm, int64_t peer) {
  rt::dist::send(buf, count, collectiveType<T>(), comm, peer);
}
template <typename T>
void recv(T *buf, int64_t count, int64_t comm, int64_t peer) {
  rt::dist::recv(buf, count, collectiveType<T>(), comm, peer);
}
inline void group_start() { rt::dist::groupStart(); }
inline void group_end() { rt::dist::groupEnd(); }

} // namespace ptc::kernels

#endif // PTC_RUNTIME_CPU_COLLECTIVES_H
