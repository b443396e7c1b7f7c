#ifndef LABELLOOP_SERVER_AUTH_CALL_VERDICT_H_
#define LABELLOOP_SERVER_AUTH_CALL_VERDICT_H_

#include <grpcpp/server_context.h>

#include <cstdint>
#include <map>
#include <optional>
#include <string>

#include "absl/status/status.h"
#include "server/auth/role.h"

// How a call's admission (token, role, rate, streams) reaches its handler.
//
// gRPC 1.51's sync server cannot turn a call away before its handler runs: interceptors only
// observe (github.com/grpc/grpc/issues/22395), and an AuthMetadataProcessor needs TLS. So the
// CallAdmission interceptor decides when the call's metadata arrives and writes the verdict into
// that metadata (keys clients cannot forge: the interceptor erases them from what was received
// first), and every handler starts with LABELLOOP_RETURN_IF_NOT_ADMITTED(context). A handler
// that forgets the line is caught: the interceptor turns a denied call's other status into
// INTERNAL, which tests/auth's method x role matrix fails on.

namespace labelloop::auth {

// The verdict for one call, as the interceptor writes it.
struct CallVerdict {
  absl::Status status;
  // The token's holder; nullopt without a tokens file or for a public method.
  std::optional<std::string> caller;
  Role role = Role::kReader;
  // For RESOURCE_EXHAUSTED by the rate limit: when the caller may try again.
  int64_t retry_after_ms = 0;
};

// The handler side: OK when the call was admitted, else the status to return (with a
// "retry-after-ms" trailer for a rate limit). Fails closed (INTERNAL) when no verdict is there,
// i.e. the interceptor is not installed.
grpc::Status AdmitCall(grpc::ServerContext* context);

// Who is calling, as authenticated; nullopt when the daemon has no tokens file.
struct Caller {
  std::string name;
  Role role;
};
std::optional<Caller> CallerOf(const grpc::ServerContext& context);

// The interceptor side: erases client-sent verdict keys from `metadata`, then writes `verdict`
// there. The strings written are stored in `storage`, which must live as long as the call.
struct VerdictStorage {
  std::string code, message, caller, role, retry_after_ms;
};
void WriteVerdict(const CallVerdict& verdict, VerdictStorage* storage,
                  std::multimap<grpc::string_ref, grpc::string_ref>* metadata);

}  // namespace labelloop::auth

// The first line of every handler.
#define LABELLOOP_RETURN_IF_NOT_ADMITTED(context)                                            \
  do {                                                                                       \
    if (::grpc::Status admitted_ = ::labelloop::auth::AdmitCall(context); !admitted_.ok()) { \
      return admitted_;                                                                      \
    }                                                                                        \
  } while (false)

#endif  // LABELLOOP_SERVER_AUTH_CALL_VERDICT_H_
