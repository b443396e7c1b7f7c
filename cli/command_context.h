#ifndef LABELLOOP_CLI_COMMAND_CONTEXT_H_
#define LABELLOOP_CLI_COMMAND_CONTEXT_H_

#include <grpcpp/grpcpp.h>

#include <initializer_list>
#include <memory>
#include <ostream>
#include <string>

#include "absl/status/status.h"
#include "absl/time/time.h"
#include "cli/arguments.h"

namespace labelloop {

// What every command gets: where the daemon is, how to talk to it, and where to write.
struct CommandContext {
  // HOST:PORT as the user gave it, for messages.
  std::string server;
  std::shared_ptr<grpc::Channel> channel;
  // --json: machine-readable output where a command also has a human one.
  bool json = false;
  // Sent as "authorization: Bearer <token>" with every RPC when not empty (--token or
  // $LABELLOOP_TOKEN).
  std::string token;
  // Deadline of each RPC (--timeout).
  absl::Duration timeout = absl::Seconds(30);
  std::ostream* out = nullptr;
  std::ostream* err = nullptr;
  // Progress lines are redrawn in place only on a terminal.
  bool err_is_tty = false;

  // A fresh context for one RPC, with the deadline `timeout` from now.
  std::unique_ptr<grpc::ClientContext> NewRpc() const { return NewRpc(timeout); }
  std::unique_ptr<grpc::ClientContext> NewRpc(absl::Duration deadline) const;

  // A usage error naming the first flag that is neither global nor in `command_flags`.
  absl::Status CheckFlags(const Arguments& arguments,
                          std::initializer_list<std::string> command_flags) const;
};

// Flags every command accepts, and those of them that take no value.
inline constexpr const char* kGlobalFlags[] = {"server", "json",   "timeout",  "help",
                                               "token",  "tls_ca", "tls_cert", "tls_key"};

// The channel's transport from the global flags: plaintext by default; TLS with --tls_ca=PEM
// (the CA that signed the daemon's certificate); a client certificate for mutual TLS with
// --tls_cert=PEM and --tls_key=PEM.
absl::StatusOr<std::shared_ptr<grpc::ChannelCredentials>> ChannelCredentialsFromFlags(
    const Arguments& arguments);

// --token, else $LABELLOOP_TOKEN, else empty (no authorization sent).
std::string TokenFromFlags(const Arguments& arguments);
inline constexpr const char* kBooleanFlags[] = {"json", "help", "by_path", "watch",
                                                "reset_weights", "predictions"};

}  // namespace labelloop

#endif  // LABELLOOP_CLI_COMMAND_CONTEXT_H_
