#ifndef LABELLOOP_TESTS_TESTING_CHILD_PROCESS_H_
#define LABELLOOP_TESTS_TESTING_CHILD_PROCESS_H_

#include <sys/types.h>

#include <optional>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"

namespace labelloop::testing {

// A long-running child (a daemon) whose stdout and stderr are appended to a log file. The
// destructor SIGKILLs and reaps it if it is still running, so a failing test leaves no orphan.
class ChildProcess {
 public:
  // argv[0] is a path to the executable; the environment is inherited.
  static absl::StatusOr<ChildProcess> Start(const std::vector<std::string>& argv,
                                            const std::string& log_path);

  ChildProcess(ChildProcess&& other) noexcept;
  ChildProcess& operator=(ChildProcess&& other) noexcept;
  ChildProcess(const ChildProcess&) = delete;
  ChildProcess& operator=(const ChildProcess&) = delete;
  ~ChildProcess();

  pid_t pid() const { return pid_; }
  // False once the child has exited (and was reaped).
  bool Running();
  // How it ended, as waitpid reports it; nullopt while it runs.
  std::optional<int> wait_status() const { return wait_status_; }

  absl::Status Signal(int signal_number);
  // Waits for the child to exit; DEADLINE_EXCEEDED if it is still running after `timeout`.
  absl::StatusOr<int> Wait(absl::Duration timeout);

 private:
  explicit ChildProcess(pid_t pid) : pid_(pid) {}
  void KillAndReap();

  pid_t pid_ = -1;
  std::optional<int> wait_status_;
};

// "exit 3" or "killed by signal 9", for messages.
std::string DescribeWaitStatus(int wait_status);

}  // namespace labelloop::testing

#endif  // LABELLOOP_TESTS_TESTING_CHILD_PROCESS_H_
