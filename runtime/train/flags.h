//===- flags.h - Command line of a compiled training program ----*- C++ -*-===//
//
// A compiled program takes these flags (both `--flag value` and
// `--flag=value`; defaults come from the Model table):
//
//   --steps N                optimizer steps (Model::steps); 0 only to
//                            initialize and save (--save-initial-weights or
//                            --save-weights), without data
//   --data PATTERN           training shards (repeatable; globs allowed)
//   --val-data PATTERN       validation shards (repeatable)
//   --eval-every N           with --val-data, validate every N steps and after
//                            the last; 0: after the last only
//                            (Model::evalEvery)
//   --eval-steps N           micro-batches per validation (Model::evalSteps);
//                            more than --val-data holds is an error at start
//   --log FILE               JSON lines: one record per step and validation
//   --seed N                 initialization and shuffle seed (Model::seed)
//   --save-weights FILE      final weights (safetensors) after training
//   --save-initial-weights FILE   weights right after init / --init-from
//   --init-from FILE         load weights (safetensors) instead of init
//   --checkpoint-dir DIR     checkpoints of the whole training state go to
//                            DIR/step_N (Model::checkpointDir;
//                            docs/checkpoints.md)
//   --checkpoint-every N     save one every N steps (Model::checkpointEvery;
//                            0: only after the last step and at SIGTERM)
//   --checkpoint-keep N      keep the newest N complete ones (0: all)
//   --resume DIR|auto        continue from checkpoint DIR (a step_N
//                            directory), or from the newest complete one in
//                            the checkpoint directory (auto; none: start
//                            fresh); --steps stays the total step count
//   --quiet                  no per-step lines on stdout
//   --comm-timeout SECONDS   with several ranks: a step, validation, weight
//                            load or save, or the final barrier that runs
//                            longer ends every rank with an error
//                            (default 600; 0: no limit)
//   --help, --version
//
// A bad command line is one error line naming the flag, e.g.
//   error: --steps: expected a positive integer, got "abc"
// and the program exits with status 2.
//
//===----------------------------------------------------------------------===//
#ifndef PTC_RUNTIME_TRAIN_FLAGS_H
#define PTC_RUNTIME_TRAIN_FLAGS_H

#include "runtime/data/status.h"
#include "runtime/train/model_abi.h"

#include <cstdint>
#include <string>
#include <vector>

namespace ptc::rt::train {

struct Flags {
  int64_t steps = 0;
  std::vector<std::string> data, valData;
  int64_t evalEvery = 0, evalSteps = 0;
  std::string logPath;
  uint64_t seed = 0; ///< any 64-bit value, like the spec's training.seed
  std::string saveWeights, saveInitialWeights, initFrom;
  /// Checkpoints (checkpoint.h): where, how often, how many kept, and the
  /// one to resume from ("auto": the newest in checkpointDir).
  std::string checkpointDir, resume;
  int64_t checkpointEvery = 0, checkpointKeep = 0;
  bool quiet = false, help = false, version = false;
  /// --gradcheck N: compare N sampled gradient elements per parameter with
  /// central finite differences instead of training (0: train).
  int64_t gradcheck = 0;
  double gradcheckStep = 5e-4, gradcheckTolerance = 1e-6;
  /// --comm-timeout: seconds a step may take in a parallel run (0: no limit).
  double commTimeout = 600;
};

/// Parses `args` (argv without the program name) over the defaults of
/// `model`. The error message has no "error: " prefix; it starts with the
/// flag ("--steps: expected a positive integer, got \"abc\"").
Status parseFlags(const abi::Model &model, const std::vector<std::string> &args,
                  Flags *flags);

/// The --help text: the model, its shapes and defaults, and every flag.
std::string usage(const abi::Model &model, const std::string &program);

} // namespace ptc::rt::train

#endif // PTC_RUNTIME_TRAIN_FLAGS_H
