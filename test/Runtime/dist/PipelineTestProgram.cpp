//===- PipelineTestProgram.cpp - Two pipeline stages under mpirun ---------===//
//
// A hand-written program (not emitted by ptc) that the pipeline tests of
// test/Integration/dist-runtime start: PipelineModel.h's tables through
// runMain. The first argument picks the table; the rest are the training
// program's flags:
//
//   train FLAGS         the two-stage program (mpirun -np 2)
//   train-single FLAGS  the same math in one process
//
//===----------------------------------------------------------------------===//

#include "PipelineModel.h"

#include "runtime/train/run_main.h"

#include <cstdio>
#include <string>
#include <vector>

int main(int argc, char **argv) {
  namespace pipe = ptc::test::pipe;
  const std::string mode = argc > 1 ? argv[1] : "";
  const int first = 2; // the training flags
  if (mode != "train" && mode != "train-single") {
    std::fprintf(stderr, "usage: ptc-pipeline-test-program train FLAGS | "
                         "train-single FLAGS\n");
    return 2;
  }
  std::vector<char *> args = {argv[0]};
  args.insert(args.end(), argv + first, argv + argc);
  return ptc::rt::train::runMain(
      mode == "train-single" ? pipe::single() : pipe::pipeline(),
      int(args.size()), args.data());
}
