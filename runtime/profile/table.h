//===- table.h - The profile's accumulation, shared by both targets -*- C++ -*-===//
#ifndef PTC_RUNTIME_PROFILE_TABLE_H
#define PTC_RUNTIME_PROFILE_TABLE_H

#include <algorithm>
#include <cstdio>
#include <map>
#include <string>
#include <vector>

namespace ptc::profile::detail {

struct Entry {
  double ms = 0;
  long calls = 0;
};

/// Never destroyed: report() runs from atexit, after static destructors of
/// objects constructed later than its registration.
inline std::map<std::string, Entry> &table() {
  static auto *entries = new std::map<std::string, Entry>();
  return *entries;
}

inline void charge(const char *name, double ms) {
  Entry &e = table()[name];
  e.ms += ms;
  ++e.calls;
}

inline void print(const char *clock) {
  std::vector<std::pair<std::string, Entry>> rows(table().begin(), table().end());
  std::sort(rows.begin(), rows.end(),
            [](auto &a, auto &b) { return a.second.ms > b.second.ms; });
  double total = 0;
  for (auto &row : rows)
    total += row.second.ms;
  std::fprintf(stderr, "\nprofile (%s): %.3f ms in %zu kernel kinds\n", clock,
               total, rows.size());
  std::fprintf(stderr, "  %-40s %12s %8s %10s %7s\n", "kernel", "total ms",
               "calls", "ms/call", "share");
  for (auto &[name, e] : rows)
    std::fprintf(stderr, "  %-40s %12.3f %8ld %10.4f %6.1f%%\n", name.c_str(),
                 e.ms, e.calls, e.ms / double(e.calls),
                 total > 0 ? 100.0 * e.ms / total : 0.0);
}

} // namespace ptc::profile::detail

#endif // PTC_RUNTIME_PROFILE_TABLE_H
