//===- launcher.cpp - Rank and world size from the launcher ---------------===//

#include "runtime/dist/launcher.h"

#include <cerrno>
#include <cstdlib>

namespace ptc::rt::dist {

namespace {

struct LauncherVars {
  const char *launcher;
  const char *rank, *size;
  const char *localRanks[2]; // the first that is set; null entries unused
};

const LauncherVars kLaunchers[] = {
    {"mpirun",
     "OMPI_COMM_WORLD_RANK",
     "OMPI_COMM_WORLD_SIZE",
     {"OMPI_COMM_WORLD_LOCAL_RANK", nullptr}},
    {"srun", "SLURM_PROCID", "SLURM_NTASKS", {"SLURM_LOCALID", nullptr}},
    {"PMI", "PMI_RANK", "PMI_SIZE", {"MPI_LOCALRANKID", "PMI_LOCAL_RANK"}},
    {"torchrun", "RANK", "WORLD_SIZE", {"LOCAL_RANK", nullptr}},
};

// A non-negative decimal integer in variable `name`.
Status parseCount(const char *name, const char *text, int64_t *out) {
  const std::string value = text;
  const bool digits = !value.empty() && value.find_first_not_of("0123456789") ==
                                            std::string::npos;
  errno = 0;
  const long long v = digits ? std::strtoll(value.c_str(), nullptr, 10) : -1;
  if (!digits || errno == ERANGE)
    return Status::error(std::string("the launcher variable ") + name + "=\"" +
                         value + "\" is not a non-negative integer");
  *out = v;
  return Status::ok();
}

} // namespace

Status readLaunchEnv(const EnvLookup &env, LaunchEnv *out) {
  *out = LaunchEnv();
  for (const LauncherVars &vars : kLaunchers) {
    const char *rank = env(vars.rank), *size = env(vars.size);
    if (!rank && !size)
      continue;
    if (!rank || !size)
      return Status::error(
          std::string("the launcher sets ") + (rank ? vars.rank : vars.size) +
          " but not " + (rank ? vars.size : vars.rank) + " (" + vars.launcher +
          " sets both; is the job's environment complete?)");
    LaunchEnv e;
    e.launcher = vars.launcher;
    if (Status s = parseCount(vars.rank, rank, &e.rank); !s)
      return s;
    if (Status s = parseCount(vars.size, size, &e.size); !s)
      return s;
    if (e.size < 1)
      return Status::error(std::string("the launcher variable ") + vars.size +
                           "=0: a job has at least one rank");
    if (e.rank >= e.size)
      return Status::error(std::string("the launcher variable ") + vars.rank +
                           "=" + rank + " is not below " + vars.size + "=" +
                           size);
    for (const char *name : vars.localRanks) {
      if (!name || !env(name))
        continue;
      if (Status s = parseCount(name, env(name), &e.localRank); !s)
        return s;
      break;
    }
    *out = e;
    return Status::ok();
  }
  return Status::ok();
}

Status readLaunchEnv(LaunchEnv *out) {
  return readLaunchEnv([](const char *name) { return std::getenv(name); }, out);
}

} // namespace ptc::rt::dist
