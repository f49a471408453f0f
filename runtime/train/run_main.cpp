//===- run_main.cpp - The main function of a compiled model ---------------===//

#include "runtime/train/run_main.h"

#include "runtime/dist/launcher.h"
#include "runtime/dist/mesh.h"
#include "runtime/dist/watchdog.h"
#include "runtime/train/flags.h"
#include "runtime/train/gradcheck.h"
#include "runtime/train/loop.h"
#include "runtime/train/metrics.h"
#include "runtime/train/model_check.h"

#include <chrono>
#include <iostream>
#include <thread>

#ifndef PTC_VERSION
#define PTC_VERSION "unknown"
#endif

namespace ptc::rt::train {

namespace {

// A stream that drops everything: stdout of ranks other than 0.
class NullStream : public std::ostream {
public:
  NullStream() : std::ostream(nullptr) {}
};

// Prints a run-time error of this rank. With several ranks it also ends
// every rank: the others may be waiting for this one in a collective.
int fail(std::ostream &out, std::ostream &err, const std::string &message) {
  out << std::flush;
  if (dist::world().size > 1)
    dist::abortAll(message);
  err << "error: " << message << std::endl;
  return 1;
}

// An error found before MPI exists (a flag, the model table, the world
// size) is printed by rank 0 alone, and every rank exits with `status`. The
// launcher ends the whole job at the first non-zero exit, possibly before
// rank 0's line got out, so the other ranks give rank 0 a head start.
int exitBeforeWorld(int status, bool printer, const dist::LaunchEnv &env) {
  if (!printer && env.size > 1)
    std::this_thread::sleep_for(std::chrono::seconds(3));
  return status;
}

// --val-data and --gradcheck on a program of several pipeline stages.
Status checkPipelineFlags(const abi::Model &model, const Flags &flags) {
  if (model.numPipelineModels <= 1)
    return Status::ok();
  const std::string stages =
      " (this program has " + std::to_string(model.numPipelineModels) +
      " pipeline stages)";
  if (!flags.valData.empty() && !model.evalFunctions)
    return Status::error(
        "--val-data: this program's pipeline stages have no validation "
        "functions" +
        stages + "; train without --val-data, or recompile the spec with "
                 "this ptc");
  if (flags.gradcheck > 0)
    return Status::error(
        "--gradcheck: not supported with pipeline parallelism yet" + stages +
        "; check the gradients of a single-rank compile of the same spec");
  return Status::ok();
}

// Everything of a run after the flags; `device` (when not null) is used as
// is, else `makeDevice` makes one once the world is known. In a job of
// several ranks *watchdog is set: the caller keeps it armed through the end
// of the world (finishWorld's barrier waits for every rank).
int runChecked(const abi::Model &model, const std::vector<std::string> &argv,
               std::ostream &out, std::ostream &err, Device *device,
               const DeviceFactory *makeDevice,
               std::unique_ptr<dist::Watchdog> *watchdog) {
  const std::string program = argv.empty() ? "train" : argv[0];
  Flags flags;
  Status s = parseFlags(model,
                        std::vector<std::string>(
                            argv.begin() + (argv.empty() ? 0 : 1), argv.end()),
                        &flags);
  dist::LaunchEnv env;
  Status launch = dist::readLaunchEnv(&env);
  const bool printer = env.rank == 0; // of --help, --version, flag errors
  if (!s) {
    if (printer)
      err << "error: " << s.message() << std::endl;
    return exitBeforeWorld(2, printer, env);
  }
  if (flags.help || flags.version) {
    if (!printer)
      return 0;
    if (flags.help)
      out << usage(model, program);
    else
      out << model.name << ": ptc " << PTC_VERSION << " runtime, ABI version "
          << abi::kVersion << ", target " << targetName(model.target) << "\n";
    return 0;
  }
  IOSlots io;
  if (s = checkModel(model, &io); !s) {
    if (printer)
      err << "error: " << s.message() << std::endl;
    return exitBeforeWorld(1, printer, env);
  }
  // What a pipeline cannot do yet is refused before any work: the stages
  // have no eval_step nor a single micro_step to run alone.
  if (s = checkPipelineFlags(model, flags); !s) {
    if (printer)
      err << "error: " << s.message() << std::endl;
    return exitBeforeWorld(2, printer, env);
  }
  if (!launch) {
    err << "error: " << launch.message() << std::endl;
    return 1;
  }
  // A wrong world size is one line (from rank 0), before MPI exists.
  if (s = dist::checkWorldSize(model, env); !s) {
    if (printer)
      err << "error: " << s.message() << std::endl;
    return exitBeforeWorld(1, printer, env);
  }
  if (s = dist::startWorld(model, env); !s)
    return fail(out, err, s.message());
  const dist::World &world = dist::world();
  if (flags.gradcheck > 0 && world.size > 1)
    return fail(out, err,
                "--gradcheck: not supported for parallel plans yet (this "
                "program runs on " +
                    std::to_string(world.size) + " ranks, " +
                    dist::describeMesh(model) +
                    "); check the gradients of a single-rank compile of the "
                    "same spec");

  std::unique_ptr<Device> owned;
  if (!device && makeDevice) {
    owned = (*makeDevice)(model, world, &s);
    if (!owned)
      return fail(out, err, s.message());
    device = owned.get();
  }
  if (!device) {
    if (model.target != abi::Target::CPU)
      return fail(out, err,
                  "model '" + std::string(model.name) +
                      "' was compiled for the " + targetName(model.target) +
                      " target, but this program has no device for it (it "
                      "was linked without the CUDA runtime)");
    owned = createCpuDevice();
    device = owned.get();
  }

  NullStream quiet;
  std::ostream &rankOut = world.rank == 0 ? out : quiet;
  RunPlace place;
  place.rank = world.rank;
  const int32_t dpAxis = dist::findMeshAxis(model, "dp");
  if (dpAxis >= 0 && !world.coords.empty()) {
    place.dpRank = world.coords[size_t(dpAxis)];
    place.dpSize = model.mesh[dpAxis].size;
  }
  const int32_t ppAxis = dist::findMeshAxis(model, "pp");
  if (ppAxis >= 0 && !world.coords.empty())
    place.ppRank = world.coords[size_t(ppAxis)];
  if (place.ppRank >= model.numStepFunctions)
    return fail(out, err, "the program has " +
                           std::to_string(model.numStepFunctions) +
                           " step functions but this rank is pipeline rank " +
                           std::to_string(place.ppRank));
  // The slots of this rank's pipeline stage (checked above with the rest).
  if (s = checkModel(model, &io, place.ppRank); !s)
    return fail(out, err, s.message());
  // Only a job of several ranks can wait on a peer forever.
  if (world.size > 1) {
    *watchdog = std::make_unique<dist::Watchdog>(flags.commTimeout);
    place.watchdog = watchdog->get();
  }
  TrainOutcome outcome;
  s = flags.gradcheck > 0
          ? gradientCheck(model, io, flags, *device, out)
          : train(model, io, flags, *device, rankOut, err, place, &outcome);
  if (!s)
    return fail(out, err, s.message());
  return outcome.logFailed ? kExitLogFailed : 0;
}

} // namespace

int run(const abi::Model &model, const std::vector<std::string> &argv,
        std::ostream &out, std::ostream &err, Device *device) {
  std::unique_ptr<dist::Watchdog> watchdog;
  return runChecked(model, argv, out, err, device, nullptr, &watchdog);
}

int runWithDevice(const abi::Model &model, const std::vector<std::string> &argv,
                  std::ostream &out, std::ostream &err,
                  const DeviceFactory &makeDevice) {
  std::unique_ptr<dist::Watchdog> watchdog;
  const int rc =
      runChecked(model, argv, out, err, nullptr, &makeDevice, &watchdog);
  out << std::flush;
  // The last barrier waits for every rank: one that stopped after its last
  // collective would otherwise hang the others here for good.
  dist::WatchdogPhase phase(watchdog.get(),
                            "the end of the run (every rank's last barrier)");
  dist::finishWorld();
  return rc;
}

int runMain(const abi::Model &model, int argc, char **argv) {
  return runWithDevice(model, std::vector<std::string>(argv, argv + argc),
                       std::cout, std::cerr,
                       [](const abi::Model &, const dist::World &, Status *) {
                         return createCpuDevice();
                       });
}

} // namespace ptc::rt::train
