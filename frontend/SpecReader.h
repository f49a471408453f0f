//===- SpecReader.h - Checked reading of JSON spec values ------*- C++ -*-===//
//
// The helpers behind parseSpec: strict JSON parsing (duplicate keys are
// errors, syntax errors carry line:column) and `ObjectReader`, which reads the
// fields of one JSON object, knows their path (`training.optimizer.lr`) and
// turns every violation into a one-line message that says what is allowed.
//
// Errors travel as `SpecError` exceptions inside the frontend only; parseSpec
// catches them and returns the message. Nothing here is part of the public
// interface of PTCSpec.
//
//===----------------------------------------------------------------------===//
#ifndef PTC_FRONTEND_SPECREADER_H
#define PTC_FRONTEND_SPECREADER_H

#include <nlohmann/json.hpp>

#include <cstdint>
#include <initializer_list>
#include <string>
#include <utility>
#include <vector>

namespace ptc::spec {

using Json = nlohmann::json;

/// A spec error: `path` is the JSON path ("model.heads", empty for the whole
/// document), `message` says what is wrong and what is allowed.
struct SpecError {
  std::string path;
  std::string message;
};

/// A JSON syntax error, with 1-based line and column (0 when unknown).
struct SyntaxError {
  int64_t line;
  int64_t column;
  std::string message;
};

/// Parses `text` as one JSON value. Throws SyntaxError for malformed JSON and
/// SpecError for a key repeated within one object.
Json parseStrictJson(const std::string &text);

/// `parent.key`, or `parent["odd key"]` when the key is not identifier-like.
std::string joinPath(const std::string &parent, const std::string &key);

/// How a value is described after "got": numbers bare (`12.5`, `-3`), the
/// rest with their type (`string "abc"`, `boolean true`, `null`, `an array`).
std::string describe(const Json &value);

/// The accepted range of an integer field.
struct IntRange {
  int64_t min;
  int64_t max;
};

/// The accepted range of a real-valued field.
enum class RealRange {
  Any,         // any finite number
  NonNegative, // >= 0
  Positive,    // > 0
  Fraction,    // [0, 1)
};

/// Reads the fields of one JSON object. Construction checks that the value
/// is an object and that it has no keys other than `allowedKeys`. Every
/// `read*` leaves `out` unchanged when the key is absent and returns whether
/// it was present.
class ObjectReader {
public:
  ObjectReader(const Json &value, std::string path,
               std::vector<std::string> allowedKeys);

  const std::string &path() const { return path_; }
  std::string pathOf(const std::string &key) const {
    return joinPath(path_, key);
  }
  bool has(const std::string &key) const;
  const Json &at(const std::string &key) const { return object_->at(key); }

  /// Fails with `<path>: missing required key "<key>"` if absent.
  void require(const std::string &key) const;

  [[noreturn]] void fail(const std::string &key, std::string message) const;

  bool readInt(const std::string &key, int64_t &out, IntRange range) const;
  bool readUint64(const std::string &key, uint64_t &out) const;
  bool readReal(const std::string &key, double &out,
                RealRange range = RealRange::Any) const;
  bool readBool(const std::string &key, bool &out) const;
  bool readString(const std::string &key, std::string &out,
                  bool allowEmpty = false) const;

  /// Reads a string that must be one of `choices` (spelling, value).
  template <typename E>
  bool
  readEnum(const std::string &key, E &out,
           std::initializer_list<std::pair<const char *, E>> choices) const {
    if (!has(key))
      return false;
    std::vector<std::string> names;
    for (const auto &choice : choices)
      names.push_back(choice.first);
    size_t index = enumIndex(key, names);
    out = (choices.begin() + index)->second;
    return true;
  }

  /// The reader of the nested object `key`; an empty object when absent.
  ObjectReader object(const std::string &key,
                      std::vector<std::string> allowedKeys) const;

private:
  size_t enumIndex(const std::string &key,
                   const std::vector<std::string> &names) const;

  const Json *object_;
  std::string path_;
};

} // namespace ptc::spec

#endif // PTC_FRONTEND_SPECREADER_H
