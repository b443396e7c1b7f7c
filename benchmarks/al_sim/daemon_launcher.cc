#include "benchmarks/al_sim/daemon_launcher.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <thread>

#include "absl/strings/str_cat.h"

namespace labelloop {
namespace {

// A port the kernel just handed out and released; the daemon binds it a moment later. Another
// process could take it in between, which start-up then reports as a failure to serve.
absl::StatusOr<int> FreeLoopbackPort() {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  if (fd < 0) return absl::InternalError("socket() failed");
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  address.sin_port = 0;
  socklen_t length = sizeof(address);
  if (bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof(address)) != 0 ||
      getsockname(fd, reinterpret_cast<sockaddr*>(&address), &length) != 0) {
    close(fd);
    return absl::InternalError("cannot bind a loopback port");
  }
  int port = ntohs(address.sin_port);
  close(fd);
  return port;
}

}  // namespace

absl::StatusOr<std::unique_ptr<SimDaemon>> SimDaemon::Start(const std::string& binary,
                                                            const std::string& data_dir,
                                                            const std::string& config_path,
                                                            const std::string& log_path) {
  absl::StatusOr<int> port = FreeLoopbackPort();
  if (!port.ok()) return port.status();
  const std::string listen = absl::StrCat("127.0.0.1:", *port);
  std::vector<std::string> args = {binary, "--data_dir=" + data_dir, "--config=" + config_path,
                                   "--listen=" + listen};
  std::vector<char*> argv;
  for (std::string& arg : args) argv.push_back(arg.data());
  argv.push_back(nullptr);
  int log_fd = open(log_path.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0644);
  if (log_fd < 0) return absl::InternalError(absl::StrCat("cannot write ", log_path));
  pid_t pid = fork();
  if (pid < 0) return absl::InternalError("fork() failed");
  if (pid == 0) {
    dup2(log_fd, STDOUT_FILENO);
    dup2(log_fd, STDERR_FILENO);
    execv(argv[0], argv.data());
    _exit(127);
  }
  close(log_fd);
  std::unique_ptr<SimDaemon> daemon(new SimDaemon());
  daemon->pid_ = pid;
  daemon->channel_ = grpc::CreateChannel(listen, grpc::InsecureChannelCredentials());
  // Store migrations and model loading happen before the port opens; a minute is plenty.
  const auto deadline = std::chrono::system_clock::now() + std::chrono::seconds(60);
  while (!daemon->channel_->WaitForConnected(std::chrono::system_clock::now() +
                                             std::chrono::milliseconds(500))) {
    int status = 0;
    if (waitpid(pid, &status, WNOHANG) == pid) {
      daemon->pid_ = -1;
      return absl::InternalError(absl::StrCat("labelloopd exited during start-up; see ", log_path));
    }
    if (std::chrono::system_clock::now() > deadline) {
      return absl::DeadlineExceededError(
          absl::StrCat("labelloopd did not serve within 60 s; see ", log_path));
    }
  }
  return daemon;
}

SimDaemon::~SimDaemon() {
  if (pid_ <= 0) return;
  kill(pid_, SIGTERM);
  for (int i = 0; i < 300; ++i) {
    int status = 0;
    if (waitpid(pid_, &status, WNOHANG) == pid_) return;
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  kill(pid_, SIGKILL);
  waitpid(pid_, nullptr, 0);
}

}  // namespace labelloop
