//===- ptc.cpp - The ptc driver -------------------------------------------===//
//
//   ptc compile SPEC --emit=graph [-o FILE] [--dump-ir=DIR] [MLIR flags]
//   ptc inspect SPEC [--params=false]
//   ptc data INPUT.txt -o DIR [--val-fraction=F] [--shard-tokens=N] [--force]
//   ptc schedule --pp N --micro-batches M --schedule NAME|--file F [...]
//   ptc report LOG.jsonl... -o OUT.svg|OUT.html
//
// Each command parses its own options, so `ptc compile --help` lists the
// options of `compile` (MLIR's IR-printing and timing flags among them).
//
//===----------------------------------------------------------------------===//

#include "compiler/Driver.h"
#include "compiler/EmitCpp.h"
#include "compiler/IRDump.h"
#include "compiler/InitAll.h"
#include "compiler/MemoryPlan.h"
#include "compiler/ModelSummary.h"
#include "compiler/ParallelPlan.h"
#include "compiler/StagePlan.h"
#include "dialects/Dist/IR/DistOps.h"
#include "dialects/Graph/IR/GraphOps.h"
#include "tools/ptc/DataCommand.h"
#include "tools/ptc/PipelinePlan.h"
#include "tools/ptc/ReportCommand.h"
#include "tools/ptc/ScheduleCommand.h"

#include "mlir/IR/AsmState.h"
#include "mlir/IR/MLIRContext.h"
#include "mlir/Pass/PassManager.h"
#include "mlir/Support/FileUtilities.h"
#include "mlir/Support/Timing.h"
#include "llvm/ADT/StringSet.h"
#include "llvm/Support/CommandLine.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/InitLLVM.h"
#include "llvm/Support/ToolOutputFile.h"
#include "llvm/Support/raw_ostream.h"

#include <string>
#include <vector>

using namespace mlir;
namespace cl = llvm::cl;

namespace {

constexpr const char *kUsage = R"(ptc — the parallel training compiler

usage: ptc <command> [options]

commands:
  compile SPEC -o BIN
                 compile a model spec into an executable that trains it
                 (--target=cpu); --emit=graph|schedule|exec|cpu prints a
                 level instead
  inspect SPEC   the model summary: every parameter tensor with its shape,
                 the total count and model FLOPs per token
  plan SPEC      the per-rank memory budget by arena kind, from the planned IR
  data TEXT -o DIR
                 byte-level token shards (train_*.bin, val_*.bin) from a
                 text file, for a compiled model's --data and --val-data
  schedule --pp N --micro-batches M --schedule NAME
                 a pipeline schedule's per-rank lists (gpipe, 1f1b,
                 interleaved_1f1b, zero_bubble, or --file F), checked for
                 deadlocks, with its bubble and peak activations
  report LOG.jsonl... -o OUT.svg|OUT.html
                 training runs' --log files as pictures: loss, validation
                 loss, learning rate, grad norm and tokens/s against step,
                 runs overlaid, checkpoints and restarts marked

  ptc <command> --help   the options of one command
  ptc --version          the version of ptc and of the MLIR it was built with
)";

void printVersion(llvm::raw_ostream &os) {
  os << "ptc " << PTC_VERSION << " (MLIR " << PTC_MLIR_VERSION << ")\n";
}

/// The options that the libraries ptc links (LLVM's code generators and
/// the like) register before main: `--help` hides them (`--help-hidden`
/// lists them), so that it shows the command's own options and MLIR's.
llvm::StringSet<> &libraryOptions() {
  static llvm::StringSet<> names;
  return names;
}

void hideLibraryOptions() {
  for (auto &entry : cl::getRegisteredOptions())
    if (libraryOptions().contains(entry.first) &&
        !entry.first.starts_with("mlir-") && entry.first != "help" &&
        entry.first != "version")
      entry.second->setHiddenFlag(cl::Hidden);
}

/// Parses the options of one command: argv[0] becomes "ptc <command>".
bool parseCommandOptions(int argc, char **argv, llvm::StringRef overview) {
  std::string name = std::string("ptc ") + argv[1];
  std::vector<char *> args;
  args.push_back(name.data());
  for (int i = 2; i < argc; ++i)
    args.push_back(argv[i]);
  return cl::ParseCommandLineOptions(int(args.size()), args.data(), overview,
                                     &llvm::errs());
}

/// The file among `outputs` that is the input `spec` itself (the same file
/// by device and inode: another spelling of the path, a hard or symbolic
/// link), or "". Writing it would destroy the spec.
std::string overwrittenInput(llvm::StringRef spec,
                             llvm::ArrayRef<std::string> outputs) {
  for (const std::string &out : outputs) {
    bool same = false;
    if (out != "-" && !llvm::sys::fs::equivalent(spec, out, same) && same)
      return out;
  }
  return "";
}

/// Writes `module` as `emit` asks to `output`.
int writeOutput(ModuleOp module, ptc::EmitLevel emit,
                const std::string &output) {
  std::string error;
  std::unique_ptr<llvm::ToolOutputFile> out = openOutputFile(output, &error);
  if (!out) {
    llvm::errs() << "ptc compile: " << error << "\n";
    return 1;
  }
  if (emit == ptc::EmitLevel::Cpu || emit == ptc::EmitLevel::Cuda) {
    if (failed(ptc::emitCpp(module, out->os(),
                            emit == ptc::EmitLevel::Cuda
                                ? ptc::EmitTarget::Cuda
                                : ptc::EmitTarget::Cpu)))
      return 1;
  } else if (emit == ptc::EmitLevel::Schedule) {
    auto schedules = module.getOps<ptc::dist::ScheduleOp>();
    if (schedules.empty()) {
      llvm::errs() << "ptc compile: the module has no dist.schedule\n";
      return 1;
    }
    for (ptc::dist::ScheduleOp schedule : schedules) {
      schedule.print(out->os(), OpPrintingFlags().enableDebugInfo(false));
      out->os() << "\n";
    }
  } else {
    module.print(out->os(), OpPrintingFlags().enableDebugInfo(false));
  }
  out->keep();
  return 0;
}

/// Emits the program next to `output` and builds the executable.
int buildBinary(ModuleOp module, const std::string &output, bool cuda) {
  if (output == "-") {
    llvm::errs() << "ptc compile: an executable needs -o FILE\n";
    return 1;
  }
  std::string source = output + (cuda ? ".cu" : ".cpp");
  if (writeOutput(module, cuda ? ptc::EmitLevel::Cuda : ptc::EmitLevel::Cpu,
                  source))
    return 1;
  std::string error;
  if (failed(ptc::buildExecutable(source, output, cuda, error))) {
    llvm::errs() << "ptc compile: " << error << "\n";
    return 1;
  }
  return 0;
}

/// The MLIR options that `compile` and `plan` accept (IR printing, timing).
void registerMLIROptions() {
  ptc::registerAllPasses();
  registerMLIRContextCLOptions();
  registerPassManagerCLOptions();
  registerDefaultTimingManagerCLOptions();
  registerAsmPrinterCLOptions();
}

int runCompile(int argc, char **argv) {
  cl::opt<std::string> specPath(cl::Positional, cl::desc("<spec.json>"),
                                cl::Required);
  cl::opt<ptc::EmitLevel> emit(
      "emit", cl::desc("Stop at this level and print it instead of building"),
      cl::values(clEnumValN(ptc::EmitLevel::Graph, "graph",
                            "the graph module: forward, backward, optimizer"),
                 clEnumValN(ptc::EmitLevel::Schedule, "schedule",
                            "the step's order of work: each pipeline "
                            "rank's actions (dist.schedule)"),
                 clEnumValN(ptc::EmitLevel::Exec, "exec",
                            "the exec module: buffers, launches, memory plan"),
                 clEnumValN(ptc::EmitLevel::Cpu, "cpu",
                            "the C++ source of the cpu target"),
                 clEnumValN(ptc::EmitLevel::Cuda, "cuda",
                            "the CUDA C++ source of the cuda target")));
  cl::opt<std::string> target(
      "target",
      cl::desc("The target of the executable: cpu (the reference: "
               "plain C++) or cuda (NVIDIA sm_90a)"),
      cl::init("cpu"));
  cl::opt<std::string> output("o", cl::desc("Output file ('-' for stdout)"),
                              cl::value_desc("file"), cl::init("-"));
  cl::opt<std::string> dumpDir(
      "dump-ir",
      cl::desc("Write the IR after every pass into this directory, numbered"),
      cl::value_desc("dir"));
  cl::opt<bool> profile(
      "profile",
      cl::desc("Build a program that times every kernel and prints the time "
               "per kernel at exit"));
  cl::opt<bool> zeroWholeCopies(
      "zero-whole-copies",
      cl::desc("ZeRO-1: shard the f32 masters of the weights read in f32 "
               "too, keeping whole f32 copies for the micro-steps (more "
               "memory; checks the sharded masters on the cpu target)"));
  cl::opt<std::string> precision(
      "precision",
      cl::desc("Override the spec's training.precision (bf16, fp32, or fp64 "
               "for gradient checks)"),
      cl::value_desc("p"));

  registerMLIROptions();
  if (!parseCommandOptions(argc, argv, "ptc compile: lower a model spec\n"))
    return 1;
  if (target != "cpu" && target != "cuda") {
    llvm::errs() << "ptc compile: --target=" << target
                 << " is not supported (allowed: cpu, cuda)\n";
    return 1;
  }
  // -o, and the source emitted next to an executable, must not be the spec.
  if (std::string same =
          overwrittenInput(specPath, {output, output + ".cpp", output + ".cu"});
      !same.empty()) {
    llvm::errs() << "ptc compile: the output '" << same
                 << "' is the input spec '" << specPath
                 << "' itself; writing it would overwrite the spec: choose "
                    "another -o\n";
    return 1;
  }

  DialectRegistry registry;
  ptc::registerAllDialects(registry);
  MLIRContext context(registry);
  std::unique_ptr<ptc::IRDumper> dumper;
  if (!dumpDir.empty()) {
    std::string error;
    dumper = ptc::IRDumper::create(dumpDir, error);
    if (!dumper) {
      llvm::errs() << "ptc compile: " << error << "\n";
      return 1;
    }
    // The IR of every pass lands in one numbered file per pass.
    context.disableMultithreading();
  }
  std::optional<ptc::Precision> precisionOverride;
  if (!precision.empty()) {
    if (precision == "bf16")
      precisionOverride = ptc::Precision::BF16;
    else if (precision == "fp32")
      precisionOverride = ptc::Precision::FP32;
    else if (precision == "fp64")
      precisionOverride = ptc::Precision::FP64;
    else {
      llvm::errs() << "ptc compile: --precision=" << precision
                   << " is not one of bf16, fp32, fp64\n";
      return 1;
    }
  }
  bool fromSpec = !llvm::StringRef(specPath.getValue()).ends_with(".mlir");
  ptc::Spec spec;
  OwningOpRef<ModuleOp> module = ptc::loadSpecModule(
      context, specPath.getValue(), &spec, precisionOverride);
  // A hand-written graph module states its own FLOPs, if it cares.
  if (!module || (fromSpec && failed(ptc::annotateModule(*module))))
    return 1;
  bool cuda = target == "cuda" ||
              (emit.getNumOccurrences() && emit == ptc::EmitLevel::Cuda);
  ptc::EmitLevel level = emit.getNumOccurrences() ? emit.getValue()
                         : cuda                   ? ptc::EmitLevel::Cuda
                                                  : ptc::EmitLevel::Cpu;
  if (!cuda)
    if (auto training = ptc::graph::TrainingAttr::lookup(*module))
      if (training.getPrecision() == ptc::graph::Precision::bf16)
        llvm::errs() << "ptc compile: note: the cpu target computes this bf16 "
                        "spec in fp32 (it has no bf16 kernels)\n";
  ptc::ExecPipelineOptions execOptions;
  execOptions.zeroWholeCopies = zeroWholeCopies;
  if (failed(
          ptc::runPipeline(*module, level, dumper.get(), !cuda, execOptions)))
    return 1;
  if (profile)
    (*module)->setAttr("ptc.profile", UnitAttr::get(&context));
  if (emit.getNumOccurrences())
    return writeOutput(*module, level, output);
  return buildBinary(*module, output, cuda);
}

int runPlan(int argc, char **argv) {
  cl::opt<std::string> specPath(cl::Positional, cl::desc("<spec.json>"),
                                cl::Required);
  cl::opt<std::string> target(
      "target",
      cl::desc("The target to plan for: cpu (bf16 specs computed in "
               "fp32) or cuda"),
      cl::init("cpu"));
  cl::opt<bool> zeroWholeCopies(
      "zero-whole-copies",
      cl::desc("Plan as `ptc compile --zero-whole-copies` builds"));
  cl::opt<std::string> trace(
      "trace",
      cl::desc("Pipeline parallelism: write the step's schedule as a "
               "Chrome/Perfetto trace JSON"),
      cl::value_desc("out.json"));
  cl::opt<std::string> svg(
      "svg",
      cl::desc("Pipeline parallelism: write the step's schedule as an SVG "
               "timeline, one row per pipeline rank"),
      cl::value_desc("out.svg"));
  registerMLIROptions();
  if (!parseCommandOptions(argc, argv,
                           "ptc plan: the per-rank memory budget of a spec\n"))
    return 1;
  DialectRegistry registry;
  ptc::registerAllDialects(registry);
  MLIRContext context(registry);
  ptc::Spec spec;
  OwningOpRef<ModuleOp> module =
      ptc::loadSpecModule(context, specPath.getValue(), &spec);
  if (target != "cpu" && target != "cuda") {
    llvm::errs() << "ptc plan: --target=" << target
                 << " is not supported (allowed: cpu, cuda)\n";
    return 1;
  }
  if (!module)
    return 1;
  ptc::ExecPipelineOptions execOptions;
  execOptions.zeroWholeCopies = zeroWholeCopies;
  auto parallel = ptc::dist::ParallelAttr::lookup(*module);
  if (parallel && parallel.getPp() > 1) {
    ptc::PipelinePlanOptions options;
    options.name = spec.name;
    options.target = target;
    options.exec.zeroWholeCopies = zeroWholeCopies;
    options.trace = trace;
    options.svg = svg;
    return ptc::planPipeline(*module, options);
  }
  if (!trace.empty() || !svg.empty()) {
    llvm::errs() << "ptc plan: --trace and --svg draw a pipeline schedule; "
                 << specPath.getValue() << " has parallel.pp = 1\n";
    return 1;
  }
  if (failed(ptc::runPipeline(*module, ptc::EmitLevel::Graph, nullptr,
                              target == "cpu")))
    return 1;
  if (failed(ptc::runPipeline(*module, ptc::EmitLevel::Exec, nullptr,
                              target == "cpu", execOptions,
                              /*fromGraph=*/true)))
    return 1;
  std::vector<ptc::ArenaBudget> budget = ptc::collectMemoryBudget(*module);
  // From the module's settings: a .mlir input has no spec beside them.
  auto model = ptc::graph::ModelAttr::lookup(*module);
  auto training = ptc::graph::TrainingAttr::lookup(*module);
  llvm::outs() << "plan of '" << spec.name << "' for the " << target
               << " target: tp " << (parallel ? parallel.getTp() : 1)
               << " x pp " << (parallel ? parallel.getPp() : 1) << " x dp "
               << (parallel ? parallel.getDp() : 1) << ", micro-batch "
               << (training ? training.getMicroBatchSize() : 0) << " x "
               << (model ? model.getSeqLen() : 0) << " tokens\n\n"
               << "memory per rank, computed from the planned exec IR:\n";
  ptc::printMemoryBudget(llvm::outs(), budget);
  int64_t naive = ptc::naiveActivationBytes(*module);
  int64_t planned = 0;
  for (const ptc::ArenaBudget &arena : budget)
    if (arena.kind == ptc::exec::ArenaKind::activations)
      planned += arena.bytes;
  llvm::outs() << "\nactivations without reuse: " << ptc::formatThousands(naive)
               << " bytes; the plan reuses memory by liveness to "
               << ptc::formatThousands(planned) << " bytes\n";
  llvm::outs() << "\n";
  ptc::printParallelPlan(llvm::outs(), *module);
  return 0;
}

int runInspect(int argc, char **argv) {
  cl::opt<std::string> specPath(cl::Positional, cl::desc("<spec.json>"),
                                cl::Required);
  cl::opt<bool> listParams("params",
                           cl::desc("List every parameter tensor (default on)"),
                           cl::init(true));
  if (!parseCommandOptions(argc, argv,
                           "ptc inspect: the model summary of a spec\n"))
    return 1;
  DialectRegistry registry;
  ptc::registerAllDialects(registry);
  MLIRContext context(registry);
  ptc::Spec spec;
  OwningOpRef<ModuleOp> module =
      ptc::loadSpecModule(context, specPath.getValue(), &spec);
  if (!module)
    return 1;
  FailureOr<ptc::ModelSummary> summary = ptc::summarizeModel(*module);
  if (failed(summary))
    return 1;
  ptc::printModelSummary(*summary, spec.name, listParams, llvm::outs());
  return 0;
}

} // namespace

int main(int argc, char **argv) {
  llvm::InitLLVM init(argc, argv);
  for (auto &entry : cl::getRegisteredOptions())
    libraryOptions().insert(entry.first);
  hideLibraryOptions();
  if (argc < 2) {
    llvm::errs() << kUsage;
    return 1;
  }
  llvm::StringRef command = argv[1];
  if (command == "--help" || command == "-help" || command == "-h" ||
      command == "help") {
    llvm::outs() << kUsage;
    return 0;
  }
  if (command == "--version" || command == "-version") {
    printVersion(llvm::outs());
    return 0;
  }
  cl::SetVersionPrinter(printVersion);
  if (command == "compile")
    return runCompile(argc, argv);
  if (command == "inspect")
    return runInspect(argc, argv);
  if (command == "plan")
    return runPlan(argc, argv);
  if (command == "data")
    return ptc::runDataCommand(argc, argv);
  if (command == "schedule")
    return ptc::runScheduleCommand(argc, argv);
  if (command == "report")
    return ptc::runReportCommand(argc, argv);
  llvm::errs() << "ptc: unknown command '" << command
               << "' (allowed: compile, inspect, plan, data, schedule, "
                  "report; see ptc --help)\n";
  return 1;
}
