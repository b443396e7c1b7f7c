#ifndef LABELLOOP_SERVER_AUTH_CALL_ADMISSION_H_
#define LABELLOOP_SERVER_AUTH_CALL_ADMISSION_H_

#include <grpcpp/support/server_interceptor.h>

#include <memory>
#include <optional>

#include "absl/strings/string_view.h"
#include "common/clock.h"
#include "labelloop/v1/config.pb.h"
#include "server/auth/call_verdict.h"
#include "server/auth/token_file.h"
#include "server/limits/request_rate_limiter.h"
#include "server/limits/stream_limiter.h"

namespace labelloop::auth {

// Decides, once per call and before its handler runs, whether the call may proceed: the token
// and its role (when a tokens file is configured), the caller's request rate, and the number of
// open streams. Denials are UNAUTHENTICATED, PERMISSION_DENIED or RESOURCE_EXHAUSTED.
class CallAdmission {
 public:
  // `tokens` nullopt: no authentication (the loopback-only default); every method is allowed.
  CallAdmission(std::optional<TokenFile> tokens, const v1::LimitsConfig& limits,
                const Clock* clock);

  // `streaming`: any method but a unary one; such a call holds one of the stream slots until
  // ReleaseStream (when the verdict is OK and holds_stream is set).
  struct Decision {
    CallVerdict verdict;
    bool holds_stream = false;
  };
  Decision Decide(absl::string_view full_method, bool streaming,
                  std::optional<absl::string_view> authorization, absl::string_view peer);
  void ReleaseStream() { streams_.Release(); }

  // The interceptor factory to hand to grpc::ServerBuilder; `this` must outlive the server.
  std::unique_ptr<grpc::experimental::ServerInterceptorFactoryInterface> InterceptorFactory();

 private:
  std::optional<TokenFile> tokens_;
  double requests_per_second_;
  int request_burst_;
  RequestRateLimiter rate_;
  StreamLimiter streams_;
};

}  // namespace labelloop::auth

#endif  // LABELLOOP_SERVER_AUTH_CALL_ADMISSION_H_
