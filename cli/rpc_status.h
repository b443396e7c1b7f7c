#ifndef LABELLOOP_CLI_RPC_STATUS_H_
#define LABELLOOP_CLI_RPC_STATUS_H_

#include <grpcpp/support/status.h>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"

namespace labelloop {

// The gRPC status of a failed call as an absl::Status with the same code (the two enums share
// their numbers). When the daemon could not be reached at all, the message says so and names
// `server`, since gRPC's own text ("failed to connect to all addresses") hides which one.
absl::Status FromGrpcStatus(const grpc::Status& status, absl::string_view server);

}  // namespace labelloop

#endif  // LABELLOOP_CLI_RPC_STATUS_H_
