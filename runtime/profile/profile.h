//===- profile.h - Time per kernel of a compiled program -------*- C++ -*-===//
//
// `ptc compile --profile` makes the emitted entry points call mark(name)
// before each launch and flush() at their end; the time from one mark to
// the next is charged to the kernel named by the first. The cpu target
// measures with a steady clock, the cuda target with events recorded on the
// kernel stream (so the numbers are GPU time, not launch overhead). The
// report (to stderr at exit) lists kernels by total time.
//
//===----------------------------------------------------------------------===//
#ifndef PTC_RUNTIME_PROFILE_PROFILE_H
#define PTC_RUNTIME_PROFILE_PROFILE_H

namespace ptc::profile {

/// The kernel `name` starts now (null: the previous one ended).
void mark(const char *name);
/// Charges the marks of the entry point that just ran (waits for the GPU).
void flush();
/// Prints the table of time per kernel name to stderr.
void report();

} // namespace ptc::profile

#endif // PTC_RUNTIME_PROFILE_PROFILE_H
