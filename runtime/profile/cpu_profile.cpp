//===- cpu_profile.cpp - Time per kernel on the cpu target ----------------===//

#include "runtime/profile/profile.h"
#include "runtime/profile/table.h"

#include <chrono>

namespace ptc::profile {

namespace {
const char *current = nullptr;
std::chrono::steady_clock::time_point started;
} // namespace

void mark(const char *name) {
  auto now = std::chrono::steady_clock::now();
  if (current)
    detail::charge(
        current,
        std::chrono::duration<double, std::milli>(now - started).count());
  current = name;
  started = now;
}

void flush() { mark(nullptr); }

void report() { detail::print("steady clock"); }

} // namespace ptc::profile
