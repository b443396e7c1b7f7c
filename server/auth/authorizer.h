#ifndef LABELLOOP_SERVER_AUTH_AUTHORIZER_H_
#define LABELLOOP_SERVER_AUTH_AUTHORIZER_H_

#include <optional>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "server/auth/token_file.h"

namespace labelloop::auth {

// The decision for one call, whatever gRPC hook asks for it: the caller's identity (nullopt for
// a public method), UNAUTHENTICATED for a missing or unknown token, PERMISSION_DENIED when the
// token's role lacks the method's permission or the method is not in the table (fail closed).
// `authorization` is the "authorization" metadata value, nullopt when absent.
absl::StatusOr<std::optional<TokenIdentity>> Authorize(
    const TokenFile& tokens, absl::string_view full_method,
    std::optional<absl::string_view> authorization);

}  // namespace labelloop::auth

#endif  // LABELLOOP_SERVER_AUTH_AUTHORIZER_H_
