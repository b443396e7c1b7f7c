#ifndef LABELLOOP_SERVER_AUTH_ANNOTATOR_IDENTITY_H_
#define LABELLOOP_SERVER_AUTH_ANNOTATOR_IDENTITY_H_

#include <optional>
#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "server/auth/call_verdict.h"

namespace labelloop::auth {

// The annotator a queue call acts as. Labels are credited (and lease-checked) by annotator, so
// with tokens an annotator-role caller is always its token's name: `requested` may be empty or
// that name, anything else is PERMISSION_DENIED. Reviewers, engineers and admins run tools that
// hand out work on people's behalf, so they may name any annotator (default: themselves).
// Without tokens (`caller` nullopt) the request's annotator is taken as given.
absl::StatusOr<std::string> ActingAnnotator(const std::optional<Caller>& caller,
                                            absl::string_view requested);

}  // namespace labelloop::auth

#endif  // LABELLOOP_SERVER_AUTH_ANNOTATOR_IDENTITY_H_
