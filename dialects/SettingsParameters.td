//===- SettingsParameters.td - Parameters of the settings attrs -*- tablegen -*-===//
//
// The parameter kinds of the spec's settings as typed attributes
// (#graph.model, #graph.training, #dist.parallel): integers, reals, booleans
// and enums, each optional with the spec's default where the spec has a
// constant default, required where it has none. The attributes use the
// `struct` directive, so a setting reads `name = value`, in any order, and a
// setting equal to its default is left out when printed.
//
//===----------------------------------------------------------------------===//
#ifndef PTC_SETTINGS_PARAMETERS_TD
#define PTC_SETTINGS_PARAMETERS_TD

include "mlir/IR/AttrTypeBase.td"
include "mlir/IR/EnumAttr.td"

// An integer setting; required unless `default` is given.
class Setting_I64<string desc, string default = "">
    : AttrParameter<"int64_t", desc> {
  let defaultValue = default;
}

// An unsigned 64-bit setting (the seed takes any 64-bit value).
class Setting_U64<string desc, string default>
    : AttrParameter<"uint64_t", desc> {
  let defaultValue = default;
}

// A real setting: a ptc::RealSetting (dialects/SettingsParameters.h), which
// reads as a double and hashes. Written as MLIR writes floats: `1.0`, not `1`;
// printed so that it reads back exactly.
class Setting_F64<string desc, string default>
    : AttrParameter<"::ptc::RealSetting", desc> {
  let comparator = "$_lhs.isBitwiseEqual($_rhs)";
  let parser = [{[&]() -> ::mlir::FailureOr<::ptc::RealSetting> {
    double value;
    if ($_parser.parseFloat(value))
      return ::mlir::failure();
    return ::ptc::RealSetting(value);
  }()}];
  let printer = "$_printer.printFloat(::llvm::APFloat(double($_self)))";
  let defaultValue = "::ptc::RealSetting(" # default # ")";
}

// A boolean setting, spelled `true` or `false`.
class Setting_Bool<string desc, string default>
    : AttrParameter<"bool", desc> {
  let parser = [{[&]() -> ::mlir::FailureOr<bool> {
    if (::mlir::succeeded($_parser.parseOptionalKeyword("true")))
      return true;
    if (::mlir::succeeded($_parser.parseOptionalKeyword("false")))
      return false;
    return {(::llvm::LogicalResult)$_parser.emitError(
        $_parser.getCurrentLocation(), "expected true or false")};
  }()}];
  let printer = [{$_printer << ($_self ? "true" : "false")}];
  let defaultValue = default;
}

// An enum setting with a default case. Printed as a keyword, or as a string
// where the name is not one (`"1f1b"`); both spellings parse. A name that is
// no case parses to a value past the last case, which the attribute's
// verifier reports with the allowed names (ptc::settings::checkEnum): one
// error that names the setting, not a parse error and a second one about
// the parameter.
class Setting_Enum<EnumAttrInfo info, string default>
    : EnumParameter<info> {
  let parser = [{[&]() -> ::mlir::FailureOr<}] # cppType # [{> {
    std::string name;
    if (::mlir::failed($_parser.parseKeywordOrString(&name)))
      return ::mlir::failure();
    return }] # info.cppNamespace # "::" # info.stringToSymbolFnName #
        [{(name).value_or(static_cast<}] # cppType # [{>(~0u));
  }()}];
  let printer = "$_printer.printKeywordOrString(" # info.cppNamespace # "::" #
                info.symbolToStringFnName # "($_self))";
  let defaultValue = info.cppNamespace # "::" # info.className # "::" # default;
}

#endif // PTC_SETTINGS_PARAMETERS_TD
