#ifndef LABELLOOP_SERVER_AUTH_LISTEN_POLICY_H_
#define LABELLOOP_SERVER_AUTH_LISTEN_POLICY_H_

#include "absl/status/status.h"
#include "absl/strings/string_view.h"

namespace labelloop::auth {

// True when `listen` (host:port, [v6]:port or unix:path) only accepts local connections.
bool IsLoopbackListen(absl::string_view listen);

// How the daemon would be reachable, and what the operator allowed.
struct TransportSecurity {
  bool tls = false;
  bool tokens = false;
  // --insecure: the operator accepts plaintext, unauthenticated access from the network.
  bool insecure_allowed = false;
};

// FAILED_PRECONDITION when `listen` reaches beyond loopback without both TLS and tokens and
// insecure serving was not asked for explicitly: labels are the team's work, and one mistyped
// --listen must not expose them.
absl::Status CheckListenPolicy(absl::string_view listen, const TransportSecurity& security);

}  // namespace labelloop::auth

#endif  // LABELLOOP_SERVER_AUTH_LISTEN_POLICY_H_
