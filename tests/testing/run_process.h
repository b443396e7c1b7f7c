#ifndef LABELLOOP_TESTS_TESTING_RUN_PROCESS_H_
#define LABELLOOP_TESTS_TESTING_RUN_PROCESS_H_

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"

namespace labelloop::testing {

struct ProcessResult {
  // The exit code, or 128 + the signal number when a signal ended it (as shells report it).
  int exit_code = -1;
  std::string out;
  std::string err;
};

// Runs argv[0] (a path) to completion with stdin closed, capturing stdout and stderr.
// `extra_env` entries ("NAME=VALUE") are added to the inherited environment, replacing
// variables of the same name. A child still running after `timeout` is killed, and the result
// is DEADLINE_EXCEEDED with what it printed.
absl::StatusOr<ProcessResult> RunProcess(const std::vector<std::string>& argv,
                                         absl::Duration timeout = absl::Seconds(120),
                                         const std::vector<std::string>& extra_env = {});

}  // namespace labelloop::testing

#endif  // LABELLOOP_TESTS_TESTING_RUN_PROCESS_H_
