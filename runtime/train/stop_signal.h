//===- stop_signal.h - SIGTERM ends a run after its step ---------*- C++ -*-===//
//
// A batch scheduler preempts a job with SIGTERM (Slurm, then SIGKILL after
// a grace period). The training loop catches it: the step in flight
// finishes, every rank agrees to stop after that step (the signal may
// reach some ranks only: dist::anyRank after each step), a checkpoint is
// saved when there is a checkpoint directory, and the program exits 0.
//
//===----------------------------------------------------------------------===//
#ifndef PTC_RUNTIME_TRAIN_STOP_SIGNAL_H
#define PTC_RUNTIME_TRAIN_STOP_SIGNAL_H

namespace ptc::rt::train {

/// Installs the SIGTERM handler (idempotent); the handler only sets a flag.
void catchStopSignal();

/// True once SIGTERM arrived in this process.
bool stopSignalled();

} // namespace ptc::rt::train

#endif // PTC_RUNTIME_TRAIN_STOP_SIGNAL_H
