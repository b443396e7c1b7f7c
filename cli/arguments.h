#ifndef LABELLOOP_CLI_ARGUMENTS_H_
#define LABELLOOP_CLI_ARGUMENTS_H_

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/types/span.h"

namespace labelloop {

// A command line split into flags and positional words.
//
// Flags are written `--name=value` or `--name value`; names in `boolean_flags` take no value
// (`--json`), though `--json=false` still works. A flag may appear anywhere and more than once
// (every value is kept, for repeatable flags such as --box). A lone `--` ends the flags. The
// parser knows nothing about commands: each command asks for the flags it understands and
// rejects the rest with `CheckOnly`.
class Arguments {
 public:
  static absl::StatusOr<Arguments> Parse(absl::Span<const std::string> words,
                                         absl::Span<const std::string> boolean_flags);

  const std::vector<std::string>& positionals() const { return positionals_; }

  bool Has(const std::string& name) const { return flags_.count(name) > 0; }
  // The last value given for `name`, if any.
  std::optional<std::string> Get(const std::string& name) const;
  // Every value given for `name`, in order.
  std::vector<std::string> GetAll(const std::string& name) const;

  // Usage errors when the flag is missing or is not of the asked type.
  absl::StatusOr<std::string> Require(const std::string& name) const;
  absl::StatusOr<int64_t> GetInt(const std::string& name, int64_t default_value) const;
  absl::StatusOr<int64_t> RequireInt(const std::string& name) const;
  absl::StatusOr<double> GetDouble(const std::string& name, double default_value) const;
  absl::StatusOr<bool> GetBool(const std::string& name, bool default_value) const;

  // A usage error naming the first flag that is not in `allowed`.
  absl::Status CheckOnly(absl::Span<const std::string> allowed) const;

  // Drops the first positional (the command word that brought us here), so a command group
  // can hand the rest to its verb.
  Arguments WithoutFirstPositional() const;

 private:
  std::map<std::string, std::vector<std::string>> flags_;
  std::vector<std::string> positionals_;
};

}  // namespace labelloop

#endif  // LABELLOOP_CLI_ARGUMENTS_H_
