//===- Build.cpp - A checked, complete schedule in one call ---------------===//

#include "passes/Dist/Schedule/Build.h"

#include "passes/Dist/Schedule/Check.h"
#include "passes/Dist/Schedule/TextFormat.h"

using namespace ptc::schedule;

std::optional<ScheduleError> ptc::schedule::buildSchedule(
    const ScheduleShape &shape, const std::string &file,
    const CommunicationOptions &options, Schedule &out) {
  if (auto error = validateShape(shape))
    return error;
  if (auto error = shape.kind == "file" ? readScheduleFile(file, shape, out)
                                        : generate(shape, out))
    return error;
  // Every generator's lists, and files of compute actions only, get the
  // shared communication step; other files are complete as written.
  if (isComputeOnly(out))
    out = insertCommunication(out, options);
  return check(out);
}
