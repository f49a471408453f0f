//===- SpecReader.cpp - Checked reading of JSON spec values ---------------===//
//
// Strict JSON parsing and the field readers used by Spec.cpp. See
// SpecReader.h.
//
//===----------------------------------------------------------------------===//
#include "frontend/SpecReader.h"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <cmath>
#include <limits>
#include <unordered_set>

namespace ptc::spec {

//===----------------------------------------------------------------------===//
// Formatting
//===----------------------------------------------------------------------===//

static bool isIdentifier(const std::string &key) {
  if (key.empty() || std::isdigit(static_cast<unsigned char>(key[0])))
    return false;
  return std::all_of(key.begin(), key.end(), [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || c == '_';
  });
}

std::string joinPath(const std::string &parent, const std::string &key) {
  if (!isIdentifier(key))
    return fmt::format("{}[{}]", parent, Json(key).dump());
  return parent.empty() ? key : parent + "." + key;
}

/// Integral reals keep a ".0" so that `12.0` is not shown as `12` in a
/// message that says an integer was expected.
static std::string formatReal(double value) {
  if (std::isfinite(value) && value == std::floor(value) &&
      std::fabs(value) < 1e16)
    return fmt::format("{:.1f}", value);
  return fmt::format("{}", value);
}

/// A JSON string as it would be written, cut short if long.
static std::string quote(const std::string &text) {
  constexpr size_t kMaxShown = 40;
  if (text.size() <= kMaxShown)
    return Json(text).dump();
  // Cut at a character boundary so that the dump stays valid UTF-8.
  size_t cut = kMaxShown;
  while (cut > 0 && (static_cast<unsigned char>(text[cut]) & 0xC0) == 0x80)
    --cut;
  return Json(text.substr(0, cut)).dump() + "...";
}

std::string describe(const Json &value) {
  switch (value.type()) {
  case Json::value_t::null:
    return "null";
  case Json::value_t::boolean:
    return value.get<bool>() ? "boolean true" : "boolean false";
  case Json::value_t::string:
    return "string " + quote(value.get<std::string>());
  case Json::value_t::number_integer:
    return std::to_string(value.get<int64_t>());
  case Json::value_t::number_unsigned:
    return std::to_string(value.get<uint64_t>());
  case Json::value_t::number_float:
    return formatReal(value.get<double>());
  case Json::value_t::array:
    return "an array";
  case Json::value_t::object:
    return "an object";
  default:
    return "an unsupported value";
  }
}

//===----------------------------------------------------------------------===//
// Strict parsing
//===----------------------------------------------------------------------===//

namespace {
/// Specs are a few levels deep; the bound also keeps the paths short.
constexpr size_t kMaxDepth = 32;

/// One open object or array while parsing, for duplicate-key detection.
struct OpenValue {
  bool isObject;
  std::string path;
  std::unordered_set<std::string> keys; // keys seen so far
  std::string lastKey;
  size_t index = 0; // next element index (arrays)
};
} // namespace

/// "syntax error while parsing object key - invalid literal; last read:
/// '{x'; expected string literal" -> "invalid literal; last read: '{x';
/// expected string literal" (the token is dropped when long).
static std::string shortenParseError(const std::string &what) {
  std::string text = what;
  size_t start = text.find("syntax error ");
  if (start != std::string::npos) {
    text = text.substr(start + 13);
    size_t dash = text.find(" - ");
    if (text.rfind("while parsing ", 0) == 0 && dash != std::string::npos)
      text = text.substr(dash + 3);
  } else if ((start = text.find(": ")) != std::string::npos) {
    text = text.substr(start + 2);
  }
  constexpr const char *kLastRead = "; last read: '";
  size_t tokenBegin = text.find(kLastRead);
  if (tokenBegin != std::string::npos) {
    size_t tokenEnd = text.find("'; expected", tokenBegin);
    if (tokenEnd == std::string::npos)
      tokenEnd = text.size() - 1;
    bool printable = std::all_of(
        text.begin() + tokenBegin, text.begin() + tokenEnd, [](char c) {
          return c >= 0x20 && c < 0x7f; // ASCII: bytes of invalid UTF-8 too
        });
    if (tokenEnd - tokenBegin > 40 || !printable)
      text.erase(tokenBegin, tokenEnd + 1 - tokenBegin);
  }
  std::replace(text.begin(), text.end(), '\n', ' ');
  return text;
}

Json parseStrictJson(const std::string &text) {
  std::vector<OpenValue> open;
  // Called by the parser for every event; only tracks paths and keys.
  auto callback = [&open](int, Json::parse_event_t event, Json &parsed) {
    auto elementDone = [&open] {
      if (!open.empty() && !open.back().isObject)
        ++open.back().index;
    };
    switch (event) {
    case Json::parse_event_t::object_start:
    case Json::parse_event_t::array_start: {
      std::string path;
      if (!open.empty())
        path = open.back().isObject
                   ? joinPath(open.back().path, open.back().lastKey)
                   : fmt::format("{}[{}]", open.back().path, open.back().index);
      if (open.size() == kMaxDepth)
        throw SpecError{path, fmt::format("nested too deeply (at most {} "
                                          "levels)",
                                          kMaxDepth)};
      open.push_back(
          {event == Json::parse_event_t::object_start, path, {}, {}, 0});
      break;
    }
    case Json::parse_event_t::key: {
      OpenValue &object = open.back();
      std::string key = parsed.get<std::string>();
      if (!object.keys.insert(key).second)
        throw SpecError{joinPath(object.path, key),
                        "duplicate key (a key may appear once per object)"};
      object.lastKey = std::move(key);
      break;
    }
    case Json::parse_event_t::object_end:
    case Json::parse_event_t::array_end:
      open.pop_back();
      elementDone();
      break;
    case Json::parse_event_t::value:
      elementDone();
      break;
    }
    return true;
  };

  try {
    return Json::parse(text, callback);
  } catch (const Json::parse_error &error) {
    // `byte` is the 1-based offset of the character the parser stopped at
    // (one past the end at end of input).
    size_t stop = error.byte > 0 ? error.byte - 1 : 0;
    int64_t line = 1, column = 1;
    for (size_t i = 0; i < stop && i < text.size(); ++i) {
      if (text[i] == '\n') {
        ++line;
        column = 1;
      } else {
        ++column;
      }
    }
    throw SyntaxError{line, column, shortenParseError(error.what())};
  } catch (const Json::exception &error) {
    // Number overflow (`1e999`) has no position.
    std::string what = error.what();
    size_t bracket = what.find("] ");
    throw SyntaxError{
        0, 0, bracket == std::string::npos ? what : what.substr(bracket + 2)};
  }
}

//===----------------------------------------------------------------------===//
// ObjectReader
//===----------------------------------------------------------------------===//

ObjectReader::ObjectReader(const Json &value, std::string path,
                           std::vector<std::string> allowedKeys)
    : object_(&value), path_(std::move(path)) {
  if (!value.is_object())
    throw SpecError{path_, "expected an object, got " + describe(value)};
  for (const auto &item : value.items()) {
    if (std::find(allowedKeys.begin(), allowedKeys.end(), item.key()) !=
        allowedKeys.end())
      continue;
    throw SpecError{
        pathOf(item.key()),
        fmt::format("unknown key (allowed: {})", fmt::join(allowedKeys, ", "))};
  }
}

bool ObjectReader::has(const std::string &key) const {
  return object_->contains(key);
}

void ObjectReader::require(const std::string &key) const {
  if (!has(key))
    throw SpecError{path_, fmt::format("missing required key \"{}\"", key)};
}

void ObjectReader::fail(const std::string &key, std::string message) const {
  throw SpecError{pathOf(key), std::move(message)};
}

static std::string intKind(IntRange range) {
  if (range.min == 1)
    return "a positive integer";
  if (range.min == 0)
    return "a non-negative integer";
  return fmt::format("an integer in [{}, {}]", range.min, range.max);
}

bool ObjectReader::readInt(const std::string &key, int64_t &out,
                           IntRange range) const {
  if (!has(key))
    return false;
  const Json &value = at(key);
  if (!value.is_number_integer())
    fail(key,
         fmt::format("expected {}, got {}", intKind(range), describe(value)));
  if (value.is_number_unsigned() &&
      value.get<uint64_t>() >
          static_cast<uint64_t>(std::numeric_limits<int64_t>::max()))
    fail(key, fmt::format("{} is too large (at most {})", value.get<uint64_t>(),
                          range.max));
  int64_t number = value.get<int64_t>();
  if (number < range.min)
    fail(key, fmt::format("expected {}, got {}", intKind(range), number));
  if (number > range.max)
    fail(key, fmt::format("{} is too large (at most {})", number, range.max));
  out = number;
  return true;
}

bool ObjectReader::readUint64(const std::string &key, uint64_t &out) const {
  if (!has(key))
    return false;
  const Json &value = at(key);
  if (!value.is_number_integer() ||
      (!value.is_number_unsigned() && value.get<int64_t>() < 0))
    fail(key, "expected a non-negative integer, got " + describe(value));
  out = value.get<uint64_t>();
  return true;
}

bool ObjectReader::readReal(const std::string &key, double &out,
                            RealRange range) const {
  if (!has(key))
    return false;
  const Json &value = at(key);
  if (!value.is_number())
    fail(key, "expected a number, got " + describe(value));
  double number = value.get<double>();
  if (!std::isfinite(number))
    fail(key, "expected a finite number, got " + describe(value));
  switch (range) {
  case RealRange::Any:
    break;
  case RealRange::NonNegative:
    if (number < 0)
      fail(key, "expected a number >= 0, got " + describe(value));
    break;
  case RealRange::Positive:
    if (number <= 0)
      fail(key, "expected a number > 0, got " + describe(value));
    break;
  case RealRange::Fraction:
    if (number < 0 || number >= 1)
      fail(key, "expected a number in [0, 1), got " + describe(value));
    break;
  }
  out = number;
  return true;
}

bool ObjectReader::readBool(const std::string &key, bool &out) const {
  if (!has(key))
    return false;
  const Json &value = at(key);
  if (!value.is_boolean())
    fail(key, "expected true or false, got " + describe(value));
  out = value.get<bool>();
  return true;
}

bool ObjectReader::readString(const std::string &key, std::string &out,
                              bool allowEmpty) const {
  if (!has(key))
    return false;
  const Json &value = at(key);
  if (!value.is_string())
    fail(key, "expected a string, got " + describe(value));
  if (!allowEmpty && value.get<std::string>().empty())
    fail(key, "expected a non-empty string");
  out = value.get<std::string>();
  return true;
}

size_t ObjectReader::enumIndex(const std::string &key,
                               const std::vector<std::string> &names) const {
  const Json &value = at(key);
  std::vector<std::string> quoted;
  for (const auto &name : names)
    quoted.push_back(Json(name).dump());
  if (!value.is_string())
    fail(key, fmt::format("expected one of {}, got {}", fmt::join(quoted, ", "),
                          describe(value)));
  auto found = std::find(names.begin(), names.end(), value.get<std::string>());
  if (found == names.end())
    fail(key,
         fmt::format("{} is not one of {}", quote(value.get<std::string>()),
                     fmt::join(quoted, ", ")));
  return static_cast<size_t>(found - names.begin());
}

ObjectReader ObjectReader::object(const std::string &key,
                                  std::vector<std::string> allowedKeys) const {
  static const Json kEmptyObject = Json::object();
  return ObjectReader(has(key) ? at(key) : kEmptyObject, pathOf(key),
                      std::move(allowedKeys));
}

} // namespace ptc::spec
