//===- HostCompiler.cpp - Building the executable of the cpu target -------===//
//
// The emitted C++ is compiled by the host C++ compiler ($CXX, else c++) and
// linked with the runtime's static libraries. Where the runtime lives is
// fixed when ptc is built (its source and build trees) and can be moved with
// PTC_RUNTIME_INCLUDE_DIR and PTC_RUNTIME_LIBRARY_DIR.
//
//===----------------------------------------------------------------------===//

#include "compiler/Driver.h"
#include "compiler/ModelSummary.h"

#include "mlir/IR/Builders.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/Program.h"

#include <cstdlib>

using namespace mlir;

namespace ptc {

namespace {
std::string fromEnv(const char *name, const char *fallback) {
  const char *value = std::getenv(name);
  return value && *value ? value : fallback;
}
} // namespace

LogicalResult annotateModule(ModuleOp module) {
  FailureOr<ModelSummary> summary = summarizeModel(module);
  if (failed(summary))
    return failure();
  Builder builder(module.getContext());
  module->setAttr("ptc.flops_per_token",
                  builder.getF64FloatAttr(summary->megatronFlopsPerToken));
  return success();
}

LogicalResult buildExecutable(const std::string &sourcePath,
                              const std::string &outputPath, bool cuda,
                              std::string &error) {
  std::string includeDir =
      fromEnv("PTC_RUNTIME_INCLUDE_DIR", PTC_RUNTIME_INCLUDE_DIR);
  std::string libraryDir =
      fromEnv("PTC_RUNTIME_LIBRARY_DIR", PTC_RUNTIME_LIBRARY_DIR);
  std::vector<const char *> libs = {
      "libPTCRuntimeTrain.a", "libPTCRuntimeData.a", "libPTCRuntimeCPU.a"};
  libs.push_back(cuda ? "libPTCRuntimeCUDA.a" : "libPTCRuntimeProfileCPU.a");
  for (const char *lib : libs) {
    llvm::SmallString<256> path(libraryDir);
    llvm::sys::path::append(path, lib);
    if (!llvm::sys::fs::exists(path)) {
      error =
          "the ptc runtime library " + std::string(path) +
          " is missing (build ptc's runtime, or set PTC_RUNTIME_LIBRARY_DIR)";
      return failure();
    }
  }
  std::string cudaDir = fromEnv("PTC_CUDA_DIR", "/usr/local/cuda");
  std::string compilerName =
      cuda ? cudaDir + "/bin/nvcc" : fromEnv("CXX", "c++");
  llvm::ErrorOr<std::string> compiler =
      cuda ? llvm::ErrorOr<std::string>(compilerName)
           : llvm::sys::findProgramByName(compilerName);
  if (!compiler || (cuda && !llvm::sys::fs::can_execute(*compiler))) {
    error = cuda ? "no nvcc at " + compilerName +
                       " (install the CUDA toolkit or set PTC_CUDA_DIR)"
                 : "no host C++ compiler '" + compilerName +
                       "' on PATH (install g++ or set CXX)";
    return failure();
  }
  std::vector<std::string> args = {*compiler, "-std=c++17", "-O2",
                                   "-I" + includeDir};
  if (cuda)
    args.insert(args.end(), {"-gencode=arch=compute_90a,code=sm_90a",
                             "-gencode=arch=compute_90a,code=compute_90a"});
  args.insert(args.end(), {sourcePath, "-L" + libraryDir, "-lPTCRuntimeTrain",
                           "-lPTCRuntimeData"});
  if (cuda)
    args.insert(args.end(), {"-lPTCRuntimeCUDA", "-L" + cudaDir + "/lib64",
                             "-lcublasLt", "-lcublas", "-lcudart"});
  if (!cuda)
    args.push_back("-lPTCRuntimeProfileCPU");
  args.insert(args.end(), {"-lPTCRuntimeCPU", "-o", outputPath});
  std::vector<llvm::StringRef> refs(args.begin(), args.end());
  std::string message;
  int status = llvm::sys::ExecuteAndWait(*compiler, refs, std::nullopt, {}, 0,
                                         0, &message);
  if (status != 0) {
    error = "the host compiler failed on " + sourcePath +
            (message.empty() ? "" : ": " + message);
    return failure();
  }
  return success();
}

} // namespace ptc
