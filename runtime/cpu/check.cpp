//===- check.cpp - Precondition checks for the CPU kernels ----------------===//

#include "runtime/cpu/check.h"

#include <cstdarg>
#include <cstdio>
#include <cstdlib>

namespace ptc::rt::cpu {

void checkFailed(const char *file, int line, const char *cond, const char *fmt,
                 ...) {
  std::fprintf(stderr, "ptc runtime: %s:%d: check `%s` failed: ", file, line,
               cond);
  va_list args;
  va_start(args, fmt);
  std::vfprintf(stderr, fmt, args);
  va_end(args);
  std::fputc('\n', stderr);
  std::fflush(stderr);
  std::abort();
}

} // namespace ptc::rt::cpu
