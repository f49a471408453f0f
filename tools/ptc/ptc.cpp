//===- ptc.cpp - The ptc driver -------------------------------------------===//
//
//   ptc compile SPEC --emit=graph [-o FILE] [--dump-ir=DIR] [MLIR flags]
//   ptc inspect SPEC [--params=false]
//
// Each command parses its own options, so `ptc compile --help` lists the
// options of `compile` (MLIR's IR-printing and timing flags among them).
//
//===----------------------------------------------------------------------===//

#include "compiler/Driver.h"
#include "compiler/IRDump.h"
#include "compiler/InitAll.h"
#include "compiler/ModelSummary.h"

#include "mlir/IR/AsmState.h"
#include "mlir/IR/MLIRContext.h"
#include "mlir/Pass/PassManager.h"
#include "mlir/Support/FileUtilities.h"
#include "mlir/Support/Timing.h"
#include "llvm/Support/CommandLine.h"
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
  compile SPEC   lower a model spec; --emit=graph prints the graph module
  inspect SPEC   the model summary: every parameter tensor with its shape,
                 the total count and model FLOPs per token

  ptc <command> --help   the options of one command
  ptc --version          the version of ptc and of the MLIR it was built with
)";

void printVersion(llvm::raw_ostream &os) {
  os << "ptc " << PTC_VERSION << " (MLIR " << PTC_MLIR_VERSION << ")\n";
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


int runCompile(int argc, char **argv) {
  cl::opt<std::string> specPath(cl::Positional, cl::desc("<spec.json>"),
                                cl::Required);
  cl::opt<ptc::EmitLevel> emit(
      "emit", cl::desc("Stop after this level and print its IR"),
      cl::values(clEnumValN(ptc::EmitLevel::Graph, "graph",
                            "the graph module (forward model and loss)")));
  cl::opt<std::string> output("o", cl::desc("Output file ('-' for stdout)"),
                              cl::value_desc("file"), cl::init("-"));
  cl::opt<std::string> dumpDir(
      "dump-ir",
      cl::desc("Write the IR after every pass into this directory, numbered"),
      cl::value_desc("dir"));
  // Pass names must be known for --mlir-print-ir-after=<pass> and friends.
  ptc::registerAllPasses();
  registerMLIRContextCLOptions();
  registerPassManagerCLOptions();
  registerDefaultTimingManagerCLOptions();
  registerAsmPrinterCLOptions();
  if (!parseCommandOptions(argc, argv, "ptc compile: lower a model spec\n"))
    return 1;
  if (emit.getNumOccurrences() == 0) {
    llvm::errs() << "ptc compile: building an executable needs the exec "
                    "lowering and a code generator, which this version of "
                    "ptc does not have yet; use --emit=graph\n";
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
    // Snapshots are written from the pass instrumentation: keep it serial.
    context.disableMultithreading();
  }
  OwningOpRef<ModuleOp> module =
      ptc::loadSpecModule(context, specPath.getValue());
  if (!module)
    return 1;
  if (failed(ptc::runPipeline(*module, emit, dumper.get())))
    return 1;

  std::string error;
  std::unique_ptr<llvm::ToolOutputFile> out = openOutputFile(output, &error);
  if (!out) {
    llvm::errs() << "ptc compile: " << error << "\n";
    return 1;
  }
  module->print(out->os(), OpPrintingFlags().enableDebugInfo(false));
  out->keep();
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
  llvm::errs() << "ptc: unknown command '" << command
               << "' (allowed: compile, inspect; see ptc --help)\n";
  return 1;
}
