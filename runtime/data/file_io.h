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

} // namespace ptc::rt::detail

#endif // PTC_RUNTIME_DATA_FILE_IO_H
