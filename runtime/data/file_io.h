//===- file_io.h - Small POSIX file helpers for the loader -----*- C++ -*-===//
//
// Internal to runtime/data: full reads and writes that retry on EINTR and
// short transfers.
//
//===----------------------------------------------------------------------===//
#ifndef PTC_RUNTIME_DATA_FILE_IO_H
#define PTC_RUNTIME_DATA_FILE_IO_H

#include <cerrno>
#include <cstdint>
#include <cstring>
#include <fcntl.h>
#include <string>
#include <unistd.h>

namespace ptc::rt::detail {

/// Reads exactly n bytes at `offset`. Returns false on an error (errno set)
/// or at end of file (errno = 0).
inline bool preadFull(int fd, void *buf, size_t n, int64_t offset) {
  char *p = static_cast<char *>(buf);
  while (n > 0) {
    ssize_t r = ::pread(fd, p, n, offset);
    if (r < 0 && errno == EINTR)
      continue;
    if (r <= 0) {
      if (r == 0)
        errno = 0;
      return false;
    }
    p += r;
    n -= size_t(r);
    offset += r;
  }
  return true;
}

/// Writes exactly n bytes. Returns false on an error (errno set).
/// The text of errno, or of a short read (errno 0: the file ended early).
inline std::string systemError() {
  return errno ? std::strerror(errno) : "unexpected end of file";
}

inline bool writeFull(int fd, const void *buf, size_t n) {
  const char *p = static_cast<const char *>(buf);
  while (n > 0) {
    ssize_t r = ::write(fd, p, n);
    if (r < 0 && errno == EINTR)
      continue;
    if (r < 0)
      return false;
    p += r;
    n -= size_t(r);
  }
  return true;
}

/// Why writeFileAtomically failed: the file concerned and what went wrong.
struct WriteFailure {
  std::string path, message;
};

/// Writes `path` through `path.tmp` and a rename, so that a reader never
/// sees a half-written file and a failed write leaves no file behind.
/// `body(fd)` writes the contents and returns false (errno set) on failure.
template <typename Body>
bool writeFileAtomically(const std::string &path, Body body,
                         WriteFailure *failure) {
  const std::string tmp = path + ".tmp";
  int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) {
    *failure = {tmp, "cannot create: " + systemError()};
    return false;
  }
  bool ok = body(fd);
  std::string why = ok ? "" : systemError();
  if (::close(fd) != 0 && ok) {
    ok = false;
    why = systemError();
  }
  if (!ok) {
    ::unlink(tmp.c_str());
    *failure = {tmp, "cannot write: " + why};
    return false;
  }
  if (::rename(tmp.c_str(), path.c_str()) != 0) {
    why = systemError();
    ::unlink(tmp.c_str());
    *failure = {path, "cannot rename " + tmp + " to it: " + why};
    return false;
  }
  return true;
}

} // namespace ptc::rt::detail

#endif // PTC_RUNTIME_DATA_FILE_IO_H
