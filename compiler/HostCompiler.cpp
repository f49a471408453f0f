//===- HostCompiler.cpp - Building the executable of the cpu target -------===//
//
// The emitted C++ is compiled by the host C++ compiler ($CXX, else c++) and
// linked with the runtime's static libraries. Where the runtime lives is
// fixed when ptc is built (its source and build trees) and can be moved with
// PTC_RUNTIME_INCLUDE_DIR and PTC_RUNTIME_LIBRARY_DIR. Every program links
// MPI (runtime/dist: a parallel plan's bootstrap, and the cpu target's
// collectives) and the cuda target NCCL, from where CMake found them when
// ptc was built (runtime/dist/link_flags.h, generated).
//
//===----------------------------------------------------------------------===//

#include "compiler/Driver.h"
#include "compiler/ModelSummary.h"
#include "runtime/dist/link_flags.h"

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
// A library CMake found as a path: -L<dir> -l<name> (what both c++ and nvcc
// take); anything else (a flag, a bare name) as it is.
void appendLibrary(std::vector<std::string> &args, llvm::StringRef lib) {
  llvm::StringRef file = llvm::sys::path::filename(lib);
  if (!file.starts_with("lib") || !file.contains(".so") ||
      !llvm::sys::path::has_parent_path(lib)) {
    args.push_back(lib.str());
    return;
  }
  args.push_back("-L" + llvm::sys::path::parent_path(lib).str());
  args.push_back("-l" + file.drop_front(3).split(".so").first.str());
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
      "libPTCRuntimeTrain.a", "libPTCRuntimeData.a", "libPTCRuntimeDist.a",
      "libPTCRuntimeCPU.a"};
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
  llvm::SmallVector<llvm::StringRef> mpiIncludes, mpiLibraries;
  llvm::StringRef(PTC_MPI_INCLUDE_DIRS).split(mpiIncludes, ';', -1, false);
  llvm::StringRef(PTC_MPI_LIBRARIES).split(mpiLibraries, ';', -1, false);
  for (llvm::StringRef dir : mpiIncludes)
    args.push_back("-I" + dir.str());
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
  args.insert(args.end(), {"-lPTCRuntimeDist", "-lPTCRuntimeCPU"});
  for (llvm::StringRef lib : mpiLibraries)
    appendLibrary(args, lib);
  if (cuda) {
    std::string nccl = PTC_NCCL_LIBRARY;
    if (nccl.empty()) {
      error = "the cuda target needs NCCL, which was not found when ptc was "
              "built (install libnccl-dev next to the CUDA toolkit and "
              "reconfigure ptc)";
      return failure();
    }
    // NCCL sits next to the toolkit, often outside the loader's path.
    appendLibrary(args, nccl);
    args.insert(
        args.end(),
        {"-Xlinker", "-rpath=" + llvm::sys::path::parent_path(nccl).str()});
  }
  args.push_back(cuda ? "-Xcompiler=-pthread" : "-pthread");
  args.insert(args.end(), {"-o", outputPath});
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
