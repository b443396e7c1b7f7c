#ifndef LABELLOOP_TESTS_TESTING_CLI_RUNNER_H_
#define LABELLOOP_TESTS_TESTING_CLI_RUNNER_H_

#include <filesystem>
#include <string>
#include <vector>

#include "absl/time/time.h"
#include "nlohmann/json.hpp"
#include "tests/testing/run_process.h"

namespace labelloop::testing {

// Runs the real `labelloop` CLI against one daemon, as a user's shell would. Failures to start
// the process and, for RunOk, non-zero exits are reported as GoogleTest failures with the
// command line and what it printed, so callers only check what the test is about.
class CliRunner {
 public:
  CliRunner(std::string cli_path, std::string server_address)
      : cli_path_(std::move(cli_path)), server_address_(std::move(server_address)) {}

  // Extra "NAME=VALUE" environment entries for every run (e.g. a token).
  void set_extra_env(std::vector<std::string> env) { extra_env_ = std::move(env); }

  // Runs `labelloop --server=<address> words...`.
  ProcessResult Run(std::vector<std::string> words,
                    absl::Duration timeout = absl::Seconds(120)) const;
  // Runs it, expects exit status 0 and returns stdout.
  std::string RunOk(std::vector<std::string> words,
                    absl::Duration timeout = absl::Seconds(120)) const;

 private:
  std::string cli_path_;
  std::string server_address_;
  std::vector<std::string> extra_env_;
};

// One JSON value per non-empty line (the CLI's --json and JSON-lines output).
std::vector<nlohmann::json> JsonLines(const std::string& text);

// The whole file, or "" when it cannot be read.
std::string ReadFileBytes(const std::filesystem::path& path);

}  // namespace labelloop::testing

#endif  // LABELLOOP_TESTS_TESTING_CLI_RUNNER_H_
