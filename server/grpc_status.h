#ifndef LABELLOOP_SERVER_GRPC_STATUS_H_
#define LABELLOOP_SERVER_GRPC_STATUS_H_

#include <grpcpp/support/status.h>

#include "absl/status/status.h"

namespace labelloop {

// absl and gRPC share the canonical code numbering, so the code carries over unchanged and the
// message stays the one written where the error was found.
inline grpc::Status ToGrpcStatus(const absl::Status& status) {
  if (status.ok()) return grpc::Status::OK;
  return grpc::Status(static_cast<grpc::StatusCode>(status.code()), std::string(status.message()));
}

}  // namespace labelloop

#endif  // LABELLOOP_SERVER_GRPC_STATUS_H_
