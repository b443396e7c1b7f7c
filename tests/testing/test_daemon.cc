#include "tests/testing/test_daemon.h"

#include <grpcpp/generic/generic_stub.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/wait.h>

#include <cstdlib>
#include <fstream>
#include <future>
#include <sstream>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "labelloop/v1/dataset.grpc.pb.h"
#include "tests/testing/free_port.h"

namespace labelloop::testing {
namespace {

namespace fs = std::filesystem;

constexpr int kStartAttempts = 3;

std::string ReadWholeFile(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream buffer;
  buffer << in.rdbuf();
  return buffer.str();
}

absl::StatusOr<fs::path> MakeTempDir() {
  const char* base = std::getenv("TEST_TMPDIR");
  std::string pattern =
      (fs::path(base != nullptr && *base != '\0' ? base : "/tmp") / "labelloopd-test-XXXXXX")
          .string();
  if (mkdtemp(pattern.data()) == nullptr) {
    return absl::InternalError(absl::StrCat("mkdtemp ", pattern, " failed"));
  }
  return fs::path(pattern);
}

// The standard grpc.health.v1.Health/Check, called as a generic RPC: the health proto ships
// with gRPC's sources but not with Debian's headers, and its encoding is tiny. The request
// {service: ""} is empty on the wire; SERVING is field 1 with value 1, bytes 08 01.
enum class Health { kServing, kNotServing, kUnimplemented, kUnreachable };

Health CheckHealth(const std::shared_ptr<grpc::Channel>& channel) {
  grpc::GenericStub stub(channel);
  grpc::ClientContext context;
  context.set_deadline(absl::ToChronoTime(absl::Now() + absl::Seconds(2)));
  // A ByteBuffer needs a slice, even an empty one, to count as a message.
  grpc::Slice empty;
  grpc::ByteBuffer request(&empty, 1);
  grpc::ByteBuffer response;
  std::promise<grpc::Status> done;
  stub.UnaryCall(&context, "/grpc.health.v1.Health/Check", grpc::StubOptions(), &request, &response,
                 [&done](grpc::Status status) { done.set_value(std::move(status)); });
  const grpc::Status status = done.get_future().get();
  if (status.error_code() == grpc::StatusCode::UNIMPLEMENTED) return Health::kUnimplemented;
  if (!status.ok()) return Health::kUnreachable;
  std::vector<grpc::Slice> slices;
  if (!response.Dump(&slices).ok()) return Health::kNotServing;
  std::string bytes;
  for (const grpc::Slice& slice : slices) {
    bytes.append(reinterpret_cast<const char*>(slice.begin()), slice.size());
  }
  return bytes == std::string("\x08\x01", 2) ? Health::kServing : Health::kNotServing;
}

// For a daemon built without the health service: any answer from a cheap RPC will do.
bool AnswersGetClasses(const std::shared_ptr<grpc::Channel>& channel) {
  v1::DatasetService::Stub stub(channel);
  grpc::ClientContext context;
  context.set_deadline(absl::ToChronoTime(absl::Now() + absl::Seconds(2)));
  v1::GetClassesResponse response;
  return stub.GetClasses(&context, v1::GetClassesRequest(), &response).ok();
}

}  // namespace

std::string DefaultLabelloopdPath() { return LABELLOOP_LABELLOOPD_PATH; }

absl::StatusOr<std::unique_ptr<TestDaemon>> TestDaemon::Start(TestDaemonOptions options) {
  if (options.binary.empty()) options.binary = DefaultLabelloopdPath();
  std::unique_ptr<TestDaemon> daemon(new TestDaemon(std::move(options)));
  absl::StatusOr<fs::path> root = MakeTempDir();
  if (!root.ok()) return root.status();
  daemon->root_dir_ = *root;
  daemon->data_dir_ = *root / "data";
  daemon->scratch_dir_ = *root / "scratch";
  daemon->log_path_ = *root / "labelloopd.log";
  fs::create_directories(daemon->scratch_dir_);
  if (!daemon->options_.config_text.empty()) {
    daemon->config_path_ = *root / "labelloopd.textproto";
    std::ofstream(daemon->config_path_) << daemon->options_.config_text;
  }
  if (absl::Status status = daemon->Launch(); !status.ok()) return status;
  return daemon;
}

TestDaemon::~TestDaemon() {
  process_.reset();  // SIGKILLs a daemon still running.
  if (root_dir_.empty()) return;
  if (std::getenv("LABELLOOP_KEEP_TEST_DIRS") != nullptr) return;
  std::error_code ignored;
  fs::remove_all(root_dir_, ignored);
}

absl::Status TestDaemon::Launch() {
  absl::Status last_error;
  // The port may be taken between picking and binding; a fresh one usually works.
  for (int attempt = 0; attempt < kStartAttempts; ++attempt) {
    absl::StatusOr<int> port = PickFreeLoopbackPort();
    if (!port.ok()) return port.status();
    address_ = absl::StrCat("127.0.0.1:", *port);
    std::vector<std::string> argv = {options_.binary,
                                     absl::StrCat("--data_dir=", data_dir_.string()),
                                     absl::StrCat("--listen=", address_)};
    if (!config_path_.empty()) argv.push_back(absl::StrCat("--config=", config_path_.string()));
    argv.insert(argv.end(), options_.extra_flags.begin(), options_.extra_flags.end());
    std::ofstream(log_path_, std::ios::app)
        << "=== test: starting " << options_.binary << " on " << address_ << "\n";
    absl::StatusOr<ChildProcess> process = ChildProcess::Start(argv, log_path_.string());
    if (!process.ok()) return process.status();
    process_.emplace(*std::move(process));
    last_error = WaitUntilServing();
    if (last_error.ok()) return absl::OkStatus();
    process_.reset();
  }
  return last_error;
}

absl::Status TestDaemon::WaitUntilServing() {
  const absl::Time deadline = absl::Now() + options_.ready_timeout;
  while (absl::Now() < deadline) {
    // A fresh channel (and subchannel) per try: a channel refused before the daemon listened
    // backs off for a second or more before it tries again.
    std::shared_ptr<grpc::Channel> channel = NewChannel();
    if (!process_->Running()) {
      return absl::UnavailableError(absl::StrCat("labelloopd ended before serving (",
                                                 DescribeWaitStatus(*process_->wait_status()),
                                                 "); its log:\n", Log()));
    }
    switch (CheckHealth(channel)) {
      case Health::kServing:
        return absl::OkStatus();
      case Health::kUnimplemented:
        if (AnswersGetClasses(channel)) return absl::OkStatus();
        break;
      case Health::kNotServing:
      case Health::kUnreachable:
        break;
    }
    absl::SleepFor(absl::Milliseconds(50));
  }
  return absl::DeadlineExceededError(absl::StrCat("labelloopd at ", address_, " not serving after ",
                                                  absl::FormatDuration(options_.ready_timeout),
                                                  "; its log:\n", Log()));
}

bool TestDaemon::Running() { return process_.has_value() && process_->Running(); }

std::shared_ptr<grpc::Channel> TestDaemon::NewChannel() const {
  grpc::ChannelArguments arguments;
  arguments.SetMaxReceiveMessageSize(256 << 20);
  // Each test channel is its own connection, as separate clients would have.
  arguments.SetInt(GRPC_ARG_USE_LOCAL_SUBCHANNEL_POOL, 1);
  return grpc::CreateCustomChannel(
      address_,
      options_.credentials != nullptr ? options_.credentials : grpc::InsecureChannelCredentials(),
      arguments);
}

absl::Status TestDaemon::Kill() {
  if (!Running()) return absl::FailedPreconditionError("labelloopd is not running");
  if (absl::Status status = process_->Signal(SIGKILL); !status.ok()) return status;
  return process_->Wait(absl::Seconds(30)).status();
}

absl::StatusOr<int> TestDaemon::Stop(absl::Duration timeout) {
  if (!Running()) return absl::FailedPreconditionError("labelloopd is not running");
  if (absl::Status status = process_->Signal(SIGTERM); !status.ok()) return status;
  absl::StatusOr<int> wait_status = process_->Wait(timeout);
  if (!wait_status.ok()) return wait_status.status();
  return WIFEXITED(*wait_status) ? WEXITSTATUS(*wait_status) : 128 + WTERMSIG(*wait_status);
}

absl::Status TestDaemon::Restart() {
  process_.reset();
  return Launch();
}

std::string TestDaemon::Log() const { return ReadWholeFile(log_path_); }

}  // namespace labelloop::testing
