//===- WriteFile.h - An output file of a ptc subcommand ---------*- C++ -*-===//
#ifndef PTC_TOOLS_PTC_WRITEFILE_H
#define PTC_TOOLS_PTC_WRITEFILE_H

#include "llvm/Support/raw_ostream.h"

#include <cerrno>
#include <cstring>
#include <fstream>
#include <string>

namespace ptc {

/// Writes `path` with `write(std::ostream &)`; one line `command: cannot
/// write 'path': reason` otherwise.
template <typename Write>
bool writeFile(const char *command, const std::string &path, Write write) {
  std::ofstream file(path);
  if (file)
    write(file);
  if (!file || !file.flush()) {
    llvm::errs() << command << ": cannot write '" << path
                 << "': " << std::strerror(errno) << "\n";
    return false;
  }
  return true;
}

} // namespace ptc

#endif // PTC_TOOLS_PTC_WRITEFILE_H
