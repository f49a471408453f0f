//===- FileIOTest.cpp - Atomic writes and regular-file opens --------------===//
//
// runtime/data/file_io.h: writeFileAtomically (a unique temporary per
// writer, nothing left behind), checkCanWrite (the check before a run) and
// openRegularFile (directories and FIFOs refused without blocking).
//
//===----------------------------------------------------------------------===//

#include "RuntimeTestUtil.h"

#include "runtime/data/file_io.h"

#include <cerrno>
#include <fcntl.h>
#include <sys/stat.h>

using namespace ptc::rt;

namespace {

class FileIO : public ptc::test::TempDirTest {
protected:
  // Writes `text` to `p` atomically; "" or the failure.
  static std::string write(const std::string &p, const std::string &text) {
    detail::WriteFailure failure;
    if (detail::writeFileAtomically(
            p,
            [&](int fd) {
              return detail::writeFull(fd, text.data(), text.size());
            },
            &failure))
      return "";
    return failure.path + ": " + failure.message;
  }
};

TEST_F(FileIO, AtomicWriteLeavesOnlyTheFile) {
  const std::string p = path("a.txt");
  writeFile(p, "old contents, longer than the new");
  ASSERT_EQ(write(p, "new"), "");
  EXPECT_EQ(readFile(p), "new");
  EXPECT_EQ(listDir(), std::vector<std::string>{"a.txt"});
  // The mode of open(O_CREAT, 0644) under the umask, not mkstemp's 0600.
  const mode_t mask = umask(022);
  umask(mask);
  struct stat st;
  ASSERT_EQ(stat(p.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0644 & ~mask);
}

TEST_F(FileIO, FailedWriteLeavesNothing) {
  const std::string p = path("a.txt");
  detail::WriteFailure failure;
  EXPECT_FALSE(detail::writeFileAtomically(
      p,
      [](int) {
        errno = ENOSPC;
        return false;
      },
      &failure));
  EXPECT_EQ(failure.path, p);
  EXPECT_CONTAINS(failure.message, "cannot write (through '" + p + ".tmp.");
  EXPECT_CONTAINS(failure.message, "No space left on device");
  EXPECT_EQ(listDir(), std::vector<std::string>{});
  EXPECT_CONTAINS(write(path("missing/a.txt"), "x"),
                  "cannot create a temporary file in '" + path("missing") +
                      "': No such file or directory");
}

// Two jobs saving to one path at once: each writes its own temporary, so
// the file is one writer's whole contents and both report success honestly.
// (With one shared PATH.tmp the second writer truncated the first one's
// file, renamed it, and the first one's rename then failed or installed a
// mix of both.)
TEST_F(FileIO, TwoWritersOfOnePathNeverShareATemporary) {
  const std::string p = path("w.bin");
  const std::string a(4096, 'a'), b(100, 'b');
  std::string inner;
  detail::WriteFailure failure;
  const bool ok = detail::writeFileAtomically(
      p,
      [&](int fd) {
        if (!detail::writeFull(fd, a.data(), a.size() / 2))
          return false;
        inner = write(p, b); // the other job, in the middle of this one
        return detail::writeFull(fd, a.data(), a.size() / 2);
      },
      &failure);
  EXPECT_TRUE(ok) << failure.path << ": " << failure.message;
  EXPECT_EQ(inner, "");
  EXPECT_EQ(readFile(p), a) << "the last rename wins, with a whole file";
  EXPECT_EQ(listDir(), std::vector<std::string>{"w.bin"});
}

TEST_F(FileIO, CheckCanWrite) {
  EXPECT_EQ(detail::checkCanWrite(path("new.bin")), "");
  writeFile(path("old.bin"), "x");
  EXPECT_EQ(detail::checkCanWrite(path("old.bin")), "");
  EXPECT_EQ(detail::checkCanWrite(path("missing/new.bin")),
            "the directory '" + path("missing") + "' does not exist");
  EXPECT_EQ(detail::checkCanWrite(dir_), "is a directory, not a regular file");
  ASSERT_EQ(mkfifo(path("fifo").c_str(), 0644), 0);
  EXPECT_EQ(detail::checkCanWrite(path("fifo")),
            "is a FIFO, not a regular file");
  EXPECT_EQ(detail::checkCanWrite(path("old.bin/new.bin")),
            "'" + path("old.bin") + "' is not a directory");
  EXPECT_EQ(detail::checkCanWrite("/dev/null"),
            "is a character device, not a regular file");
  // The probe leaves nothing behind.
  EXPECT_EQ(listDir(), (std::vector<std::string>{"fifo", "old.bin"}));
}

TEST_F(FileIO, OpenRegularFileRefusesOthersWithoutBlocking) {
  std::string why;
  writeFile(path("f"), "x");
  const int fd = detail::openRegularFile(path("f"), &why);
  EXPECT_GE(fd, 0) << why;
  EXPECT_EQ(why, "");
  close(fd);
  EXPECT_EQ(detail::openRegularFile(dir_, &why), -1);
  EXPECT_EQ(why, "is a directory, not a regular file");
  ASSERT_EQ(mkfifo(path("fifo").c_str(), 0644), 0);
  EXPECT_EQ(detail::openRegularFile(path("fifo"), &why), -1);
  EXPECT_EQ(why, "is a FIFO, not a regular file");
  EXPECT_EQ(detail::openRegularFile(path("missing"), &why), -1);
  EXPECT_EQ(why, "cannot open: No such file or directory");
}

} // namespace
