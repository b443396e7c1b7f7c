#include "cli/rpc_status.h"

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"

namespace labelloop {

absl::Status FromGrpcStatus(const grpc::Status& status, absl::string_view server) {
  if (status.ok()) return absl::OkStatus();
  const auto code = static_cast<absl::StatusCode>(status.error_code());
  const std::string& message = status.error_message();
  const bool unreachable =
      status.error_code() == grpc::StatusCode::UNAVAILABLE &&
      (absl::StrContains(message, "connect") || absl::StrContains(message, "DNS") ||
       absl::StrContains(message, "Connection refused"));
  if (unreachable) {
    return absl::Status(
        code, absl::StrCat("cannot reach labelloopd at ", server,
                           " (is it running? see --server or LABELLOOP_SERVER): ", message));
  }
  if (status.error_code() == grpc::StatusCode::DEADLINE_EXCEEDED) {
    return absl::Status(code, absl::StrCat(message, " (labelloopd at ", server,
                                           " did not answer in time; see --timeout)"));
  }
  return absl::Status(code, message);
}

}  // namespace labelloop
