// labelloopd: the labelloop daemon.
//
//   labelloopd --data_dir=DIR [--config=FILE] [--listen=127.0.0.1:50051]

#include <fcntl.h>
#include <malloc.h>
#include <signal.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <iostream>
#include <thread>

#include "absl/flags/flag.h"
#include "absl/flags/parse.h"
#include "absl/flags/usage.h"
#include "common/config_loader.h"
#include "common/durable_file.h"
#include "server/auth/listen_policy.h"
#include "server/daemon.h"
#include "spdlog/spdlog.h"

ABSL_FLAG(std::string, data_dir, "", "Folder holding the project's store (created if missing).");
ABSL_FLAG(std::string, config, "", "Config file in protobuf text format (configs/*.textproto).");
namespace {

// Written only by the signal handler's write(2); the one piece of process-wide state, in main.
int g_stop_pipe[2] = {-1, -1};

void OnStopSignal(int signal_number) {
  unsigned char byte = static_cast<unsigned char>(signal_number);
  ssize_t ignored = write(g_stop_pipe[1], &byte, 1);
  (void)ignored;
}

}  // namespace

ABSL_FLAG(std::string, listen, "", "host:port to serve on; overrides server.listen.");
ABSL_FLAG(std::string, tokens_file, "",
          "Tokens file (`name role sha256hex` lines); overrides security.tokens_file. With it, "
          "every call needs \"authorization: Bearer <token>\".");
ABSL_FLAG(std::string, tls_cert, "",
          "PEM certificate chain to serve TLS; overrides security.tls_cert_file.");
ABSL_FLAG(std::string, tls_key, "",
          "PEM private key for --tls_cert; overrides security.tls_key_file.");
ABSL_FLAG(std::string, tls_client_ca, "",
          "PEM CA bundle: require client certificates it signed (mutual TLS); overrides "
          "security.tls_client_ca_file.");
ABSL_FLAG(bool, insecure, false,
          "Allow listening beyond loopback without TLS and tokens (anyone who can reach the "
          "port can read and change the project).");

int main(int argc, char** argv) {
  absl::SetProgramUsageMessage(
      "labelloopd --data_dir=DIR [--config=FILE] [--listen=127.0.0.1:50051]");
  absl::ParseCommandLine(argc, argv);
  // glibc would otherwise mmap and unmap every large tensor buffer; keeping them in the heap
  // makes model code several times faster on small machines.
  mallopt(M_MMAP_THRESHOLD, 1 << 30);
  mallopt(M_TRIM_THRESHOLD, 1 << 30);

  const std::string data_dir = absl::GetFlag(FLAGS_data_dir);
  if (data_dir.empty()) {
    std::cerr << "labelloopd: --data_dir is required\n";
    return 2;
  }
  absl::StatusOr<labelloop::v1::DaemonConfig> config =
      labelloop::LoadConfig(absl::GetFlag(FLAGS_config));
  if (!config.ok()) {
    std::cerr << "labelloopd: " << config.status().message() << "\n";
    return 2;
  }
  if (!absl::GetFlag(FLAGS_listen).empty()) {
    config->mutable_server()->set_listen(absl::GetFlag(FLAGS_listen));
  }

  labelloop::v1::SecurityConfig* security = config->mutable_security();
  if (!absl::GetFlag(FLAGS_tokens_file).empty()) {
    security->set_tokens_file(absl::GetFlag(FLAGS_tokens_file));
  }
  if (!absl::GetFlag(FLAGS_tls_cert).empty()) {
    security->set_tls_cert_file(absl::GetFlag(FLAGS_tls_cert));
  }
  if (!absl::GetFlag(FLAGS_tls_key).empty()) {
    security->set_tls_key_file(absl::GetFlag(FLAGS_tls_key));
  }
  if (!absl::GetFlag(FLAGS_tls_client_ca).empty()) {
    security->set_tls_client_ca_file(absl::GetFlag(FLAGS_tls_client_ca));
  }

  absl::Status listen_allowed = labelloop::auth::CheckListenPolicy(
      config->server().listen(), {.tls = !security->tls_cert_file().empty(),
                                  .tokens = !security->tokens_file().empty(),
                                  .insecure_allowed = absl::GetFlag(FLAGS_insecure)});
  if (!listen_allowed.ok()) {
    std::cerr << "labelloopd: " << listen_allowed.message() << "\n";
    return 2;
  }

  // The handler only writes the signal number to a pipe; a thread reads it and shuts down as
  // ordinary code. (Blocking the signals and sigwait-ing is not enough: libraries start threads
  // before main that leave them unblocked.)
  if (pipe2(g_stop_pipe, O_CLOEXEC) != 0) {
    std::perror("labelloopd: pipe");
    return 1;
  }
  struct sigaction action = {};
  action.sa_handler = OnStopSignal;
  sigemptyset(&action.sa_mask);
  sigaction(SIGTERM, &action, nullptr);
  sigaction(SIGINT, &action, nullptr);
  // A file size limit (RLIMIT_FSIZE) reached must fail that one write with EFBIG, reported to
  // the caller like a full disk, not kill the daemon with SIGXFSZ.
  signal(SIGXFSZ, SIG_IGN);

  // A data folder that cannot be written would fail the first client's write, or worse, half
  // of a start-up migration: stop here, naming the folder. A full disk is not a reason to stop:
  // reads still work, and writes fail with RESOURCE_EXHAUSTED until space is freed.
  for (const std::string& dir : {data_dir, data_dir + "/blobs", data_dir + "/models"}) {
    if (dir != data_dir && !std::filesystem::exists(dir)) continue;
    absl::Status writable = labelloop::CheckFolderWritable(dir);
    if (writable.code() == absl::StatusCode::kResourceExhausted) {
      spdlog::warn("{}; serving reads, writes will fail until space is freed",
                   std::string(writable.message()));
    } else if (!writable.ok()) {
      std::cerr << "labelloopd: data folder not usable: " << writable.message() << "\n";
      return 1;
    }
  }

  absl::StatusOr<std::unique_ptr<labelloop::Daemon>> daemon =
      labelloop::Daemon::Create(*config, data_dir);
  if (!daemon.ok()) {
    std::cerr << "labelloopd: " << daemon.status().message() << "\n";
    return 1;
  }
  absl::StatusOr<std::string> address = (*daemon)->Start(config->server().listen());
  if (!address.ok()) {
    std::cerr << "labelloopd: " << address.status().message() << "\n";
    return 1;
  }
  spdlog::info("labelloopd listening on {} (data in {})", *address, data_dir);

  std::thread signal_waiter([&] {
    unsigned char signal_number = 0;
    while (read(g_stop_pipe[0], &signal_number, 1) < 0 && errno == EINTR) {
    }
    spdlog::info("signal {}: finishing in-flight calls, then stopping", signal_number);
    (*daemon)->Shutdown();
  });
  (*daemon)->Wait();
  signal_waiter.join();
  daemon->reset();  // Closes the store cleanly before exit.
  spdlog::info("labelloopd stopped");
  return 0;
}
