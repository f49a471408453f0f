//===- run_cuda_main.cpp - The main function of a cuda program ------------===//
//
// runCudaMain (declared in runtime/train/run_main.h with runMain): the
// device factory of a cuda program.
//
//===----------------------------------------------------------------------===//

#include "runtime/cuda/cuda_device.h"
#include "runtime/cuda/nccl_comms.h"
#include "runtime/train/run_main.h"

#include <iostream>

namespace ptc::rt::train {

namespace {

std::unique_ptr<Device> makeCudaDevice(const abi::Model &model,
                                       const dist::World &world,
                                       Status *error) {
  std::unique_ptr<Device> device =
      createCudaDevice(int(world.localRank), error);
  if (!device) {
    if (world.size > 1)
      *error = Status::error(error->message() + " (local rank " +
                             std::to_string(world.localRank) + " uses GPU " +
                             std::to_string(world.localRank) +
                             "; start at most as many ranks per node as it "
                             "has GPUs)");
    return nullptr;
  }
  if (Status s = cuda::createNcclComms(model); !s) {
    *error = s;
    return nullptr;
  }
  return device;
}

} // namespace

int runCudaMain(const abi::Model &model, int argc, char **argv) {
  return runWithDevice(model, std::vector<std::string>(argv, argv + argc),
                       std::cout, std::cerr, makeCudaDevice);
}

} // namespace ptc::rt::train
