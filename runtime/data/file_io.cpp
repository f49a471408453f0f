//===- file_io.cpp - Small POSIX file helpers of the runtime --------------===//

#include "runtime/data/file_io.h"

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

namespace ptc::rt::detail {

namespace {

// The directory a file of `path` lives in.
std::string directoryOf(const std::string &path) {
  const size_t slash = path.rfind('/');
  if (slash == std::string::npos)
    return ".";
  return slash == 0 ? "/" : path.substr(0, slash);
}

// What kind of file a non-regular `mode` is, for messages.
std::string kindOf(mode_t mode) {
  if (S_ISDIR(mode))
    return "a directory";
  if (S_ISFIFO(mode))
    return "a FIFO";
  if (S_ISCHR(mode))
    return "a character device";
  if (S_ISBLK(mode))
    return "a block device";
  if (S_ISSOCK(mode))
    return "a socket";
  return "not a regular file";
}

// Creates PATH.tmp.XXXXXX (a fresh name) next to `path`; -1 with errno set.
int makeTemporary(const std::string &path, std::string *tmp) {
  std::string name = path + ".tmp.XXXXXX";
  const int fd = ::mkostemp(name.data(), O_CLOEXEC);
  if (fd >= 0)
    *tmp = name;
  return fd;
}

// The mode open(path, O_CREAT, 0644) would give (mkstemp creates 0600).
// Linux reports the umask in /proc/self/status; elsewhere it can only be
// read by setting it, which another thread creating a file at that instant
// would see.
mode_t newFileMode() {
  mode_t mask = 0;
  bool known = false;
  if (std::FILE *f = std::fopen("/proc/self/status", "re")) {
    char line[256];
    unsigned value = 0;
    while (!known && std::fgets(line, sizeof(line), f))
      known = std::sscanf(line, "Umask: %o", &value) == 1;
    std::fclose(f);
    mask = mode_t(value);
  }
  if (!known) {
    mask = ::umask(022);
    ::umask(mask);
  }
  return 0644 & ~mask;
}


} // namespace

bool syncDirectory(const std::string &dir) {
  const int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0)
    return false;
  const bool ok = ::fsync(fd) == 0 || errno == EINVAL;
  const int saved = errno;
  ::close(fd);
  errno = saved;
  return ok;
}

bool preadFull(int fd, void *buf, size_t n, int64_t offset) {
  char *p = static_cast<char *>(buf);
  while (n > 0) {
    const ssize_t r = ::pread(fd, p, n, offset);
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

bool writeFull(int fd, const void *buf, size_t n) {
  const char *p = static_cast<const char *>(buf);
  while (n > 0) {
    const ssize_t r = ::write(fd, p, n);
    if (r < 0 && errno == EINTR)
      continue;
    if (r < 0)
      return false;
    p += r;
    n -= size_t(r);
  }
  return true;
}

std::string systemError() {
  return errno ? std::strerror(errno) : "unexpected end of file";
}

int openRegularFile(const std::string &path, std::string *why) {
  why->clear();
  const int fd = ::open(path.c_str(), O_RDONLY | O_NONBLOCK | O_CLOEXEC);
  if (fd < 0) {
    *why = "cannot open: " + systemError();
    return -1;
  }
  struct stat st;
  if (::fstat(fd, &st) != 0)
    *why = "cannot stat: " + systemError();
  else if (!S_ISREG(st.st_mode))
    *why = "is " + kindOf(st.st_mode) + ", not a regular file";
  if (!why->empty()) {
    ::close(fd);
    return -1;
  }
  // Reads of a regular file never block anyway; the flag goes for clarity.
  ::fcntl(fd, F_SETFL, ::fcntl(fd, F_GETFL) & ~O_NONBLOCK);
  return fd;
}

bool writeFileAtomically(const std::string &path,
                         const std::function<bool(int)> &body,
                         WriteFailure *failure) {
  const std::string dir = directoryOf(path);
  std::string tmp;
  const int fd = makeTemporary(path, &tmp);
  if (fd < 0) {
    *failure = {path, "cannot create a temporary file in '" + dir +
                          "': " + systemError()};
    return false;
  }
  bool ok = ::fchmod(fd, newFileMode()) == 0 && body(fd) && ::fsync(fd) == 0;
  std::string why = ok ? "" : systemError();
  if (::close(fd) != 0 && ok) {
    ok = false;
    why = systemError();
  }
  if (!ok) {
    ::unlink(tmp.c_str());
    *failure = {path, "cannot write (through '" + tmp + "'): " + why};
    return false;
  }
  if (::rename(tmp.c_str(), path.c_str()) != 0) {
    why = systemError();
    ::unlink(tmp.c_str());
    *failure = {path, "cannot rename " + tmp + " to it: " + why};
    return false;
  }
  if (!syncDirectory(dir)) {
    *failure = {path, "written, but its directory '" + dir +
                          "' cannot be synced: " + systemError()};
    return false;
  }
  return true;
}

std::string checkCanWrite(const std::string &path) {
  struct stat st;
  errno = 0;
  if (::stat(path.c_str(), &st) == 0) {
    if (!S_ISREG(st.st_mode))
      return "is " + kindOf(st.st_mode) + ", not a regular file";
  } else if (errno != ENOENT && errno != ENOTDIR) { // ENOTDIR: see below
    return "cannot stat: " + systemError();
  }
  const std::string dir = directoryOf(path);
  if (::stat(dir.c_str(), &st) != 0)
    return "the directory '" + dir + "' " +
           (errno == ENOENT ? std::string("does not exist")
                            : "cannot be read: " + systemError());
  if (!S_ISDIR(st.st_mode))
    return "'" + dir + "' is not a directory";
  std::string tmp;
  const int fd = makeTemporary(path, &tmp);
  if (fd < 0)
    return "cannot create files in the directory '" + dir +
           "': " + systemError();
  ::close(fd);
  ::unlink(tmp.c_str());
  return "";
}

} // namespace ptc::rt::detail
