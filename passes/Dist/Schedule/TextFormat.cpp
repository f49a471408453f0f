//===- TextFormat.cpp - Printing and parsing schedule files ---------------===//

#include "passes/Dist/Schedule/TextFormat.h"

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>

using namespace ptc::schedule;

namespace {

constexpr const char *kAllowed =
    "allowed: L<m> F<c>.<m> B<c>.<m> I<c>.<m> W<c>.<m> SA<c>.<m>><rank> "
    "RA<c>.<m><<rank> SG<c>.<m>><rank> RG<c>.<m><<rank> DP<c> TIED OPT";

std::string n(int value) { return std::to_string(value); }

ScheduleError lineError(int line, std::string message) {
  ScheduleError error;
  error.line = line;
  error.message = std::move(message);
  return error;
}

/// The range error of `a` in `shape`, if any.
std::optional<std::string> rangeError(const Action &a,
                                      const ScheduleShape &shape) {
  if (hasChunk(a.kind) && a.chunk >= shape.virtualStages)
    return "chunk " + n(a.chunk) + " is out of range 0.." +
           n(shape.virtualStages - 1) +
           " (virtual stages = " + n(shape.virtualStages) + ")";
  if (hasMicro(a.kind) && a.micro >= shape.microBatches)
    return "micro-batch " + n(a.micro) + " is out of range 0.." +
           n(shape.microBatches - 1) +
           " (micro-batches = " + n(shape.microBatches) + ")";
  if (isPointToPoint(a.kind) && a.peer >= shape.pp)
    return "rank " + n(a.peer) + " is out of range 0.." + n(shape.pp - 1) +
           " (pp = " + n(shape.pp) + ")";
  return std::nullopt;
}

} // namespace

void ptc::schedule::printSchedule(const Schedule &schedule, std::ostream &os) {
  for (int r = 0; r < int(schedule.ranks.size()); ++r) {
    os << "rank " << r << ":";
    for (const Action &a : schedule.ranks[r])
      os << ' ' << toString(a);
    os << '\n';
  }
}

std::optional<ScheduleError>
ptc::schedule::parseSchedule(std::string_view text, const ScheduleShape &shape,
                             Schedule &out) {
  out = Schedule();
  out.pp = shape.pp;
  out.virtualStages = shape.virtualStages;
  out.microBatches = shape.microBatches;
  out.kind = "file";
  out.ranks.assign(shape.pp, {});
  std::vector<int> lineOf(shape.pp, 0);
  std::istringstream lines{std::string(text)};
  std::string line;
  for (int number = 1; std::getline(lines, line); ++number) {
    line = line.substr(0, line.find('#'));
    std::istringstream words(line);
    std::string word;
    if (!(words >> word))
      continue; // Blank or comment.
    // `rank R:` with or without a space before the colon.
    std::string rankText;
    if (word != "rank" || !(words >> rankText))
      return lineError(number, "expected 'rank <r>: <actions>' (one line per "
                               "rank; '#' starts a comment)");
    if (rankText.back() != ':') {
      std::string colon;
      if (!(words >> colon) || colon != ":")
        return lineError(number, "expected ':' after 'rank " + rankText + "'");
    } else {
      rankText.pop_back();
    }
    int rank = -1;
    if (!rankText.empty() && rankText.size() < 10 &&
        std::all_of(rankText.begin(), rankText.end(),
                    [](char c) { return std::isdigit((unsigned char)c); }))
      rank = std::stoi(rankText);
    if (rank < 0)
      return lineError(number, "'" + rankText + "' is not a rank number");
    if (rank >= shape.pp)
      return lineError(number, "rank " + n(rank) + " is out of range 0.." +
                                   n(shape.pp - 1) + " (pp = " + n(shape.pp) +
                                   ")");
    if (lineOf[rank])
      return lineError(number, "rank " + n(rank) +
                                   " is listed twice (first on line " +
                                   n(lineOf[rank]) + ")");
    lineOf[rank] = number;
    while (words >> word) {
      std::optional<Action> action = parseAction(word);
      if (!action)
        return lineError(number,
                         "'" + word + "' is not an action (" + kAllowed + ")");
      if (auto range = rangeError(*action, shape))
        return lineError(number, "'" + word + "': " + *range);
      out.ranks[rank].push_back(*action);
    }
  }
  for (int r = 0; r < shape.pp; ++r)
    if (!lineOf[r]) {
      ScheduleError error;
      error.message = "rank " + n(r) + " has no line (pp = " + n(shape.pp) +
                      " needs 'rank 0:' .. 'rank " + n(shape.pp - 1) + ":')";
      return error;
    }
  return std::nullopt;
}

std::optional<ScheduleError>
ptc::schedule::readScheduleFile(const std::string &path,
                                const ScheduleShape &shape, Schedule &out) {
  std::ifstream file(path);
  if (!file) {
    ScheduleError error;
    error.message = std::string("cannot open: ") + std::strerror(errno);
    return error;
  }
  std::stringstream text;
  text << file.rdbuf();
  return parseSchedule(text.str(), shape, out);
}
