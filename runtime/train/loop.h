//===- loop.h - The training loop of a compiled model -----------*- C++ -*-===//
//
// train() runs one program after its flags and Model table were checked:
//   1. allocate the arenas on `device`; print the banner, log "start";
//   2. write "seed"; init_params(), or load --init-from; save
//      --save-initial-weights;
//   3. for step 1..steps: write "step"; for each of grad_accum_steps
//      micro-batches: the next batch of the training loader (shuffled with
//      the seed), "micro", "tokens", "targets", micro_step(), read "loss";
//      then optimizer_step(), read "lr" and "grad_norm"; print and log;
//   4. with --val-data: validate every --eval-every steps and after the last
//      step: the validation loader from its start (no shuffle), --eval-steps
//      micro-batches through eval_step(), the mean "loss";
//   5. save --save-weights.
// Any failure (data, files, a NaN or infinite loss) stops the loop and comes
// back as a Status whose message names the file or the step.
//
//===----------------------------------------------------------------------===//
#ifndef PTC_RUNTIME_TRAIN_LOOP_H
#define PTC_RUNTIME_TRAIN_LOOP_H

#include "runtime/train/device.h"
#include "runtime/train/flags.h"
#include "runtime/train/model_check.h"

#include <ostream>

namespace ptc::rt::train {

Status train(const abi::Model &model, const IOSlots &io, const Flags &flags,
             Device &device, std::ostream &out);

} // namespace ptc::rt::train

#endif // PTC_RUNTIME_TRAIN_LOOP_H
