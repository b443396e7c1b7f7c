#ifndef LABELLOOP_SERVER_AUTH_TOKEN_FILE_H_
#define LABELLOOP_SERVER_AUTH_TOKEN_FILE_H_

#include <optional>
#include <string>
#include <unordered_map>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "server/auth/role.h"

namespace labelloop::auth {

// Who a token belongs to.
struct TokenIdentity {
  std::string name;
  Role role;
};

// The daemon's tokens: one line per token, `name role sha256hex`, '#' comments and blank lines
// allowed. Only hashes are stored, so the file (or a backup of it) does not hand out access.
class TokenFile {
 public:
  static absl::StatusOr<TokenFile> Load(const std::string& path);
  // `text` as the file's contents; `source` names it in errors.
  static absl::StatusOr<TokenFile> Parse(absl::string_view text, absl::string_view source);

  // The identity of a presented (plain) token, or nullopt when it is not in the file.
  std::optional<TokenIdentity> Find(absl::string_view token) const;
  size_t size() const { return by_hash_.size(); }

 private:
  std::unordered_map<std::string, TokenIdentity> by_hash_;
};

// The line to add to a tokens file for `token` (what `labelloop tokens hash` prints).
absl::StatusOr<std::string> TokenFileLine(absl::string_view name, absl::string_view role,
                                          absl::string_view token);

// The token in an "authorization: Bearer <token>" value, or nullopt when it is not one.
std::optional<absl::string_view> BearerToken(absl::string_view authorization);

}  // namespace labelloop::auth

#endif  // LABELLOOP_SERVER_AUTH_TOKEN_FILE_H_
