#include "cli/usage_error.h"

#include "absl/strings/cord.h"

namespace labelloop {
namespace {

constexpr absl::string_view kUsagePayloadUrl = "labelloop.cli/usage";

}  // namespace

absl::Status UsageError(absl::string_view message) {
  absl::Status status = absl::InvalidArgumentError(message);
  status.SetPayload(kUsagePayloadUrl, absl::Cord("1"));
  return status;
}

bool IsUsageError(const absl::Status& status) {
  return status.GetPayload(kUsagePayloadUrl).has_value();
}

}  // namespace labelloop
