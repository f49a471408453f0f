//===- check.h - Precondition checks for the CPU kernels -------*- C++ -*-===//
//
// PTC_RT_CHECK(cond, fmt, ...) aborts the process with
//   "ptc runtime: <file>:<line>: check `cond` failed: <message>"
// when `cond` is false. Every kernel checks its size preconditions with it; the
// checks are cheap (O(1) per call, or one compare per index read) and stay on in
// release builds: a wrong size in emitted code must never read out of bounds.
//
//===----------------------------------------------------------------------===//
#ifndef PTC_RUNTIME_CPU_CHECK_H
#define PTC_RUNTIME_CPU_CHECK_H

namespace ptc::rt::cpu {

/// Prints the failed check (printf-style message) to stderr and aborts.
[[noreturn]] void checkFailed(const char *file, int line, const char *cond,
                              const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

} // namespace ptc::rt::cpu

#define PTC_RT_CHECK(cond, ...)                                                \
  do {                                                                         \
    if (!(cond))                                                               \
      ::ptc::rt::cpu::checkFailed(__FILE__, __LINE__, #cond, __VA_ARGS__);     \
  } while (0)

#endif // PTC_RUNTIME_CPU_CHECK_H
