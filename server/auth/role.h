#ifndef LABELLOOP_SERVER_AUTH_ROLE_H_
#define LABELLOOP_SERVER_AUTH_ROLE_H_

#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace labelloop::auth {

// What a token holder is: one role per token, named in the tokens file.
enum class Role { kAnnotator, kReviewer, kEngineer, kReader, kAdmin };

// What an RPC needs. Roles are not a single ladder (a reader may download checkpoints but not
// submit labels; an annotator the reverse), so each role grants a set of these.
enum class Permission {
  // Any valid token (e.g. the class list every client needs).
  kAnyRole,
  // Take work from the queue and submit labels.
  kQueue,
  // Review submitted labels.
  kReview,
  // List and get images, jobs, models; download checkpoints.
  kRead,
  // Change the dataset, run training, promote and roll back models.
  kEngineer,
  // Nothing but admin (reserved for operations on the daemon itself).
  kAdmin,
};

absl::StatusOr<Role> ParseRole(absl::string_view name);
const char* RoleName(Role role);
const char* PermissionName(Permission permission);

// The one place that says which role holds which permission.
bool RoleGrants(Role role, Permission permission);

inline constexpr Role kAllRoles[] = {Role::kAnnotator, Role::kReviewer, Role::kEngineer,
                                     Role::kReader, Role::kAdmin};

}  // namespace labelloop::auth

#endif  // LABELLOOP_SERVER_AUTH_ROLE_H_
