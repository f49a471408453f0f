//===- SettingsParameters.h - C++ side of SettingsParameters.td -*- C++ -*-===//
#ifndef PTC_DIALECTS_SETTINGSPARAMETERS_H
#define PTC_DIALECTS_SETTINGSPARAMETERS_H

#include "mlir/IR/Diagnostics.h"
#include "llvm/ADT/Hashing.h"
#include "llvm/ADT/bit.h"

#include <cmath>
#include <cstdint>
#include <cstdio>
#include <string>

namespace ptc {

/// A real-valued setting of #graph.training or #dist.parallel: a double that
/// attribute storage can hash and compare. Both go by the bits, so that a NaN
/// (which the verifiers reject, but only after the attribute is built) does
/// not break uniquing. Reads as a plain double.
class RealSetting {
public:
  RealSetting(double value = 0.0) : value(value) {}
  operator double() const { return value; }
  bool isBitwiseEqual(RealSetting other) const {
    return llvm::bit_cast<uint64_t>(value) ==
           llvm::bit_cast<uint64_t>(other.value);
  }
  friend llvm::hash_code hash_value(RealSetting setting) {
    return llvm::hash_value(llvm::bit_cast<uint64_t>(setting.value));
  }

private:
  double value;
};

namespace settings {

using EmitError = llvm::function_ref<mlir::InFlightDiagnostic()>;

/// Starts the error about setting `key` of `section` (model, training,
/// parallel): "parallel setting tp = 0: ...".
template <typename T>
mlir::InFlightDiagnostic fail(EmitError emitError, llvm::StringRef section,
                              llvm::StringRef key, T value) {
  return emitError() << section << " setting " << key << " = " << value << ": ";
}

/// An integer setting in [lo, hi].
inline mlir::LogicalResult checkInt(EmitError emitError,
                                    llvm::StringRef section,
                                    llvm::StringRef key, int64_t value,
                                    int64_t lo, int64_t hi) {
  if (value >= lo && value <= hi)
    return mlir::success();
  return fail(emitError, section, key, value)
         << "expected an integer in [" << lo << ", " << hi << "]";
}

/// `value` as a message shows it: "0.001", "-1", "inf", "nan".
inline std::string formatReal(double value) {
  if (std::isnan(value))
    return "nan";
  if (std::isinf(value))
    return value > 0 ? "inf" : "-inf";
  char text[32];
  std::snprintf(text, sizeof(text), "%g", value);
  return text;
}

/// What a real setting may be; all of them finite (as JSON numbers are).
enum class RealRange { NonNegative, Positive, Fraction };

inline mlir::LogicalResult checkReal(EmitError emitError,
                                     llvm::StringRef section,
                                     llvm::StringRef key, double value,
                                     RealRange range) {
  const char *expected = "a finite number >= 0";
  bool ok = std::isfinite(value) && value >= 0;
  if (range == RealRange::Positive) {
    expected = "a finite number > 0";
    ok = ok && value > 0;
  } else if (range == RealRange::Fraction) {
    expected = "a number in [0, 1)";
    ok = ok && value < 1;
  }
  if (ok)
    return mlir::success();
  return fail(emitError, section, key, formatReal(value))
         << "expected " << expected;
}

/// An enum setting is one of its cases: a name that is none parses to a
/// value past the last (Setting_Enum in SettingsParameters.td).
template <typename Enum>
mlir::LogicalResult
checkEnum(EmitError emitError, llvm::StringRef section, llvm::StringRef key,
          Enum value, unsigned maxValue, llvm::StringRef (*stringify)(Enum)) {
  if (static_cast<unsigned>(value) <= maxValue)
    return mlir::success();
  mlir::InFlightDiagnostic diag = emitError();
  diag << section << " setting " << key << ": expected one of ";
  for (unsigned i = 0; i <= maxValue; ++i)
    diag << (i ? ", " : "") << stringify(static_cast<Enum>(i));
  return diag;
}

} // namespace settings
} // namespace ptc

#endif // PTC_DIALECTS_SETTINGSPARAMETERS_H
