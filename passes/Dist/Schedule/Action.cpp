//===- Action.cpp - Actions, their text form and errors -------------------===//

#include "passes/Dist/Schedule/Action.h"

#include <cctype>

using namespace ptc::schedule;

bool ptc::schedule::isCompute(ActionKind kind) {
  return kind == ActionKind::Forward || kind == ActionKind::BackwardInput ||
         kind == ActionKind::BackwardWeight || kind == ActionKind::Backward;
}

bool ptc::schedule::isPointToPoint(ActionKind kind) {
  return kind == ActionKind::SendActivation ||
         kind == ActionKind::RecvActivation ||
         kind == ActionKind::SendGradient || kind == ActionKind::RecvGradient;
}

bool ptc::schedule::isSend(ActionKind kind) {
  return kind == ActionKind::SendActivation || kind == ActionKind::SendGradient;
}

bool ptc::schedule::hasChunk(ActionKind kind) {
  return isCompute(kind) || isPointToPoint(kind) ||
         kind == ActionKind::ReduceGradients;
}

bool ptc::schedule::hasMicro(ActionKind kind) {
  return isCompute(kind) || isPointToPoint(kind) ||
         kind == ActionKind::LoadMicroBatch;
}

namespace {

/// The text prefix of each kind, in ActionKind order.
constexpr const char *kPrefixes[] = {"L",  "F",  "I",  "W",  "B",    "SA",
                                     "RA", "SG", "RG", "DP", "TIED", "OPT"};
constexpr const char *kNames[] = {
    "LoadMicroBatch", "Forward",         "BackwardInput",     "BackwardWeight",
    "Backward",       "SendActivation",  "RecvActivation",    "SendGradient",
    "RecvGradient",   "ReduceGradients", "SyncTiedGradients", "OptimizerStep"};
constexpr int kKinds = sizeof(kPrefixes) / sizeof(kPrefixes[0]);

/// Reads a non-negative decimal number of at most 9 digits at `pos`.
bool readNumber(std::string_view text, size_t &pos, int &value) {
  size_t start = pos;
  value = 0;
  while (pos < text.size() && std::isdigit((unsigned char)text[pos]) &&
         pos - start < 9)
    value = value * 10 + (text[pos++] - '0');
  return pos > start &&
         !(pos < text.size() && std::isdigit((unsigned char)text[pos]));
}

} // namespace

const char *ptc::schedule::kindName(ActionKind kind) {
  return kNames[int(kind)];
}

std::string ptc::schedule::toString(const Action &action) {
  std::string text = kPrefixes[int(action.kind)];
  if (hasChunk(action.kind))
    text += std::to_string(action.chunk);
  if (hasChunk(action.kind) && hasMicro(action.kind))
    text += ".";
  if (hasMicro(action.kind))
    text += std::to_string(action.micro);
  if (isPointToPoint(action.kind))
    text += (isSend(action.kind) ? ">" : "<") + std::to_string(action.peer);
  return text;
}

std::optional<Action> ptc::schedule::parseAction(std::string_view token) {
  // No prefix is the start of another, so the first that matches decides.
  for (int k = 0; k < kKinds; ++k) {
    std::string_view prefix = kPrefixes[k];
    if (token.substr(0, prefix.size()) != prefix)
      continue;
    Action action;
    action.kind = ActionKind(k);
    size_t pos = prefix.size();
    if (hasChunk(action.kind) && !readNumber(token, pos, action.chunk))
      return std::nullopt;
    if (hasChunk(action.kind) && hasMicro(action.kind)) {
      if (pos >= token.size() || token[pos] != '.')
        return std::nullopt;
      ++pos;
    }
    if (hasMicro(action.kind) && !readNumber(token, pos, action.micro))
      return std::nullopt;
    if (isPointToPoint(action.kind)) {
      if (pos >= token.size() ||
          token[pos] != (isSend(action.kind) ? '>' : '<'))
        return std::nullopt;
      ++pos;
      if (!readNumber(token, pos, action.peer))
        return std::nullopt;
    }
    if (pos != token.size())
      return std::nullopt;
    return action;
  }
  return std::nullopt;
}

std::string ScheduleError::format(std::string_view source) const {
  std::string text(source);
  if (!text.empty())
    text += ": ";
  if (line > 0)
    text += "line " + std::to_string(line) + ": ";
  else if (rank >= 0 && action >= 0)
    text += "rank " + std::to_string(rank) + ", action " +
            std::to_string(action + 1) + " (" + actionText + "): ";
  else if (rank >= 0)
    text += "rank " + std::to_string(rank) + ": ";
  return text + message;
}

ScheduleError ptc::schedule::actionError(const Schedule &schedule, int rank,
                                         int index, std::string message) {
  ScheduleError error;
  error.message = std::move(message);
  error.rank = rank;
  error.action = index;
  error.actionText = toString(schedule.ranks[rank][index]);
  return error;
}
