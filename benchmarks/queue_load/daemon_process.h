#ifndef LABELLOOP_BENCHMARKS_QUEUE_LOAD_DAEMON_PROCESS_H_
#define LABELLOOP_BENCHMARKS_QUEUE_LOAD_DAEMON_PROCESS_H_

#include <grpcpp/grpcpp.h>
#include <sys/types.h>

#include <chrono>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "benchmarks/queue_load/cpu_affinity.h"

namespace labelloop {

// A loopback TCP port that was free a moment ago (the kernel's pick for port 0, released).
absl::StatusOr<int> PickFreeLoopbackPort();

// A channel that is its own connection (a local subchannel pool), as a separate client has: two
// channels to the same address otherwise share one TCP connection.
std::shared_ptr<grpc::Channel> NewOwnChannel(const std::string& address);

// labelloopd as a child process with stdout and stderr going to a log file. The destructor
// SIGKILLs a daemon that still runs, and the daemon gets SIGTERM when the benchmark dies, so a
// failed or interrupted benchmark leaves no orphan holding the folder.
class DaemonProcess {
 public:
  // `cpus`, when not empty, pins the daemon and all its threads (as `taskset -c` would); a
  // refused pin exits the child before exec with the reason in the log.
  static absl::StatusOr<std::unique_ptr<DaemonProcess>> Start(const std::vector<std::string>& argv,
                                                              const std::string& log_path,
                                                              const CpuList& cpus = CpuList());
  ~DaemonProcess();
  DaemonProcess(const DaemonProcess&) = delete;
  DaemonProcess& operator=(const DaemonProcess&) = delete;

  pid_t pid() const { return pid_; }
  bool Running();
  // Retries DatasetService.GetClasses on a fresh channel every few milliseconds until it answers:
  // a channel that was refused backs off for a second or more, which would blur the start-up
  // time. UNAVAILABLE with the log's tail if the daemon exits first.
  absl::Status WaitUntilAnswering(const std::string& address, std::chrono::seconds timeout);
  // SIGTERM, then waits; the exit code (128 + signal when killed by one).
  absl::StatusOr<int> Stop(std::chrono::seconds timeout);
  std::string LogTail(size_t bytes) const;

 private:
  DaemonProcess(pid_t pid, std::string log_path) : pid_(pid), log_path_(std::move(log_path)) {}

  pid_t pid_;
  std::string log_path_;
  bool exited_ = false;
  int wait_status_ = 0;
};

}  // namespace labelloop

#endif  // LABELLOOP_BENCHMARKS_QUEUE_LOAD_DAEMON_PROCESS_H_
