#ifndef LABELLOOP_BENCHMARKS_AL_SIM_DAEMON_LAUNCHER_H_
#define LABELLOOP_BENCHMARKS_AL_SIM_DAEMON_LAUNCHER_H_

#include <grpcpp/grpcpp.h>
#include <sys/types.h>

#include <memory>
#include <string>

#include "absl/status/statusor.h"

namespace labelloop {

// A labelloopd child process on a free loopback port with its own data folder; stopped (SIGTERM,
// then SIGKILL) when destroyed. Its output is appended to `log_path`, kept for a post-mortem (a
// resumed run's daemon adds to the log of the one before).
class SimDaemon {
 public:
  static absl::StatusOr<std::unique_ptr<SimDaemon>> Start(const std::string& binary,
                                                          const std::string& data_dir,
                                                          const std::string& config_path,
                                                          const std::string& log_path);
  ~SimDaemon();
  SimDaemon(const SimDaemon&) = delete;
  SimDaemon& operator=(const SimDaemon&) = delete;

  std::shared_ptr<grpc::Channel> channel() const { return channel_; }

 private:
  SimDaemon() = default;
  pid_t pid_ = -1;
  std::shared_ptr<grpc::Channel> channel_;
};

}  // namespace labelloop

#endif  // LABELLOOP_BENCHMARKS_AL_SIM_DAEMON_LAUNCHER_H_
