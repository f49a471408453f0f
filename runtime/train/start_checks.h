//===- start_checks.h - Checks before a run's first step --------*- C++ -*-===//
//
// What can be known at the start of a run fails at the start, not after
// hours of training.
//
// Output files. A run writes its --log file from the start and its weights
// after the last step (or before the first). A weight file that cannot be
// written would be found only after all the training; checkOutputFiles finds
// it before the first step: --save-weights and --save-initial-weights must name a regular
// file or a new one, in an existing directory where rank 0 can create files
// (the atomic save makes a temporary there: one is made and removed now),
// and --log must not be a directory nor a new file in a missing directory
// (an existing FIFO or /dev/stdout is a fine log). No two of the three may
// name the same path. Errors name the flag and the file:
//   --save-weights 'out/w.safetensors': the directory 'out' does not exist
//
// --eval-steps. A validation reads the first --eval-steps micro-batches of
// the validation data from its start; more than it holds would silently read
// some of them twice. The error names both numbers:
//   --eval-steps 32: the validation data (1 file(s)) holds 62 sequences of
//   8 tokens, 31 micro-batches of 2; a validation of 32 would read some of
//   them twice: pass --eval-steps 31 or fewer, or more --val-data
//
//===----------------------------------------------------------------------===//
#ifndef PTC_RUNTIME_TRAIN_START_CHECKS_H
#define PTC_RUNTIME_TRAIN_START_CHECKS_H

#include "runtime/data/status.h"
#include "runtime/data/token_loader.h"
#include "runtime/train/flags.h"

namespace ptc::rt::train {

/// The output file checks above, for the flags that are set.
Status checkOutputFiles(const Flags &flags);

/// The --eval-steps check above, on the opened validation loader.
Status checkEvalSteps(const abi::Model &model, const Flags &flags,
                      const TokenLoader &valData);

} // namespace ptc::rt::train

#endif // PTC_RUNTIME_TRAIN_START_CHECKS_H
