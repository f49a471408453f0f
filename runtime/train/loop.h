//===- loop.h - The training loop of a compiled model -----------*- C++ -*-===//
//
// train() runs one program after its flags and Model table were checked:
//   1. allocate the arenas on `device`; print the banner, log "start";
//   2. write "seed"; init_params(), or load --init-from, or the checkpoint
//      of --resume (its seed, step, samples and data position too; the
//      manifest is checked before the log is opened); save
//      --save-initial-weights;
//   3. for step 1 (or the one after the resumed checkpoint)..steps: write
//      "step"; call the step function of this
//      rank's pipeline coordinate, which asks for the step's micro-batches
//      (from the training loader, shuffled with the seed), runs the entry
//      points in the compiler's order, exchanges pipeline messages
//      (step_host.h) and returns the mean loss; wait for the step's sends;
//      stop when that loss is not finite; read "lr" and "grad_norm";
//      print and log;
//   4. with --val-data: validate every --eval-every steps and after the last
//      step: the validation loader from its start (no shuffle), --eval-steps
//      micro-batches through eval_step(), the mean "loss";
//   5. after each step, the ranks agree whether any got SIGTERM, and a
//      checkpoint is saved when due (loop_checkpoints.h); at a SIGTERM the
//      loop ends there, exit status 0;
//   6. save --save-weights (not after a SIGTERM).
// Before any of it, rank 0 checks that every output file can be written
// (start_checks.h), and opening the data checks every token id and that
// --eval-steps micro-batches fit in the validation data: what can be known
// at the start fails at the start. Any failure (data, files, a NaN or
// infinite loss) stops the loop and comes back as a Status whose message
// names the file or the step; except a --log write that fails mid-run,
// which is reported on `err` (one line) and costs only the log: training
// goes on, the weights are saved, and TrainOutcome::logFailed says so.
//
// In a parallel run every rank runs this loop on its shards; with pipeline
// parallelism each rank runs its stage's table (Model::pipelineModels) and
// validation is refused at the start (run_main.cpp). A step
// consumes dp * grad_accum_steps micro-batches of the loader's stream; the
// step function names the ones it trains on (data-parallel rank r:
// [r * grad_accum_steps, (r + 1) * grad_accum_steps), by the schedule);
// ranks of one dp coordinate read the same data, and validation is the
// same on every rank. Only rank 0 writes the --log file (and the caller
// gives the other ranks a stream that discards the human lines). Steps,
// validations, loads and saves run under the watchdog, when there is one.
//
//===----------------------------------------------------------------------===//
#ifndef PTC_RUNTIME_TRAIN_LOOP_H
#define PTC_RUNTIME_TRAIN_LOOP_H

#include "runtime/dist/watchdog.h"
#include "runtime/train/device.h"
#include "runtime/train/flags.h"
#include "runtime/train/model_check.h"

#include <ostream>

namespace ptc::rt::train {

/// Where this process sits in a run (the defaults: a single process).
struct RunPlace {
  int64_t rank = 0;               ///< global rank: only rank 0 logs
  int64_t dpRank = 0, dpSize = 1; ///< on the "dp" mesh axis
  int64_t ppRank = 0;             ///< on the "pp" mesh axis: the step function
  dist::Watchdog *watchdog = nullptr;
};

/// What a run reports besides its Status.
struct TrainOutcome {
  bool logFailed = false; ///< a --log write failed mid-run (see above)
};

/// `model` is the whole program: the run uses the table of pipeline rank
/// place.ppRank (stageModel), whose slots `io` holds (checkModel with that
/// rank); checkpoints span every stage.
Status train(const abi::Model &model, const IOSlots &io, const Flags &flags,
             Device &device, std::ostream &out, std::ostream &err,
             const RunPlace &place = RunPlace(),
             TrainOutcome *outcome = nullptr);

} // namespace ptc::rt::train

#endif // PTC_RUNTIME_TRAIN_LOOP_H
