#include "cli/arguments.h"

#include <algorithm>
#include <cmath>

#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "cli/usage_error.h"

namespace labelloop {

absl::StatusOr<Arguments> Arguments::Parse(absl::Span<const std::string> words,
                                           absl::Span<const std::string> boolean_flags) {
  Arguments arguments;
  bool flags_ended = false;
  for (size_t i = 0; i < words.size(); ++i) {
    const std::string& word = words[i];
    if (flags_ended || !absl::StartsWith(word, "--")) {
      arguments.positionals_.push_back(word);
      continue;
    }
    if (word == "--") {
      flags_ended = true;
      continue;
    }
    const std::string body = word.substr(2);
    const size_t equals = body.find('=');
    std::string name = body.substr(0, equals);
    if (name.empty()) return UsageError(absl::StrCat("malformed flag '", word, "'"));
    std::string value;
    if (equals != std::string::npos) {
      value = body.substr(equals + 1);
    } else if (std::find(boolean_flags.begin(), boolean_flags.end(), name) != boolean_flags.end()) {
      value = "true";
    } else if (i + 1 < words.size() && !absl::StartsWith(words[i + 1], "--")) {
      value = words[++i];
    } else {
      return UsageError(absl::StrCat("flag --", name, " needs a value (--", name, "=VALUE)"));
    }
    arguments.flags_[name].push_back(std::move(value));
  }
  return arguments;
}

std::optional<std::string> Arguments::Get(const std::string& name) const {
  auto it = flags_.find(name);
  if (it == flags_.end()) return std::nullopt;
  return it->second.back();
}

std::vector<std::string> Arguments::GetAll(const std::string& name) const {
  auto it = flags_.find(name);
  if (it == flags_.end()) return {};
  return it->second;
}

absl::StatusOr<std::string> Arguments::Require(const std::string& name) const {
  std::optional<std::string> value = Get(name);
  if (!value.has_value() || value->empty()) {
    return UsageError(absl::StrCat("missing required flag --", name));
  }
  return *value;
}

absl::StatusOr<int64_t> Arguments::GetInt(const std::string& name, int64_t default_value) const {
  std::optional<std::string> value = Get(name);
  if (!value.has_value()) return default_value;
  int64_t parsed = 0;
  if (!absl::SimpleAtoi(*value, &parsed)) {
    return UsageError(absl::StrCat("flag --", name, " wants an integer, got '", *value, "'"));
  }
  return parsed;
}

absl::StatusOr<int64_t> Arguments::RequireInt(const std::string& name) const {
  if (!Has(name)) return UsageError(absl::StrCat("missing required flag --", name));
  return GetInt(name, 0);
}

absl::StatusOr<double> Arguments::GetDouble(const std::string& name, double default_value) const {
  std::optional<std::string> value = Get(name);
  if (!value.has_value()) return default_value;
  double parsed = 0;
  if (!absl::SimpleAtod(*value, &parsed) || !std::isfinite(parsed)) {
    return UsageError(absl::StrCat("flag --", name, " wants a number, got '", *value, "'"));
  }
  return parsed;
}

absl::StatusOr<bool> Arguments::GetBool(const std::string& name, bool default_value) const {
  std::optional<std::string> value = Get(name);
  if (!value.has_value()) return default_value;
  bool parsed = false;
  if (!absl::SimpleAtob(*value, &parsed)) {
    return UsageError(absl::StrCat("flag --", name, " wants true or false, got '", *value, "'"));
  }
  return parsed;
}

absl::Status Arguments::CheckOnly(absl::Span<const std::string> allowed) const {
  for (const auto& [name, values] : flags_) {
    if (std::find(allowed.begin(), allowed.end(), name) == allowed.end()) {
      return UsageError(absl::StrCat("unknown flag --", name));
    }
  }
  return absl::OkStatus();
}

Arguments Arguments::WithoutFirstPositional() const {
  Arguments rest = *this;
  if (!rest.positionals_.empty()) rest.positionals_.erase(rest.positionals_.begin());
  return rest;
}

}  // namespace labelloop
