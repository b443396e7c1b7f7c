#include "server/auth/role.h"

#include "absl/strings/str_cat.h"

namespace labelloop::auth {

absl::StatusOr<Role> ParseRole(absl::string_view name) {
  for (Role role : kAllRoles) {
    if (name == RoleName(role)) return role;
  }
  return absl::InvalidArgumentError(
      absl::StrCat("unknown role \"", name, "\" (annotator, reviewer, engineer, reader, admin)"));
}

const char* RoleName(Role role) {
  switch (role) {
    case Role::kAnnotator:
      return "annotator";
    case Role::kReviewer:
      return "reviewer";
    case Role::kEngineer:
      return "engineer";
    case Role::kReader:
      return "reader";
    case Role::kAdmin:
      return "admin";
  }
  return "?";
}

const char* PermissionName(Permission permission) {
  switch (permission) {
    case Permission::kAnyRole:
      return "any role";
    case Permission::kQueue:
      return "queue";
    case Permission::kReview:
      return "review";
    case Permission::kRead:
      return "read";
    case Permission::kEngineer:
      return "engineer";
    case Permission::kAdmin:
      return "admin";
  }
  return "?";
}

bool RoleGrants(Role role, Permission permission) {
  if (permission == Permission::kAnyRole || role == Role::kAdmin) return true;
  switch (role) {
    case Role::kAnnotator:
      return permission == Permission::kQueue;
    case Role::kReviewer:
      return permission == Permission::kQueue || permission == Permission::kReview;
    case Role::kReader:
      return permission == Permission::kRead;
    case Role::kEngineer:
      return permission != Permission::kAdmin;
    case Role::kAdmin:
      return true;
  }
  return false;
}

}  // namespace labelloop::auth
