//===- run_main.h - The main function of a compiled model -------*- C++ -*-===//
//
// The translation unit that ptc emits for a model defines its Model table
// and a main that only calls runMain (cpu target) or runCudaMain (cuda
// target):
//
//   int main(int argc, char **argv) {
//     return ptc::rt::train::runMain(kModel, argc, argv);
//   }
//
// Order of a run: flags (--help, --version), the Model table, the launcher
// and the world size (runtime/dist: a parallel program checks that it was
// started with as many ranks as its mesh has, and initializes MPI and the
// communicators; a single-rank program never touches MPI), the device, then
// training (or --gradcheck, single-rank only).
//
// Exit status: 0 done; 1 a run-time error (bad data file, weight file, NaN
// loss, a table this runtime cannot run, a wrong world size); 2 a bad
// command line; 3 (kExitLogFailed) trained to the end and saved, but a
// --log write failed mid-run, so the log is incomplete. Every error is one
// line on stderr, "error: " and a message naming the flag, file or step;
// with several ranks "rank N: error: ...", and an error on one rank ends
// every rank (MPI_Abort), never a hang: the watchdog (--comm-timeout) also
// covers the final barrier, where a rank that stopped would otherwise keep
// the others waiting. Only rank 0 prints the banner and step lines and
// writes the --log file.
//
//===----------------------------------------------------------------------===//
#ifndef PTC_RUNTIME_TRAIN_RUN_MAIN_H
#define PTC_RUNTIME_TRAIN_RUN_MAIN_H

#include "runtime/dist/world.h"
#include "runtime/train/device.h"
#include "runtime/train/model_abi.h"

#include <functional>
#include <memory>
#include <ostream>
#include <string>
#include <vector>

namespace ptc::rt::train {

/// The exit status of a run whose --log writes failed mid-run (above).
constexpr int kExitLogFailed = 3;

/// The whole program of the cpu target: flags, checks, the world, the CPU
/// device, training; MPI is finalized before it returns.
int runMain(const abi::Model &model, int argc, char **argv);

/// The whole program of the cuda target, defined by the runtime/cuda
/// library (run_cuda_main.cpp): like runMain, but after the world-size check
/// it makes the GPU of this rank's local rank current (local rank k uses
/// GPU k: start at most as many ranks per node as it has GPUs), creates the
/// CUDA device and, with several ranks, the NCCL communicators.
int runCudaMain(const abi::Model &model, int argc, char **argv);

/// runMain with explicit arguments (argv, the program name first), output
/// streams and device. A null device means the default one of model.target
/// (the CPU device for the cpu target).
int run(const abi::Model &model, const std::vector<std::string> &argv,
        std::ostream &out, std::ostream &err, Device *device = nullptr);

/// Makes the device once the process knows its place in the job (the cuda
/// target: the GPU of the local rank, and its NCCL communicators). Null
/// with *error set on failure.
using DeviceFactory = std::function<std::unique_ptr<Device>(
    const abi::Model &model, const dist::World &world, Status *error)>;

/// The body of runMain and runCudaMain: run() with the device from
/// `makeDevice`, and MPI finalized at the end when the run started it.
int runWithDevice(const abi::Model &model, const std::vector<std::string> &argv,
                  std::ostream &out, std::ostream &err,
                  const DeviceFactory &makeDevice);

} // namespace ptc::rt::train

#endif // PTC_RUNTIME_TRAIN_RUN_MAIN_H
