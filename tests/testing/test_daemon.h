#ifndef LABELLOOP_TESTS_TESTING_TEST_DAEMON_H_
#define LABELLOOP_TESTS_TESTING_TEST_DAEMON_H_

#include <grpcpp/grpcpp.h>
#include <sys/types.h>

#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "tests/testing/child_process.h"

namespace labelloop::testing {

struct TestDaemonOptions {
  // The labelloopd executable; by default the one this build made.
  std::string binary;
  // When not empty, written to a file and passed as --config.
  std::string config_text;
  std::vector<std::string> extra_flags;
  // The transport of NewChannel (and of the readiness check); null: plaintext.
  std::shared_ptr<grpc::ChannelCredentials> credentials;
  // Start-up, including store migrations, must be done by then.
  absl::Duration ready_timeout = absl::Seconds(60);
};

// The real labelloopd as a child process, for integration tests: on a free loopback port, with
// a fresh data folder in a temporary directory that is removed afterwards (kept when the
// LABELLOOP_KEEP_TEST_DIRS environment variable is set, for a post-mortem). Start returns once
// the daemon answers the standard gRPC health check with SERVING. The daemon can be killed,
// stopped and restarted on the same data folder, as crash tests need.
class TestDaemon {
 public:
  static absl::StatusOr<std::unique_ptr<TestDaemon>> Start(TestDaemonOptions options = {});
  ~TestDaemon();
  TestDaemon(const TestDaemon&) = delete;
  TestDaemon& operator=(const TestDaemon&) = delete;

  // "127.0.0.1:PORT". A restart picks a new port, so read it again after Restart.
  const std::string& address() const { return address_; }
  pid_t pid() const { return process_.has_value() ? process_->pid() : -1; }
  const std::filesystem::path& data_dir() const { return data_dir_; }
  // A scratch folder beside the data folder, removed with it.
  const std::filesystem::path& scratch_dir() const { return scratch_dir_; }
  bool Running();

  std::shared_ptr<grpc::Channel> NewChannel() const;

  // SIGKILL, as a crash: no clean-up code of the daemon runs.
  absl::Status Kill();
  // SIGTERM, then waits for the exit; returns the exit code (128 + signal when killed).
  absl::StatusOr<int> Stop(absl::Duration timeout = absl::Seconds(30));
  // Starts the daemon again on the same data folder (killing it first if it still runs).
  absl::Status Restart();

  // Everything the daemon wrote to stdout and stderr, across restarts.
  std::string Log() const;

 private:
  explicit TestDaemon(TestDaemonOptions options) : options_(std::move(options)) {}
  absl::Status Launch();
  absl::Status WaitUntilServing();

  TestDaemonOptions options_;
  std::filesystem::path root_dir_;
  std::filesystem::path data_dir_;
  std::filesystem::path scratch_dir_;
  std::filesystem::path log_path_;
  std::filesystem::path config_path_;
  std::string address_;
  std::optional<ChildProcess> process_;
};

// The labelloopd this build made (a compile definition of this library).
std::string DefaultLabelloopdPath();

}  // namespace labelloop::testing

#endif  // LABELLOOP_TESTS_TESTING_TEST_DAEMON_H_
