#ifndef LABELLOOP_SERVER_AUTH_METHOD_PERMISSIONS_H_
#define LABELLOOP_SERVER_AUTH_METHOD_PERMISSIONS_H_

#include <optional>
#include <string>
#include <vector>

#include "absl/strings/string_view.h"
#include "server/auth/role.h"

namespace labelloop::auth {

// What a call needs before it reaches a service.
enum class Access {
  // No token needed (the standard health check, which load balancers and TestDaemon poll).
  kPublic,
  // A token whose role grants `permission`.
  kToken,
};

struct MethodRule {
  Access access;
  Permission permission;
};

// The rule for a full gRPC method name ("/labelloop.v1.QueueService/GetNextBatch"), or nullopt
// for a method the table does not know: callers must deny those (fail closed), so a new RPC is
// unreachable with auth on until someone decides who may call it.
std::optional<MethodRule> RuleForMethod(absl::string_view full_method);

// Every method the table names, for tests and documentation.
std::vector<std::string> TableMethods();

}  // namespace labelloop::auth

#endif  // LABELLOOP_SERVER_AUTH_METHOD_PERMISSIONS_H_
