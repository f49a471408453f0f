//===- run_main.cpp - The main function of a compiled model ---------------===//

#include "runtime/train/run_main.h"

#include "runtime/train/flags.h"
#include "runtime/train/gradcheck.h"
#include "runtime/train/loop.h"
#include "runtime/train/model_check.h"

#include <iostream>

#ifndef PTC_VERSION
#define PTC_VERSION "unknown"
#endif

namespace ptc::rt::train {

int run(const abi::Model &model, const std::vector<std::string> &argv,
        std::ostream &out, std::ostream &err, Device *device) {
  const std::string program = argv.empty() ? "train" : argv[0];
  Flags flags;
  Status s = parseFlags(model,
                        std::vector<std::string>(
                            argv.begin() + (argv.empty() ? 0 : 1), argv.end()),
                        &flags);
  if (!s) {
    err << "error: " << s.message() << std::endl;
    return 2;
  }
  if (flags.help) {
    out << usage(model, program);
    return 0;
  }
  if (flags.version) {
    out << model.name << ": ptc " << PTC_VERSION << " runtime, ABI version "
        << abi::kVersion << ", target " << targetName(model.target) << "\n";
    return 0;
  }
  IOSlots io;
  if (s = checkModel(model, &io); !s) {
    err << "error: " << s.message() << std::endl;
    return 1;
  }
  std::unique_ptr<Device> owned;
  if (!device) {
    if (model.target != abi::Target::CPU) {
      err << "error: model '" << model.name << "' was compiled for the "
          << targetName(model.target) << " target, but this program has no "
          << "device for it (it was linked without the CUDA runtime)"
          << std::endl;
      return 1;
    }
    owned = createCpuDevice();
    device = owned.get();
  }
  s = flags.gradcheck > 0 ? gradientCheck(model, io, flags, *device, out)
                          : train(model, io, flags, *device, out);
  if (!s) {
    out << std::flush;
    err << "error: " << s.message() << std::endl;
    return 1;
  }
  return 0;
}

int runMain(const abi::Model &model, int argc, char **argv) {
  return run(model, std::vector<std::string>(argv, argv + argc), std::cout,
             std::cerr);
}

} // namespace ptc::rt::train
