//===- file_io.h - Small POSIX file helpers of the runtime -----*- C++ -*-===//
//
// Internal to the runtime (data loader, shard writer, weight files): full
// reads and writes that retry on EINTR and short transfers, opening a file
// that must be a regular file, and atomic replacement of a file.
//
//===----------------------------------------------------------------------===//
#ifndef PTC_RUNTIME_DATA_FILE_IO_H
#define PTC_RUNTIME_DATA_FILE_IO_H

#include <cstdint>
#include <functional>
#include <string>

namespace ptc::rt::detail {

/// Reads exactly n bytes at `offset`. Returns false on an error (errno set)
/// or at end of file (errno = 0).
bool preadFull(int fd, void *buf, size_t n, int64_t offset);

/// Writes exactly n bytes. Returns false on an error (errno set).
bool writeFull(int fd, const void *buf, size_t n);

/// The text of errno, or of a short read (errno 0: the file ended early).
std::string systemError();

/// Opens `path` read-only and returns the descriptor, or -1 with *why set
/// ("cannot open: No such file or directory", "is a directory", "is not a
/// regular file (a FIFO)"). The open does not block: a FIFO or device
/// given where a file belongs is refused instead of waiting for a writer.
int openRegularFile(const std::string &path, std::string *why);

/// Why writeFileAtomically failed: the file concerned and what went wrong.
struct WriteFailure {
  std::string path, message;
};

/// Writes `path` through a temporary file of a unique name in the same
/// directory ("PATH.tmp.XXXXXX", mkstemp), flushed to disk (fsync) before
/// it is renamed over `path`, and the directory synced after, so that:
/// a reader never sees a half-written file; a failed write leaves neither
/// `path` nor the temporary behind; after a crash the file is the old or
/// the new one; and two writers of one path never write into the same
/// temporary (the last rename wins, with a complete file). `body(fd)`
/// writes the contents and returns false (errno set) on failure.
bool writeFileAtomically(const std::string &path,
                         const std::function<bool(int)> &body,
                         WriteFailure *failure);

/// fsync of a directory, so that a rename or unlink in it survives a crash.
/// Some file systems cannot sync directories (EINVAL): true there, as
/// nothing more can be done.
bool syncDirectory(const std::string &dir);

/// Checks, before a long run, that writeFileAtomically(path) can work:
/// `path` is not a directory and its directory exists and takes a new file
/// (a temporary is created and removed). Returns "" or why not.
std::string checkCanWrite(const std::string &path);

} // namespace ptc::rt::detail

#endif // PTC_RUNTIME_DATA_FILE_IO_H
