#include "server/auth/annotator_identity.h"

#include "absl/strings/str_cat.h"

namespace labelloop::auth {

absl::StatusOr<std::string> ActingAnnotator(const std::optional<Caller>& caller,
                                            absl::string_view requested) {
  if (!caller.has_value()) return std::string(requested);
  if (requested.empty() || requested == caller->name) return caller->name;
  if (caller->role == Role::kAnnotator) {
    return absl::PermissionDeniedError(
        absl::StrCat("annotator \"", requested, "\" is not this token's holder \"", caller->name,
                     "\"; an annotator token acts only as itself (leave annotator empty)"));
  }
  return std::string(requested);
}

}  // namespace labelloop::auth
