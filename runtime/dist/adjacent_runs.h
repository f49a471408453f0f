//===- adjacent_runs.h - Merging collectives over adjacent buffers -*- C++ -*-===//
//
// Inside an NCCL group, the all-reduces of a gradient bucket reduce
// accumulators that the memory plan packed back to back; one collective over
// their union moves the same bytes with one launch instead of one per
// tensor (runtime/cuda/collectives.cpp). Header-only and free of NCCL so
// that the cpu tests check it.
//
//===----------------------------------------------------------------------===//
#ifndef PTC_RUNTIME_DIST_ADJACENT_RUNS_H
#define PTC_RUNTIME_DIST_ADJACENT_RUNS_H

#include <cstddef>
#include <vector>

namespace ptc::rt::dist {

/// Calls `issue` once per maximal run of consecutive requests in `requests`
/// (in their order) where each buffer starts where the previous one ends
/// and `sameKind` holds for the two (element type, communicator, reduction,
/// stream); the issued request is the run's first with the run's count.
/// Request: `char *buf`, `size_t count` (elements), `size_t width` (bytes
/// per element).
template <typename Request, typename SameKind, typename Issue>
void forEachAdjacentRun(const std::vector<Request> &requests,
                        SameKind sameKind, Issue issue) {
  if (requests.empty())
    return;
  Request run = requests.front();
  for (size_t i = 1; i < requests.size(); ++i) {
    const Request &next = requests[i];
    if (next.buf == run.buf + run.count * run.width && sameKind(run, next)) {
      run.count += next.count;
      continue;
    }
    issue(run);
    run = next;
  }
  issue(run);
}

} // namespace ptc::rt::dist

#endif // PTC_RUNTIME_DIST_ADJACENT_RUNS_H
