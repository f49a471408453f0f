//===- Trace.cpp - The Chrome/Perfetto trace of a simulated schedule ------===//
//
// The Trace Event Format: a process per rank ("rank R", sorted by rank)
// with a "compute" and a "send/recv" thread, and a complete ("X") event per
// action.
//
//===----------------------------------------------------------------------===//

#include "passes/Dist/Schedule/Picture.h"

using namespace ptc::schedule;

void ptc::schedule::writeChromeTrace(const Schedule &schedule,
                                     const Simulation &simulation,
                                     std::ostream &os, double microsPerUnit) {
  // Whole microseconds of long runs, not 1.23457e+06.
  std::streamsize precision = os.precision(15);
  os << "{\"displayTimeUnit\": \"ms\", \"otherData\": {\"schedule\": \""
     << schedule.kind << "\", \"pp\": " << schedule.pp
     << ", \"virtual_stages\": " << schedule.virtualStages
     << ", \"micro_batches\": " << schedule.microBatches
     << ", \"bubble\": " << simulation.bubble << "},\n\"traceEvents\": [";
  const char *separator = "\n";
  auto meta = [&](const char *name, int pid, int tid, const std::string &arg,
                  const char *key) {
    os << separator << "{\"name\": \"" << name << "\", \"ph\": \"M\", "
       << "\"pid\": " << pid << ", \"tid\": " << tid << ", \"args\": {\"" << key
       << "\": " << arg << "}}";
    separator = ",\n";
  };
  for (int r = 0; r < schedule.pp; ++r) {
    meta("process_name", r, 0, "\"rank " + std::to_string(r) + "\"", "name");
    meta("process_sort_index", r, 0, std::to_string(r), "sort_index");
    meta("thread_name", r, 0, "\"compute\"", "name");
    meta("thread_name", r, 1, "\"send/recv\"", "name");
    for (size_t i = 0; i < schedule.ranks[r].size(); ++i) {
      const Action &a = schedule.ranks[r][i];
      double start = simulation.timeline.start[r][i];
      double end = simulation.timeline.end[r][i];
      os << separator << "{\"name\": \"" << toString(a) << "\", \"cat\": \""
         << kindName(a.kind) << "\", \"ph\": \"X\", \"pid\": " << r
         << ", \"tid\": " << (isPointToPoint(a.kind) ? 1 : 0)
         << ", \"ts\": " << start * microsPerUnit
         << ", \"dur\": " << (end - start) * microsPerUnit
         << ", \"args\": {\"action\": " << i + 1;
      if (hasChunk(a.kind))
        os << ", \"chunk\": " << a.chunk
           << ", \"stage\": " << schedule.stageOf(r, a.chunk);
      if (hasMicro(a.kind))
        os << ", \"micro_batch\": " << a.micro;
      if (isPointToPoint(a.kind))
        os << ", \"peer\": " << a.peer;
      os << "}}";
    }
  }
  os << "\n]}\n";
  os.precision(precision);
}
