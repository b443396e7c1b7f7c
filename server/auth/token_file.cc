#include "server/auth/token_file.h"

#include <fstream>
#include <sstream>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "common/sha256.h"

namespace labelloop::auth {
namespace {

bool IsSha256Hex(absl::string_view text) {
  if (text.size() != 64) return false;
  for (char c : text) {
    if (!absl::ascii_isdigit(c) && (c < 'a' || c > 'f')) return false;
  }
  return true;
}

}  // namespace

absl::StatusOr<TokenFile> TokenFile::Load(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return absl::NotFoundError(absl::StrCat("cannot read tokens file ", path));
  std::stringstream text;
  text << in.rdbuf();
  if (in.bad()) return absl::DataLossError(absl::StrCat("error reading tokens file ", path));
  return Parse(text.str(), path);
}

absl::StatusOr<TokenFile> TokenFile::Parse(absl::string_view text, absl::string_view source) {
  TokenFile file;
  int line_number = 0;
  for (absl::string_view line : absl::StrSplit(text, '\n')) {
    ++line_number;
    line = absl::StripAsciiWhitespace(line);
    if (line.empty() || line[0] == '#') continue;
    std::vector<absl::string_view> fields = absl::StrSplit(line, ' ', absl::SkipWhitespace());
    auto error = [&](absl::string_view what) {
      return absl::InvalidArgumentError(absl::StrCat(source, ":", line_number, ": ", what));
    };
    if (fields.size() != 3) return error("expected `name role sha256hex`");
    absl::StatusOr<Role> role = ParseRole(fields[1]);
    if (!role.ok()) return error(role.status().message());
    std::string hash = absl::AsciiStrToLower(fields[2]);
    if (!IsSha256Hex(hash)) return error("the third field must be 64 hex digits (a sha256)");
    auto [it, inserted] = file.by_hash_.emplace(hash, TokenIdentity{std::string(fields[0]), *role});
    if (!inserted) return error(absl::StrCat("same token as \"", it->second.name, "\""));
  }
  return file;
}

std::optional<TokenIdentity> TokenFile::Find(absl::string_view token) const {
  if (token.empty()) return std::nullopt;
  auto it = by_hash_.find(Sha256Hex(token));
  if (it == by_hash_.end()) return std::nullopt;
  return it->second;
}

absl::StatusOr<std::string> TokenFileLine(absl::string_view name, absl::string_view role,
                                          absl::string_view token) {
  if (name.empty() || absl::StrContains(name, ' ') || absl::StrContains(name, '#')) {
    return absl::InvalidArgumentError("token name must be non-empty, without spaces or '#'");
  }
  absl::StatusOr<Role> parsed = ParseRole(role);
  if (!parsed.ok()) return parsed.status();
  if (token.size() < 16) {
    return absl::InvalidArgumentError("token must be at least 16 characters (use a random one)");
  }
  return absl::StrCat(name, " ", RoleName(*parsed), " ", Sha256Hex(token));
}

std::optional<absl::string_view> BearerToken(absl::string_view authorization) {
  constexpr absl::string_view kPrefix = "Bearer ";
  if (!absl::StartsWithIgnoreCase(authorization, kPrefix)) return std::nullopt;
  absl::string_view token = absl::StripAsciiWhitespace(authorization.substr(kPrefix.size()));
  if (token.empty()) return std::nullopt;
  return token;
}

}  // namespace labelloop::auth
