//===- output_check.h - The files a run writes, checked first ---*- C++ -*-===//
//
// A run writes its --log file from the start and its weights after the last
// step (or before the first). A weight file that cannot be written would be
// found only after all the training; checkOutputFiles finds it before the
// first step: --save-weights and --save-initial-weights must name a regular
// file or a new one, in an existing directory where rank 0 can create files
// (the atomic save makes a temporary there: one is made and removed now),
// and --log must not be a directory nor a new file in a missing directory
// (an existing FIFO or /dev/stdout is a fine log). No two of the three may
// name the same path. Errors name the flag and the file:
//   --save-weights 'out/w.safetensors': the directory 'out' does not exist
//
//===----------------------------------------------------------------------===//
#ifndef PTC_RUNTIME_TRAIN_OUTPUT_CHECK_H
#define PTC_RUNTIME_TRAIN_OUTPUT_CHECK_H

#include "runtime/data/status.h"
#include "runtime/train/flags.h"

namespace ptc::rt::train {

/// The checks above, for the flags that are set.
Status checkOutputFiles(const Flags &flags);

} // namespace ptc::rt::train

#endif // PTC_RUNTIME_TRAIN_OUTPUT_CHECK_H
