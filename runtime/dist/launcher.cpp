//===- launcher.cpp - Rank and world size from the launcher ---------------===//

#include "runtime/dist/launcher.h"

#include <cerrno>
#include <cstdlib>

namespace ptc::rt::dist {

namespace {

struct LauncherVars {
  const char *launcher;
  const char *rank;
  const char *sizes[2];      // the first that is set
  const char *localRanks[2]; // the first that is set; null entries unused
  // Set only in the processes the launcher started (null: none needed).
  // Slurm's batch script has SLURM_PROCID and SLURM_NTASKS of the whole
  // allocation too; only srun's tasks have a step id.
  const char *marker;
  // A rank without a size (or the reverse) is an error; for generic names
  // (RANK) or an outer allocation it only means "not this launcher".
  bool strict;
};

const LauncherVars kLaunchers[] = {
    {"mpirun",
     "OMPI_COMM_WORLD_RANK",
     {"OMPI_COMM_WORLD_SIZE", nullptr},
     {"OMPI_COMM_WORLD_LOCAL_RANK", nullptr},
     nullptr,
     true},
    {"srun",
     "SLURM_PROCID",
     {"SLURM_STEP_NUM_TASKS", "SLURM_NTASKS"},
     {"SLURM_LOCALID", nullptr},
     "SLURM_STEP_ID",
     false},
    {"PMI",
     "PMI_RANK",
     {"PMI_SIZE", nullptr},
     {"MPI_LOCALRANKID", "PMI_LOCAL_RANK"},
     nullptr,
     true},
    {"torchrun",
     "RANK",
     {"WORLD_SIZE", nullptr},
     {"LOCAL_RANK", nullptr},
     nullptr,
     false},
};

// The value of the first variable of `names` that is set, and its name.
const char *firstSet(const EnvLookup &env, const char *const (&names)[2],
                     const char **name) {
  for (const char *n : names)
    if (n && env(n)) {
      *name = n;
      return env(n);
    }
  *name = names[0];
  return nullptr;
}

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
    const char *sizeName = nullptr;
    const char *rank = env(vars.rank),
               *size = firstSet(env, vars.sizes, &sizeName);
    if ((!rank && !size) || (vars.marker && !env(vars.marker)))
      continue;
    if (!rank || !size) {
      if (!vars.strict)
        continue;
      return Status::error(
          std::string("the launcher sets ") + (rank ? vars.rank : sizeName) +
          " but not " + (rank ? sizeName : vars.rank) + " (" + vars.launcher +
          " sets both; is the job's environment complete?)");
    }
    LaunchEnv e;
    e.launcher = vars.launcher;
    if (Status s = parseCount(vars.rank, rank, &e.rank); !s)
      return s;
    if (Status s = parseCount(sizeName, size, &e.size); !s)
      return s;
    if (e.size < 1)
      return Status::error(std::string("the launcher variable ") + sizeName +
                           "=0: a job has at least one rank");
    if (e.rank >= e.size)
      return Status::error(std::string("the launcher variable ") + vars.rank +
                           "=" + rank + " is not below " + sizeName + "=" +
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
