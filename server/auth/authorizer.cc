#include "server/auth/authorizer.h"

#include "absl/strings/str_cat.h"
#include "server/auth/method_permissions.h"

namespace labelloop::auth {

absl::StatusOr<std::optional<TokenIdentity>> Authorize(
    const TokenFile& tokens, absl::string_view full_method,
    std::optional<absl::string_view> authorization) {
  std::optional<MethodRule> rule = RuleForMethod(full_method);
  if (rule.has_value() && rule->access == Access::kPublic) return std::nullopt;
  if (!authorization.has_value()) {
    return absl::UnauthenticatedError(
        "no token: send metadata \"authorization: Bearer <token>\" (labelloop --token or "
        "LABELLOOP_TOKEN)");
  }
  std::optional<absl::string_view> token = BearerToken(*authorization);
  if (!token.has_value()) {
    return absl::UnauthenticatedError("the authorization metadata must be \"Bearer <token>\"");
  }
  std::optional<TokenIdentity> identity = tokens.Find(*token);
  if (!identity.has_value()) return absl::UnauthenticatedError("unknown token");
  if (!rule.has_value()) {
    return absl::PermissionDeniedError(
        absl::StrCat(full_method, " has no entry in the permission table; it is denied"));
  }
  if (!RoleGrants(identity->role, rule->permission)) {
    return absl::PermissionDeniedError(
        absl::StrCat(full_method, " needs the ", PermissionName(rule->permission),
                     " permission; \"", identity->name, "\" has role ", RoleName(identity->role)));
  }
  return identity;
}

}  // namespace labelloop::auth
