//===- RuntimeTestUtil.h - Helpers of the runtime's unit tests --*- C++ -*-===//
//
// EXPECT_CONTAINS, and a fixture base class with a fresh temporary directory
// that is removed (with its files) after the test.
//
//===----------------------------------------------------------------------===//
#ifndef PTC_TEST_RUNTIME_RUNTIMETESTUTIL_H
#define PTC_TEST_RUNTIME_RUNTIMETESTUTIL_H

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdlib>
#include <dirent.h>
#include <fstream>
#include <iterator>
#include <string>
#include <unistd.h>
#include <vector>

// EXPECT_CONTAINS(text, part): text (a std::string) contains part.
#ifndef EXPECT_CONTAINS
#define EXPECT_CONTAINS(text, part)                                            \
  do {                                                                         \
    const std::string text_ = (text);                                          \
    EXPECT_NE(text_.find(part), std::string::npos)                             \
        << "\"" << text_ << "\" does not contain \"" << (part) << "\"";        \
  } while (0)
#endif

namespace ptc::test {

class TempDirTest : public testing::Test {
protected:
  void SetUp() override {
    std::string tmpl = testing::TempDir() + "ptc-rt-XXXXXX";
    ASSERT_NE(mkdtemp(tmpl.data()), nullptr);
    dir_ = tmpl;
  }
  void TearDown() override {
    std::string cmd = "rm -rf '" + dir_ + "'";
    EXPECT_EQ(std::system(cmd.c_str()), 0);
  }
  /// A path in the temporary directory.
  std::string path(const std::string &name) const { return dir_ + "/" + name; }
  static std::string readFile(const std::string &p) {
    std::ifstream f(p, std::ios::binary);
    return std::string(std::istreambuf_iterator<char>(f), {});
  }
  static void writeFile(const std::string &p, const std::string &bytes) {
    std::ofstream f(p, std::ios::binary);
    f << bytes;
  }
  /// The names in the temporary directory, sorted (no temporary file may be
  /// left behind by an atomic write).
  std::vector<std::string> listDir() const {
    std::vector<std::string> names;
    if (DIR *d = opendir(dir_.c_str())) {
      while (const dirent *e = readdir(d))
        if (std::string(e->d_name) != "." && std::string(e->d_name) != "..")
          names.push_back(e->d_name);
      closedir(d);
    }
    std::sort(names.begin(), names.end());
    return names;
  }

  std::string dir_;
};

} // namespace ptc::test

#endif // PTC_TEST_RUNTIME_RUNTIMETESTUTIL_H
