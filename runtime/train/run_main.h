//===- run_main.h - The main function of a compiled model -------*- C++ -*-===//
//
// The translation unit that ptc emits for a model defines its Model table
// and a main that only calls runMain:
//
//   int main(int argc, char **argv) {
//     return ptc::rt::train::runMain(kModel, argc, argv);
//   }
//
// Exit status: 0 done; 1 a run-time error (bad data file, weight file, NaN
// loss, a table this runtime cannot run); 2 a bad command line. Every error
// is one line on stderr, "error: " and a message naming the flag, file or
// step.
//
//===----------------------------------------------------------------------===//
#ifndef PTC_RUNTIME_TRAIN_RUN_MAIN_H
#define PTC_RUNTIME_TRAIN_RUN_MAIN_H

#include "runtime/train/device.h"
#include "runtime/train/model_abi.h"

#include <ostream>
#include <string>
#include <vector>

namespace ptc::rt::train {

/// The whole program: flags, checks, the device of model.target, training.
int runMain(const abi::Model &model, int argc, char **argv);

/// runMain with explicit arguments (argv, the program name first), output
/// streams and device. A null device means the default one of model.target
/// (the CPU device for the cpu target).
int run(const abi::Model &model, const std::vector<std::string> &argv,
        std::ostream &out, std::ostream &err, Device *device = nullptr);

} // namespace ptc::rt::train

#endif // PTC_RUNTIME_TRAIN_RUN_MAIN_H
