#include "server/auth/listen_policy.h"

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"

namespace labelloop::auth {

bool IsLoopbackListen(absl::string_view listen) {
  if (absl::StartsWith(listen, "unix:")) return true;
  size_t colon = listen.rfind(':');
  absl::string_view host = colon == absl::string_view::npos ? listen : listen.substr(0, colon);
  if (host == "localhost" || host == "[::1]") return true;
  // 127.0.0.0/8, written as a dotted quad.
  if (!absl::StartsWith(host, "127.")) return false;
  int dots = 0;
  for (char c : host) {
    if (c == '.') {
      ++dots;
    } else if (c < '0' || c > '9') {
      return false;
    }
  }
  return dots == 3;
}

absl::Status CheckListenPolicy(absl::string_view listen, const TransportSecurity& security) {
  if (IsLoopbackListen(listen) || security.insecure_allowed) return absl::OkStatus();
  if (security.tls && security.tokens) return absl::OkStatus();
  return absl::FailedPreconditionError(
      absl::StrCat("refusing to listen on ", listen, " beyond loopback without ",
                   !security.tls && !security.tokens ? "TLS and tokens"
                   : !security.tls                   ? "TLS"
                                                     : "tokens",
                   "; listen on 127.0.0.1, configure both, or pass --insecure to accept the risk"));
}

}  // namespace labelloop::auth
