#include "benchmarks/queue_load/daemon_process.h"

#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>
#include <thread>

#include "absl/strings/str_cat.h"
#include "labelloop/v1/dataset.grpc.pb.h"

extern char** environ;

namespace labelloop {

absl::StatusOr<int> PickFreeLoopbackPort() {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  if (fd < 0) return absl::InternalError(absl::StrCat("socket: ", std::strerror(errno)));
  sockaddr_in address = {};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  address.sin_port = 0;
  socklen_t length = sizeof(address);
  if (bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof(address)) != 0 ||
      getsockname(fd, reinterpret_cast<sockaddr*>(&address), &length) != 0) {
    const std::string error = std::strerror(errno);
    close(fd);
    return absl::InternalError(absl::StrCat("cannot pick a loopback port: ", error));
  }
  close(fd);
  return static_cast<int>(ntohs(address.sin_port));
}

std::shared_ptr<grpc::Channel> NewOwnChannel(const std::string& address) {
  grpc::ChannelArguments arguments;
  arguments.SetInt(GRPC_ARG_USE_LOCAL_SUBCHANNEL_POOL, 1);
  arguments.SetMaxReceiveMessageSize(64 << 20);
  return grpc::CreateCustomChannel(address, grpc::InsecureChannelCredentials(), arguments);
}

absl::StatusOr<std::unique_ptr<DaemonProcess>> DaemonProcess::Start(
    const std::vector<std::string>& argv, const std::string& log_path, const CpuList& cpus) {
  if (access(argv[0].c_str(), X_OK) != 0) {
    return absl::FailedPreconditionError(
        absl::StrCat("cannot run ", argv[0], ": ", std::strerror(errno)));
  }
  std::vector<char*> args;
  for (const std::string& arg : argv) args.push_back(const_cast<char*>(arg.c_str()));
  args.push_back(nullptr);
  const pid_t parent = getpid();
  const pid_t pid = fork();
  if (pid < 0) return absl::InternalError(absl::StrCat("fork: ", std::strerror(errno)));
  if (pid == 0) {
    // Only async-signal-safe calls until exec. The daemon gets SIGTERM if the benchmark dies
    // (Ctrl-C), so no orphan keeps serving and holding the data folder's lock.
    prctl(PR_SET_PDEATHSIG, SIGTERM);
    if (getppid() != parent) _exit(1);
    const int log = open(log_path.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
    if (log >= 0) {
      dup2(log, STDOUT_FILENO);
      dup2(log, STDERR_FILENO);
    }
    if (!cpus.empty() && sched_setaffinity(0, sizeof(cpu_set_t), &cpus.set()) != 0) {
      static constexpr char kMessage[] = "daemon_process: sched_setaffinity refused the CPU list\n";
      [[maybe_unused]] ssize_t written = write(STDERR_FILENO, kMessage, sizeof(kMessage) - 1);
      _exit(126);
    }
    execve(args[0], args.data(), environ);
    _exit(127);
  }
  return std::unique_ptr<DaemonProcess>(new DaemonProcess(pid, log_path));
}

DaemonProcess::~DaemonProcess() {
  if (Running()) {
    kill(pid_, SIGKILL);
    waitpid(pid_, &wait_status_, 0);
  }
}

bool DaemonProcess::Running() {
  if (exited_) return false;
  pid_t done = waitpid(pid_, &wait_status_, WNOHANG);
  if (done == pid_) exited_ = true;
  return !exited_;
}

absl::Status DaemonProcess::WaitUntilAnswering(const std::string& address,
                                               std::chrono::seconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (std::chrono::steady_clock::now() < deadline) {
    if (!Running()) {
      return absl::UnavailableError(
          absl::StrCat("labelloopd exited before answering; its log ends with:\n", LogTail(4000)));
    }
    v1::DatasetService::Stub stub(NewOwnChannel(address));
    grpc::ClientContext context;
    context.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(1));
    v1::GetClassesResponse response;
    if (stub.GetClasses(&context, v1::GetClassesRequest(), &response).ok()) {
      return absl::OkStatus();
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  return absl::DeadlineExceededError(absl::StrCat("labelloopd at ", address,
                                                  " not answering after ", timeout.count(),
                                                  " s; its log ends with:\n", LogTail(4000)));
}

absl::StatusOr<int> DaemonProcess::Stop(std::chrono::seconds timeout) {
  if (!Running()) return absl::FailedPreconditionError("labelloopd is not running");
  if (kill(pid_, SIGTERM) != 0) {
    return absl::InternalError(absl::StrCat("kill: ", std::strerror(errno)));
  }
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (Running()) {
    if (std::chrono::steady_clock::now() > deadline) {
      return absl::DeadlineExceededError(
          absl::StrCat("labelloopd still running ", timeout.count(), " s after SIGTERM"));
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  return WIFEXITED(wait_status_) ? WEXITSTATUS(wait_status_) : 128 + WTERMSIG(wait_status_);
}

std::string DaemonProcess::LogTail(size_t bytes) const {
  std::ifstream in(log_path_, std::ios::binary);
  std::stringstream buffer;
  buffer << in.rdbuf();
  std::string log = buffer.str();
  return log.size() > bytes ? log.substr(log.size() - bytes) : log;
}

}  // namespace labelloop
