//===- status.h - Success or an error message ------------------*- C++ -*-===//
//
// What runtime functions that can fail on user input (files, data) return
// instead of aborting: ok, or a message that names the file and the problem.
//
//===----------------------------------------------------------------------===//
#ifndef PTC_RUNTIME_DATA_STATUS_H
#define PTC_RUNTIME_DATA_STATUS_H

#include <string>
#include <utility>

namespace ptc::rt {

class [[nodiscard]] Status {
public:
  static Status ok() { return Status(); }
  static Status error(std::string message) {
    Status s;
    s.failed_ = true;
    s.message_ = std::move(message);
    return s;
  }
  bool isOk() const { return !failed_; }
  explicit operator bool() const { return !failed_; }
  /// The error message; empty when ok.
  const std::string &message() const { return message_; }

private:
  bool failed_ = false;
  std::string message_;
};

} // namespace ptc::rt

#endif // PTC_RUNTIME_DATA_STATUS_H
