#ifndef LABELLOOP_TESTS_AUTH_RAW_CALL_H_
#define LABELLOOP_TESTS_AUTH_RAW_CALL_H_

#include <grpcpp/grpcpp.h>

#include <memory>
#include <string>

#include "absl/time/time.h"

namespace labelloop::testing {

struct RawCallResult {
  grpc::Status status;
  // The server sent at least one response message (so the call was served).
  bool got_message = false;
  // The "retry-after-ms" trailer, empty when absent.
  std::string retry_after_ms;
};

// Calls `full_method` with one empty request message, whatever the method's kind (an empty
// protobuf is zero bytes), sending "authorization: Bearer <token>" when `token` is not empty.
// With `server_streaming`, the call is cancelled after its first response, so endless watches
// end too (and a served stream's status is then CANCELLED).
RawCallResult CallWithEmptyRequest(const std::shared_ptr<grpc::Channel>& channel,
                                   const std::string& full_method, const std::string& token,
                                   bool server_streaming = false,
                                   absl::Duration deadline = absl::Seconds(10));

}  // namespace labelloop::testing

#endif  // LABELLOOP_TESTS_AUTH_RAW_CALL_H_
