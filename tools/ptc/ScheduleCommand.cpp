//===- ScheduleCommand.cpp - `ptc schedule`: pipeline schedules -----------===//

#include "tools/ptc/ScheduleCommand.h"
#include "tools/ptc/WriteFile.h"

#include "passes/Dist/Schedule/Build.h"
#include "passes/Dist/Schedule/Picture.h"
#include "passes/Dist/Schedule/TextFormat.h"

#include "llvm/Support/CommandLine.h"
#include "llvm/Support/raw_ostream.h"

#include <cerrno>
#include <cstring>
#include <fstream>
#include <iomanip>
#include <sstream>
#include <string>
#include <vector>

namespace cl = llvm::cl;
using namespace ptc::schedule;

namespace {

int fail(const std::string &message) {
  llvm::errs() << message << "\n";
  return 1;
}

/// `value` with three decimals, e.g. 0.273.
std::string fixed3(double value) {
  std::ostringstream os;
  os << std::fixed << std::setprecision(3) << value;
  return os.str();
}

std::string number(double value) {
  std::ostringstream os;
  os << value;
  return os.str();
}

} // namespace

int ptc::runScheduleCommand(int argc, char **argv) {
  cl::OptionCategory category("ptc schedule options");
  cl::opt<int> pp("pp", cl::desc("Pipeline ranks"), cl::value_desc("n"),
                  cl::Required, cl::cat(category));
  cl::opt<int> microBatches("micro-batches", cl::desc("Micro-batches per step"),
                            cl::value_desc("m"), cl::Required,
                            cl::cat(category));
  cl::opt<std::string> kind(
      "schedule", cl::desc("gpipe, 1f1b, interleaved_1f1b or zero_bubble"),
      cl::value_desc("name"), cl::cat(category));
  cl::opt<int> virtualStages(
      "virtual-stages",
      cl::desc("Model chunks per rank (interleaved_1f1b: >= 2; default 1)"),
      cl::value_desc("v"), cl::init(1), cl::cat(category));
  cl::opt<std::string> file(
      "file", cl::desc("A user schedule: one 'rank R: ...' line per rank"),
      cl::value_desc("path"), cl::cat(category));
  cl::opt<bool> tied("tied-embeddings",
                     cl::desc("Sum the tied embedding's gradient between "
                              "ranks 0 and pp-1 (TIED)"),
                     cl::cat(category));
  cl::opt<std::string> trace("trace",
                             cl::desc("Write a Chrome/Perfetto trace JSON"),
                             cl::value_desc("out.json"), cl::cat(category));
  cl::opt<std::string> svg("svg", cl::desc("Write an SVG timeline"),
                           cl::value_desc("out.svg"), cl::cat(category));
  Costs costs;
  cl::opt<double> forward("cost-forward", cl::desc("Duration of F (1)"),
                          cl::init(costs.forward), cl::cat(category));
  cl::opt<double> input("cost-backward-input", cl::desc("Duration of I (1)"),
                        cl::init(costs.backwardInput), cl::cat(category));
  cl::opt<double> weight("cost-backward-weight", cl::desc("Duration of W (1)"),
                         cl::init(costs.backwardWeight), cl::cat(category));
  cl::opt<double> backward("cost-backward", cl::desc("Duration of B (2)"),
                           cl::init(costs.backward), cl::cat(category));
  cl::opt<double> comm("cost-comm",
                       cl::desc("Duration of a send/receive pair (0)"),
                       cl::init(costs.comm), cl::cat(category));
  cl::HideUnrelatedOptions(category);

  std::string name = "ptc schedule";
  std::vector<char *> args = {name.data()};
  for (int i = 2; i < argc; ++i)
    args.push_back(argv[i]);
  if (!cl::ParseCommandLineOptions(
          int(args.size()), args.data(),
          "ptc schedule: a pipeline schedule's lists, checked and timed\n\n"
          "  Prints each rank's list in the schedule file format "
          "(docs/schedules.md).\n",
          &llvm::errs()))
    return 1;
  if (kind.empty() == file.empty())
    return fail("ptc schedule: give --schedule NAME (" +
                std::string(generatorNames()) + ") or --file FILE, not " +
                (kind.empty() ? "neither" : "both"));
  costs.forward = forward;
  costs.backwardInput = input;
  costs.backwardWeight = weight;
  costs.backward = backward;
  costs.comm = comm;
  for (double cost : {costs.forward, costs.backwardInput, costs.backwardWeight,
                      costs.backward, costs.comm})
    if (!(cost >= 0))
      return fail("ptc schedule: costs must be >= 0, got " + number(cost));

  ScheduleShape shape{file.empty() ? kind.getValue() : "file", pp,
                      virtualStages, microBatches};
  if (auto error = validateShape(shape))
    return fail(error->format("ptc schedule"));
  Schedule schedule;
  std::string source = file.empty() ? "ptc schedule: " + kind : file;
  if (auto error = buildSchedule(shape, file, {tied}, schedule))
    return fail(error->format(source));
  Simulation simulation;
  if (auto error = simulate(schedule, costs, simulation))
    return fail(error->format(source));

  std::ostringstream out;
  out.precision(10); // Costs such as 0.25 print exactly.
  out << "# schedule " << schedule.kind << ": pp = " << schedule.pp
      << ", virtual stages = " << schedule.virtualStages
      << ", micro-batches = " << schedule.microBatches << "\n";
  printSchedule(schedule, out);
  out << "# check: ok (every send meets its receive in order, no cycle of "
         "waits, every micro-batch forward then backward once per chunk)\n"
      << "# makespan " << simulation.makespan << " (F " << costs.forward
      << ", I " << costs.backwardInput << ", W " << costs.backwardWeight
      << ", B " << costs.backward << ", comm " << costs.comm
      << "), bubble fraction " << fixed3(simulation.bubble) << "\n";
  for (int r = 0; r < schedule.pp; ++r)
    out << "# rank " << r << ": busy " << simulation.busy[r]
        << ", peak in-flight activations " << simulation.peakActivations[r]
        << "\n";
  llvm::outs() << out.str();
  if (!trace.empty() &&
      !writeFile("ptc schedule", trace, [&](std::ostream &os) {
        writeChromeTrace(schedule, simulation, os);
      }))
    return 1;
  if (!svg.empty() && !writeFile("ptc schedule", svg, [&](std::ostream &os) {
        writeSvg(schedule, simulation, os);
      }))
    return 1;
  return 0;
}
